"""The county view: the figures of several townships' year, summed, and each township side by side.

Who: county users (role `county`) read their county's townships; superusers read
any county (?county=<id>) or every township. Everyone else gets 404: the page
does not exist for a township's staff, leader or secretary. Nothing here writes.

The figures are the registry's (reports/figures.py), computed by the same engine for all the
county's townships at once: one grouped query per kind of record, whatever the number of
townships. A township whose report of the year is final counts with its frozen figures.
What can be summed is summed (counts, money); shares are recomputed from the summed
numerators and denominators (stars, land share, reporting rate). Targets, plans,
projects and alliances are words and per-township decisions: they are not summed and
stay in each township's own report.
"""
from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html_join
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from township import access
from township.models import County
from villages.models import Township

from .figures import FIGURES, LIST, MAP, county_figure, county_values, table_keys
from .models import ReportFinal

MIN_YEAR, MAX_YEAR = 2000, 2100


# ---------------------------------------------------------------- scope


def county_scope(request):
    """(county or None, townships) that `request.user` may read here (township.access.county_of decides)."""
    user = request.user
    wanted = request.GET.get("county")
    county_id = access.county_of(user, wanted)
    county = get_object_or_404(County, pk=county_id) if county_id is not None else None
    townships = list(Township.objects.filter(pk__in=access.county_township_ids(user, wanted)).order_by("name"))
    return county, townships


# ---------------------------------------------------------------- figures


def county_figures(townships, year, today=None) -> dict:
    """{"total": {key: figure}, "townships": [{"id", "name", "final", "figures"}]} for `year`."""
    finals = {
        final.report.township_id: final.figures
        for final in ReportFinal.objects.filter(report__township__in=townships, report__year=year)
        .select_related("report")
    }
    result = county_values(townships, year, frozen=finals, today=today)
    keys = [f.key for f in FIGURES if not f.township_only]

    def figures_of(values):
        return {key: county_figure(key, values.get(key)) for key in keys}

    total = figures_of(result["total"])
    total["townships.count"] = {"label": "镇", "unit": "个", "value": len(townships)}
    total["reports.final"] = {"label": "已定稿的年度总结", "unit": "个", "value": len(finals)}
    return {
        "total": total,
        "townships": [{"id": t.pk, "name": t.name, "final": final, "figures": figures_of(values)}
                      for t, values, final in result["townships"]],
    }


def check_year(year):
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("年度无效")


# ---------------------------------------------------------------- views


def table_rows():
    """The county table: every scalar figure the townships share, in the registry's order."""
    return [figure for figure in FIGURES if not figure.township_only and figure.kind not in (MAP, LIST)
            and figure.key in table_keys({figure.key: None})]


def _shown(value, unit):
    """A figure value as the table shows it: exact, with its unit; "—" for no data."""
    if value is None:
        return "—"
    if isinstance(value, dict):
        return f"{value.get('township', '')}{value['village']} {Decimal(value['amount']):,.2f}元"
    if unit == "元":
        return f"{Decimal(value):,.2f}"
    if unit == "%":
        return f"{value}%"
    return str(value)


@login_required
def county_index(request):
    """The county view of last year (the year an annual summary is written for)."""
    if not access.can_read_county(request.user):
        raise Http404("全县汇总不存在或无权查看")
    return redirect("reports:county", year=datetime.date.today().year - 1)


@login_required
def county_report(request, year):
    """The county page: summed figures and the townships side by side."""
    county, townships = county_scope(request)
    check_year(year)
    result = county_figures(townships, year)
    rows = [{
        "key": f.key, "label": f.label, "unit": f.unit, "total": _shown(result["total"][f.key]["value"], f.unit),
        # The townships' cells joined here, escaped: a thousand cells at ten townships cost the template
        # engine more than the figures themselves.
        "cells": format_html_join("", '<td class="num">{}</td>',
                                  ((_shown(t["figures"][f.key]["value"], f.unit),) for t in result["townships"])),
    } for f in table_rows()]
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
