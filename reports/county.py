"""The county view: the figures of several townships' year, summed, and each township side by side.

Who: county users (role `county`) read their county's townships; superusers read
any county (?county=<id>) or every township. Everyone else gets 404: the page
does not exist for a township's staff, leader or secretary. Nothing here writes.

Cost: one grouped query per kind of record (GROUP BY township), about 15 in all,
whatever the number of townships — not compute_figures() once per township,
which would cost ~20 queries a township. The per-township values are the same
numbers compute_figures() gives (tests/scale checks that).

What can be summed is summed (counts, money); shares are recomputed from the
summed numerators and denominators (stars, land share, reporting rate). Targets,
plans, projects and alliances are words and per-township decisions: they are not
summed and stay in each township's own report.
"""
from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from cadres.models import Person, ReserveCadre, Stage, StageChange, Talent, TalentKind
from committee.models import Bulletin, BulletinKind, Problem
from economy.models import LAND_CATEGORIES, IncomeCategory, IncomeRecord
from study.models import StudyActivity, StudyKind
from township.models import County
from villages.models import StarRating, Township, Village, VillageMonth, VillageMonthStatus

from .figures import MILLION, TWO_MILLION, _year_end_stage, money, months_ended, share
from .models import ReportFinal

MIN_YEAR, MAX_YEAR = 2000, 2100

# (key, label, unit): the figures of the county table, in the order of the annual report.
COUNTED = [
    ("villages.count", "村", "个"),
    ("stars.rated", "参评党组织", "个"),
    ("study.activities", "学习活动", "次"),
    ("study.central_group_sessions", "理论学习中心组学习", "次"),
    ("study.central_group_seminars", "研讨交流", "次"),
    ("study.concentrated_sessions", "集中学习", "次"),
    ("study.topic_seminars", "专题研讨", "次"),
    ("study.essays", "心得体会", "篇"),
    ("study.warning_education_visitors", "警示教育参观学习", "人"),
    ("study.delivered_study", "送学", "人次"),
    ("township.problems_found", "查摆问题", "条"),
    ("township.problems_rectified", "已整改", "条"),
    ("township.problems_open", "未整改问题", "条"),
    ("township.bulletins", "工作专报", "期"),
    ("township.weekly_previews", "一周工作预览", "次"),
    ("township.work_info", "工作信息", "条"),
    ("members.activists", "积极分子", "名"),
    ("members.candidates", "发展对象", "名"),
    ("members.new_probationary", "吸收预备党员", "名"),
    ("members.new_probationary_under_35", "吸收预备党员中35岁以下", "名"),
    ("members.converted", "转正", "名"),
    ("reserve.cadres", "村级后备干部", "名"),
    ("reserve.seedling_files", "育苗档案", "人"),
    ("reserve.young", "35岁以下后备干部", "名"),
    ("talent.industry_leaders", "产业带头人", "名"),
    ("talent.industry_leader_trainees", "产业带头人培养对象", "名"),
    ("talent.revitalisation_graduates", "大学生乡村振兴专干", "名"),
    ("talent.local_graduates", "本镇大学生到村工作", "名"),
    ("economy.villages_reporting_income", "有收入记录的村", "个"),
    ("economy.villages_over_1m", "百万村", "个"),
    ("economy.villages_over_2m", "两百万元村", "个"),
    ("submissions.reported", "已上报村月", "个"),
]
MONEY = [("economy.income_total", "村集体经济总收入", "元")]
SHARES = [
    ("stars.share_3plus", "三星级及以上", "%"),
    ("stars.share_4plus", "四星级及以上", "%"),
    ("stars.share_5", "五星级", "%"),
    ("economy.land_share", "土地流转、土地管理、农业种植收入占比", "%"),
    ("submissions.reporting_rate", "月报上报率", "%"),
]
TALENT_KEYS = {
    "talent.industry_leaders": TalentKind.INDUSTRY_LEADER,
    "talent.industry_leader_trainees": TalentKind.INDUSTRY_LEADER_TRAINEE,
    "talent.revitalisation_graduates": TalentKind.REVITALISATION_GRADUATE,
    "talent.local_graduates": TalentKind.LOCAL_GRADUATE,
}
REPORTED = [VillageMonthStatus.SUBMITTED, VillageMonthStatus.APPROVED]


# ---------------------------------------------------------------- scope


def county_scope(request):
    """(county or None, townships) that `request.user` may read here; Http404 for everyone else."""
    user = request.user
    if user.is_superuser:
        wanted = request.GET.get("county")
        if wanted:
            if not str(wanted).isdigit():
                raise Http404("县不存在")
            county = get_object_or_404(County, pk=wanted)
            return county, list(county.townships.order_by("name"))
        return None, list(Township.objects.order_by("name"))
    if getattr(user, "is_county", False) and user.county_id:
        county = user.county
        return county, list(county.townships.order_by("name"))
    raise Http404("县级汇总不存在或无权查看")


# ---------------------------------------------------------------- figures


def _per_township(rows, key="township_id"):
    return {row[key]: row for row in rows}


def county_figures(townships, year, today=None) -> dict:
    """{"total": {key: figure}, "townships": [{"id", "name", "figures": {key: figure}}]} for `year`.

    A bounded number of queries (one per kind of record, grouped by township), whatever
    the number of townships.
    """
    ids = [t.pk for t in townships]
    year_end = datetime.date(year, 12, 31)
    under_35_born_after = datetime.date(year - 35, 12, 31)
    values = {tid: {} for tid in ids}

    def put(tid, key, value):
        if tid in values:
            values[tid][key] = value

    # villages (1 query)
    villages = dict(Village.objects.filter(township__in=ids).values_list("township_id").annotate(n=Count("id"))
                    .values_list("township_id", "n"))
    for tid in ids:
        put(tid, "villages.count", villages.get(tid, 0))

    # star ratings (1 query)
    levels = {tid: {str(level): 0 for level in (5, 4, 3, 2, 1)} for tid in ids}
    for row in (StarRating.objects.for_year(year).filter(branch__village__township__in=ids)
                .values("branch__village__township_id", "stars").annotate(n=Count("id")).order_by()):
        levels[row["branch__village__township_id"]][str(row["stars"])] += row["n"]
    for tid in ids:
        by_level = levels[tid]
        put(tid, "stars.rated", sum(by_level.values()))
        put(tid, "stars.by_level", by_level)

    # study activities (1 query)
    def kind_count(kind):
        return Count("id", filter=Q(kind=kind))

    study = _per_township(
        StudyActivity.objects.in_year(year).filter(township__in=ids).values("township_id").annotate(
            total=Count("id"), central_group=kind_count(StudyKind.CENTRAL_GROUP),
            seminar_exchange=kind_count(StudyKind.SEMINAR_EXCHANGE), concentrated=kind_count(StudyKind.CONCENTRATED),
            topic_seminar=kind_count(StudyKind.TOPIC_SEMINAR), essays=Sum("essays"),
            warning_visitors=Sum("attendance", filter=Q(kind=StudyKind.WARNING_VISIT)),
            delivered=Sum("attendance", filter=Q(kind=StudyKind.DELIVERED_STUDY)),
        ).order_by()
    )
    for tid in ids:
        row = study.get(tid, {})
        put(tid, "study.activities", row.get("total", 0))
        put(tid, "study.central_group_sessions", row.get("central_group", 0))
        put(tid, "study.central_group_seminars", row.get("seminar_exchange", 0))
        put(tid, "study.concentrated_sessions", row.get("concentrated", 0))
        put(tid, "study.topic_seminars", row.get("topic_seminar", 0))
        put(tid, "study.essays", row.get("essays") or 0)
        put(tid, "study.warning_education_visitors", row.get("warning_visitors") or 0)
        put(tid, "study.delivered_study", row.get("delivered") or 0)

    # problems (1 query)
    problems = _per_township(Problem.objects.filter(township__in=ids).values("township_id").annotate(
        found_n=Count("id", filter=Q(found_date__year=year)),
        rectified_n=Count("id", filter=Q(found_date__year=year, rectified=True)),
        open_n=Count("id", filter=Q(found_date__lte=year_end) & (Q(rectified=False) | Q(rectified_date__gt=year_end))),
    ).order_by())
    for tid in ids:
        row = problems.get(tid, {})
        put(tid, "township.problems_found", row.get("found_n", 0))
        put(tid, "township.problems_rectified", row.get("rectified_n", 0))
        put(tid, "township.problems_open", row.get("open_n", 0))

    # bulletins (1 query)
    bulletins = _per_township(Bulletin.objects.filter(township__in=ids, date__year=year).values("township_id").annotate(
        special=Count("id", filter=Q(kind=BulletinKind.SPECIAL_REPORT)),
        weekly=Count("id", filter=Q(kind=BulletinKind.WEEKLY_PREVIEW)),
        info=Count("id", filter=Q(kind=BulletinKind.WORK_INFO)),
    ).order_by())
    for tid in ids:
        row = bulletins.get(tid, {})
        put(tid, "township.bulletins", row.get("special", 0))
        put(tid, "township.weekly_previews", row.get("weekly", 0))
        put(tid, "township.work_info", row.get("info", 0))

    # member pipeline: stage on 31 Dec (1 query) and the year's steps (1 query)
    stages = {}
    for tid, stage, n in (Person.objects.filter(township__in=ids).annotate(year_end_stage=_year_end_stage(year_end))
                          .exclude(year_end_stage=None).values_list("township_id", "year_end_stage")
                          .annotate(n=Count("id")).values_list("township_id", "year_end_stage", "n").order_by()):
        stages[(tid, stage)] = n
    steps = _per_township(
        StageChange.objects.in_year(year).filter(person__township__in=ids).values("person__township_id").annotate(
            probationary=Count("id", filter=Q(stage=Stage.PROBATIONARY)),
            probationary_under_35=Count("id", filter=Q(stage=Stage.PROBATIONARY,
                                                       person__birth_date__gt=under_35_born_after)),
            converted=Count("id", filter=Q(stage=Stage.MEMBER)),
        ).order_by(), key="person__township_id")
    for tid in ids:
        row = steps.get(tid, {})
        put(tid, "members.activists", stages.get((tid, Stage.ACTIVIST), 0))
        put(tid, "members.candidates", stages.get((tid, Stage.CANDIDATE), 0))
        put(tid, "members.new_probationary", row.get("probationary", 0))
        put(tid, "members.new_probationary_under_35", row.get("probationary_under_35", 0))
        put(tid, "members.converted", row.get("converted", 0))

    # reserve cadres and talent on record at year end (2 queries)
    on_record = Q(since__lte=year_end) & (Q(until__isnull=True) | Q(until__gt=year_end))
    reserve = _per_township(
        ReserveCadre.objects.filter(on_record, village__township__in=ids).values("village__township_id").annotate(
            n=Count("id"), seedling=Count("id", filter=Q(has_seedling_file=True)),
            young=Count("id", filter=Q(person__birth_date__gt=under_35_born_after)),
        ).order_by(), key="village__township_id")
    talent = {(tid, kind): n for tid, kind, n in (
        Talent.objects.filter(on_record, township__in=ids).values_list("township_id", "kind")
        .annotate(n=Count("id")).values_list("township_id", "kind", "n").order_by())}
    for tid in ids:
        row = reserve.get(tid, {})
        put(tid, "reserve.cadres", row.get("n", 0))
        put(tid, "reserve.seedling_files", row.get("seedling", 0))
        put(tid, "reserve.young", row.get("young", 0))
        for key, kind in TALENT_KEYS.items():
            put(tid, key, talent.get((tid, kind), 0))

    # income: per village (1 query) and per category (1 query)
    village_totals = list(
        IncomeRecord.objects.for_year(year).filter(village__township__in=ids)
        .values("village__township_id", "village_id", "village__name").annotate(total=Sum("amount"))
        .order_by("village__township_id", "village_id")
    )
    categories = {}
    for tid, category, amount in (IncomeRecord.objects.for_year(year).filter(village__township__in=ids)
                                  .values_list("village__township_id", "category").annotate(s=Sum("amount"))
                                  .values_list("village__township_id", "category", "s").order_by()):
        categories.setdefault(tid, {})[category] = amount
    names = {t.pk: t.name for t in townships}
    for tid in ids:
        rows = [r for r in village_totals if r["village__township_id"] == tid]
        total = sum((r["total"] for r in rows), Decimal("0"))
        by_category = categories.get(tid, {})
        land = sum((by_category.get(c, Decimal("0")) for c in LAND_CATEGORIES), Decimal("0"))
        put(tid, "economy.income_total", total if rows else None)
        put(tid, "economy.villages_reporting_income", len(rows))
        put(tid, "economy.villages_over_1m", sum(1 for r in rows if r["total"] >= MILLION))
        put(tid, "economy.villages_over_2m", sum(1 for r in rows if r["total"] >= TWO_MILLION))
        put(tid, "economy.income_by_category", by_category)
        put(tid, "_land", land)
        ranked = sorted(rows, key=lambda r: r["total"], reverse=True)
        put(tid, "economy.income_max", {"village": ranked[0]["village__name"], "amount": money(ranked[0]["total"])}
            if ranked else None)
        put(tid, "economy.income_min", {"village": ranked[-1]["village__name"], "amount": money(ranked[-1]["total"])}
            if ranked else None)

    # reporting completeness (1 query)
    ended = months_ended(year, today)
    reported = dict(VillageMonth.objects.filter(village__township__in=ids, year=year, month__lte=ended,
                                                status__in=REPORTED)
                    .values_list("village__township_id").annotate(n=Count("id"))
                    .values_list("village__township_id", "n").order_by())
    for tid in ids:
        put(tid, "submissions.reported", reported.get(tid, 0))
        put(tid, "_expected", ended * values[tid]["villages.count"])

    # which townships have a final report of the year (1 query)
    final = set(ReportFinal.objects.filter(report__township__in=ids, report__year=year)
                .values_list("report__township_id", flat=True))

    per_township = [{"id": tid, "name": names[tid], "final": tid in final,
                     "figures": _figures_of(values[tid])} for tid in ids]
    summed = _sum(values.values())
    ranked = sorted(village_totals, key=lambda r: r["total"], reverse=True)
    total_figures = _figures_of(summed)
    total_figures["economy.income_max"]["value"] = {
        "village": f"{names[ranked[0]['village__township_id']]}{ranked[0]['village__name']}",
        "amount": money(ranked[0]["total"])} if ranked else None
    total_figures["economy.income_min"]["value"] = {
        "village": f"{names[ranked[-1]['village__township_id']]}{ranked[-1]['village__name']}",
        "amount": money(ranked[-1]["total"])} if ranked else None
    total_figures["townships.count"] = {"label": "镇", "unit": "个", "value": len(ids)}
    total_figures["reports.final"] = {"label": "已定稿的年度总结", "unit": "个", "value": len(final)}
    return {"total": total_figures, "townships": per_township}


def _sum(rows):
    """Counts and money added up over townships; stars' levels and categories added level by level."""
    rows = list(rows)
    summed = {}
    for key, *_ in COUNTED:
        summed[key] = sum(r[key] for r in rows)
    incomes = [r["economy.income_total"] for r in rows if r["economy.income_total"] is not None]
    summed["economy.income_total"] = sum(incomes, Decimal("0")) if incomes else None
    summed["stars.by_level"] = {level: sum(r["stars.by_level"][level] for r in rows) for level in "54321"}
    categories = {}
    for r in rows:
        for category, amount in r["economy.income_by_category"].items():
            categories[category] = categories.get(category, Decimal("0")) + amount
    summed["economy.income_by_category"] = categories
    for key in ("_land", "_expected"):
        summed[key] = sum((r[key] for r in rows), 0)
    summed["economy.income_max"] = summed["economy.income_min"] = None
    return summed


def _figures_of(v) -> dict:
    """One township's (or the sum's) values as figures {key: {label, unit, value}}, shares recomputed."""
    f = {}
    for key, label, unit in COUNTED:
        f[key] = {"label": label, "unit": unit, "value": v[key]}
    f["economy.income_total"] = {"label": "村集体经济总收入", "unit": "元", "value": money(v["economy.income_total"])}
    by_level, rated = v["stars.by_level"], v["stars.rated"]
    f["stars.by_level"] = {"label": "星级党组织", "unit": "个", "value": by_level if rated else None}
    shares = {
        "stars.share_3plus": share(sum(by_level[k] for k in "345"), rated),
        "stars.share_4plus": share(sum(by_level[k] for k in "45"), rated),
        "stars.share_5": share(by_level["5"], rated),
        "economy.land_share": share(v["_land"], v["economy.income_total"]) if v["economy.income_total"] else None,
        "submissions.reporting_rate": share(v["submissions.reported"], v["_expected"]),
    }
    for key, label, unit in SHARES:
        f[key] = {"label": label, "unit": unit, "value": shares[key]}
    f["economy.income_by_category"] = {"label": "收入结构", "unit": "元", "value": {
        c.label: money(v["economy.income_by_category"][c]) for c in IncomeCategory
        if c in v["economy.income_by_category"]} or None}
    f["economy.income_max"] = {"label": "村集体经济最高", "unit": "元", "value": v["economy.income_max"]}
    f["economy.income_min"] = {"label": "村集体经济最低", "unit": "元", "value": v["economy.income_min"]}
    return f


def check_year(year):
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("年度无效")


# ---------------------------------------------------------------- views


TABLE = COUNTED[:1] + MONEY + SHARES + COUNTED[1:]
EXTREMES = [("economy.income_max", "村集体经济最高", "元"), ("economy.income_min", "村集体经济最低", "元")]


def _shown(value, unit):
    """A figure value as the table shows it: exact, with its unit; "—" for no data."""
    if value is None:
        return "—"
    if isinstance(value, dict):
        return f"{value['village']} {Decimal(value['amount']):,.2f}元"
    if unit == "元":
        return f"{Decimal(value):,.2f}"
    if unit == "%":
        return f"{value}%"
    return str(value)


@login_required
def county_index(request):
    """The county view of last year (the year an annual summary is written for)."""
    if not (request.user.is_superuser or getattr(request.user, "is_county", False)):
        raise Http404("全县汇总不存在或无权查看")
    return redirect("reports:county", year=datetime.date.today().year - 1)


@login_required
def county_report(request, year):
    """The county page: summed figures and the townships side by side."""
    county, townships = county_scope(request)
    check_year(year)
    result = county_figures(townships, year)
    rows = [{
        "key": key, "label": label, "unit": unit, "total": _shown(result["total"][key]["value"], unit),
        "townships": [_shown(t["figures"][key]["value"], unit) for t in result["townships"]],
    } for key, label, unit in TABLE + EXTREMES]
    return render(request, "reports/county.html", {
        "county": county, "year": year, "total": result["total"], "townships": result["townships"],
        "rows": rows, "county_param": request.GET.get("county", ""),
        "final_count": sum(1 for t in result["townships"] if t["final"]),
    })


@extend_schema(
    summary="县级汇总：各镇年度数据之和与分镇数据",
    parameters=[OpenApiParameter("year", int, OpenApiParameter.PATH, description="年度"),
                OpenApiParameter("county", int, description="县（仅系统管理员）")],
    responses=inline_serializer("CountyFigures", {
        "county": serializers.CharField(allow_null=True),
        "year": serializers.IntegerField(),
        "total": serializers.DictField(child=serializers.DictField()),
        "townships": serializers.ListField(child=serializers.DictField()),
    }),
)
@api_view(["GET"])
def county_figures_api(request, year):
    """{"county", "year", "total": {key: figure}, "townships": [{"id", "name", "final", "figures"}]}."""
    try:
        county, townships = county_scope(request)
        check_year(year)
    except Http404 as exc:
        raise exceptions.NotFound(str(exc)) from exc
    result = county_figures(townships, year)
    return Response({"county": county.name if county else None, "year": year, **result})
