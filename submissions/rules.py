"""Who may do what with monthly workbooks, on top of township.access.

Not visible → Http404; visible but not allowed → PermissionDenied (403).
"""
from django.core.exceptions import PermissionDenied

from township import access
from villages.models import Village

from .models import Submission


def villages_for(user):
    return access.visible(user, Village.objects.select_related("township"))


def submissions_for(user):
    return access.visible(user, Submission.objects.select_related("village", "uploaded_by"))


def can_upload(user):
    return user.is_authenticated and (user.is_superuser or user.is_staff_role or user.is_secretary)


def can_review(user):
    return user.is_authenticated and (user.is_superuser or user.is_staff_role)


def village_for_upload(user, village_id):
    """The village `user` may upload for: 404 when not visible, 403 when the role may only read."""
    village = access.get_visible_or_404(user, villages_for(user), pk=village_id)
    check_upload(user)
    return village


def submission_for(user, pk):
    return access.get_visible_or_404(user, submissions_for(user), pk=pk)


def check_upload(user):
    if not can_upload(user):
        raise PermissionDenied("您的角色只能查看，不能上传或确认月度报表。")


def check_review(user):
    if not can_review(user):
        raise PermissionDenied("只有镇党委工作人员可以审核月度报表。")


def parse_period(year, month):
    """(year, month) as ints within range; ValueError otherwise."""
    year, month = int(year), int(month)
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ValueError("年度或月份超出范围")
    return year, month
