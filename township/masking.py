"""How personal data looks masked: one definition per kind of value.

Who sees it whole is township.access.sees_personal_data's decision, not this module's.
What stays is what the domain allows everyone (domain.md, "People"): the last four
characters of a 身份证号 or a phone number, and the year of birth. Never the region code
or the birth date: region + birth date + the last four give the whole number back (the
check digit leaves about nine candidates for two hidden digits).

Every place where personal data leaves the server (pages, API, exports, history, logs,
messages) masks by kind through `mask()`, or by field name through `mask_field()`.
"""
from __future__ import annotations

import datetime

ID_NUMBER = "id_number"
PHONE = "phone"
BIRTH_DATE = "birth_date"
KEPT = 4  # characters kept at the end of a 身份证号 or a phone number


def _keep_last(value, kept=KEPT) -> str:
    value = str(value)
    if len(value) <= kept:
        return "*" * len(value)
    return "*" * (len(value) - kept) + value[-kept:]


def mask_id_number(value):
    """**************1234: the last four characters, nothing of the region or the birth date."""
    if not value:
        return value
    return _keep_last(value)


def mask_phone(value):
    """*******5678: the last four digits."""
    if not value:
        return value
    return _keep_last(value)


def mask_birth_date(value):
    """1992年: the year of birth, never the month and day."""
    if not value:
        return value
    if isinstance(value, datetime.date):
        return f"{value.year}年"
    text = str(value)
    if len(text) >= 4 and text[:4].isdigit():
        return f"{text[:4]}年"
    return "*" * len(text)


MASKERS = {ID_NUMBER: mask_id_number, PHONE: mask_phone, BIRTH_DATE: mask_birth_date}


def kind_of(name: str) -> str:
    """The kind of personal value a field holds, from its name: contact_phone → phone, birth_date → birth date;
    anything else declared personal (id_number, a person named by their 身份证号) is masked as a 身份证号."""
    name = name.removesuffix("_id")
    if name.endswith(PHONE):
        return PHONE
    if name.endswith(BIRTH_DATE):
        return BIRTH_DATE
    return ID_NUMBER


def mask(kind: str, value):
    """`value` masked as a value of `kind` (ID_NUMBER, PHONE, BIRTH_DATE)."""
    return MASKERS[kind](value)


def mask_field(name, value):
    """`value` of the field called `name`, masked as its kind (kind_of)."""
    return mask(kind_of(name), value)
