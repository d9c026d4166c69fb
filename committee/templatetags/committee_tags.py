from django import template
from django.db.models import Count

from township import access

from ..models import TownshipNotice

register = template.Library()


@register.simple_tag(takes_context=True)
def township_notices(context, limit=10):
    """The township's notices the user is sent (a secretary) or may see, unread first, then newest."""
    user = context["request"].user
    if not user.is_authenticated:
        return []
    notices = access.visible(user, TownshipNotice.objects.all()).inbox(user)
    if access.reads_notice_receipts(user):
        notices = notices.annotate(sent=Count("villages", distinct=True),
                                   read_villages=Count("receipts__village", distinct=True))
    return list(notices[:limit])
