"""A logging filter that masks 身份证号 and mobile numbers in every log line, tracebacks included.

Django logs the path of every 404 ("Not Found: /records/persons/<number>/") and the
traceback of every 500, whose exception message may quote what the user typed: the
number must not reach the log files, which more people read than the records.
"""
from __future__ import annotations

import logging
import re

from township.masking import mask_id_number, mask_phone

# 18-character 身份证号 (last may be X), the old 15-digit form and any other run of 12 to 18 digits (a number
# typed in part into a search box: its first 14 digits are the region and the birth date); mainland mobiles.
ID_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{12,18})(?![0-9A-Za-z])")
PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")


def mask_text(text: str) -> str:
    text = ID_NUMBER_RE.sub(lambda m: mask_id_number(m.group(1)), text)
    return PHONE_RE.sub(lambda m: mask_phone(m.group(1)), text)


class PersonalDataFilter(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True
