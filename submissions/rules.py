"""The monthly workbook's scoped reads, for its pages, API and tags.

Who may upload or review is township.access's decision (can_upload_workbook,
can_review_workbooks); these helpers only apply `access.visible` to this app's models.
Not visible → Http404; visible but not allowed → PermissionDenied (403).
"""
from township import access
from villages.models import Village

from .models import Submission


def villages_for(user):
    return access.visible(user, Village.objects.select_related("township"))


def submissions_for(user):
    return access.visible(user, Submission.objects.select_related("village", "uploaded_by"))


def village_for_upload(user, village_id):
    """The village `user` may upload for: 404 when not visible, 403 when the role may only read."""
    village = access.get_visible_or_404(user, villages_for(user), pk=village_id)
    access.check_upload_workbook(user)
    return village


def submission_for(user, pk):
    return access.get_visible_or_404(user, submissions_for(user), pk=pk)


def parse_period(year, month):
    """(year, month) as ints within range; ValueError otherwise."""
    year, month = int(year), int(month)
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ValueError("年度或月份超出范围")
    return year, month
