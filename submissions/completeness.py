"""The completeness grid (villages × months of a year) and the reporting and on-time rates.

Definitions, shown on the page too:
- a village-month is *reported* when its status is submitted or approved;
- reporting rate = reported village-months ÷ village-months of the months of the
  year that have ended: the figure submissions.reporting_rate, counted by the same
  VillageMonth.objects.reported_counts and rounded by the same township.numbers.share;
- a village-month is *on time* when it was first confirmed by the deadline
  (SUBMISSION_DEADLINE_DAY of the next month); on-time rate = on-time
  village-months ÷ village-months whose deadline has passed;
- *late*: first confirmed after the deadline, or still not reported after it.

Each cell links to its village-month: the current submission (else the month's latest
upload), or the 月度报表 page set to that village and month (the upload form for whoever
uploads, the month's uploads for everyone).
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from township.numbers import months_ended, share
from villages.models import REPORTED_STATUSES, VillageMonth, VillageMonthStatus, month_bounds

from .models import CURRENT_STATUSES, Submission
from .services import deadline_for


@dataclass
class Cell:
    month: int
    status: str
    label: str
    due: bool  # the month has ended
    late: bool
    on_time: bool
    submitted_at: datetime.datetime | None = None
    href: str = ""


@dataclass
class Grid:
    year: int
    rows: list = field(default_factory=list)  # [(village, [Cell × 12])]
    ended: int = 0
    reported: int = 0
    deadline_passed: int = 0
    on_time: int = 0

    @property
    def reporting_rate(self):
        return share(self.reported, self.ended)

    @property
    def on_time_rate(self):
        return share(self.on_time, self.deadline_passed)


def _links(villages, year) -> dict:
    """{(village id, month): URL of the submission a cell opens} in one query: the current one, else the latest."""
    chosen = {}
    for pk, village_id, month, status in (Submission.objects.filter(village__in=villages, year=year)
                                          .order_by("pk").values_list("pk", "village_id", "month", "status")):
        key = (village_id, month)
        if status in CURRENT_STATUSES or not chosen.get(key, (None, False))[1]:
            chosen[key] = (pk, status in CURRENT_STATUSES)
    return {key: reverse("submissions:detail", args=[pk]) for key, (pk, _current) in chosen.items()}


def build_grid(*, villages, year, today=None, links=False) -> Grid:
    """The grid for `villages` (already scoped to the user) in two queries (three with `links`)."""
    today = today or timezone.localdate()
    villages = list(villages)
    months = {
        (vm.village_id, vm.month): vm
        for vm in VillageMonth.objects.filter(village__in=villages, year=year)
    }
    hrefs = _links(villages, year) if links else {}
    index = reverse("submissions:index") if links else ""
    labels = dict(VillageMonthStatus.choices)
    grid = Grid(year=year)
    for village in villages:
        cells = []
        for month in range(1, 13):
            vm = months.get((village.pk, month))
            status = vm.status if vm else VillageMonthStatus.NOT_SUBMITTED
            reported = status in REPORTED_STATUSES
            due = month_bounds(year, month)[1] < today
            deadline = deadline_for(year, month)
            first = vm.first_submitted_at if vm else None
            first_day = timezone.localtime(first).date() if first else None
            on_time = first_day is not None and first_day <= deadline
            late = (first_day is not None and first_day > deadline) or (not reported and deadline < today)
            if deadline < today:
                grid.deadline_passed += 1
                grid.on_time += on_time
            label = labels[status]
            if not due and status == VillageMonthStatus.NOT_SUBMITTED:
                label = "未到期"
            href = hrefs.get((village.pk, month)) or (
                f"{index}?{urlencode({'village': village.pk, 'year': year, 'month': month})}" if links else "")
            cells.append(Cell(month=month, status=status, label=label, due=due, late=late and due,
                              on_time=on_time, submitted_at=first, href=href))
        grid.rows.append((village, cells))
    ended = months_ended(year, today)
    grid.ended = ended * len(villages)
    grid.reported = sum(row["n"] for row in VillageMonth.objects.reported_counts(
        years=[year], village_ids=[v.pk for v in villages]) if row["month"] <= ended)
    return grid


def reporting_rate(*, villages, year, today=None):
    """% of village-months reported over the ended months of the year (one decimal), or None."""
    return build_grid(villages=villages, year=year, today=today).reporting_rate
