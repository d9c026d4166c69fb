from django import template

from township import access

register = template.Library()


@register.filter
def may_read_reports(user):
    """Whether the annual report is there for `user` (township.access.can_read_reports).

    Templates ask `user|may:"read_reports"` ({% load access %}); this filter stays for
    reports' own templates and says nothing of its own."""
    return access.can_read_reports(user)
