"""Cell rules: how a spreadsheet cell becomes a date, an amount, a count, a choice, a yes/no or a text.

The one definition of each rule, used by the ledger import (ledgers.importing and the
apps' resources.py) and by the monthly workbook (submissions.workbook) alike. A
widget's clean() takes a cell as ledgers.spreadsheets gives it (text, int, float,
date, datetime, bool, None or an UncomputedFormula) and returns the model value, or
raises ValueError with the one Chinese message of the rule that failed; the callers
put the message beside the row and column. render() gives the export value: a real
number or date where the cell should be one, so that an exported file reads back to
the same values. Rules that need domain knowledge (身份证号) live in the domain app
(cadres.resources.IdNumberWidget) on top of these.
"""
from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from import_export import widgets

from ledgers.spreadsheets import UncomputedFormula
from township.log_filters import mask_text

COUNT_LIMIT = 100_000  # attendance, essays, members: a larger number is a typing error
EXCEL_EPOCH = datetime.date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's 1900 leap-year bug included)
SERIAL_RANGE = (20_000, 80_000)  # 1954-10-03 … 2119-01-10: a plausible date typed into a number cell

BLANK = "不能为空"
FORMULA = "单元格是公式（{formula}）且没有计算结果，请复制后“粘贴为数值”再导入"
TOO_LONG = "不能超过{limit}个字（当前{length}个）"
NOT_INTEGER = "“{value}”不是整数"
NEGATIVE = "不能为负数"
BELOW = "不能小于{limit}"
ABOVE = "不能大于{limit}"
NOT_NUMBER = "“{value}”不是数字"
PLACES = "最多{places}位小数"
AMOUNT_TOO_LARGE = "金额过大，请核对单位（元）"
NOT_DATE = "“{value}”不是有效日期，请填写如 2024-03-15 的日期"
NOT_YES_NO = "“{value}”应填“是”或“否”"
NOT_CHOICE = "“{value}”不是有效的{label}，可填：{labels}"


def normalise_header(text) -> str:
    """A header as both readers compare it: half-width brackets as full-width, no spaces, no asterisks."""
    if text is None:
        return ""
    text = str(text).replace("(", "（").replace(")", "）").replace("*", "").replace("＊", "")
    return re.sub(r"\s+", "", text)


def as_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time(0) else value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


class LedgerWidget(widgets.Widget):
    """Base: `required` decides whether a blank cell is an error; `blank` is the value of a blank cell.

    `text_only`: the column holds numbers that must stay text (身份证号): templates and exports
    format it as text, and exports mask it for everyone who may not see personal data."""

    text_only = False
    # Validators of the column's model field that parse() already asks (the same function, the same message):
    # the import then does not run them again on every row (ledgers.importing.field_validators).
    covers: tuple = ()

    def __init__(self, *, required=False, blank=None):
        super().__init__(coerce_to_string=False)
        self.required = required
        self.blank = blank

    def bind(self, resource):
        """Called once per import with the resource, for widgets that need the township's lookups."""

    def clean(self, value, row=None, **kwargs):
        try:
            if value.__class__ is UncomputedFormula:
                raise ValueError(FORMULA.format(formula=value))
            if value is None or (isinstance(value, str) and not value.strip()):
                if self.required:
                    raise ValueError(BLANK)
                return self.blank
            return self.parse(value)
        except ValueError as exc:
            # A message quotes the cell: a 身份证号 or phone number typed into the wrong column is quoted masked,
            # since problems are shown to whoever reads the upload (leaders too) and written to logs.
            message = str(exc)
            masked = mask_text(message)
            if masked == message:
                raise
            raise ValueError(masked) from None

    def parse(self, value):
        return value

    def render(self, value, obj=None, **kwargs):
        return value


class TextWidget(LedgerWidget):
    def __init__(self, max_length=None, **kwargs):
        kwargs.setdefault("blank", "")
        super().__init__(**kwargs)
        self.max_length = max_length

    def parse(self, value):
        text = value.strip() if value.__class__ is str else as_text(value)
        if self.max_length and len(text) > self.max_length:
            raise ValueError(TOO_LONG.format(limit=self.max_length, length=len(text)))
        return text

    def render(self, value, obj=None, **kwargs):
        return value or ""


_UNITS = "人名个次篇月年星期条户家项场位"
_INTEGER_TEXT = re.compile(rf"([+-]?\d+)(?:\.0+)?\s*[{_UNITS}]?")


class IntegerWidget(LedgerWidget):
    """A whole number: an int, an integral float, or text such as "12", "1,200" or "12人"; not negative by default."""

    def __init__(self, min_value=0, max_value=None, **kwargs):
        super().__init__(**kwargs)
        self.min_value, self.max_value = min_value, max_value

    def parse(self, value):
        number = value
        if isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str):
            match = _INTEGER_TEXT.fullmatch(value.replace(",", "").replace("，", "").strip())
            number = int(match.group(1)) if match else None
        if isinstance(number, bool) or not isinstance(number, int):
            raise ValueError(NOT_INTEGER.format(value=as_text(value)))
        if self.min_value is not None and number < self.min_value:
            raise ValueError(NEGATIVE if self.min_value == 0 else BELOW.format(limit=self.min_value))
        if self.max_value is not None and number > self.max_value:
            raise ValueError(ABOVE.format(limit=self.max_value))
        return number


class CountWidget(IntegerWidget):
    """How many people, essays, members: 0 to COUNT_LIMIT; a blank cell is 0 unless the column is required."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", COUNT_LIMIT)
        kwargs.setdefault("blank", 0)
        super().__init__(min_value=0, **kwargs)


_AMOUNT_NOISE = re.compile(r"[,，\s]|^[¥￥]|元$")


class DecimalWidget(LedgerWidget):
    """Money in yuan: a number, or text with thousands separators, ¥/￥ and 元; never through float arithmetic.

    At most `places` decimals, not negative, and no more digits than the model field holds
    (14 with 2 places: below a trillion yuan)."""

    def __init__(self, places=2, max_digits=14, **kwargs):
        super().__init__(**kwargs)
        self.places, self.max_digits = places, max_digits
        self.quantum = Decimal(1).scaleb(-places)

    def parse(self, value):
        if isinstance(value, bool):
            raise ValueError(NOT_NUMBER.format(value=value))
        if isinstance(value, float):
            # Excel keeps 15 significant digits; the rest of a float (0.30000000000000004) is binary noise.
            text = f"{value:.15g}"
        elif isinstance(value, int | Decimal):
            text = str(value)
        else:
            text = _AMOUNT_NOISE.sub("", as_text(value).strip())
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(NOT_NUMBER.format(value=as_text(value))) from None
        if not number.is_finite():
            raise ValueError(NOT_NUMBER.format(value=as_text(value)))
        if number < 0:
            raise ValueError(NEGATIVE)
        if number >= Decimal(10) ** (self.max_digits - self.places):
            raise ValueError(AMOUNT_TOO_LARGE)
        rounded = number.quantize(self.quantum)
        if rounded != number:
            raise ValueError(PLACES.format(places=self.places))
        return abs(rounded) if rounded.is_zero() else rounded  # "-0" is 0.00


_DATE_TEXT = re.compile(
    r"(\d{4})\s*(?:(-)|(/)|(\.)|(年))\s*(\d{1,2})\s*(?(2)-|(?(3)/|(?(4)\.|月)))\s*(\d{1,2})\s*(?(5)日?)"
    r"(?:(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")


class DateWidget(LedgerWidget):
    """A date: a date or datetime cell, text as 2025-06-03, 2025/6/3, 2025.6.3, 2025年6月3日 or 20250603
    (a time after it is ignored), or an Excel serial number (a date typed into a cell formatted as a number)."""

    def parse(self, value):
        if value.__class__ is datetime.date:
            return value
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        day = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            if SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1]:
                day = EXCEL_EPOCH + datetime.timedelta(days=int(value))
            elif isinstance(value, int) or value.is_integer():
                day = _date_of(_COMPACT_DATE.fullmatch(str(int(value))), (1, 2, 3))
        elif isinstance(value, str):
            text = value.strip()
            day = (_date_of(_DATE_TEXT.fullmatch(text), (1, 6, 7))
                   or _date_of(_COMPACT_DATE.fullmatch(text), (1, 2, 3)))
        if day is None:
            raise ValueError(NOT_DATE.format(value=as_text(value)))
        return day


def _date_of(match, groups):
    if match is None:
        return None
    try:
        return datetime.date(*(int(match.group(g)) for g in groups))
    except ValueError:
        return None


_TRUE = {"是", "√", "✓", "y", "yes", "true", "1", "有"}
_FALSE = {"否", "×", "✗", "n", "no", "false", "0", "无"}


class BooleanWidget(LedgerWidget):
    def __init__(self, **kwargs):
        kwargs.setdefault("blank", False)
        super().__init__(**kwargs)

    def parse(self, value):
        if isinstance(value, bool):
            return value
        if value == "是" or value == "否":  # what nearly every cell says: no conversion needed
            return value == "是"
        text = as_text(value).lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(NOT_YES_NO.format(value=as_text(value)))

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class ChoiceWidget(LedgerWidget):
    """A choice by its Chinese label, or by the stored code."""

    def __init__(self, choices, label, **kwargs):
        kwargs.setdefault("blank", "")
        super().__init__(**kwargs)
        self.label = label
        self.labels = {str(code): str(text) for code, text in choices}
        self.codes = {text: code for code, text in self.labels.items()}

    def parse(self, value):
        text = value.strip() if value.__class__ is str else as_text(value)
        if text in self.codes:
            return self.codes[text]
        if text in self.labels:
            return text
        raise ValueError(NOT_CHOICE.format(value=text, label=self.label, labels="、".join(self.codes)))

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, value or "")


class NameLookupWidget(LedgerWidget):
    """A foreign key by name, within the importing township only (one query per import)."""

    def __init__(self, model, label, *, name_field="name", township_path="township", **kwargs):
        super().__init__(**kwargs)
        self.model, self.label, self.name_field, self.township_path = model, label, name_field, township_path
        self.by_name = self.by_id = None

    def bind(self, resource):
        self.resource = resource

    def candidates(self):
        """The records a name may name: the importing township's."""
        qs = self.model._default_manager.all()
        if self.resource.township is not None:
            qs = qs.filter(**{self.township_path: self.resource.township.pk})
        return qs

    def _load(self):
        if self.by_name is None:
            pairs = list(self.candidates().values_list(self.name_field, "pk"))
            self.by_name = {str(name).strip(): pk for name, pk in pairs}
            self.by_id = {pk: name for name, pk in pairs}

    def parse(self, value):
        self._load()
        text = value.strip() if value.__class__ is str else as_text(value)
        try:
            return self.by_name[text]
        except KeyError:
            raise ValueError(f"本镇没有名为“{text}”的{self.label}") from None

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        self._load()
        return self.by_id.get(value, "")
