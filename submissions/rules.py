"""The monthly workbook's scoped reads, for its pages, API and tags.

Who may upload or review is township.access's decision (can_upload_workbook,
can_review_workbooks); these helpers only apply `access.visible` to this app's models.
Not visible → Http404; visible but not allowed → PermissionDenied (403).
"""
from township import access
from township.masking import mask_id_number
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


# Columns of a changed row that hold personal data, shown whole only to who may see it (access.sees_personal_data).
PERSONAL_COLUMNS = ("身份证号",)


def visible_changes(user, submission) -> list[dict]:
    """The submission's changed rows as `user` may read them: 身份证号 masked for everyone but staff."""
    if access.sees_personal_data(user):
        return submission.changes or []
    masked = []
    for entry in submission.changes or []:
        entry = dict(entry)
        for side in ("before", "after"):
            if entry.get(side):
                entry[side] = {column: mask_id_number(value) if column in PERSONAL_COLUMNS else value
                               for column, value in entry[side].items()}
        masked.append(entry)
    return masked
