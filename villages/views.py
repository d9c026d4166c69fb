"""What the home page shows of the villages, the village list and village detail."""
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from records import registry as records
from township import access

from .models import StarRating, Village, VillageMonth


def _villages(user):
    return access.visible(user, Village.objects.select_related("township")).with_current_rating()


def home_context(user) -> dict:
    """What the home page shows every township user: the villages with their current stars, and the star
    ratings of the latest year. (The page itself is reports.views.home_dashboard, which adds the year's figures:
    the villages app does not read the reports.)"""
    villages = list(_villages(user))
    ratings = access.visible(user, StarRating.objects.all())
    latest_year = ratings.order_by("-year").values_list("year", flat=True).first()
    by_level = {}
    if latest_year:
        by_level = dict(
            ratings.filter(year=latest_year).values_list("stars").annotate(n=Count("id")).values_list("stars", "n")
        )
    star_rows = [(level, by_level.get(level, 0)) for level in (5, 4, 3, 2, 1)]
    return {
        "villages": villages,
        "latest_year": latest_year,
        "star_rows": star_rows,
        "rated": sum(by_level.values()),
    }


@login_required
def village_list(request):
    return render(request, "villages/list.html", {"villages": _villages(request.user)})


@login_required
def village_detail(request, pk):
    user = request.user
    village = access.get_visible_or_404(user, _villages(user), pk=pk)
    branches = list(village.branches.all())
    ratings = StarRating.objects.filter(branch__village=village).select_related("branch").order_by("-year")
    months = VillageMonth.objects.filter(village=village).order_by("-year", "-month")[:12]
    record_links = [
        (rt, f"/records/{rt.slug}/?village={village.pk}")
        for rt in records.all_types()
        if access.scope_of(rt.model).village not in (None, "pk") and access.can_see_kind(user, rt.model)
    ]
    return render(request, "villages/detail.html", {
        "village": village,
        "branches": branches,
        "ratings": ratings,
        "months": months,
        "record_links": record_links,
    })
