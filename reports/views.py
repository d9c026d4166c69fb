"""The annual report pages: the report, staff edits, final/reopen, the Word file and the figures API.

Who: staff and leaders of the township read it; only staff change it (leaders get
403); secretaries get 403 unless REPORTS_VISIBLE_TO_SECRETARIES; asking for
another township's report or items gives 404.
"""
from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from economy.models import IncomeRecord
from study.models import StudyActivity
from township import access
from township.numbers import yuan
from villages import views as village_views
from villages.dates import Year
from villages.models import StarRating, Township

from . import document as doc
from . import drafting, services
from .dashboard import KEYS as DASHBOARD_KEYS
from .dashboard import key_figures
from .docx import build_docx
from .figures import (
    BY_KEY,
    INDUSTRY_VILLAGES,
    VILLAGE_PAGES,
    compute_figures,
    villages_counted,
)
from .models import ItemSection, ReportItem

MIN_YEAR, MAX_YEAR = 2000, 2100


# ---------------------------------------------------------------- access


def report_township(request) -> Township:
    """The township whose report `request.user` may read (township.access.report_township_id decides)."""
    user = request.user
    township_id = access.report_township_id(user, request.GET.get("township"))
    # The user's own township is cached on the user (the navigation shows it too): no second query.
    return user.township if user.township_id == township_id else get_object_or_404(Township, pk=township_id)


def _not_found():
    raise Http404("年度工作总结不存在或无权查看")


def check_year(year):
    if not MIN_YEAR <= year <= MAX_YEAR:
        _not_found()


def _report_for_write(request, year):
    """The report to change: township checked, staff only, and not final."""
    township = report_township(request)
    access.check_edit_reports(request.user)
    check_year(year)
    report = doc.get_report(township, year)
    if report.final:
        messages.error(request, "该总结已定稿。如需修改，请先重新打开。")
        return report, False
    return report, True


def _back(request, year):
    url = reverse("reports:annual", args=[year])
    if request.GET.get("township"):
        url += f"?township={request.GET['township']}"
    return redirect(url)


# ---------------------------------------------------------------- pages


def latest_year(township) -> int:
    """The latest year with records of the township, never a year still to come (this year when there are none):
    one query (UNION ALL of the latest year of income, study activities and star ratings)."""
    this_year = timezone.localdate().year
    # Each part grouped by its township (one row each), not by record: the database keeps one maximum.
    latest = (
        IncomeRecord.objects.filter(village__township=township, year__lte=this_year).order_by()
        .values("village__township").annotate(latest=Max("year")).values_list("latest"),
        StudyActivity.objects.filter(township=township, date__year__lte=this_year).order_by()
        .values("township").annotate(latest=Year(Max("date"))).values_list("latest"),
        StarRating.objects.filter(branch__village__township=township, year__lte=this_year).order_by()
        .values("branch__village__township").annotate(latest=Max("year")).values_list("latest"),
    )
    years = [year for (year,) in latest[0].union(*latest[1:], all=True) if year]
    return max(years) if years else this_year


@login_required
def home_dashboard(request):
    """The home page: the villages for every township user (a secretary lands on their village), and for those who
    may read the report, the key figures of the latest year with records against their targets, with charts."""
    user = request.user
    if not access.sees_township_dashboard(user):
        return redirect(access.home_url_for(user))
    context = village_views.home_context(user)
    try:
        township = report_township(request)
    except (Http404, PermissionDenied):
        township = None  # a county user, or an administrator without a township: the villages only
    if township is not None:
        year = latest_year(township)
        figures, previous, final = doc.stated_figures(township, year, DASHBOARD_KEYS)
        context["dashboard"] = {**key_figures(figures, previous, year), "final": final}
    return render(request, "reports/home.html", context)


@login_required
def index(request):
    """Redirect to the latest year with records (this year when there are none)."""
    township = report_township(request)
    return redirect("reports:annual", year=latest_year(township))


def chart_data(figures):
    """What the charts draw, passed to the page with json_script."""
    value = lambda key: figures.get(key, {}).get("value")  # noqa: E731
    stars_target = value("targets.stars")
    return {
        "income_by_village": value("economy.income_by_village") or [],
        "income_by_category": value("economy.income_by_category") or {},
        "stars": {
            "by_level": value("stars.by_level") or {},
            "shares": {"三星级及以上": value("stars.share_3plus"), "四星级及以上": value("stars.share_4plus"),
                       "五星级": value("stars.share_5")},
            "targets": {"三星级及以上": stars_target["share_3plus"], "四星级及以上": stars_target["share_4plus"],
                        "五星级": stars_target["share_5"]} if stars_target else None,
        },
        "pipeline": value("members.by_stage") or {},
        "pipeline_steps": value("members.steps") or {},
        "reporting": {"by_month": value("submissions.by_month") or {}, "villages": value("villages.count") or 0},
    }


@login_required
def annual(request, year):
    township = report_township(request)
    check_year(year)
    report = doc.get_report(township, year)
    final = report.final
    # This year and last year in one pass of the figures engine (the text and the table compare them).
    live, live_previous = doc.figures_of(township, year)
    figures, previous, document = doc.current(report, live=live, previous=live_previous)
    changed = doc.changed_figures(final.figures, live) if final else []
    return render(request, "reports/annual.html", {
        "township": township, "year": year, "report": report, "final": final, "changed_figures": changed,
        "document": document, "figures": figures, "figure_rows": drafting.comparison_rows(figures, previous),
        "targets": drafting.targets_table(figures), "chart_data": chart_data(figures),
        "decided": document.get("decided", []), "log": list(report.log.select_related("user")[:20]),
        "can_edit": access.can_edit_reports(request.user), "item_sections": ItemSection.choices,
        "township_param": request.GET.get("township", ""),
    })


@login_required
@require_POST
def edit_part(request, year, part):
    report, open_ = _report_for_write(request, year)
    if part not in doc.EDITABLE_PARTS:
        _not_found()
    if open_:
        edit = services.save_edit(report=report, part=part, text=request.POST.get("text", ""), user=request.user)
        messages.success(request, "已保存修改。" if edit else "已恢复为数据生成的草稿。")
    return _back(request, year)


@login_required
@require_POST
def add_item(request, year):
    report, open_ = _report_for_write(request, year)
    section, text = request.POST.get("section"), request.POST.get("text", "").strip()
    if open_:
        position = request.POST.get("position", "").strip()
        if section not in ItemSection.values or not text:
            messages.error(request, "请选择部分并填写内容。")
        elif position and not (position.isdigit() and 1 <= int(position) <= 99):
            messages.error(request, "排序请填写1至99之间的整数，留空则排在最后。")
        else:
            services.add_item(report=report, section=section, text=text, user=request.user,
                              position=int(position) if position else None)
            messages.success(request, "已添加条目。")
    return _back(request, year)


@login_required
@require_POST
def delete_item(request, year, pk):
    report_township(request)
    item = access.get_visible_or_404(request.user, ReportItem.objects.all(), pk=pk, report__year=year)
    report, open_ = _report_for_write(request, year)
    if open_:
        item.delete()
        messages.success(request, "已删除条目。" if not item.suggestion_key else "已撤销对该数据提示的处理。")
    return _back(request, year)


@login_required
@require_POST
def decide(request, year, key):
    report, open_ = _report_for_write(request, year)
    if open_:
        accept = request.POST.get("accept") == "1"
        item = services.decide_suggestion(report=report, key=key, accept=accept, user=request.user)
        if item is None:
            messages.error(request, "该数据提示已不存在（数据可能已更新）。")
        else:
            messages.success(request, "已采用，列入存在的问题。" if accept else "已不采用该提示。")
    return _back(request, year)


@login_required
@require_POST
def finalize(request, year):
    report, open_ = _report_for_write(request, year)
    if open_:
        try:
            services.finalize(report=report, user=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, "已定稿：数据和文字已固定。")
    return _back(request, year)


@login_required
@require_POST
def reopen(request, year):
    township = report_township(request)
    access.check_edit_reports(request.user)
    check_year(year)
    report = doc.get_report(township, year)
    if report.final:
        services.reopen(report=report, user=request.user, reason=request.POST.get("reason", "").strip())
        messages.success(request, "已重新打开，可继续修改。")
    return _back(request, year)


@login_required
def report_docx(request, year):
    township = report_township(request)
    check_year(year)
    report = doc.get_report(township, year)
    figures, previous, document = doc.current(report)
    final = report.final
    signed_on = timezone.localtime(final.finalized_at).date() if final else timezone.localdate()
    content = build_docx(document, figures, previous, township=township, year=year, signed_on=signed_on)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    filename = f"{township.name}{year}年党建工作总结.docx"
    response["Content-Disposition"] = f"attachment; filename=\"report-{year}.docx\"; filename*=UTF-8''{quote(filename)}"
    return response


# ---------------------------------------------------------------- API


@extend_schema(
    summary="年度工作总结的各项数据",
    parameters=[OpenApiParameter("year", int, OpenApiParameter.PATH, description="年度"),
                OpenApiParameter("live", str, description="1：定稿后仍按当前记录实时计算（标注 live）")],
    responses=inline_serializer("AnnualFigures", {
        "township": serializers.CharField(),
        "year": serializers.IntegerField(),
        "final": serializers.BooleanField(help_text="总结已定稿时为 true，数据为定稿时固定的数值"),
        "finalized_at": serializers.DateTimeField(required=False, help_text="定稿时间"),
        "live": serializers.BooleanField(required=False, help_text="按当前记录实时计算"),
        "figures": serializers.DictField(
            child=serializers.DictField(), help_text="{key: {label, unit, value, source}}"
        ),
    }),
)
@api_view(["GET"])
def figures_api(request, year):
    """The figures of the user's township for `year`: {"township", "year", "figures": {key: {label, unit, value}}}."""
    try:
        township = report_township(request)
    except PermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc)) from exc
    except Http404 as exc:
        raise exceptions.NotFound("年度工作总结不存在或无权查看") from exc
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise exceptions.NotFound("年度无效")
    final = doc.final_of(township, year)
    if final and request.query_params.get("live") != "1":
        final.load_frozen()
        return Response({"township": township.name, "year": year, "final": True,
                         "finalized_at": final.finalized_at, "figures": final.figures})
    return Response({"township": township.name, "year": year, "final": bool(final), "live": True,
                     "figures": compute_figures(township, year)})


@login_required
def figure_villages(request, year, key):
    """The villages a village figure counts (村, 百万村, 两百万元村 …), stated after 共: its source page."""
    township = report_township(request)
    check_year(year)
    if key not in VILLAGE_PAGES:
        _not_found()
    villages = [{**row, "amount_text": yuan(row["amount"]) if row["amount"] else None}
                for row in villages_counted(township, year, key)]
    return render(request, "reports/figure_villages.html", {
        "township": township, "year": year, "figure": BY_KEY[key], "villages": villages,
        "income_url": reverse("records:incomes-list"), "industries": key == INDUSTRY_VILLAGES,
        "projects_url": reverse("records:industry-projects-list"),
    })
