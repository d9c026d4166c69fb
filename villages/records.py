from django.db.models import F, Q

from records.filters import BooleanFilter, IntegerFilter
from records.registry import RecordType, register

from .models import PartyBranch, StarRating

register(RecordType(
    model=PartyBranch,
    slug="branches",
    group="村与党支部",
    list_fields=["name", "village", "secretary_name"],
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
    extra_filters={
        "stars_min": IntegerFilter(label="星级不低于", min_value=1, max_value=5,
                                   condition=lambda stars, _o: Q(stars__gte=stars)),
        "target_stars": IntegerFilter(label="目标星级", field_name="target_stars", min_value=1, max_value=5),
        "below_target": BooleanFilter(label="低于目标星级", condition=lambda below, _o: (
            Q(stars__lt=F("target_stars")) if below else ~Q(stars__lt=F("target_stars")))),
    },
    search_fields=["branch__name", "branch__village__name"],
    select_related=["branch__village"],
))
