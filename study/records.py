from django.db.models import Q

from records.filters import BooleanFilter, IntegerFilter
from records.registry import RecordType, register

from .models import OrgLifeEvent, OrgLifeRequirement, StudyActivity, StudyPlan

GROUP = "学习与组织生活"

register(RecordType(
    model=StudyPlan, slug="study-plans", group=GROUP,
    list_fields=["title", "year", "kind"], filter_fields=["kind"], year_field="year", search_fields=["title"],
))
register(RecordType(
    model=StudyActivity, slug="study-activities", group=GROUP,
    list_fields=["date", "kind", "topic", "village", "attendance", "essays"],
    filter_fields=["kind", "source"], year_field="date",
    search_fields=["topic"],
    extra_filters={"with_essays": BooleanFilter(label="有心得体会", condition=lambda yes, _o: (
        Q(essays__gt=0) if yes else Q(essays=0)))},
    sum_fields={"essays": "篇", "attendance": "人"},
))
register(RecordType(
    model=OrgLifeEvent, slug="org-life", group=GROUP,
    list_fields=["date", "branch", "kind", "topic", "attendance"],
    filter_fields=["kind", "source"], year_field="date",
    search_fields=["topic", "branch__name"],
    # The compliance grid's cells open a village's meetings of one month.
    extra_filters={"month": IntegerFilter(label="月份", field_name="date__month", min_value=1, max_value=12)},
))
register(RecordType(
    model=OrgLifeRequirement, slug="org-life-requirements", group=GROUP,
    list_fields=["since_year", "kind", "frequency", "note"], filter_fields=["kind"], year_field="since_year",
))
