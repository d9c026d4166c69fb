"""三会一课 and 主题党日 compliance: which branches held each required kind of organisational life in each period.

Definitions, shown on the compliance page too:
- what a branch owes in a year is its township's requirements of that year
  (OrgLifeRequirement.objects.effective: the township's own decisions over DEFAULT_REQUIREMENTS):
  each kind once a month, a quarter or a year;
- a requirement (a branch, a kind, a period) is *due* once its period has ended
  (township.numbers.months_ended, as the reporting rate counts months);
- it is *met* when the branch held at least one meeting of that kind dated in that period;
- compliance rate = requirements met ÷ requirements due (one decimal, township.numbers.share):
  the figure org_life.compliance_rate of the annual report, computed here.

Cost: two queries whatever the number of branches and years (the branches with their meetings counted
per month and kind — for the figures, per kind with the months held folded into a bit mask by the
database — and the requirements). The rule of a period met is `missing_periods`, asked by the grid and the
figures alike.
"""
from __future__ import annotations

import operator
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, reduce

from django.db.models import Case, Count, F, FilteredRelation, Max, Q, Value, When
from django.urls import reverse
from django.utils.http import urlencode

from township.numbers import months_ended, share
from villages.dates import Month, Year
from villages.models import PartyBranch, Village, month_bounds

from .models import OrgLifeKind, OrgLifeRequirement, RequirementFrequency

QUARTER_NAMES = ("第一季度", "第二季度", "第三季度", "第四季度")
# Short names for a grid cell, in the order of the kinds.
SHORT_LABELS = {
    OrgLifeKind.GENERAL_MEETING: "党员大会", OrgLifeKind.COMMITTEE_MEETING: "支委会",
    OrgLifeKind.GROUP_MEETING: "小组会", OrgLifeKind.PARTY_LECTURE: "党课",
    OrgLifeKind.THEME_DAY: "主题党日", OrgLifeKind.LIFE_MEETING: "组织生活会",
}
HELD, MISSING, OPEN = "held", "missing", "open"


def periods(frequency) -> list[tuple[str, tuple[int, ...]]]:
    """[(label, months)] of the periods a frequency divides a year into."""
    if frequency == RequirementFrequency.MONTHLY:
        return [(f"{m}月", (m,)) for m in range(1, 13)]
    if frequency == RequirementFrequency.QUARTERLY:
        return [(QUARTER_NAMES[q], (3 * q + 1, 3 * q + 2, 3 * q + 3)) for q in range(4)]
    if frequency == RequirementFrequency.YEARLY:
        return [("全年", tuple(range(1, 13)))]
    return []


@dataclass
class KindCompliance:
    kind: str
    frequency: str
    required: int = 0  # periods of the kind that have ended (requirements due)
    held: int = 0  # meetings of the kind held in the year
    missing: list = field(default_factory=list)  # labels of the ended periods without one

    @property
    def label(self):
        return OrgLifeKind(self.kind).label

    @property
    def frequency_label(self):
        return RequirementFrequency(self.frequency).label

    @property
    def met_count(self):
        return self.required - len(self.missing)

    @property
    def met(self) -> bool:
        return not self.missing


@dataclass
class Mark:
    kind: str
    state: str  # HELD, MISSING (its period ended without one), OPEN (its month has not ended)
    count: int = 0

    @property
    def label(self):
        return SHORT_LABELS[self.kind]


@dataclass
class MonthCell:
    month: int
    marks: list = field(default_factory=list)
    href: str = ""

    @property
    def missing(self):
        return [mark for mark in self.marks if mark.state == MISSING]


@dataclass
class BranchCompliance:
    branch: object
    kinds: list = field(default_factory=list)  # [KindCompliance], every kind in OrgLifeKind's order
    months: list = field(default_factory=list)  # [MonthCell × 12]

    @property
    def village(self):
        return self.branch.village

    @property
    def due(self):
        return sum(k.required for k in self.kinds)

    @property
    def met(self):
        return sum(k.met_count for k in self.kinds)

    @property
    def short(self):
        """The kinds the branch fell short of (some period ended without a meeting)."""
        return [k for k in self.kinds if k.missing]


@dataclass
class Compliance:
    year: int
    months_ended: int
    requirements: dict  # {township id: {kind: frequency}}
    rows: list = field(default_factory=list)  # [BranchCompliance]

    @property
    def due(self):
        return sum(row.due for row in self.rows)

    @property
    def met(self):
        return sum(row.met for row in self.rows)

    @property
    def rate(self):
        return share(self.met, self.due)


def _branch(row) -> PartyBranch:
    village = Village(pk=row["village_id"], name=row["village__name"], order=row["village__order"],
                      township_id=row["village__township_id"])
    return PartyBranch(pk=row["pk"], name=row["name"], village=village)


def _branches_and_counts(branches, years, by_month=True) -> tuple[list, dict, dict, dict]:
    """([branch with its village], {(branch id, year, kind): months held as a bit mask (bit m-1 for month m)},
    {(branch id, year, kind): meetings}) in one query: the branches joined to their meetings of the years
    (a branch without any still comes, once). `by_month` also gives {(branch id, year, month, kind):
    meetings} (the grid's cells) as a 4th item; without it the rows are grouped by kind, the months of
    each folded into the mask by the database (what the figures need: twelve times fewer rows)."""
    # One date range per year (not EXTRACT(YEAR) IN …): the planner can use the date index and estimate rows.
    in_years = Q()
    for year in years:
        in_years |= Q(org_life_events__date__year=year)
    meetings = FilteredRelation("org_life_events", condition=in_years)
    rows = (branches.order_by().annotate(meeting=meetings)
            .annotate(y=Year("meeting__date"), k=F("meeting__kind")))
    group = ["pk", "name", "village_id", "village__name", "village__order", "village__township_id", "y", "k"]
    if by_month:
        rows = rows.annotate(m=Month("meeting__date")).values(*group, "m").annotate(n=Count("meeting__pk"))
    else:
        # Bit m-1 set when a meeting was held in month m: twelve plain MAX aggregates (no DISTINCT, so the
        # database may hash the groups), the same on PostgreSQL and SQLite; the month as date ranges, not
        # EXTRACT(MONTH): comparing dates costs the database far less per row.
        def in_month(m):
            return reduce(operator.or_, (Q(meeting__date__range=month_bounds(y, m)) for y in years))

        rows = rows.values(*group).annotate(
            n=Count("meeting__pk"),
            bits=sum((Max(Case(When(in_month(m), then=Value(1 << (m - 1))), default=Value(0)))
                      for m in range(1, 13)), start=Value(0)))
    found, masks, held, by_cell = {}, defaultdict(int), defaultdict(int), {}
    for row in rows:
        if row["pk"] not in found:
            found[row["pk"]] = _branch(row)
        if not row["n"]:
            continue
        key = (row["pk"], row["y"], row["k"])
        held[key] += row["n"]
        if by_month:
            masks[key] |= 1 << (row["m"] - 1)
            by_cell[(row["pk"], row["y"], row["m"], row["k"])] = row["n"]
        else:
            masks[key] = int(row["bits"])
    ordered = sorted(found.values(), key=lambda b: (b.village.township_id, b.village.order, b.village.name,
                                                     b.name))
    return ordered, masks, held, by_cell


@cache
def missing_periods(frequency, held_mask, ended) -> tuple[int, tuple[str, ...]]:
    """(requirements due, labels of the due periods without a meeting) of one kind for one branch and year:
    a period is due once its last month has ended (`ended` months of the year), met when a meeting was held
    in one of its months (`held_mask`: bit m-1 for month m). The one rule of compliance; the grid and the
    figures both ask it."""
    due, missing = 0, []
    for label, months in periods(frequency):
        if months[-1] <= ended:
            due += 1
            if not any(held_mask >> (m - 1) & 1 for m in months):
                missing.append(label)
    return due, tuple(missing)


def _evaluate(branch, requirements, masks, held, by_cell, year, ended, links, grid=True) -> BranchCompliance:
    """A branch's compliance of the year; with `grid`, its month cells too (the page's), else the counts only
    (the figures')."""
    row = BranchCompliance(branch=branch, months=[MonthCell(month=m) for m in range(1, 13)] if grid else [])
    if links and grid:
        base = reverse("records:org-life-list")
        for cell in row.months:
            cell.href = f"{base}?{urlencode({'village': branch.village_id, 'year': year, 'month': cell.month})}"
    for kind in OrgLifeKind:
        frequency = requirements[kind]
        key = (branch.pk, year, kind.value)
        mask = masks.get(key, 0)
        required, missing = missing_periods(frequency, mask, ended)
        result = KindCompliance(kind=kind.value, frequency=frequency.value, held=held.get(key, 0),
                                required=required, missing=list(missing))
        if grid:
            last_months = {label: months[-1] for label, months in periods(frequency)}
            for label in missing:
                row.months[last_months[label] - 1].marks.append(Mark(kind.value, MISSING))
            if frequency == RequirementFrequency.MONTHLY:
                for m in range(ended + 1, 13):
                    if not mask >> (m - 1) & 1:
                        row.months[m - 1].marks.append(Mark(kind.value, OPEN))
            for m in range(1, 13):
                n = by_cell.get((branch.pk, year, m, kind.value))
                if n:
                    row.months[m - 1].marks.append(Mark(kind.value, HELD, n))
        row.kinds.append(result)
    if grid:
        order = {kind.value: i for i, kind in enumerate(OrgLifeKind)}
        for cell in row.months:
            cell.marks.sort(key=lambda mark: order[mark.kind])
    return row


def build_many(*, branches, years, today=None, links=False, grid=True) -> dict:
    """{year: Compliance} of `branches` (a PartyBranch queryset already scoped to the user): two queries for
    all the years. `grid=False`: the counts without the month cells (what the figures need)."""
    branches, masks, held, by_cell = _branches_and_counts(branches, years, by_month=grid)
    township_ids = {b.village.township_id for b in branches}
    requirements = OrgLifeRequirement.objects.effective(township_ids, years)
    out = {}
    for year in years:
        ended = months_ended(year, today)
        of_year = {tid: requirements[(tid, year)] for tid in township_ids}
        out[year] = Compliance(year=year, months_ended=ended, requirements=of_year, rows=[
            _evaluate(b, of_year[b.village.township_id], masks, held, by_cell, year, ended, links, grid)
            for b in branches])
    return out


def build(*, branches, year, today=None, links=False) -> Compliance:
    """The compliance of `branches` (already scoped to the user) in `year`."""
    return build_many(branches=branches, years=[year], today=today, links=links)[year]


def by_township(compliance: Compliance) -> dict:
    """{township id: Compliance} of the rows of each township."""
    split = defaultdict(list)
    for row in compliance.rows:
        split[row.village.township_id].append(row)
    return {tid: Compliance(year=compliance.year, months_ended=compliance.months_ended,
                            requirements={tid: compliance.requirements[tid]}, rows=rows)
            for tid, rows in split.items()}
