"""The registry of figures: every number of the annual report declared once, and the one engine that computes them.

A figure says what it counts (a record kind and the list filters of its year: the
same filters a person uses on that list page, so the source link reproduces it), how
(count, sum, share of two other figures, …), as of when (the year, or 31 December),
its label and unit. The township report, the county view, the figures API, the
drafted text, the Word file, the charts and the dashboards all read these figures;
the completeness page states the reporting rate from the same village-month counts
(villages.models.VillageMonthQuerySet.reported_counts) and the same rounding.

Cost: one grouped query per record kind for all the figures on it, for every year asked
and every township asked at once (GROUP BY township), so this year and last year, or a
county's townships, cost what one township's year does. A township's report adds its
words: the titles of the year (study plans, campaigns, competitions) in one query, the
work events, projects and alliances (villages and enterprises joined) one each, and the
targets. Counts are ints, money is a string with two decimals (yuan), shares are
percentages with one decimal; a figure whose records do not exist at all is None ("no
data"), never a guessed number.
"""
from __future__ import annotations

import datetime
import operator
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache, reduce
from urllib.parse import urlencode

from django.db.models import Count, DateField, DecimalField, F, IntegerField, Q, Sum, Value
from django.db.models.functions import Cast
from django.urls import get_script_prefix, reverse

from cadres.models import AppraisalGrade, MemberDues, Person, Stage, TalentKind, Transfer, membership_on, stage_on
from committee.models import BulletinKind, Campaign, SupervisionKind, TownshipTarget, WorkEvent
from economy.models import (
    Alliance,
    IncomeCategory,
    IncomeRecord,
    IndustryProject,
    ProjectAction,
    ProjectOperator,
    ScaleUnit,
    TownshipEconomyTarget,
    VillageIncomeTarget,
)
from records import filters as record_filters
from records import registry as record_types
from study import compliance as org_life_compliance
from study.models import OrgLifeKind, StudyActivity, StudyKind, StudyPlan, StudyPlanKind
from township.numbers import money, months_ended, share
from villages.dates import Year
from villages.models import PartyBranch, Village, VillageMonth

MILLION = Decimal("1000000")
TWO_MILLION = Decimal("2000000")

COUNT, SUM, SHARE, MAP, LIST, EXTREME, VALUE = "count", "sum", "share", "map", "list", "extreme", "value"
# Kinds whose value adds up across townships (the county view): the rest are recomputed or left out.
ADDITIVE = {COUNT, SUM}


def year_end(year) -> datetime.date:
    return datetime.date(year, 12, 31)


def under_35_born_after(year) -> datetime.date:
    """35岁以下 on 31 December of `year`: born after 31 December 35 years before."""
    return datetime.date(year - 35, 12, 31)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    kind: str
    slug: str | None = None  # the record kind counted or summed (its list page is the source)
    params: Callable[[int], dict] | None = None  # year → the list filters that select the records
    field: str | None = None  # SUM: the field summed
    parts: tuple[str, str] | None = None  # SHARE: (numerator key, denominator key), on the same list
    none_without: str | None = None  # a count whose zero means the year has no such records: then None
    as_of: str = "year"  # "year", or "year_end" for 31 December
    township_only: bool = False  # words and per-township decisions: not part of the county sums
    in_table: bool = True  # False for the parts other figures are made of (levels, numerators)

    def source(self, year) -> str | None:
        if self.slug is None or self.params is None:
            return None
        return _source(self, year, get_script_prefix())


@lru_cache(maxsize=4096)
def _source(figure, year, script_prefix) -> str:
    """A figure's record list of a year, built once per figure, year and script prefix (a report names a hundred
    sources for each of two years)."""
    params = dict(figure.params(year))
    if figure.kind == SUM:
        params["sum"] = figure.field
    return records_url(figure.slug, **params)


@cache
def _path(name, script_prefix) -> str:
    return reverse(name)


def path_of(name) -> str:
    """reverse(name) of a route without arguments, resolved once per script prefix: a report names a
    hundred sources, and resolving each anew cost more than counting its records."""
    return _path(name, get_script_prefix())


def in_years(lookup, years) -> Q:
    """`lookup` (date__year, or a year field) in `years`, as one equality per year: on a date a BETWEEN the
    planner can use an index for, where EXTRACT(YEAR) IN (…) is not."""
    return reduce(operator.or_, (Q(**{lookup: year}) for year in years))


def records_url(slug, **params) -> str:
    """The filtered record list behind a figure (/records/<slug>/?year=…&…)."""
    url = path_of(f"records:{slug}-list")
    params = {k: v for k, v in params.items() if v is not None}
    return f"{url}?{urlencode(params)}" if params else url


def _year(year):
    return {"year": year}


def _in_year(**fixed):
    """year → the list filters of the year plus fixed ones (kind, stage, …)."""
    return lambda year: {"year": year, **fixed}


def _kind(kind):
    return _in_year(kind=kind)


def _stage_at_year_end(stage):
    return lambda year: {"stage": stage, "on": year_end(year)}


FIGURES: list[Figure] = []


def declare(*figures):
    FIGURES.extend(figures)


# ---------------------------------------------------------------- villages and star ratings

STAR_LEVELS = (5, 4, 3, 2, 1)

declare(
    Figure("villages.count", "村", "个", COUNT),
    Figure("villages.list", "村名单", "", LIST, township_only=True),
    Figure("stars.rated", "参评党组织", "个", COUNT, "star-ratings", _year),
    *[Figure(f"stars.level_{n}", f"{n}星级党组织", "个", COUNT, "star-ratings",
             _in_year(stars=n), none_without="stars.rated", in_table=False)
      for n in STAR_LEVELS],
    Figure("stars.rated_3plus", "三星级及以上党组织", "个", COUNT, "star-ratings",
           lambda year: {"year": year, "stars_min": 3}, none_without="stars.rated", in_table=False),
    Figure("stars.rated_4plus", "四星级及以上党组织", "个", COUNT, "star-ratings",
           lambda year: {"year": year, "stars_min": 4}, none_without="stars.rated", in_table=False),
    Figure("stars.by_level", "星级党组织", "个", MAP, "star-ratings", _year),
    Figure("stars.share_3plus", "三星级及以上", "%", SHARE, parts=("stars.rated_3plus", "stars.rated")),
    Figure("stars.share_4plus", "四星级及以上", "%", SHARE, parts=("stars.rated_4plus", "stars.rated")),
    Figure("stars.share_5", "五星级", "%", SHARE, parts=("stars.level_5", "stars.rated")),
    # Branches below the target of their rating, by target level (the next steps name them): counted by village.
    *[Figure(f"stars.below_target_{n}", f"低于{n}星级目标的党组织", "个", COUNT, "star-ratings",
             _in_year(target_stars=n, below_target="true"), in_table=False) for n in (5, 4, 3, 2)],
    Figure("stars.below_target", "未达目标星级的党组织", "个", LIST, "star-ratings",
           _in_year(below_target="true"), township_only=True),
)

# ---------------------------------------------------------------- study

STUDY_KEYS = {  # the kinds the report names by their own key; every other kind is study.kind_<code>
    StudyKind.CENTRAL_GROUP: "study.central_group_sessions",
    StudyKind.SEMINAR_EXCHANGE: "study.central_group_seminars",
    StudyKind.CONCENTRATED: "study.concentrated_sessions",
    StudyKind.TOPIC_SEMINAR: "study.topic_seminars",
    StudyKind.QUIZ: "study.quizzes",
    StudyKind.RECITATION: "study.recitations",
    StudyKind.WARNING_VISIT: "study.warning_visits",
    StudyKind.DELIVERED_STUDY: "study.delivered_events",
}


# Counted only to tell whether the year has such events (their sums are the figures).
HIDDEN_KINDS = (StudyKind.WARNING_VISIT, StudyKind.DELIVERED_STUDY)


def study_key(kind) -> str:
    return STUDY_KEYS.get(kind, f"study.kind_{kind}")


declare(
    Figure("study.activities", "学习活动", "次", COUNT, "study-activities", _year),
    *[Figure(study_key(kind), kind.label, "次", COUNT, "study-activities", _kind(kind.value),
             none_without="study.activities", in_table=kind in STUDY_KEYS and kind not in HIDDEN_KINDS)
      for kind in StudyKind],
    Figure("study.by_kind", "各类学习活动", "次", MAP, "study-activities", _year),
    Figure("study.essays", "心得体会", "篇", SUM, "study-activities",
           lambda year: {"year": year, "with_essays": "true"}, field="essays", none_without="study.activities"),
    Figure("study.warning_education_visitors", "警示教育参观学习", "人次", SUM, "study-activities",
           _kind(StudyKind.WARNING_VISIT), field="attendance", none_without="study.warning_visits"),
    Figure("study.delivered_study", "送学", "人次", SUM, "study-activities",
           _kind(StudyKind.DELIVERED_STUDY), field="attendance", none_without="study.delivered_events"),
    Figure("study.plans", "学习计划", "", LIST, "study-plans", _year, township_only=True),
    Figure("study.topics", "竞赛与比赛", "", LIST, "study-activities", _year, township_only=True),
)

# ---------------------------------------------------------------- organisational life (三会一课 and 主题党日)

ORG_LIFE_HELD_KEYS = {kind: f"org_life.held_{kind.value}" for kind in OrgLifeKind}
# Requirements (a branch, a kind, a period that has ended) met and due, as study.compliance counts them:
# its page (the compliance grid) states them.
ORG_LIFE_COMPLIANCE_KEYS = ("org_life.requirements_due", "org_life.requirements_met", "org_life.compliance_rate")

declare(
    Figure("org_life.events", "组织生活会议", "次", COUNT, "org-life", _year),
    *[Figure(key, kind.label, "次", COUNT, "org-life", _kind(kind.value), none_without="org_life.events")
      for kind, key in ORG_LIFE_HELD_KEYS.items()],
    Figure("org_life.requirements_due", "应落实的组织生活要求", "项", COUNT, none_without="org_life.events",
           in_table=False),
    Figure("org_life.requirements_met", "已落实的组织生活要求", "项", COUNT, none_without="org_life.events",
           in_table=False),
    Figure("org_life.compliance_rate", "“三会一课”和主题党日达标率", "%", SHARE,
           parts=("org_life.requirements_met", "org_life.requirements_due"), none_without="org_life.events"),
    # The branches that missed a required meeting: {"village", "kinds": [labels]} (a data suggestion names them).
    Figure("org_life.short_branches", "组织生活未全部落实的党支部", "", LIST, township_only=True),
)


def _org_life(township_ids, years, values, today, detail_year):
    """Requirements due and met per township and year, and for `detail_year` the branches that fell short:
    study.compliance's two queries, without its grid. (The meetings held per kind are count figures of the
    org-life list, counted with the other record kinds.)"""
    results = org_life_compliance.build_many(
        branches=PartyBranch.objects.filter(village__township__in=township_ids), years=years, today=today,
        grid=False)
    for year, result in results.items():
        split = org_life_compliance.by_township(result)
        for tid in township_ids:
            part = split.get(tid)
            v = values[tid][year]
            v["org_life.requirements_due"] = part.due if part else 0
            v["org_life.requirements_met"] = part.met if part else 0
            if year == detail_year:
                v["org_life.short_branches"] = [
                    {"village": row.village.name, "kinds": [k.label for k in row.short]}
                    for row in (part.rows if part else []) if row.short] if v.get("org_life.events") else []


# ---------------------------------------------------------------- the committee's own work

SUPERVISION_KEYS = {  # the working mechanisms (月度指导、季度调度、半年交叉督查) by their visits
    SupervisionKind.MONTHLY: "township.supervision_monthly",
    SupervisionKind.QUARTERLY: "township.supervision_quarterly",
    SupervisionKind.HALF_YEAR: "township.supervision_half_year",
}

declare(
    Figure("township.campaigns", "专项活动", "", LIST, "campaigns", _year, township_only=True),
    Figure("township.problems_found", "查摆问题", "条", COUNT, "problems", _year),
    Figure("township.problems_rectified", "已整改", "条", COUNT, "problems",
           lambda year: {"year": year, "rectified_by": year_end(year)}, as_of="year_end"),
    Figure("township.problems_open", "未整改问题", "条", COUNT, "problems",
           lambda year: {"open_on": year_end(year)}, as_of="year_end"),
    Figure("township.bulletins", "工作专报", "期", COUNT, "bulletins", _kind(BulletinKind.SPECIAL_REPORT)),
    Figure("township.weekly_previews", "一周工作预览", "次", COUNT, "bulletins", _kind(BulletinKind.WEEKLY_PREVIEW)),
    Figure("township.work_info", "工作信息", "条", COUNT, "bulletins", _kind(BulletinKind.WORK_INFO)),
    Figure("township.supervision_visits", "督查指导", "次", COUNT, "supervision-visits", _year),
    *[Figure(key, kind.label, "次", COUNT, "supervision-visits", _kind(kind.value),
             none_without="township.supervision_visits")
      for kind, key in SUPERVISION_KEYS.items()],
    # Meetings held, documents issued, mechanisms, activities …: what the text cites by title.
    Figure("township.work_events", "党委工作事项", "", LIST, "work-events", _year, township_only=True),
)

# ---------------------------------------------------------------- the member pipeline

YEAR_END_STAGE_KEYS = {
    Stage.APPLICANT: "members.applicants", Stage.ACTIVIST: "members.activists",
    Stage.CANDIDATE: "members.candidates", Stage.PROBATIONARY: "members.probationary",
    Stage.MEMBER: "members.full",
}
YEAR_END_STAGE_COUNTS = set(YEAR_END_STAGE_KEYS.values())
STEP_KEYS = {
    Stage.APPLICANT: "members.new_applicants", Stage.ACTIVIST: "members.new_activists",
    Stage.CANDIDATE: "members.new_candidates", Stage.PROBATIONARY: "members.new_probationary",
    Stage.MEMBER: "members.converted",
}
STEP_LABELS = {Stage.APPLICANT: "递交入党申请", Stage.ACTIVIST: "确定为入党积极分子", Stage.CANDIDATE: "确定为发展对象",
               Stage.PROBATIONARY: "吸收预备党员", Stage.MEMBER: "转正"}

declare(
    *[Figure(key, f"年末{stage.label}", "名", COUNT, "persons",
             _stage_at_year_end(stage.value), as_of="year_end")
      for stage, key in YEAR_END_STAGE_KEYS.items()],
    Figure("members.by_stage", "年末各发展阶段人数", "名", MAP, "persons", lambda year: {"on": year_end(year)},
           as_of="year_end"),
    *[Figure(key, STEP_LABELS[stage], "名", COUNT, "stage-changes",
             _in_year(stage=stage.value))
      for stage, key in STEP_KEYS.items()],
    Figure("members.new_probationary_under_35", "吸收预备党员中35岁以下", "名", COUNT, "stage-changes",
           lambda year: {"year": year, "stage": Stage.PROBATIONARY, "born_after": under_35_born_after(year)}),
    Figure("members.steps", "本年发展阶段变动", "名", MAP, "stage-changes", _year),
)

# ---------------------------------------------------------------- reserve cadres and talent


def _on_record(**more):
    return lambda year: {"on_record": year_end(year), **more}


TALENT_KEYS = {
    TalentKind.INDUSTRY_LEADER: "talent.industry_leaders",
    TalentKind.INDUSTRY_LEADER_TRAINEE: "talent.industry_leader_trainees",
    TalentKind.REVITALISATION_GRADUATE: "talent.revitalisation_graduates",
    TalentKind.LOCAL_GRADUATE: "talent.local_graduates",
    TalentKind.EXPERT: "talent.experts",
    TalentKind.RETURNEE: "talent.returnees",
    TalentKind.PRACTICAL: "talent.practical",
    TalentKind.NEW_TYPE: "talent.new_type",
}

declare(
    Figure("reserve.cadres", "村级后备干部", "名", COUNT, "reserve-cadres", _on_record(), as_of="year_end"),
    Figure("reserve.seedling_files", "育苗档案", "名", COUNT, "reserve-cadres",
           _on_record(has_seedling_file="true"), as_of="year_end"),
    Figure("reserve.young", "35岁以下后备干部", "名", COUNT, "reserve-cadres",
           lambda year: {"on_record": year_end(year), "born_after": under_35_born_after(year)}, as_of="year_end"),
    Figure("reserve.by_village", "各村后备干部", "名", MAP, "reserve-cadres", _on_record(), as_of="year_end",
           township_only=True),
    *[Figure(key, kind.label, "名", COUNT, "talents", _on_record(kind=kind.value), as_of="year_end")
      for kind, key in TALENT_KEYS.items()],
)

# ---------------------------------------------------------------- collective economy

declare(
    Figure("economy.income_total", "村集体经济总收入", "元", SUM, "incomes", _year, field="amount",
           none_without="economy.villages_reporting_income"),
    Figure("economy.income_records", "收入记录", "条", COUNT, "incomes", _year, in_table=False),
    Figure("economy.income_land", "土地流转、土地管理、农业种植收入", "元", SUM, "incomes",
           lambda year: {"year": year, "land": "true"}, field="amount",
           none_without="economy.villages_reporting_income", in_table=False),
    Figure("economy.land_share", "土地流转、土地管理、农业种植收入占比", "%", SHARE,
           parts=("economy.income_land", "economy.income_total")),
    Figure("economy.income_by_category", "收入结构", "元", MAP, "incomes", _year),
    Figure("economy.income_max", "村集体经济最高", "元", EXTREME),
    Figure("economy.income_min", "村集体经济最低", "元", EXTREME),
    Figure("economy.villages_reporting_income", "有收入记录的村", "个", COUNT),
    Figure("economy.villages_over_1m", "百万村", "个", COUNT, none_without="economy.villages_reporting_income"),
    Figure("economy.villages_over_2m", "两百万元村", "个", COUNT, none_without="economy.villages_reporting_income"),
    Figure("economy.income_by_village", "各村集体经济收入", "元", LIST, "incomes", _year, township_only=True),
    Figure("economy.projects", "产业项目", "", LIST, "industry-projects", _year, township_only=True),
    # Villages with a project of a named industry (设施蔬菜 …): the text groups them (“江南村、潘昶村等7个村发展…”).
    Figure("economy.industry_villages", "发展特色产业的村", "个", COUNT, township_only=True, in_table=False),
    Figure("economy.alliances", "党建共同体与产业联盟", "个", LIST, "alliances", _year, township_only=True),
)
# Villages counted by their yearly income (None: every village; a threshold: villages whose income
# records of the year add up to at least that): the source is the list of exactly those villages.
VILLAGE_COUNTS = {
    "villages.count": None,
    "economy.villages_reporting_income": Decimal("0"),
    "economy.villages_over_1m": MILLION,
    "economy.villages_over_2m": TWO_MILLION,
}


def counted(total, threshold) -> bool:
    """Whether a village with this yearly income total counts for a village figure's threshold."""
    return threshold is None or (total is not None and total >= threshold)


INDUSTRY_VILLAGES = "economy.industry_villages"
# The village figures whose source is the page listing exactly the villages they count.
VILLAGE_PAGES = (*VILLAGE_COUNTS, INDUSTRY_VILLAGES)


def villages_counted(township, year, key) -> list[dict]:
    """The villages a village figure counts, with their yearly income (or, for the industry villages, their
    industries): what its source page lists."""
    if key == INDUSTRY_VILLAGES:
        rows = (IndustryProject.objects.filter(township=township, year=year, village__isnull=False)
                .exclude(industry="").order_by("pk").values("village_id", "village__name", "industry"))
        projects = [{"village": row["village__name"], "industry": row["industry"]} for row in rows]
        ids = {row["village__name"]: row["village_id"] for row in rows}
        return [{"village": name, "village_id": ids[name], "industries": "、".join(industries), "amount": None}
                for name, industries in industry_villages(projects).items()]
    threshold = VILLAGE_COUNTS[key]
    totals = dict(IncomeRecord.objects.order_by().filter(village__township=township, year=year)
                  .values_list("village_id").annotate(total=Sum("amount")))
    return [{"village": village.name, "village_id": village.pk, "amount": money(totals.get(village.pk))}
            for village in Village.objects.filter(township=township).order_by("order", "name")
            if counted(totals.get(village.pk), threshold)]

# ---------------------------------------------------------------- monthly reporting

declare(
    Figure("submissions.months_ended", "已结束月份", "个", VALUE),
    Figure("submissions.reported", "已上报村月", "个", COUNT),
    Figure("submissions.expected", "应上报村月", "个", COUNT, in_table=False),
    Figure("submissions.reporting_rate", "月报上报率", "%", SHARE,
           parts=("submissions.reported", "submissions.expected")),
    Figure("submissions.by_month", "各月上报村数", "个", MAP),
)

# ---------------------------------------------------------------- targets (stored decisions, not counts)

declare(
    Figure("targets.stars", "星级党组织目标", "%", VALUE, "township-targets", _year, township_only=True),
    Figure("targets.planned_probationary", "计划吸收预备党员", "名", VALUE, "township-targets", _year,
           township_only=True),
    Figure("targets.planned_probationary_under_35", "其中35岁以下", "名", VALUE, "township-targets", _year,
           township_only=True),
    Figure("targets.reserve_cadres_per_village", "每村后备干部目标", "名", VALUE, "township-targets", _year,
           township_only=True),
    Figure("targets.economy", "村集体经济目标", "元", VALUE, "economy-targets", _year, township_only=True),
    Figure("targets.village_income", "各村收入目标完成情况", "元", LIST, "income-targets", _year, township_only=True),
    Figure("targets.next_year", "下一年度党建目标", "", VALUE, "township-targets", lambda year: {"year": year + 1},
           township_only=True),
    Figure("targets.next_year_economy", "下一年度村集体经济目标", "", VALUE, "economy-targets",
           lambda year: {"year": year + 1}, township_only=True),
)

# ---------------------------------------------------------------- 民主评议党员 (issue 16)

APPRAISAL_KEYS = {
    AppraisalGrade.EXCELLENT: "evaluation.excellent", AppraisalGrade.QUALIFIED: "evaluation.qualified",
    AppraisalGrade.BASICALLY_QUALIFIED: "evaluation.basically_qualified",
    AppraisalGrade.UNQUALIFIED: "evaluation.unqualified",
}

declare(
    Figure("evaluation.appraised", "参加民主评议党员", "名", COUNT, "appraisals", _year),
    *[Figure(key, f"评定为{grade.label}等次", "名", COUNT, "appraisals", _in_year(grade=grade.value),
             none_without="evaluation.appraised")
      for grade, key in APPRAISAL_KEYS.items()],
)

# ---------------------------------------------------------------- 党费 per member and month (issue 16)

declare(
    # Computed by _dues_and_transfers in one query (members in arrears are counted once however many months they
    # owe); the sources are the lists that reproduce them (the sums of the year's dues, the members owing).
    Figure("dues.member_months", "党员党费登记", "条", COUNT, "member-dues", _year, in_table=False),
    Figure("dues.expected", "应交党费", "元", SUM, "member-dues", _year, field="expected",
           none_without="dues.member_months"),
    Figure("dues.paid", "实交党费", "元", SUM, "member-dues", _year, field="paid", none_without="dues.member_months"),
    Figure("dues.members_in_arrears", "欠交党费党员", "名", COUNT, "persons", lambda year: {"dues_arrears": year},
           none_without="dues.member_months"),
)

DUES_KEYS = ("dues.member_months", "dues.expected", "dues.paid", "dues.members_in_arrears")


# ---------------------------------------------------------------- 组织关系转接 (issue 16)

TRANSFER_KEYS = {"members.transferred_in": "into_township", "members.transferred_out": "out_of_township"}

declare(
    # Computed by _transfers in one query: a transfer between two townships is one township's 转入 and the
    # other's 转出; one between villages of a township is neither. The source names the township
    # (the transfers list filters ?into_township=…), since both ends see such a transfer.
    Figure("members.transferred_in", "转入党员组织关系", "名", COUNT, "transfers"),
    Figure("members.transferred_out", "转出党员组织关系", "名", COUNT, "transfers"),
)


def _dues_and_transfers(township_ids, years, values):
    """The dues figures (what the member-dues and persons lists state) and the transfers in and out of all
    townships and years: one query, a UNION ALL of the two groupings (the report page keeps to its 30 queries).

    A transfer between two townships is one township's 转入 and the other's 转出; one between villages of a
    township is neither."""
    money_field = DecimalField(max_digits=14, decimal_places=2)
    dues = (MemberDues.objects.order_by().filter(village__township_id__in=township_ids, year__in=years)
            .annotate(tag=Value("dues"), township_a=F("village__township_id"),
                      township_b=Cast(Value(None), IntegerField()), in_year=F("year"))
            .values("tag", "township_a", "township_b", "in_year")
            .annotate(n=Count("pk"), total_expected=Sum("expected"), total_paid=Sum("paid"),
                      arrears=Count("person", filter=Q(paid__lt=F("expected")), distinct=True)))
    transfers = (Transfer.objects.order_by()
                 .filter(Q(from_township__in=township_ids) | Q(to_township__in=township_ids),
                         in_years("date__year", years))
                 .annotate(tag=Value("transfer"), township_a=F("from_township_id"), township_b=F("to_township_id"),
                           in_year=Year("date"))
                 .values("tag", "township_a", "township_b", "in_year")
                 .annotate(n=Count("pk"), total_expected=Cast(Value(None), money_field),
                           total_paid=Cast(Value(None), money_field), arrears=Value(0)))
    wanted = set(township_ids)
    for tid in township_ids:
        for year in years:
            values[tid][year].update({key: 0 for key in (*DUES_KEYS, *TRANSFER_KEYS)})
            values[tid][year]["_township_id"] = tid  # the transfers' sources name it
    for row in dues.union(transfers, all=True):
        if row["tag"] == "dues":
            values[row["township_a"]][row["in_year"]].update({
                "dues.member_months": row["n"], "dues.expected": row["total_expected"] or 0,
                "dues.paid": row["total_paid"] or 0, "dues.members_in_arrears": row["arrears"]})
            continue
        origin, destination, year = row["township_a"], row["township_b"], row["in_year"]
        if origin == destination:
            continue
        if destination in wanted:
            values[destination][year]["members.transferred_in"] += row["n"]
        if origin in wanted:
            values[origin][year]["members.transferred_out"] += row["n"]


BY_KEY = {figure.key: figure for figure in FIGURES}
assert len(BY_KEY) == len(FIGURES), "a figure key is declared twice"


# ---------------------------------------------------------------- the engine


class Values(defaultdict):
    """{township id: {year: {key: value}}}."""

    def __init__(self):
        super().__init__(lambda: defaultdict(dict))


def _grouped_counts(slug, township_ids, years, values, by_village=False, wanted=None):
    """Every COUNT and SUM figure on one record kind, for all townships and years: one query.

    A figure's list filters that are plain equalities (年度, a kind, a stage, a flag) become
    GROUP BY columns, so a row is read once whatever the number of figures; the others (在册日期,
    土地类收入 …) are FILTER aggregates. Both are the list page's own conditions
    (records.filters), so a figure is exactly what its source lists. With `by_village` (a
    township's report, and incomes always: the village figures need them) the values of each
    village come too (values[tid][year]["_by_village"][key] = {village id: value}). `wanted`: only these
    figures (None: all)."""
    record_type = record_types.get(slug)
    model = record_type.model
    township_path = record_filters.township_path(model)
    village_path = record_filters.village_path(model) if by_village else None
    counted_here = []  # (figure, year, {dimension: value}, aggregate alias)
    aggregates = {}
    dimensions = set()
    for figure in FIGURES:
        if figure.slug != slug or figure.kind not in (COUNT, SUM) or figure.params is None:
            continue
        if figure.key in YEAR_END_STAGE_COUNTS:  # counted by _year_end_stages, each person's stage once
            continue
        if figure.key in DUES_KEYS:  # counted by _dues_and_transfers, each member in arrears once
            continue
        if wanted is not None and figure.key not in wanted:
            continue
        for year in years:
            params = {k: str(v) for k, v in figure.params(year).items()}
            equal, other = record_filters.split_equalities(record_type, params)
            dimensions.update(equal)
            condition = record_filters.condition(record_type, params, only=other) if other else None
            signature = (figure.kind, figure.field, tuple(sorted(other.items())))
            if signature not in aggregates:
                target = "pk" if figure.kind == COUNT else figure.field
                function = Count if figure.kind == COUNT else Sum
                aggregates[signature] = (f"a{len(aggregates)}", function(target, filter=condition)
                                         if condition is not None else function(target))
            counted_here.append((figure, year, equal, aggregates[signature][0]))
    if not counted_here:
        return
    dimensions = sorted(dimensions)
    rows = model._default_manager.order_by().filter(**{f"{township_path}__in": township_ids})
    year_dimension = record_filters.year_lookup(record_type)
    if year_dimension in dimensions and all(year_dimension in equal for _f, _y, equal, _a in counted_here):
        # Every figure on this kind is of a year asked: read only those years' rows.
        rows = rows.filter(in_years(year_dimension, years))
    group = [township_path] + ([village_path] if village_path else []) + dimensions
    rows = rows.values(*group).annotate(**{alias: aggregate for alias, aggregate in aggregates.values()})
    for tid in township_ids:
        for figure, year, _equal, _alias in counted_here:
            values[tid][year][figure.key] = 0
    # The figures a row adds to, found by its values of each set of grouping columns the figures compare
    # (a dict lookup per set, not a comparison per figure).
    by_columns = defaultdict(lambda: defaultdict(list))  # (columns) → {(values): [(figure, year, alias)]}
    for figure, year, equal, alias in counted_here:
        columns = tuple(sorted(equal))
        by_columns[columns][tuple(equal[c] for c in columns)].append((figure, year, alias))
    for row in rows:
        tid = row[township_path]
        village = row[village_path] if village_path else None
        matches = [match for columns, of_values in by_columns.items()
                   for match in of_values.get(tuple(row[c] for c in columns), ())]
        for figure, year, alias in matches:
            value = row[alias] or 0
            v = values[tid][year]
            v[figure.key] += value
            if village is not None:
                per_village = v.setdefault("_by_village", {}).setdefault(figure.key, {})
                per_village[village] = per_village.get(village, 0) + value


def _year_end_stages(township_ids, years, values):
    """The year-end stage counts (members.activists …) for all townships and years in one query.

    Each person's stage on 31 December is the same expression the persons list filters with
    (cadres.models.stage_on, behind ?stage=…&on=…), computed once per person and year and grouped,
    instead of once per stage as a filtered count would. Each person counts in the township and village
    they belonged to that day (cadres.models.membership_on: their 组织关系转接), never in two, and not once
    transferred out of the system."""
    annotations = {}
    for year in years:
        day = year_end(year)
        annotations.update({f"stage_{year}": stage_on(day), f"township_{year}": membership_on(day),
                            f"village_{year}": membership_on(day, "village")})
    transferred = Transfer.objects.filter(Q(from_township__in=township_ids) | Q(to_township__in=township_ids))
    rows = (Person.objects.order_by()
            .filter(Q(township_id__in=township_ids) | Q(pk__in=transferred.values("person_id")))
            .annotate(**annotations).values(*annotations).annotate(n=Count("pk")))
    wanted = set(township_ids)
    for tid in township_ids:
        for year in years:
            for key in YEAR_END_STAGE_KEYS.values():
                values[tid][year][key] = 0
    for row in rows:
        for year in years:
            stage, tid, village = row[f"stage_{year}"], row[f"township_{year}"], row[f"village_{year}"]
            if stage not in YEAR_END_STAGE_KEYS or tid not in wanted:  # none yet, 取消资格, elsewhere or outside
                continue
            key = YEAR_END_STAGE_KEYS[stage]
            v = values[tid][year]
            v[key] += row["n"]
            if village:
                by_village = v.setdefault("_by_village", {}).setdefault(key, {})
                by_village[village] = by_village.get(village, 0) + row["n"]


def _village_figures(township_ids, years, values, today, detail_year):
    """Village counts, yearly income per village (max, min, 百万村), reporting: 2 queries for all townships
    (the income of each village comes with the income figures, grouped by village)."""
    villages = list(Village.objects.filter(township__in=township_ids).order_by("township_id", "order", "name")
                    .values("id", "name", "township_id"))
    by_township = defaultdict(list)
    for village in villages:
        by_township[village["township_id"]].append(village)
    reported = defaultdict(dict)  # (township, year) → {month: villages reported}
    for row in VillageMonth.objects.reported_counts(township_ids=township_ids, years=years):
        reported[(row["village__township_id"], row["year"])][row["month"]] = row["n"]
    for tid in township_ids:
        own = by_township[tid]
        names = {v["id"]: v["name"] for v in own}
        for year in years:
            v = values[tid][year]
            incomes = v.get("_by_village", {}).get("economy.income_total", {})
            # A village whose records of the year exist (the land figure counts rows, so a total of 0 stays).
            with_records = v.get("_by_village", {}).get("economy.income_records", {})
            year_totals = {vid: incomes.get(vid, Decimal("0")) for vid, n in with_records.items()
                           if n and vid in names}
            for key, threshold in VILLAGE_COUNTS.items():
                v[key] = sum(1 for village in own if counted(year_totals.get(village["id"]), threshold))
            ranked = sorted(year_totals.items(), key=lambda item: (-item[1], item[0]))
            for key, (village_id, amount) in (("economy.income_max", ranked[0] if ranked else (None, None)),
                                              ("economy.income_min", ranked[-1] if ranked else (None, None))):
                v[key] = {"village": names[village_id], "amount": money(amount)} if village_id else None
                v[f"_{key}.village_id"] = village_id
            ended = months_ended(year, today)
            by_month = reported[(tid, year)]
            v["submissions.months_ended"] = ended
            v["submissions.reported"] = sum(n for month, n in by_month.items() if month <= ended)
            v["submissions.expected"] = ended * len(own)
            v["submissions.by_month"] = {str(m): by_month.get(m, 0) for m in range(1, ended + 1)}
            # Every year's (a village that passed 1,000,000 元 this year is named against last year's).
            v["economy.income_by_village"] = [
                {"village": village["name"], "village_id": village["id"], "amount": money(year_totals[village["id"]])}
                for village in own if village["id"] in year_totals]
            if year == detail_year:
                v["villages.list"] = [village["name"] for village in own]
                v["_village_names"] = names
                v["_village_totals"] = {village["name"]: year_totals.get(village["id"]) for village in own}


def _maps(township_ids, years, values, wanted=None):
    """Figures that are maps of other figures (no query), or of a grouping (income by category: 1 query)."""
    by_category = wanted is None or "economy.income_by_category" in wanted
    if by_category:
        for row in (IncomeRecord.objects.order_by().filter(village__township__in=township_ids, year__in=years)
                    .values("village__township_id", "year", "category").annotate(total=Sum("amount"))):
            of_year = values[row["village__township_id"]][row["year"]]
            of_year.setdefault("_categories", {})[row["category"]] = row["total"]
    for tid in township_ids:
        for year in years:
            v = values[tid][year]
            for key, value in _maps_of(v).items():
                if wanted is None or key in wanted:
                    v[key] = value
            if by_category:
                categories = v.pop("_categories", {})
                v["economy.income_by_category"] = {c.label: money(categories[c]) for c in IncomeCategory
                                                   if c in categories}


# The maps made of other figures: {map key: ((the figures it is made of), values of the year → the map)}.
MAPS = {
    "stars.by_level": (tuple(f"stars.level_{n}" for n in STAR_LEVELS) + ("stars.rated",),
                       lambda v: {str(n): v[f"stars.level_{n}"] for n in STAR_LEVELS}),
    "study.by_kind": (tuple(study_key(kind) for kind in StudyKind),
                      lambda v: {kind.label: v[study_key(kind)] for kind in StudyKind if v[study_key(kind)]}),
    "members.by_stage": (tuple(YEAR_END_STAGE_KEYS.values()),
                         lambda v: {stage.label: v[key] for stage, key in YEAR_END_STAGE_KEYS.items()}),
    "members.steps": (tuple(STEP_KEYS.values()), lambda v: {stage.label: v[key] for stage, key in STEP_KEYS.items()}),
}
MAP_PARTS = {key: parts for key, (parts, _build) in MAPS.items()}


def _maps_of(v) -> dict:
    """The maps of other figures of one township's year (only those whose parts were computed)."""
    return {key: build(v) for key, (parts, build) in MAPS.items() if all(part in v for part in parts)}


def _finish(values_of_year, wanted=None):
    """Shares from their parts, money as strings, and None where the year has no such records."""
    v = values_of_year
    figures = FIGURES if wanted is None else [figure for figure in FIGURES if figure.key in wanted]
    for figure in figures:
        if figure.kind == SHARE:
            numerator, denominator = (v.get(key) for key in figure.parts)
            v[figure.key] = share(numerator, denominator)
    for figure in figures:
        if figure.none_without and not v.get(figure.none_without):
            v[figure.key] = None
        elif figure.kind == SUM and figure.unit == "元" and v.get(figure.key) is not None:
            v[figure.key] = money(v[figure.key])
    if "stars.by_level" in v and not v.get("stars.rated"):
        v["stars.by_level"] = None
    if "economy.income_by_category" in v and not v.get("economy.villages_reporting_income"):
        v["economy.income_by_category"] = None
    return v


# What a figure computed apart from its own records needs computed first (beyond a share's parts and the
# count its zero depends on): the village counts, extremes and lists add up the villages' incomes.
VILLAGE_INCOME_FIGURES = (*VILLAGE_COUNTS, "economy.income_max", "economy.income_min", "economy.income_by_village")
NEEDS = {
    **{key: ("economy.income_total", "economy.income_records") for key in VILLAGE_INCOME_FIGURES},
    **MAP_PARTS,
    "economy.income_by_category": ("economy.villages_reporting_income",),
    "org_life.short_branches": ("org_life.events",),
    "targets.village_income": ("economy.income_by_village",),  # each village's income beside its target
}
# The figures each step of the engine states apart from the grouped counts.
VILLAGE_STEP = frozenset({*VILLAGE_INCOME_FIGURES, "villages.list", "submissions.months_ended", "submissions.reported",
                          "submissions.expected", "submissions.by_month"})
ORG_LIFE_STEP = frozenset({"org_life.requirements_due", "org_life.requirements_met", "org_life.short_branches"})
TARGET_KEYS = frozenset(figure.key for figure in FIGURES if figure.key.startswith("targets."))


def needed(keys) -> frozenset:
    """`keys` and every figure they are computed from (a share's parts, the count whose zero makes a figure
    None, the figures a map or a village count is made of)."""
    out, todo = set(), list(keys)
    while todo:
        key = todo.pop()
        if key in out:
            continue
        out.add(key)
        figure = BY_KEY[key]
        todo += [*(figure.parts or ()), *([figure.none_without] if figure.none_without else []), *NEEDS.get(key, ())]
    return frozenset(out)


def compute_values(township_ids, years, today=None, detail_year=None, keys=None) -> Values:
    """{township id: {year: {key: value}}} of every county-summable figure (and, for `detail_year`, the lists);
    with `keys`, only the steps that state them and what they are made of (each computed exactly as when all
    are: the same steps, fewer of them; what a step states beside stays, compute_years keeps the keys asked)."""
    values = Values()
    township_ids = list(township_ids)
    if not township_ids:
        return values
    wanted = None if keys is None else needed(keys)

    def asked(of) -> bool:
        return wanted is None or not wanted.isdisjoint(of)

    # Every record kind a COUNT or SUM figure is declared on, in the order declared: one grouped query each.
    for slug in dict.fromkeys(f.slug for f in FIGURES if f.kind in (COUNT, SUM) and f.slug and f.params
                              and (wanted is None or f.key in wanted)):
        _grouped_counts(slug, township_ids, years, values, by_village=detail_year is not None or slug == "incomes",
                        wanted=wanted)
    if asked(YEAR_END_STAGE_COUNTS):
        _year_end_stages(township_ids, years, values)
    if asked({*DUES_KEYS, *TRANSFER_KEYS}):
        _dues_and_transfers(township_ids, years, values)
    if asked(VILLAGE_STEP):
        _village_figures(township_ids, years, values, today, detail_year)
    if asked(ORG_LIFE_STEP):
        _org_life(township_ids, years, values, today, detail_year)
    _maps(township_ids, years, values, wanted)
    for tid in township_ids:
        for year in years:
            _finish(values[tid][year], wanted)
    return values


# ---------------------------------------------------------------- one township


def _titles_of_year(township, year):
    """The titles the text cites and the committee's work events, in one query (UNION ALL): study plans,
    campaigns, the competitions' topics, and the year's work events with the villages they name.

    Returns ({"plan": [...], "campaign": [...], "topic": [...]}, [work event, in date order])."""
    no_date = Value(None, output_field=DateField())
    no_number = Cast(Value(None), IntegerField())  # typed: PostgreSQL reads NULL UNION NULL as text
    blank = Value("")
    # tag, title, kind, date, then what only a work event has: pk, area, note, campaign, village, village order
    plans = (StudyPlan.objects.filter(township=township, year=year).order_by()
             .values_list(Value("plan"), "title", "kind", no_date, no_number, blank, blank, blank, blank, no_number))
    campaigns = (Campaign.objects.filter(township=township, year=year).order_by()
                 .values_list(Value("campaign"), "name", blank, "start_date", no_number, blank, blank, blank, blank,
                              no_number))
    topics = (StudyActivity.objects.in_year(year).filter(township=township, kind__in=COMPETITION_KINDS).order_by()
              .values_list(Value("topic"), "topic", "kind", "date", no_number, blank, blank, blank, blank, no_number))
    events = (WorkEvent.objects.in_year(year).filter(township=township).order_by()
              .values_list(Value("event"), "title", "kind", "date", "pk", "area", "note", "campaign__name",
                           "villages__name", "villages__order"))
    rows = list(plans.union(campaigns, topics, events, all=True))
    # In the order of the kinds' choices (中心组 before 干部, 知识竞赛 before 朗诵比赛), then by date and title.
    kind_order = {"plan": StudyPlanKind.values, "topic": StudyKind.values, "campaign": [""]}
    never = datetime.date.max

    def order(row):
        tag, title, kind, date = row[:4]
        return tag, date or never, kind_order[tag].index(kind) if kind in kind_order[tag] else 0, title

    by_tag = defaultdict(list)
    for tag, title, *_rest in sorted((row for row in rows if row[0] != "event"), key=order):
        by_tag[tag].append(title)
    return by_tag, _work_events([row for row in rows if row[0] == "event"])


def _work_events(rows):
    """The work events of the union's rows (one per event and village it names), in date order, villages in
    their order."""
    events = {}
    for _tag, title, kind, date, pk, area, note, campaign, village, _village_order in sorted(
            rows, key=lambda row: (row[3], row[4], row[9] is None, row[9] or 0)):
        event = events.setdefault(pk, {
            "date": date.isoformat(), "kind": kind, "area": area, "title": title, "note": note,
            "campaign": campaign or "", "villages": []})
        if village:
            event["villages"].append(village)
    return list(events.values())


COMPETITION_KINDS = (StudyKind.QUIZ, StudyKind.RECITATION)
PROJECT_UNITS = dict(ScaleUnit.choices)
OPERATORS = dict(ProjectOperator.choices)
ACTIONS = dict(ProjectAction.choices)


def _alliances(township, year):
    """The year's alliances with their villages and partner enterprises: one query (both joined, de-duplicated)."""
    alliances = {}
    for row in (Alliance.objects.filter(township=township, year=year)
                .order_by("pk", "villages__order", "enterprises__pk")
                .values("pk", "name", "kind", "model", "brands", "relies_on", "description", "villages__name",
                        "enterprises__name")):
        entry = alliances.setdefault(row["pk"], {
            "name": row["name"], "kind": row["kind"], "model": row["model"], "brands": row["brands"],
            "relies_on": row["relies_on"], "description": row["description"], "villages": [], "enterprises": []})
        for key, name in (("villages", row["villages__name"]), ("enterprises", row["enterprises__name"])):
            if name and name not in entry[key]:
                entry[key].append(name)
    return list(alliances.values())


def _projects(township, year):
    """The year's industry projects in the order they were recorded: one query."""
    return [{
        "name": p["name"], "village": p["village__name"], "scale": format(p["scale"].normalize(), "f"),
        "unit": PROJECT_UNITS.get(p["scale_unit"], ""), "scale_unit": p["scale_unit"],
        "operator": p["operator"], "operator_label": OPERATORS.get(p["operator"], ""),
        "action": ACTIONS.get(p["action"], ""), "industry": p["industry"], "jobs": p["jobs_created"],
        "jobs_for": p["jobs_for"], "income_added": money(p["income_added"]),
        "farmer_income_added": money(p["farmer_income_added"]), "investment": money(p["investment"]),
        "description": p["description"],
    } for p in IndustryProject.objects.filter(township=township, year=year).order_by("pk")
        .values("name", "village__name", "scale", "scale_unit", "operator", "action", "industry", "jobs_created",
                "jobs_for", "income_added", "farmer_income_added", "investment", "description")]


def industry_villages(projects) -> dict:
    """{village: [industries]} of the projects that name an industry, in the order recorded."""
    villages = {}
    for project in projects:
        if project["village"] and project["industry"]:
            industries = villages.setdefault(project["village"], [])
            if project["industry"] not in industries:
                industries.append(project["industry"])
    return villages


def _details(township, year, v):
    """The words and per-township decisions of the year (lists, targets): a township's report only."""
    by_village = v.get("_by_village", {})
    v["stars.below_target"] = [
        {"village": name, "target": n}
        for village_id, name in v["_village_names"].items() for n in (5, 4, 3, 2)
        if by_village.get(f"stars.below_target_{n}", {}).get(village_id)]
    titles, work_events = _titles_of_year(township, year)
    v["study.plans"] = titles["plan"]
    v["study.topics"] = list(dict.fromkeys(titles["topic"]))
    v["township.campaigns"] = titles["campaign"]
    v["township.work_events"] = work_events
    reserve = v.get("_by_village", {}).get("reserve.cadres", {})
    v["reserve.by_village"] = {name: reserve.get(village_id, 0) for village_id, name in v["_village_names"].items()}
    v["economy.projects"] = _projects(township, year)
    v["economy.industry_villages"] = len(industry_villages(v["economy.projects"]))
    v["economy.alliances"] = _alliances(township, year)
    _target_values(township, year, v)


def _target_values(township, year, v):
    """The stored targets of the year (and next year's), and each village's income against its target."""
    targets, economy_targets, village_targets = _targets(township, year)
    target, economy_target = targets.get(year), economy_targets.get(year)
    v["targets.next_year"] = _plain(targets.get(year + 1))
    v["targets.next_year_economy"] = _plain(economy_targets.get(year + 1))
    v["targets.stars"] = {key: float(target[f"star_{key}"]) for key in ("share_3plus", "share_4plus", "share_5")} \
        if target else None
    v["targets.planned_probationary"] = target["planned_probationary"] if target else None
    v["targets.planned_probationary_under_35"] = target["planned_probationary_under_35"] if target else None
    v["targets.reserve_cadres_per_village"] = target["reserve_cadres_per_village"] if target else None
    v["targets.economy"] = {
        "income_total": money(economy_target["income_total"]),
        "villages_over_1m": economy_target["villages_over_1m"], "villages_over_2m": economy_target["villages_over_2m"],
    } if economy_target else None
    totals = v.pop("_village_totals", {})
    v["targets.village_income"] = [
        {"village": name, "target": money(amount), "actual": money(totals.get(name) or 0),
         "achieved": (totals.get(name) or 0) >= amount}
        for name, amount in village_targets
    ]


TOWNSHIP_TARGET_FIELDS = ("star_share_3plus", "star_share_4plus", "star_share_5", "planned_probationary",
                          "planned_probationary_under_35", "reserve_cadres_per_village")
ECONOMY_TARGET_FIELDS = ("income_total", "villages_over_1m", "villages_over_2m")


def _targets(township, year):
    """({year: township target}, {year: economy target}, [(village, income target)]) of this year and next year
    (the next steps state next year's): one query (UNION ALL), each kind of target in columns of its own, so
    every value keeps its field's type."""

    def blank(model, name):  # a typed NULL: PostgreSQL reads NULL UNION NULL as text
        return Cast(Value(None), model._meta.get_field(name).clone())

    def columns(model, tag, village=None, order=None):
        """The union's columns: tag, year, village, order, then every target field (NULL where not `model`'s)."""
        values = [Value(tag), "year", village or Value(""), order or Value(0)]
        for other, names in ((TownshipTarget, TOWNSHIP_TARGET_FIELDS),
                             (TownshipEconomyTarget, ECONOMY_TARGET_FIELDS),
                             (VillageIncomeTarget, ("amount",))):
            values += [name if other is model else blank(other, name) for name in names]
        return values

    township_rows = (TownshipTarget.objects.filter(township=township, year__in=[year, year + 1]).order_by()
                     .values_list(*columns(TownshipTarget, "township")))
    economy_rows = (TownshipEconomyTarget.objects.filter(township=township, year__in=[year, year + 1]).order_by()
                    .values_list(*columns(TownshipEconomyTarget, "economy")))
    village_rows = (VillageIncomeTarget.objects.filter(village__township=township, year=year).order_by()
                    .values_list(*columns(VillageIncomeTarget, "village", "village__name", "village__order")))
    targets, economy_targets, villages = {}, {}, []
    first = 4
    township_end = first + len(TOWNSHIP_TARGET_FIELDS)
    economy_end = township_end + len(ECONOMY_TARGET_FIELDS)
    for row in township_rows.union(economy_rows, village_rows, all=True):
        tag, row_year, village, order = row[:first]
        if tag == "township":
            targets[row_year] = {"year": row_year, **dict(zip(TOWNSHIP_TARGET_FIELDS, row[first:township_end],
                                                             strict=True))}
        elif tag == "economy":
            economy_targets[row_year] = {"year": row_year, **dict(zip(ECONOMY_TARGET_FIELDS,
                                                                     row[township_end:economy_end], strict=True))}
        else:
            villages.append((order, village, row[economy_end]))
    return targets, economy_targets, [(village, amount) for _order, village, amount in sorted(villages)]


def source_of(figure: Figure, year, values=None) -> str | None:
    """The page that lists exactly the records a figure counts and states it."""
    if figure.key in VILLAGE_PAGES:
        return reverse("reports:figure-villages", args=[year, figure.key])
    if figure.kind == EXTREME:
        village_id = (values or {}).get(f"_{figure.key}.village_id")
        return records_url("incomes", year=year, village=village_id, sum="amount")
    if figure.key.startswith("submissions."):
        return f"{path_of('submissions:completeness')}?{urlencode({'year': year})}"
    if figure.key in TRANSFER_KEYS:
        township_id = (values or {}).get("_township_id")
        return records_url("transfers", year=year, **{TRANSFER_KEYS[figure.key]: township_id})
    if figure.key in ORG_LIFE_COMPLIANCE_KEYS:
        return f"{path_of('study:compliance')}?{urlencode({'year': year})}"
    if figure.kind == SHARE:
        numerator, denominator = (BY_KEY[key] for key in figure.parts)
        if numerator.key in VILLAGE_COUNTS or numerator.key.startswith("submissions."):
            return source_of(numerator, year)
        params = dict(numerator.params(year))
        if numerator.kind == SUM:
            params["sum"] = numerator.field
        params["share_of"] = ",".join(denominator.params(year))
        return records_url(numerator.slug, **params)
    return figure.source(year)


def as_figures(values_of_year, year) -> dict:
    """{key: {label, unit, value, source}} of one township's year, in the registry's order."""
    out = {}
    for figure in FIGURES:
        if figure.key not in values_of_year:
            continue
        value = values_of_year[figure.key]
        out[figure.key] = {"label": figure.label, "unit": figure.unit, "value": value,
                           "source": source_of(figure, year, values_of_year)}
    return out


def compute_years(township, years, today=None, detail_year=None, keys=None) -> dict:
    """{year: figures} of one township for several years in one pass (this year and last year); with `keys`,
    those figures only (the home page's tiles), each the same as in the whole set."""
    detail_year = years[0] if detail_year is None else detail_year
    values = compute_values([township.pk], years, today=today, detail_year=detail_year, keys=keys)[township.pk]
    if detail_year in years:
        missing = set() if keys is None else set(keys).difference(values[detail_year])
        if keys is not None and missing <= TARGET_KEYS:
            if missing:
                _target_values(township, detail_year, values[detail_year])
        else:
            if keys is not None:  # a word or list only the report's details state: they read the whole set
                values = compute_values([township.pk], years, today=today, detail_year=detail_year)[township.pk]
            _details(township, detail_year, values[detail_year])
    figures = {year: as_figures(values[year], year) for year in years}
    if keys is None:
        return figures
    wanted = needed(keys)
    return {year: {key: figure for key, figure in of_year.items() if key in wanted}
            for year, of_year in figures.items()}


def compute_figures(township, year, today=None) -> dict:
    """All figures of `township` for `year`, keyed as in domain.md ("The figures (contract)")."""
    return compute_years(township, [year], today=today)[year]


def _plain(row):
    """A stored target as JSON-ready values (percentages and counts as numbers, money as a string)."""
    if row is None:
        return None
    return {key: (money(value) if key == "income_total" else float(value) if key.startswith("star_share")
                  else value) for key, value in row.items() if key != "year"}


# ---------------------------------------------------------------- tables and comparisons


def table_keys(figures) -> list[str]:
    """Keys of the figures shown in tables: single numbers and the richest/poorest village."""
    return [key for key in figures if key in BY_KEY and BY_KEY[key].in_table
            and BY_KEY[key].kind not in (MAP, LIST, VALUE)]


def scalar(value):
    """A comparable number for a figure value (amounts as Decimal; an extreme by its amount), or None."""
    if isinstance(value, dict) and "amount" in value:
        value = value["amount"]
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    if isinstance(value, str):
        return Decimal(value)
    return Decimal(str(value))


def change(current, previous):
    """current − previous for scalar figure values, or None when either is missing."""
    a, b = scalar(current), scalar(previous)
    if a is None or b is None:
        return None
    return a - b


def growth(current, previous) -> float | None:
    """The change against last year as a percentage of last year (one decimal, half up), or None when either
    is missing or last year is zero."""
    difference, before = change(current, previous), scalar(previous)
    if difference is None or not before:
        return None
    return share(difference, before)


# The headline figures: the Word file's data annex (this year beside last year) and the leader's home page.
HEADLINE_KEYS = [
    "villages.count", "economy.income_total", "economy.villages_over_1m", "economy.villages_over_2m",
    "economy.income_max", "economy.income_min", "stars.share_3plus", "stars.share_4plus", "stars.share_5",
    "study.activities", "study.concentrated_sessions", "study.essays", "township.problems_found",
    "township.problems_open", "members.activists", "members.new_probationary", "members.converted",
    "reserve.cadres", "talent.industry_leaders", "submissions.reporting_rate",
]

# Records dated in the year: without any, the year has no records yet (the report says so once, and is not
# made final). Year-end states (people on record, stages on 31 December) do not make a year.
DATED_COUNTS = ("study.activities", "township.problems_found", "township.bulletins", "township.weekly_previews",
                "township.work_info", "township.supervision_visits", "economy.income_records", "stars.rated",
                "org_life.events")
DATED_LISTS = ("study.plans", "township.campaigns", "township.work_events", "economy.projects", "economy.alliances")


def year_has_records(figures) -> bool:
    """Whether the year has any record dated in it (figures of one township's year, with its lists)."""
    value = lambda key: (figures.get(key) or {}).get("value")  # noqa: E731
    return (any(value(key) for key in DATED_COUNTS) or any(value(key) for key in DATED_LISTS)
            or any((value("members.steps") or {}).values()))


# ---------------------------------------------------------------- several townships (the county view)


def _summed(per_township: list[dict], names: dict) -> dict:
    """The county's values: counts and sums added, shares recomputed from the added parts, the extremes
    of all villages, maps added entry by entry."""
    total = {}
    for figure in FIGURES:
        if figure.township_only:
            continue
        present = [v.get(figure.key) for v in per_township if v.get(figure.key) is not None]
        if figure.kind in ADDITIVE:
            if figure.kind == SUM and figure.unit == "元":
                total[figure.key] = money(sum((Decimal(x) for x in present), Decimal("0"))) if present else None
            else:
                total[figure.key] = sum(present) if present else (0 if not figure.none_without else None)
        elif figure.kind == MAP:
            merged = {}
            for mapping in present:
                for label, amount in mapping.items():
                    merged[label] = merged.get(label, 0) + (Decimal(amount) if figure.unit == "元" else amount)
            if figure.unit == "元":
                merged = {label: money(amount) for label, amount in merged.items()}
            total[figure.key] = merged or None
        elif figure.kind == VALUE:
            values = {v.get(figure.key) for v in per_township}
            total[figure.key] = values.pop() if len(values) == 1 else None
    extremes = [(v["economy.income_max"], v["economy.income_min"], v["_township"]) for v in per_township
                if v.get("economy.income_max")]
    if extremes:
        top = max(extremes, key=lambda e: Decimal(e[0]["amount"]))
        bottom = min(extremes, key=lambda e: Decimal(e[1]["amount"]))
        total["economy.income_max"] = {**top[0], "township": names[top[2]]}
        total["economy.income_min"] = {**bottom[1], "township": names[bottom[2]]}
    else:
        total["economy.income_max"] = total["economy.income_min"] = None
    for figure in FIGURES:
        if figure.kind == SHARE:
            total[figure.key] = share(*(total.get(key) for key in figure.parts))
    return total


def county_values(townships, year, frozen: dict | None = None, today=None) -> dict:
    """{"total": values, "townships": [(township, values, final)]} for `year`.

    `frozen` maps township id → the frozen figures of its final report of that year: a
    final report is final in the county view too."""
    frozen = frozen or {}
    ids = [t.pk for t in townships]
    live = compute_values(ids, [year], today=today)
    rows = []
    for township in townships:
        if township.pk in frozen:
            values = {key: figure["value"] for key, figure in frozen[township.pk].items()}
        else:
            values = dict(live[township.pk][year])
        values["_township"] = township.pk
        rows.append((township, values, township.pk in frozen))
    total = _summed([values for _t, values, _f in rows], {t.pk: t.name for t in townships})
    return {"total": total, "townships": rows}


def county_figure(key, value):
    figure = BY_KEY[key]
    return {"label": figure.label, "unit": figure.unit, "value": value}
