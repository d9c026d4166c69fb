from django import template
from django.conf import settings

register = template.Library()


@register.filter
def may_read_reports(user):
    """Whether the navigation shows the annual report to `user` (same rule as the views)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if user.is_secretary:
        return getattr(settings, "REPORTS_VISIBLE_TO_SECRETARIES", False)
    return user.township_id is not None
