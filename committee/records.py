"""The township committee's record types."""
from records.registry import RecordType, register

from .models import Bulletin, Campaign, CampaignTask, Problem, SupervisionVisit, TownshipTarget

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
    model=TownshipTarget, slug="township-targets", group=GROUP,
    list_fields=["year", "star_share_3plus", "star_share_4plus", "star_share_5", "planned_probationary",
                 "reserve_cadres_per_village"],
    year_field="year",
))
