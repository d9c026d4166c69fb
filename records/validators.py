"""Field validators every record kind shares: dates not after today, phone numbers.

They sit on the model fields, so that every path runs them: forms and the API through
full_clean(), the ledger import through each column's model field (ledgers.importing),
and the monthly workbook through its row rules (submissions.workbook), which call the
same functions.
"""
from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone

FUTURE_DATE = "日期不能晚于今天"


def future_date_problem(day, today=None) -> str | None:
    """FUTURE_DATE when `day` lies after today (the township's local date), else None."""
    if isinstance(day, datetime.datetime):
        day = day.date()
    if isinstance(day, datetime.date) and day > (today or timezone.localdate()):
        return FUTURE_DATE
    return None


def validate_not_future(value):
    """A record of something that happened (an activity, a step, a problem found) is not dated after today."""
    problem = future_date_problem(value)
    if problem:
        raise ValidationError(problem, code="future_date")


# A mobile number (11 digits, 13x–19x, may carry +86), or a landline with its area code (010, 0951 …) and
# 7 or 8 digits, hyphen optional, with an optional extension after a hyphen or 转.
PHONE = re.compile(r"(?:\+86)?1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:(?:-|转)\d{1,6})?")
PHONE_MESSAGE = ("联系电话格式不正确：请填写11位手机号（如13812345678），或带区号的固定电话（如0951-1234567），"
                 "分机号写在后面（如0951-1234567-801）")


def validate_phone(value):
    """A Chinese phone number: 11-digit mobile, or landline with area code (and extension)."""
    if value in (None, ""):
        return
    if not PHONE.fullmatch(str(value).strip()):
        raise ValidationError(PHONE_MESSAGE, code="invalid_phone")
