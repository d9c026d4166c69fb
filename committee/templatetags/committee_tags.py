from django import template
from django.core.exceptions import PermissionDenied
from django.db.models import Count

from township import access

from .. import attachments
from ..models import NoticeReceipt, TownshipNotice

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


@register.simple_tag(takes_context=True)
def record_attachments(context, obj, slug):
    """The evidence of a record on its page: {"enabled", "items", "can_add"} (its kind takes attachments)."""
    if slug not in attachments.ATTACHABLE:
        return {"enabled": False}
    user = context["request"].user
    try:
        access.check_attach(user, obj)
        can_add, locked = True, None
    except access.MonthLocked as exc:
        can_add, locked = False, str(exc)
    except PermissionDenied:
        can_add, locked = False, None
    return {"enabled": True, "items": list(attachments.attachments_of(obj)), "can_add": can_add, "slug": slug,
            "locked": locked,
            "max_mb": attachments.max_bytes() // (1024 * 1024)}


@register.simple_tag(takes_context=True)
def notice_receipt(context, obj, slug):
    """On a township notice's page: {"notice", "read_at", "marks", "receipts"} (who may mark it read, who may
    see the receipts), or None on any other record's page."""
    if slug != "township-notices":
        return None
    user = context["request"].user
    receipt = NoticeReceipt.objects.filter(notice=obj, user=user).first()
    return {"notice": obj, "read_at": receipt.read_at if receipt else None,
            "marks": access.marks_notices_read(user), "receipts": access.reads_notice_receipts(user)}
