"""The figures of a township's year: one dict that the page, the draft, the charts and the Word file all read.

Every figure is computed from the records with aggregates (a fixed number of
queries, whatever the number of records) and carries its label, unit, value and
the record list it comes from. Counts are ints, money is a string with two
decimals (yuan), shares are percentages with one decimal; a figure whose records
do not exist at all is None ("no data"), never a guessed number.
"""
from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.urls import reverse
from django.utils import timezone

from cadres.models import Person, ReserveCadre, Stage, StageChange, Talent, TalentKind
from committee.models import Bulletin, BulletinKind, Campaign, Problem, TownshipTarget
from economy.models import (
    LAND_CATEGORIES,
    Alliance,
    IncomeCategory,
    IncomeRecord,
    IndustryProject,
    TownshipEconomyTarget,
    VillageIncomeTarget,
)
from study.models import StudyActivity, StudyKind, StudyPlan
from villages.models import StarRating, Village, VillageMonth, VillageMonthStatus

MILLION = Decimal("1000000")
TWO_MILLION = Decimal("2000000")
CENT = Decimal("0.01")

STAGE_ORDER = [Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY, Stage.MEMBER]


def money(amount) -> str | None:
    """Yuan as a string with two decimals ("1234.50"); None stays None."""
    if amount is None:
        return None
    return str(Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP))


def share(part, whole) -> float | None:
    """part/whole as a percentage with one decimal; None when there is nothing to divide by."""
    if not whole:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def records_url(slug, **params) -> str:
    """The filtered record list behind a figure (/records/<slug>/?year=…&…)."""
    url = reverse(f"records:{slug}-list")
    params = {k: v for k, v in params.items() if v is not None}
    return f"{url}?{urlencode(params)}" if params else url


def months_ended(year, today=None) -> int:
    """How many months of `year` have ended by `today` (12 for past years, 0 for future ones)."""
    today = today or timezone.localdate()
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month - 1


class _Figures(dict):
    def add(self, key, label, unit, value, source=None):
        self[key] = {"label": label, "unit": unit, "value": value, "source": source}


def _year_end_stage(year_end):
    """Subquery: a person's stage on `year_end` (the latest dated step, ties broken by pipeline order)."""
    rank = Case(
        *[When(stage=stage, then=Value(i)) for i, stage in enumerate(STAGE_ORDER)],
        output_field=IntegerField(),
    )
    latest = (
        StageChange.objects.filter(person=OuterRef("pk"), date__lte=year_end)
        .annotate(rank=rank)
        .order_by("-date", "-rank")
        .values("stage")[:1]
    )
    return Subquery(latest)


def compute_figures(township, year, today=None) -> dict:
    """All figures of `township` for `year`, keyed as in domain.md ("The figures (contract)")."""
    year_end = datetime.date(year, 12, 31)
    under_35_born_after = datetime.date(year - 35, 12, 31)
    f = _Figures()

    # --- villages (1 query)
    villages = list(Village.objects.filter(township=township).order_by("order", "name").values("id", "name"))
    names = {v["id"]: v["name"] for v in villages}
    f.add("villages.count", "村", "个", len(villages), reverse("villages:list"))
    f.add("villages.list", "村名单", "", [v["name"] for v in villages])

    # --- star ratings (1 query)
    ratings = list(
        StarRating.objects.for_year(year)
        .filter(branch__village__township=township)
        .order_by("branch__village__order", "branch__name")
        .values("stars", "target_stars", "branch__village__name")
    )
    by_level = {str(level): 0 for level in (5, 4, 3, 2, 1)}
    for rating in ratings:
        by_level[str(rating["stars"])] += 1
    rated = len(ratings)
    star_source = records_url("star-ratings", year=year)
    f.add("stars.rated", "参评党组织", "个", rated, star_source)
    f.add("stars.by_level", "星级党组织", "个", by_level if rated else None, star_source)
    f.add("stars.share_3plus", "三星级及以上", "%", share(sum(by_level[k] for k in "345"), rated), star_source)
    f.add("stars.share_4plus", "四星级及以上", "%", share(sum(by_level[k] for k in "45"), rated), star_source)
    f.add("stars.share_5", "五星级", "%", share(by_level["5"], rated), star_source)
    f.add("stars.below_target", "未达目标星级的党组织", "个", [
        {"village": r["branch__village__name"], "stars": r["stars"], "target": r["target_stars"]}
        for r in ratings if r["target_stars"] and r["stars"] < r["target_stars"]
    ], star_source)

    # --- study activities (1 query)
    def kind_count(kind):
        return Count("id", filter=Q(kind=kind))

    study = StudyActivity.objects.in_year(year).filter(township=township).aggregate(
        total=Count("id"),
        central_group=kind_count(StudyKind.CENTRAL_GROUP),
        seminar_exchange=kind_count(StudyKind.SEMINAR_EXCHANGE),
        concentrated=kind_count(StudyKind.CONCENTRATED),
        topic_seminar=kind_count(StudyKind.TOPIC_SEMINAR),
        quiz=kind_count(StudyKind.QUIZ),
        recitation=kind_count(StudyKind.RECITATION),
        essays=Sum("essays"),
        warning_visitors=Sum("attendance", filter=Q(kind=StudyKind.WARNING_VISIT)),
        warning_visits=kind_count(StudyKind.WARNING_VISIT),
        delivered=Sum("attendance", filter=Q(kind=StudyKind.DELIVERED_STUDY)),
        delivered_events=kind_count(StudyKind.DELIVERED_STUDY),
    )
    has_study = study["total"] > 0

    def study_value(value):
        return (value or 0) if has_study else None

    def study_url(kind=None):
        return records_url("study-activities", year=year, kind=kind)

    f.add("study.activities", "学习活动", "次", study["total"], study_url())
    f.add("study.central_group_sessions", "理论学习中心组学习", "次", study_value(study["central_group"]),
          study_url(StudyKind.CENTRAL_GROUP))
    f.add("study.central_group_seminars", "研讨交流", "次", study_value(study["seminar_exchange"]),
          study_url(StudyKind.SEMINAR_EXCHANGE))
    f.add("study.concentrated_sessions", "集中学习", "次", study_value(study["concentrated"]),
          study_url(StudyKind.CONCENTRATED))
    f.add("study.topic_seminars", "专题研讨", "次", study_value(study["topic_seminar"]),
          study_url(StudyKind.TOPIC_SEMINAR))
    f.add("study.essays", "心得体会", "篇", study_value(study["essays"]), study_url())
    f.add("study.warning_education_visitors", "警示教育参观学习", "人",
          study["warning_visitors"] or 0 if study["warning_visits"] else None, study_url(StudyKind.WARNING_VISIT))
    f.add("study.delivered_study", "送学", "人次",
          study["delivered"] or 0 if study["delivered_events"] else None, study_url(StudyKind.DELIVERED_STUDY))
    f.add("study.quizzes", "知识竞赛", "次", study_value(study["quiz"]), study_url(StudyKind.QUIZ))
    f.add("study.recitations", "朗诵比赛", "次", study_value(study["recitation"]), study_url(StudyKind.RECITATION))

    # --- study plans and campaigns: their titles go into the text (2 queries)
    f.add("study.plans", "学习计划", "", list(
        StudyPlan.objects.filter(township=township, year=year).order_by("kind", "title").values_list("title", flat=True)
    ), records_url("study-plans", year=year))
    f.add("township.campaigns", "专项活动", "", list(
        Campaign.objects.filter(township=township, year=year).order_by("name").values_list("name", flat=True)
    ), records_url("campaigns", year=year))

    # --- problems found and rectified (1 query)
    problems = Problem.objects.filter(township=township).aggregate(
        found_n=Count("id", filter=Q(found_date__year=year)),
        rectified_n=Count("id", filter=Q(found_date__year=year, rectified=True)),
        open_n=Count("id", filter=Q(found_date__lte=year_end) & (
            Q(rectified=False) | Q(rectified_date__gt=year_end))),
    )
    f.add("township.problems_found", "查摆问题", "条", problems["found_n"], records_url("problems", year=year))
    f.add("township.problems_rectified", "已整改", "条", problems["rectified_n"],
          records_url("problems", year=year, rectified="true"))
    f.add("township.problems_open", "未整改问题", "条", problems["open_n"],
          records_url("problems", rectified="false"))

    # --- bulletins (1 query)
    bulletins = Bulletin.objects.filter(township=township, date__year=year).aggregate(
        special=Count("id", filter=Q(kind=BulletinKind.SPECIAL_REPORT)),
        weekly=Count("id", filter=Q(kind=BulletinKind.WEEKLY_PREVIEW)),
        info=Count("id", filter=Q(kind=BulletinKind.WORK_INFO)),
    )
    f.add("township.bulletins", "工作专报", "期", bulletins["special"],
          records_url("bulletins", year=year, kind=BulletinKind.SPECIAL_REPORT))
    f.add("township.weekly_previews", "一周工作预览", "次", bulletins["weekly"],
          records_url("bulletins", year=year, kind=BulletinKind.WEEKLY_PREVIEW))
    f.add("township.work_info", "工作信息", "条", bulletins["info"],
          records_url("bulletins", year=year, kind=BulletinKind.WORK_INFO))

    # --- the member pipeline: stages on 31 Dec (1 query) and the year's steps (1 query)
    stage_counts = dict(
        Person.objects.filter(township=township)
        .annotate(year_end_stage=_year_end_stage(year_end))
        .exclude(year_end_stage=None)
        .values_list("year_end_stage")
        .annotate(n=Count("id"))
        .values_list("year_end_stage", "n")
    )
    steps = StageChange.objects.in_year(year).filter(person__township=township).aggregate(
        applicants=Count("id", filter=Q(stage=Stage.APPLICANT)),
        activists=Count("id", filter=Q(stage=Stage.ACTIVIST)),
        candidates=Count("id", filter=Q(stage=Stage.CANDIDATE)),
        probationary=Count("id", filter=Q(stage=Stage.PROBATIONARY)),
        probationary_under_35=Count("id", filter=Q(stage=Stage.PROBATIONARY,
                                                   person__birth_date__gt=under_35_born_after)),
        converted=Count("id", filter=Q(stage=Stage.MEMBER)),
    )
    f.add("members.activists", "积极分子", "名", stage_counts.get(Stage.ACTIVIST, 0),
          records_url("persons", stage=Stage.ACTIVIST))
    f.add("members.candidates", "发展对象", "名", stage_counts.get(Stage.CANDIDATE, 0),
          records_url("persons", stage=Stage.CANDIDATE))
    f.add("members.new_probationary", "吸收预备党员", "名", steps["probationary"],
          records_url("stage-changes", year=year, stage=Stage.PROBATIONARY))
    f.add("members.new_probationary_under_35", "吸收预备党员中35岁以下", "名", steps["probationary_under_35"],
          records_url("stage-changes", year=year, stage=Stage.PROBATIONARY))
    f.add("members.converted", "转正", "名", steps["converted"],
          records_url("stage-changes", year=year, stage=Stage.MEMBER))
    f.add("members.by_stage", "年末各发展阶段人数", "名",
          {stage.label: stage_counts.get(stage, 0) for stage in STAGE_ORDER}, records_url("persons"))
    f.add("members.steps", "本年发展阶段变动", "名", {
        Stage.APPLICANT.label: steps["applicants"], Stage.ACTIVIST.label: steps["activists"],
        Stage.CANDIDATE.label: steps["candidates"], Stage.PROBATIONARY.label: steps["probationary"],
        Stage.MEMBER.label: steps["converted"],
    }, records_url("stage-changes", year=year))

    # --- reserve cadres on record at year end, per village (1 query)
    on_record = Q(since__lte=year_end) & (Q(until__isnull=True) | Q(until__gt=year_end))
    reserve_rows = list(
        ReserveCadre.objects.filter(on_record, village__township=township)
        .values("village_id")
        .annotate(n=Count("id"), seedling=Count("id", filter=Q(has_seedling_file=True)),
                  young=Count("id", filter=Q(person__birth_date__gt=under_35_born_after)))
        .order_by("village_id")
    )
    reserve_by_village = {names[r["village_id"]]: r["n"] for r in reserve_rows if r["village_id"] in names}
    f.add("reserve.cadres", "村级后备干部", "名", sum(r["n"] for r in reserve_rows), records_url("reserve-cadres"))
    f.add("reserve.seedling_files", "育苗档案", "人", sum(r["seedling"] for r in reserve_rows),
          records_url("reserve-cadres", has_seedling_file="true"))
    f.add("reserve.young", "35岁以下后备干部", "名", sum(r["young"] for r in reserve_rows),
          records_url("reserve-cadres"))
    f.add("reserve.by_village", "各村后备干部", "名",
          {v["name"]: reserve_by_village.get(v["name"], 0) for v in villages}, records_url("reserve-cadres"))

    # --- talent on record at year end, by kind (1 query)
    talent = dict(
        Talent.objects.filter(on_record, township=township)
        .values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    for key, kind in [
        ("talent.industry_leaders", TalentKind.INDUSTRY_LEADER),
        ("talent.industry_leader_trainees", TalentKind.INDUSTRY_LEADER_TRAINEE),
        ("talent.revitalisation_graduates", TalentKind.REVITALISATION_GRADUATE),
        ("talent.local_graduates", TalentKind.LOCAL_GRADUATE),
    ]:
        f.add(key, kind.label, "名", talent.get(kind, 0), records_url("talents", kind=kind))

    # --- income: per village (1 query) and per category (1 query)
    incomes = IncomeRecord.objects.for_year(year).filter(village__township=township)
    totals = {r["village_id"]: r["total"] for r in incomes.totals_by_village() if r["village_id"] in names}
    income_url = records_url("incomes", year=year)
    by_village = [
        {"village": v["name"], "village_id": v["id"], "amount": money(totals[v["id"]])}
        for v in villages if v["id"] in totals
    ]
    has_income = bool(by_village)
    total = sum(totals.values(), Decimal("0"))
    f.add("economy.income_total", "村集体经济总收入", "元", money(total) if has_income else None, income_url)
    ranked = sorted(by_village, key=lambda r: Decimal(r["amount"]), reverse=True)
    f.add("economy.income_max", "村集体经济最高", "元",
          {"village": ranked[0]["village"], "amount": ranked[0]["amount"]} if ranked else None,
          records_url("incomes", year=year, village=ranked[0]["village_id"]) if ranked else income_url)
    f.add("economy.income_min", "村集体经济最低", "元",
          {"village": ranked[-1]["village"], "amount": ranked[-1]["amount"]} if ranked else None,
          records_url("incomes", year=year, village=ranked[-1]["village_id"]) if ranked else income_url)
    f.add("economy.villages_reporting_income", "有收入记录的村", "个", len(by_village), income_url)
    f.add("economy.villages_over_1m", "百万村", "个",
          sum(1 for a in totals.values() if a >= MILLION) if has_income else None, income_url)
    f.add("economy.villages_over_2m", "两百万元村", "个",
          sum(1 for a in totals.values() if a >= TWO_MILLION) if has_income else None, income_url)
    f.add("economy.income_by_village", "各村集体经济收入", "元",
          [{"village": r["village"], "amount": r["amount"]} for r in by_village], income_url)
    category_totals = dict(incomes.values_list("category").annotate(s=Sum("amount")).values_list("category", "s"))
    f.add("economy.income_by_category", "收入结构", "元", {
        c.label: money(category_totals[c]) for c in IncomeCategory if c in category_totals
    } if has_income else None, income_url)
    land = sum((category_totals.get(c, Decimal("0")) for c in LAND_CATEGORIES), Decimal("0"))
    f.add("economy.land_share", "土地流转、土地管理、农业种植收入占比", "%",
          share(land, total) if has_income else None, income_url)

    # --- industry projects and alliances (2 queries)
    projects = list(
        IndustryProject.objects.filter(township=township, year=year)
        .order_by("village__order", "name")
        .values("name", "village__name", "scale", "scale_unit", "jobs_created", "income_added",
                "farmer_income_added", "description")
    )
    f.add("economy.projects", "产业项目", "", [{
        "name": p["name"], "village": p["village__name"], "scale": format(p["scale"].normalize(), "f"),
        "unit": dict(IndustryProject._meta.get_field("scale_unit").choices).get(p["scale_unit"], ""),
        "jobs": p["jobs_created"], "income_added": money(p["income_added"]),
        "farmer_income_added": money(p["farmer_income_added"]), "description": p["description"],
    } for p in projects], records_url("industry-projects", year=year))
    alliance_rows = list(
        Alliance.villages.through.objects.filter(alliance__township=township, alliance__year=year)
        .order_by("alliance__kind", "alliance__name", "village__order")
        .values("alliance_id", "alliance__name", "alliance__kind", "alliance__model", "village__name")
    )
    alliances = {}
    for row in alliance_rows:
        entry = alliances.setdefault(row["alliance_id"], {
            "name": row["alliance__name"], "kind": row["alliance__kind"], "model": row["alliance__model"],
            "villages": [],
        })
        entry["villages"].append(row["village__name"])
    f.add("economy.alliances", "党建共同体与产业联盟", "个", list(alliances.values()),
          records_url("alliances", year=year))

    # --- reporting completeness (1 query)
    ended = months_ended(year, today)
    reported = dict(
        VillageMonth.objects.filter(
            village__township=township, year=year, month__lte=ended,
            status__in=[VillageMonthStatus.SUBMITTED, VillageMonthStatus.APPROVED],
        ).values_list("month").annotate(n=Count("id")).values_list("month", "n")
    )
    expected = ended * len(villages)
    f.add("submissions.months_ended", "已结束月份", "个", ended)
    f.add("submissions.reported", "已上报村月", "个", sum(reported.values()))
    f.add("submissions.reporting_rate", "月报上报率", "%", share(sum(reported.values()), expected))
    f.add("submissions.by_month", "各月上报村数", "个",
          {str(m): reported.get(m, 0) for m in range(1, ended + 1)})

    # --- targets (3 queries)
    target = TownshipTarget.objects.filter(township=township, year=year).values(
        "star_share_3plus", "star_share_4plus", "star_share_5", "planned_probationary",
        "planned_probationary_under_35", "reserve_cadres_per_village").first()
    economy_target = TownshipEconomyTarget.objects.filter(township=township, year=year).values(
        "income_total", "villages_over_1m", "villages_over_2m").first()
    village_targets = {
        names[vid]: amount for vid, amount in VillageIncomeTarget.objects.filter(
            village__township=township, year=year).values_list("village_id", "amount")
    }
    f.add("targets.stars", "星级党组织目标", "%", {
        "share_3plus": float(target["star_share_3plus"]), "share_4plus": float(target["star_share_4plus"]),
        "share_5": float(target["star_share_5"]),
    } if target else None, records_url("township-targets", year=year))
    f.add("targets.planned_probationary", "计划吸收预备党员", "名",
          target["planned_probationary"] if target else None, records_url("township-targets", year=year))
    f.add("targets.planned_probationary_under_35", "其中35岁以下", "名",
          target["planned_probationary_under_35"] if target else None, records_url("township-targets", year=year))
    f.add("targets.reserve_cadres_per_village", "每村后备干部目标", "名",
          target["reserve_cadres_per_village"] if target else None, records_url("township-targets", year=year))
    f.add("targets.economy", "村集体经济目标", "元", {
        "income_total": money(economy_target["income_total"]),
        "villages_over_1m": economy_target["villages_over_1m"],
        "villages_over_2m": economy_target["villages_over_2m"],
    } if economy_target else None, records_url("economy-targets", year=year))
    f.add("targets.village_income", "各村收入目标完成情况", "元", [
        {"village": v["name"], "target": money(village_targets[v["name"]]),
         "actual": money(totals.get(v["id"], Decimal("0"))),
         "achieved": totals.get(v["id"], Decimal("0")) >= village_targets[v["name"]]}
        for v in villages if v["name"] in village_targets
    ], records_url("income-targets", year=year))
    return dict(f)


def next_year_targets(township, year) -> dict:
    """The targets of `year + 1` as stored (2 queries); missing ones are None."""
    target = TownshipTarget.objects.filter(township=township, year=year + 1).values(
        "star_share_3plus", "star_share_4plus", "star_share_5", "reserve_cadres_per_village",
        "planned_probationary", "planned_probationary_under_35").first()
    economy_target = TownshipEconomyTarget.objects.filter(township=township, year=year + 1).values(
        "income_total", "villages_over_1m", "villages_over_2m").first()
    return {"township": target, "economy": economy_target}


def table_keys(figures) -> list[str]:
    """Keys of the figures shown in tables: single numbers and the richest/poorest village."""
    keys = []
    for key, figure in figures.items():
        value = figure["value"]
        if isinstance(value, list) or (isinstance(value, dict) and "amount" not in value):
            continue
        if key.startswith(("targets.", "submissions.months")) or key == "submissions.reported":
            continue
        keys.append(key)
    return keys


def scalar(value):
    """A comparable number for a figure value (amounts as Decimal), or None."""
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
