"""{% unread_id_number_notices as n %}: how many refused 身份证号 of their township the user has not looked at."""
from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_id_number_notices(context):
    from township.models import IdNumberNotice

    user = context.get("user")
    if not user or not user.is_authenticated:
        return 0
    return IdNumberNotice.objects.filter(user=user, read_at__isnull=True).count()
