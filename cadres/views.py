"""Pages of the member pipeline beyond the generic record pages: what falls due."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .due import DUE_WITHIN_DAYS, due_items_for


@login_required
@require_GET
def due(request):
    items = due_items_for(request.user)
    return render(request, "cadres/due.html", {"items": items, "within_days": DUE_WITHIN_DAYS})
