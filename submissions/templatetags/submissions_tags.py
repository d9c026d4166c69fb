"""Template tags for the hooks the monthly workbook fills on shared pages (nav, home, village)."""
from django import template
from django.utils import timezone

from villages.models import VillageMonth, VillageMonthStatus

from .. import rules
from ..models import Notice, SubmissionStatus
from ..services import deadline_for, previous_month

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notices(context, limit=10):
    """The user's unread notices, newest first."""
    user = context["request"].user
    if not user.is_authenticated:
        return []
    return list(Notice.objects.filter(user=user, read_at__isnull=True).select_related("village")[:limit])


@register.simple_tag(takes_context=True)
def village_month_summary(context, village):
    """What a village page shows about reporting: last month's status and its deadline."""
    year, month = previous_month(timezone.localdate())
    village_month = VillageMonth.objects.filter(village=village, year=year, month=month).first()
    return {
        "year": year,
        "month": month,
        "status": village_month.get_status_display() if village_month else VillageMonthStatus.NOT_SUBMITTED.label,
        "return_reason": village_month.return_reason if village_month and village_month.status == "returned" else "",
        "deadline": deadline_for(year, month),
    }


@register.simple_tag(takes_context=True)
def township_month_summary(context):
    """For the township home page: last month's reported count and submissions awaiting review."""
    user = context["request"].user
    year, month = previous_month(timezone.localdate())
    villages = rules.villages_for(user)
    total = villages.count()
    reported = VillageMonth.objects.filter(village__in=villages, year=year, month=month).reported().count()
    pending = rules.submissions_for(user).filter(status=SubmissionStatus.SUBMITTED).count()
    return {"year": year, "month": month, "total": total, "reported": reported, "pending": pending}
