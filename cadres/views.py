"""Pages of the member pipeline beyond the generic record pages: what falls due, the branches' dues by month."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .due import DUE_WITHIN_DAYS, due_items_for
from .models import dues_totals_for


@login_required
@require_GET
def due(request):
    items = due_items_for(request.user)
    return render(request, "cadres/due.html", {"items": items, "within_days": DUE_WITHIN_DAYS})


def _year(request):
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@login_required
@require_GET
def dues_totals(request):
    """党费收缴 of each village's branch and month of a year: totals derived from the members' dues."""
    year = _year(request)
    return render(request, "cadres/dues_totals.html", {"year": year, "rows": dues_totals_for(request.user, year)})
