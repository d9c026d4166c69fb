"""The township committee's record types."""
from django.db.models import Q

from records.filters import DateFilter
from records.registry import RecordType, register

from .models import (
    Bulletin,
    Campaign,
    CampaignTask,
    Problem,
    SupervisionVisit,
    TownshipNotice,
    TownshipTarget,
    WorkEvent,
)

GROUP = "镇党委工作"
register(RecordType(
    model=Campaign, slug="campaigns", group=GROUP,
    list_fields=["name", "year", "start_date"], year_field="year", search_fields=["name"],
))
register(RecordType(
    model=CampaignTask, slug="campaign-tasks", group=GROUP,
    list_fields=["title", "campaign", "owner", "deadline", "done"],
    filter_fields=["campaign", "done"], search_fields=["title", "owner"],
))
register(RecordType(
    model=Problem, slug="problems", group=GROUP,
    list_fields=["found_date", "description", "village", "owner", "deadline", "rectified"],
    filter_fields=["rectified", "campaign"], year_field="found_date",
    search_fields=["description", "owner"],
    extra_filters={
        # As of a day: what the year-end figures count (rectified by 31 December; still open on it).
        "rectified_by": DateFilter(label="截至该日已整改", condition=lambda day, _o: Q(
            rectified=True, rectified_date__lte=day)),
        "open_on": DateFilter(label="截至该日未整改", condition=lambda day, _o: Q(found_date__lte=day) & (
            Q(rectified=False) | Q(rectified_date__gt=day))),
    },
))
register(RecordType(
    model=Bulletin, slug="bulletins", group=GROUP,
    list_fields=["date", "kind", "issue_number", "title"],
    filter_fields=["kind"], year_field="date", search_fields=["title"],
))
register(RecordType(
    model=SupervisionVisit, slug="supervision-visits", group=GROUP,
    list_fields=["date", "kind", "village", "findings"],
    filter_fields=["kind"], year_field="date", search_fields=["findings"],
))
register(RecordType(
    # Meetings held, documents issued, mechanisms, activities, trainings, guidance: the report cites them by title.
    model=WorkEvent, slug="work-events", group=GROUP,
    list_fields=["date", "kind", "title", "area", "campaign"],
    filter_fields=["kind", "area", "campaign"], year_field="date", search_fields=["title", "note"],
    prefetch_related=["villages"],
))
register(RecordType(
    model=TownshipTarget, slug="township-targets", group=GROUP,
    list_fields=["year", "star_share_3plus", "star_share_4plus", "star_share_5", "planned_probationary",
                 "reserve_cadres_per_village"],
    year_field="year",
))
register(RecordType(
    model=TownshipNotice, slug="township-notices", group=GROUP,
    list_fields=["title", "created_at", "deadline"], search_fields=["title", "text"],
    prefetch_related=["villages"],
))
