from records.registry import RecordType, register

from .models import PartyBranch, StarRating

register(RecordType(
    model=PartyBranch,
    slug="branches",
    group="村与党支部",
    list_fields=["name", "village", "secretary_name", "member_count"],
    filter_fields=["village"],
    search_fields=["name", "secretary_name"],
))

register(RecordType(
    model=StarRating,
    slug="star-ratings",
    group="村与党支部",
    list_fields=["year", "branch", "stars", "target_stars"],
    filter_fields=["stars"],
    year_field="year",
    search_fields=["branch__name", "branch__village__name"],
    select_related=["branch__village"],
))
