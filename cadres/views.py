"""Pages of the member pipeline beyond the generic record pages: what falls due."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from township import access

from .due import DUE_WITHIN_DAYS, due_items
from .models import Person


@login_required
@require_GET
def due(request):
    items = due_items(access.visible(request.user, Person.objects.all()))
    return render(request, "cadres/due.html", {"items": items, "within_days": DUE_WITHIN_DAYS})
