"""Ledger import: the widgets and base resource the apps' resources.py build on, and the engine.

A ledger (党员花名册, 集体经济收入台账, ...) is read once (preview): every cell is
cleaned by its column's widget, rows are matched on the resource's business key
against what is stored — with one query per 500 keys, never one per row — and
classified as new, updated, unchanged or invalid, with every problem by Excel
row and column in Chinese. The preview's result (a `Preview`) holds the rows to
write; confirming writes all of them, with history, in one transaction, or none.

django-import-export's own `import_data()` costs about five queries a row and
commits the valid rows of a file that has invalid ones; this engine keeps its
resources (columns, widgets, exports) and replaces that per-row loop.
"""
from __future__ import annotations

import datetime
import gc
import re
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import models, transaction
from import_export import resources, widgets
from import_export.fields import Field
from openpyxl.utils.cell import get_column_letter

from ledgers.spreadsheets import Limits, SpreadsheetError, UncomputedFormula, Workbook, is_blank
from township import access

# Characters that make a spreadsheet treat a cell as a formula (see exporting.neutralise).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")
CHANGE_REASON = "台账导入"
HEADER_SEARCH_ROWS = 10
LOOKUP_CHUNK = 500
WRITE_BATCH = 2000


def import_limits() -> Limits:
    """Ledgers are bigger than a monthly workbook: years of a township's records in one file."""
    return Limits(
        max_bytes=getattr(settings, "LEDGER_IMPORT_MAX_BYTES", 40 * 1024 * 1024),
        max_unpacked_bytes=getattr(settings, "LEDGER_IMPORT_MAX_UNPACKED_BYTES", 400 * 1024 * 1024),
        max_zip_members=getattr(settings, "LEDGER_IMPORT_MAX_ZIP_MEMBERS", 200),
        max_rows=getattr(settings, "LEDGER_IMPORT_MAX_ROWS", 200_000),
    )


# ---------------------------------------------------------------- widgets
#
# Each widget's clean() takes a cell as the spreadsheet reader gives it (text,
# int, float, date, bool or None) and returns the model value, or raises
# ValueError with a Chinese message that ends up beside the row and column.
# render() gives the export value: a real number or date where the cell should
# be one, so that an exported file reads back to the same values.


def as_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time(0) else value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


class LedgerWidget(widgets.Widget):
    """Base: `required` decides whether a blank cell is an error.

    `text_only`: the column holds numbers that must stay text (身份证号): templates and exports
    format it as text, and exports mask it for everyone who may not see personal data."""

    text_only = False

    def __init__(self, *, required=False, blank=None):
        super().__init__(coerce_to_string=False)
        self.required = required
        self.blank = blank

    def bind(self, resource):
        """Called once per import with the resource, for widgets that need the township's lookups."""

    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            if self.required:
                raise ValueError("不能为空")
            return self.blank
        return self.parse(value)

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
        text = as_text(value)
        if self.max_length and len(text) > self.max_length:
            raise ValueError(f"不能超过{self.max_length}个字（当前{len(text)}个）")
        return text

    def render(self, value, obj=None, **kwargs):
        return value or ""


class IntegerWidget(LedgerWidget):
    def __init__(self, min_value=0, max_value=None, **kwargs):
        super().__init__(**kwargs)
        self.min_value, self.max_value = min_value, max_value

    def parse(self, value):
        if isinstance(value, bool):
            raise ValueError("应为整数")
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError("应为整数")
            value = int(value)
        if isinstance(value, str):
            text = value.replace(",", "").replace("，", "").strip()
            text = re.sub(r"(人|名|个|次|篇|月|年|星)$", "", text)
            if not re.fullmatch(r"[+-]?\d+", text):
                raise ValueError(f"“{value}”不是整数")
            value = int(text)
        if not isinstance(value, int):
            raise ValueError("应为整数")
        if self.min_value is not None and value < self.min_value:
            raise ValueError(f"不能小于{self.min_value}")
        if self.max_value is not None and value > self.max_value:
            raise ValueError(f"不能大于{self.max_value}")
        return value


class DecimalWidget(LedgerWidget):
    """Money in yuan (or any fixed-point number): never through float arithmetic."""

    def __init__(self, places=2, max_digits=14, min_value=Decimal("0"), **kwargs):
        super().__init__(**kwargs)
        self.places, self.max_digits, self.min_value = places, max_digits, min_value
        self.quantum = Decimal(1).scaleb(-places)

    def parse(self, value):
        if isinstance(value, bool):
            raise ValueError("应为数字")
        if isinstance(value, float):
            text = repr(value)
        elif isinstance(value, int | Decimal):
            text = str(value)
        else:
            text = re.sub(r"[,，\s¥￥元]", "", str(value))
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{value}”不是数字") from None
        if not number.is_finite():
            raise ValueError(f"“{value}”不是数字")
        rounded = number.quantize(self.quantum)
        if rounded != number:
            raise ValueError(f"最多{self.places}位小数")
        if self.min_value is not None and rounded < self.min_value:
            raise ValueError(f"不能小于{self.min_value}")
        if len(rounded.as_tuple().digits) > self.max_digits:
            raise ValueError("数值过大")
        return rounded


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%Y-%m-%d %H:%M:%S")


class DateWidget(LedgerWidget):
    def parse(self, value):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            text = value.strip()
            for fmt in _DATE_FORMATS:
                try:
                    return datetime.datetime.strptime(text, fmt).date()
                except ValueError:
                    continue
        raise ValueError(f"“{as_text(value)}”不是有效日期，请填写如 2023-05-01 的日期")


_TRUE = {"是", "√", "✓", "y", "yes", "true", "1", "有"}
_FALSE = {"否", "×", "✗", "n", "no", "false", "0", "无"}


class BooleanWidget(LedgerWidget):
    def __init__(self, **kwargs):
        kwargs.setdefault("blank", False)
        super().__init__(**kwargs)

    def parse(self, value):
        if isinstance(value, bool):
            return value
        text = as_text(value).lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"“{value}”应填“是”或“否”")

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class ChoiceWidget(LedgerWidget):
    """A choice by its Chinese label (the stored code is accepted too)."""

    def __init__(self, choices, label, **kwargs):
        kwargs.setdefault("blank", "")
        super().__init__(**kwargs)
        self.label = label
        self.labels = {str(code): str(text) for code, text in choices}
        self.codes = {text: code for code, text in self.labels.items()}

    def parse(self, value):
        text = as_text(value)
        if text in self.codes:
            return self.codes[text]
        if text in self.labels:
            return text
        raise ValueError(f"“{text}”不是有效的{self.label}，可填：{'、'.join(self.codes)}")

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

    def _load(self):
        if self.by_name is None:
            qs = self.model._default_manager.all()
            if self.resource.township is not None:
                qs = qs.filter(**{self.township_path: self.resource.township.pk})
            pairs = list(qs.values_list(self.name_field, "pk"))
            self.by_name = {str(name).strip(): pk for name, pk in pairs}
            self.by_id = {pk: name for name, pk in pairs}

    def parse(self, value):
        self._load()
        text = as_text(value)
        try:
            return self.by_name[text]
        except KeyError:
            raise ValueError(f"本镇没有名为“{text}”的{self.label}") from None

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        self._load()
        return self.by_id.get(value, "")


# ---------------------------------------------------------------- resources


class LedgerResource(resources.ModelResource):
    """A record type's ledger: its columns (declared Fields), business key and write defaults.

    Field attributes are model attributes (`village_id`, not `village`), so that
    rows compare with `.values()` of what is stored without loading instances.
    """

    ledger_title = ""  # the ledger's usual name, e.g. 党员花名册
    key: tuple[str, ...] = ()  # attributes forming the business key
    key_label = ""  # how the key reads in a duplicate message, e.g. 身份证号
    township_attr: str | None = None  # set from the importing user's township on new rows
    create_defaults: dict = {}  # e.g. {"source": "import"}
    global_key = False  # the key is unique across townships (身份证号): match without the township filter
    aliases: dict[str, str] = {}  # other header spellings → our column name

    def __init__(self, township=None, **kwargs):
        super().__init__(**kwargs)
        self.township = township
        for f in self.fields.values():
            if hasattr(f.widget, "bind"):
                f.widget.bind(self)

    # -- declarations used by the engine and exports

    @property
    def model(self):
        return self._meta.model

    def columns(self) -> list[Field]:
        return list(self.get_export_fields())

    def import_columns(self) -> list[Field]:
        return [f for f in self.columns() if not f.readonly]

    def derive(self, values: dict) -> list[tuple[str, str]]:
        """Fill derived attributes of a clean row; return (attribute, message) problems across columns."""
        return []

    def village_of(self, values):
        return values.get("village_id")

    def month_of(self, values):
        """(year, month) of the village-month a row belongs to, for month-locked records; None otherwise."""
        spec = access.scope_of(self.model).month
        if spec is None:
            return None
        if isinstance(spec, tuple):
            year, month = (values.get(name) for name in spec)
            return (year, month) if year and month else None
        day = values.get(spec)
        return (day.year, day.month) if isinstance(day, datetime.date) else None

    def existing(self, keys: list[tuple], attrs: list[str]) -> dict[tuple, dict]:
        """{key: stored values (with pk and _township)} for the keys of the file, a bounded number of queries."""
        model = self.model
        township_path = access.scope_of(model).township
        fetch = ["pk", *sorted(set(attrs) | set(self.key))]
        qs = model._default_manager.order_by()
        found = {}
        if self.global_key and len(self.key) == 1:
            (name,) = self.key
            wanted = [k[0] for k in keys]
            for start in range(0, len(wanted), LOOKUP_CHUNK):
                chunk = wanted[start:start + LOOKUP_CHUNK]
                rows = qs.filter(**{f"{name}__in": chunk}).annotate(_township=models.F(township_path))
                for row in rows.values(*fetch, "_township"):
                    found[(row[name],)] = row
            return found
        qs = qs.filter(**{township_path: self.township.pk}).annotate(_township=models.F(township_path))
        if "year" in self.key:
            qs = qs.filter(year__in={k[self.key.index("year")] for k in keys})
        for row in qs.values(*fetch, "_township").iterator(chunk_size=5000):
            found[tuple(row[name] for name in self.key)] = row
        return found

    def locked_months(self) -> set[tuple]:
        """{(village_id, year, month)} of the township's approved months, for month-scoped records."""
        if access.scope_of(self.model).month is None:
            return set()
        return self.model.locked_months(township_id=self.township.pk)

    def export_queryset(self, queryset):
        return queryset


# ---------------------------------------------------------------- the engine


@dataclass
class CellProblem:
    row: int  # as Excel numbers it
    column: int | None  # 0-based, None for the whole row or file
    header: str
    message: str

    @property
    def column_letter(self):
        return get_column_letter(self.column + 1) if self.column is not None else ""

    def __str__(self):
        where = f"第{self.row}行" if self.row else "文件"
        if self.column is not None:
            where += f" {self.column_letter}列（{self.header}）"
        return f"{where}：{self.message}"


@dataclass
class Preview:
    """What a confirm would do, and why it may not."""

    slug: str
    attrs: list[str] = field(default_factory=list)  # order of values in `creates`
    creates: list[tuple] = field(default_factory=list)  # (excel_row, values tuple)
    updates: list[tuple] = field(default_factory=list)  # (excel_row, pk, {attr: value})
    unchanged: int = 0
    invalid_rows: int = 0
    total_rows: int = 0
    problems: list[CellProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    file_error: str = ""

    @property
    def can_confirm(self):
        return not self.file_error and not self.problems and bool(self.creates or self.updates)


def _normalise_header(text) -> str:
    if text is None:
        return ""
    text = str(text)
    text = text.replace("(", "（").replace(")", "）").replace("*", "").replace("＊", "")
    return re.sub(r"\s+", "", text)


def _unescape(value):
    """Undo the quote our exports put before a formula-like text, so an export imports back unchanged."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in FORMULA_PREFIXES:
        return value[1:]
    return value


def _find_header(rows, resource, limit=HEADER_SEARCH_ROWS):
    """(row number, {position: Field}) of the first row carrying the key columns (titles may sit above)."""
    by_header = {}
    for f in resource.import_columns():
        by_header[_normalise_header(f.column_name)] = f
    for alias, target in resource.aliases.items():
        for f in resource.import_columns():
            if f.column_name == target:
                by_header[_normalise_header(alias)] = f
    key_columns = {f.column_name for f in resource.import_columns() if f.attribute in resource.key}
    for number, values in rows:
        mapping = {}
        for position, header in enumerate(values):
            f = by_header.get(_normalise_header(header))
            if f is not None and f not in mapping.values():
                mapping[position] = f
        if key_columns <= {f.column_name for f in mapping.values()}:
            return number, mapping, values
        if number >= limit:
            break
    return None, {}, []


@contextmanager
def _without_gc():
    """Pause the cyclic garbage collector: a ledger makes millions of small acyclic objects, and
    collections that rescan them all, again and again, cost a third of a 100,000-row preview."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def preview(resource: LedgerResource, data: bytes, *, slug="", progress: Callable[[int], None] | None = None,
            limits: Limits | None = None) -> Preview:
    """Read, clean and match a ledger file; never writes to the database."""
    result = Preview(slug=slug)
    try:
        with _without_gc(), Workbook(data, limits or import_limits()) as book:
            if not book.sheet_names:
                raise SpreadsheetError("工作簿中没有工作表。")
            _preview_rows(resource, book.rows(book.sheet_names[0]), result, progress)
    except SpreadsheetError as exc:
        result.file_error = exc.message
        result.creates, result.updates = [], []
    return result


def _preview_rows(resource, rows, result, progress):
    rows = iter(rows)
    header_row, mapping, header_values = _find_header(rows, resource)
    if header_row is None:
        needed = "、".join(f.column_name for f in resource.import_columns() if f.attribute in resource.key)
        raise SpreadsheetError(f"在第一个工作表的前{HEADER_SEARCH_ROWS}行没有找到表头（至少需要：{needed}）。")
    mapped = {f.column_name for f in mapping.values()}
    ignored = [str(h) for p, h in enumerate(header_values) if h is not None and p not in mapping]
    if ignored:
        result.notes.append(f"以下列不在{resource.ledger_title or '台账'}模板中，已忽略：{'、'.join(ignored)}")
    readonly = [f.column_name for f in resource.columns() if f.readonly and f.column_name in
                {_normalise_header(h) for h in header_values if h}]
    if readonly:
        result.notes.append(f"{'、'.join(readonly)}由系统根据其他列计算，导入时不读取。")
    missing_required = [
        f.column_name for f in resource.import_columns()
        if f.column_name not in mapped and getattr(f.widget, "required", False)
    ]
    if missing_required:
        raise SpreadsheetError(f"缺少必填列：{'、'.join(missing_required)}。请使用下载的模板或导出的文件填写。")

    columns = sorted(mapping.items())
    position_of = {f.attribute: p for p, f in columns}
    attrs = [f.attribute for _p, f in columns]
    key = resource.key
    problems = result.problems
    parsed = []  # (row number, values dict)
    seen = {}
    invalid = set()
    count = 0
    for number, values in rows:
        if is_blank(values):
            continue
        count += 1
        if progress and count % 5000 == 0:
            progress(count)
        row_values = {}
        row_ok = True
        width = len(values)
        for position, f in columns:
            raw = values[position] if position < width else None
            if raw.__class__ is UncomputedFormula:
                problems.append(CellProblem(number, position, f.column_name,
                                            f"单元格是公式（{raw}）且没有计算结果，请复制后“粘贴为数值”再导入"))
                row_ok = False
                continue
            if raw.__class__ is str and raw[0] == "'":
                raw = _unescape(raw)
            try:
                row_values[f.attribute] = f.widget.clean(raw)
            except ValueError as exc:
                problems.append(CellProblem(number, position, f.column_name, str(exc)))
                row_ok = False
        if row_ok:
            for attr, message in resource.derive(row_values):
                position = position_of.get(attr)
                problems.append(CellProblem(number, position, _header(resource, attr), message))
                row_ok = False
        key_value = tuple(row_values.get(a) for a in key) if all(a in row_values for a in key) else None
        if key_value is not None:
            first = seen.get(key_value)
            if first is not None:
                position = position_of.get(key[0])
                problems.append(CellProblem(number, position, _header(resource, key[0]),
                                            f"与第{first}行重复（{resource.key_label or '同一记录'}相同）"))
                row_ok = False
            else:
                seen[key_value] = number
        if row_ok:
            parsed.append((number, key_value, row_values))
        else:
            invalid.add(number)
    result.total_rows = count
    if count == 0:
        raise SpreadsheetError("表头下面没有数据行。")

    stored = resource.existing([k for _n, k, _v in parsed], attrs) if parsed else {}
    locked = resource.locked_months()
    township_id = resource.township.pk if resource.township else None
    all_attrs = list(dict.fromkeys(attrs + [a for _n, _k, v in parsed[:1] for a in v]))
    result.attrs = all_attrs
    for number, key_value, row_values in parsed:
        if locked:
            month = resource.month_of(row_values)
            village_id = resource.village_of(row_values)
            if month and (village_id, *month) in locked:
                message = f"{month[0]}年{month[1]}月的月报已审核锁定，不能导入该月的记录"
                problems.append(CellProblem(number, None, "", message))
                invalid.add(number)
                continue
        current = stored.get(key_value)
        if current is None:
            result.creates.append((number, tuple(row_values.get(a) for a in all_attrs)))
            continue
        if township_id is not None and current["_township"] != township_id:
            position = position_of.get(key[0])
            problems.append(CellProblem(number, position, _header(resource, key[0]),
                                        "该记录已在其他镇登记，不能由本镇导入，请联系该镇核实"))
            invalid.add(number)
            continue
        changed = {a: v for a, v in row_values.items() if a in current and current[a] != v}
        if changed:
            result.updates.append((number, current["pk"], changed))
        else:
            result.unchanged += 1
    result.invalid_rows = len(invalid)
    problems.sort(key=lambda p: (p.row, -1 if p.column is None else p.column))


def _header(resource, attr):
    for f in resource.columns():
        if f.attribute == attr:
            return f.column_name
    return attr


class ImportChanged(Exception):
    """The stored data changed between preview and confirm in a way that forbids writing."""


def confirm(resource: LedgerResource, result: Preview, *, user, progress: Callable[[int, int], None] | None = None):
    """Write every previewed row with history, or nothing (one transaction). Returns (created, updated)."""
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    if not result.can_confirm:
        raise ImportChanged("预览中有错误或没有需要导入的内容，不能确认导入。")
    model = resource.model
    total = len(result.creates) + len(result.updates)
    done = 0
    defaults = dict(resource.create_defaults)
    if resource.township_attr:
        defaults[resource.township_attr] = resource.township.pk
    attrs = result.attrs
    locked = resource.locked_months()
    with _without_gc(), transaction.atomic():
        for start in range(0, len(result.creates), WRITE_BATCH):
            chunk = result.creates[start:start + WRITE_BATCH]
            objs = []
            for _number, values in chunk:
                row = dict(zip(attrs, values, strict=True))
                _check_lock(resource, locked, row)
                objs.append(model(**row, **defaults))
            bulk_create_with_history(objs, model, batch_size=WRITE_BATCH, default_user=user,
                                     default_change_reason=CHANGE_REASON)
            done += len(chunk)
            if progress:
                progress(done, total)
        for start in range(0, len(result.updates), WRITE_BATCH):
            chunk = result.updates[start:start + WRITE_BATCH]
            instances = model._default_manager.in_bulk([pk for _n, pk, _c in chunk])
            objs, fields = [], set()
            for _number, pk, changed in chunk:
                instance = instances.get(pk)
                if instance is None:
                    raise ImportChanged("预览后有记录被删除，请重新上传文件。")
                for attr, value in changed.items():
                    setattr(instance, attr, value)
                _check_lock(resource, locked, {a: getattr(instance, a, None) for a in attrs})
                objs.append(instance)
                fields.update(changed)
            bulk_update_with_history(objs, model, fields=sorted(fields), batch_size=WRITE_BATCH,
                                     default_user=user, default_change_reason=CHANGE_REASON)
            done += len(chunk)
            if progress:
                progress(done, total)
    return len(result.creates), len(result.updates)


def _check_lock(resource, locked, row):
    if locked:
        month = resource.month_of(row)
        if month and (resource.village_of(row), *month) in locked:
            raise ImportChanged(f"{month[0]}年{month[1]}月的月报在预览后已审核锁定，请重新上传文件。")


# ---------------------------------------------------------------- registry

_resources: dict[str, type[LedgerResource]] = {}
_loaded = False


def register(slug: str):
    """Class decorator: the import/export resource of the record type `slug`."""

    def decorator(resource_class):
        _resources[slug] = resource_class
        return resource_class

    return decorator


def resource_for(slug: str) -> type[LedgerResource] | None:
    global _loaded
    if not _loaded:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("resources")
        _loaded = True
    return _resources.get(slug)


def importable_slugs() -> Iterable[str]:
    resource_for("")
    return list(_resources)
