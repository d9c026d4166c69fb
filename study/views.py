"""The 三会一课 and 主题党日 compliance grid (villages × months)."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from township import access
from villages.models import PartyBranch

from .compliance import SHORT_LABELS, build
from .models import DEFAULT_REQUIREMENTS, OrgLifeKind, OrgLifeRequirement


def branches_for(user):
    """The branches whose organisational life `user` may see (a secretary: their village's)."""
    return access.visible(user, PartyBranch.objects.all())


def year_param(raw, default):
    """A year from a query parameter within 2000–2100, else None."""
    try:
        year = int(raw if raw not in (None, "") else default)
    except (TypeError, ValueError):
        return None
    return year if 2000 <= year <= 2100 else None


@login_required
@require_GET
def compliance(request):
    user = request.user
    today = timezone.localdate()
    year = year_param(request.GET.get("year"), today.year) or today.year
    result = build(branches=branches_for(user), year=year, today=today, links=True)
    own = access.own_township_id(user)
    requirements = result.requirements.get(own) or (
        next(iter(result.requirements.values())) if len(result.requirements) == 1 else DEFAULT_REQUIREMENTS)
    return render(request, "study/compliance.html", {
        "result": result,
        "year": year,
        "years": range(today.year - 3, today.year + 1),
        "months": range(1, 13),
        "requirements": [(kind.label, requirements[kind].label) for kind in OrgLifeKind],
        "legend": SHORT_LABELS.values(),
        "edits_requirements": access.can_write_kind(user, OrgLifeRequirement),
    })
