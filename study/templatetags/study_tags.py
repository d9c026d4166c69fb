from django import template
from django.utils import timezone

from township import access
from villages.models import PartyBranch

from ..compliance import OPEN, build

register = template.Library()


@register.simple_tag(takes_context=True)
def org_life_to_do(context, village):
    """This year's organisational life of a village's branches as its page shows it: the meetings missed in
    periods that have ended, and this month's required meetings not yet held."""
    user = context["request"].user
    today = timezone.localdate()
    result = build(branches=access.visible(user, PartyBranch.objects.filter(village=village)), year=today.year,
                   today=today)
    missed = [(row.branch, kind) for row in result.rows for kind in row.short]
    this_month = [mark.label for row in result.rows for mark in row.months[today.month - 1].marks
                  if mark.state == OPEN]
    return {"year": today.year, "month": today.month, "missed": missed, "this_month": this_month,
            "has_branch": bool(result.rows)}
