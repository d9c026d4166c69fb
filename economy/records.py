from django.db.models import Q

from records.filters import BooleanFilter
from records.registry import RecordType, register

from .models import (
    LAND_CATEGORIES,
    Alliance,
    Enterprise,
    IncomeRecord,
    IndustryProject,
    TownshipEconomyTarget,
    VillageIncomeTarget,
)

GROUP = "村集体经济"

register(RecordType(
    model=IncomeRecord, slug="incomes", group=GROUP,
    list_fields=["village", "year", "month", "category", "amount", "source"],
    filter_fields=["category", "month", "source"], year_field="year",
    search_fields=["note", "village__name"],
    extra_filters={"land": BooleanFilter(label="土地类收入", condition=lambda yes, _o: (
        Q(category__in=LAND_CATEGORIES) if yes else ~Q(category__in=LAND_CATEGORIES)))},
    sum_fields={"amount": "元"},
))
register(RecordType(
    model=VillageIncomeTarget, slug="income-targets", group=GROUP,
    list_fields=["village", "year", "amount"], year_field="year",
))
register(RecordType(
    model=TownshipEconomyTarget, slug="economy-targets", group=GROUP,
    list_fields=["year", "income_total", "villages_over_1m", "villages_over_2m"], year_field="year",
))
register(RecordType(
    model=IndustryProject, slug="industry-projects", group=GROUP,
    list_fields=["name", "village", "year", "scale", "scale_unit", "jobs_created", "income_added"],
    filter_fields=["scale_unit"], year_field="year",
    search_fields=["name", "description"],
))
register(RecordType(
    model=Enterprise, slug="enterprises", group=GROUP,
    list_fields=["name", "industry", "contact_name", "contact_phone"],
    search_fields=["name", "industry"],
    masked_fields=["contact_phone"],
))
register(RecordType(
    model=Alliance, slug="alliances", group=GROUP,
    list_fields=["name", "kind", "year", "model"],
    filter_fields=["kind"], year_field="year",
    search_fields=["name", "model"],
    prefetch_related=["villages", "enterprises"],
))
