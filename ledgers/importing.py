"""Ledger import: the base resource the apps' resources.py build on (their cells: ledgers.cells), and the engine.

A ledger (党员花名册, 集体经济收入台账, ...) is read once (preview): every cell is
cleaned by its column's widget, rows are matched on the resource's business key
against what is stored — with one query per 500 keys, never one per row — and
classified as new, updated, unchanged or invalid, with every problem by Excel
row and column in Chinese. The preview's result (a `Preview`) holds the rows to
write; confirming writes all of them, with history, in one transaction, or none.
A resource may turn some columns into a dated step beside the record instead of a
field (党员花名册: 发展阶段 and 阶段日期 become a StageChange), written in the same
transaction. Between preview and confirm the Preview is kept as JSON in the database.

django-import-export's own `import_data()` costs about five queries a row and
commits the valid rows of a file that has invalid ones; this engine keeps its
resources (columns, widgets, exports) and replaces that per-row loop.
"""
from __future__ import annotations

import datetime
import gc
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections, models, transaction
from import_export import resources
from import_export.fields import Field
from openpyxl.utils.cell import get_column_letter

from ledgers import bulk
from ledgers.cells import normalise_header
from ledgers.spreadsheets import Limits, SpreadsheetError, Workbook, is_blank
from township import access

# Characters that make a spreadsheet treat a cell as a formula (see exporting.neutralise).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")
CHANGE_REASON = "台账导入"
HEADER_SEARCH_ROWS = 10
LOOKUP_CHUNK = 500
LARGE_LOOKUP_CHUNK = 10_000
WRITE_BATCH = 2000
MEMO_VALUES = 5000  # distinct cell values a column remembers the check of (see _column_check)


def import_limits() -> Limits:
    """Ledgers are bigger than a monthly workbook: years of a township's records in one file."""
    return Limits(
        max_bytes=getattr(settings, "LEDGER_IMPORT_MAX_BYTES", 40 * 1024 * 1024),
        max_unpacked_bytes=getattr(settings, "LEDGER_IMPORT_MAX_UNPACKED_BYTES", 400 * 1024 * 1024),
        max_zip_members=getattr(settings, "LEDGER_IMPORT_MAX_ZIP_MEMBERS", 200),
        max_rows=getattr(settings, "LEDGER_IMPORT_MAX_ROWS", 200_000),
    )


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
    # Columns that are not written to the record but become a dated step beside it (党员花名册: 发展阶段 and
    # 阶段日期 become a StageChange); see step_of() and write_steps().
    step_attrs: tuple[str, ...] = ()
    # (step attribute, stored name) such that a row equal to its stored record brings no step when the file's value
    # of that step attribute is blank or equals the stored one: what step_of() answers for such a row, which the
    # matcher then takes without a dict of the row and of the stored values and a call of step_of() (an unchanged
    # re-import). None: step_of() decides every row.
    step_unchanged_when: tuple[str, str] | None = None

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

    def stored_annotations(self) -> dict:
        """Extra values read with each stored record (e.g. the date of a person's latest step), by name."""
        return {}

    def stored_names(self, attrs: list[str], extras=()) -> list[str]:
        """The names of a stored record's values, in the order existing() gives them: `attrs` first (so that a
        row's values in that order compare with a slice of the tuple), then the key attributes not among them,
        "pk", "_township" and `extras` (the stored_annotations())."""
        return [*attrs, *(a for a in self.key if a not in attrs), "pk", "_township", *extras]

    def existing(self, keys: list[tuple], attrs: list[str]) -> tuple[list[str], dict[tuple, tuple]]:
        """(names, {key: stored values}) for the keys of the file, in a bounded number of queries.

        The stored values are a tuple per record (values_list, not a dict or an instance each), in the order of
        `names` (stored_names)."""
        model = self.model
        township_path = access.scope_of(model).township
        extras = self.stored_annotations()
        names = self.stored_names(attrs, extras)
        qs = model._default_manager.order_by().annotate(**extras)
        positions = [names.index(a) for a in self.key]
        found = {}
        if self.global_key and len(self.key) == 1:
            (name,) = self.key
            (position,) = positions
            wanted = [k[0] for k in keys]
            # A database without a limit on query parameters (PostgreSQL) takes many keys a query: 10 queries for
            # 100,000 rows, not 200 each built, sent and planned.
            connection = connections[qs.db]
            size = LOOKUP_CHUNK if connection.features.max_query_params else LARGE_LOOKUP_CHUNK
            column = model._meta.get_field(name)
            # PostgreSQL takes the keys as one array parameter (= ANY), not 10,000 parameters each prepared by
            # the lookup, for a plain text key (身份证号) that needs no preparing.
            as_array = connection.vendor == "postgresql" and type(column) is models.CharField
            for start in range(0, len(wanted), size):
                chunk = wanted[start:start + size]
                if as_array:
                    where = f"{connection.ops.quote_name(model._meta.db_table)}." \
                            f"{connection.ops.quote_name(column.column)} = ANY(%s)"
                    rows = qs.extra(where=[where], params=[chunk])
                else:
                    rows = qs.filter(**{f"{name}__in": chunk})
                rows = rows.annotate(_township=models.F(township_path))
                for row in rows.values_list(*names):
                    found[(row[position],)] = row
            return names, found
        qs = qs.filter(**{township_path: self.township.pk}).annotate(_township=models.F(township_path))
        if "year" in self.key:
            qs = qs.filter(year__in={k[self.key.index("year")] for k in keys})
        for row in qs.values_list(*names).iterator(chunk_size=5000):
            found[tuple(row[p] for p in positions)] = row
        return names, found

    def locked_months(self) -> set[tuple]:
        """{(village_id, year, month)} of the township's approved months, for month-scoped records."""
        if access.scope_of(self.model).month is None:
            return set()
        return self.model.locked_months(township_id=self.township.pk)

    def refused_elsewhere(self, key, current) -> str:
        """The message of a row whose record belongs to another township. Neutral: where a record is registered
        is not this township's to learn (cadres' 党员花名册 also logs the refused 身份证号, township.audit)."""
        return "该记录无法由本镇导入，请联系镇党委核实"

    def export_queryset(self, queryset):
        """The records to export, with whatever the export columns need annotated."""
        return queryset

    def decoder(self, attr, value):
        """A value kept as JSON (ImportJob.checked_rows) back as the model value, through its field's to_python."""
        return None if value is None else self.model._meta.get_field(attr).to_python(value)

    def decode_step(self, step: dict) -> dict:
        """A step kept as JSON back as step_of() made it."""
        return step

    def prepare_steps(self, names: list, rows: list[tuple[tuple, tuple]]):
        """Called before a chunk's rows are matched, with [(stored values, step values)] of its stored records
        whose row may ask a step (not those step_unchanged_when says ask none; `names` names the stored values,
        step_attrs the step values; a step column the file lacks holds a marker that is no value): lookups step_of
        then makes for them all at once, not per row."""

    def step_of(self, values: dict, step_values: dict, current: dict | None, locked: set):
        """(step, problems) of a clean row: the dated step its step columns ask for beside the record (a dict,
        or None for none) and (attribute, message) problems. `current` is what is stored, None for a new row."""
        return None, []

    def created_with_step(self, step) -> dict:
        """{attribute: value} of a new record that its dated step decides (a person's stage): written with the
        record, so that it is not written and then corrected (one history row, not two)."""
        return {}

    def check_rows(self, rows: list[tuple[int, dict, dict | None]]) -> dict[int, list[tuple[str, str]]]:
        """{excel row: [(attribute, message)]} of rules that read several rows at once (a person's transfers in
        date order), for the rows that passed their cells: [(excel row, values, stored values or None)]. May set
        derived attributes the rows already have (derive() gave them) from lookups made for all rows at once."""
        return {}

    def prepare_creates(self, rows: list[dict], *, user):
        """Called once, inside confirm's transaction and before they are written, with every new record as a
        dict: may fill derived attributes in place, write what the records imply (a transfer moves its person)
        and raise ImportChanged when what is stored no longer allows them."""

    def write_steps(self, steps: list, *, pks: dict, user, locked: set, created: frozenset = frozenset()):
        """Write the previewed steps, [(excel_row, key, step)], after the records and in the same transaction.

        `pks`: {excel_row: id} of the records just written, where known; `created`: the excel rows of the new
        records (written with created_with_step() already)."""


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
    updates: list[tuple] = field(default_factory=list)  # (excel_row, pk, {attr: value}); {}: only a step
    steps: list[tuple] = field(default_factory=list)  # (excel_row, key, step) written beside the records
    unchanged: int = 0
    invalid_rows: int = 0
    total_rows: int = 0
    problems: list[CellProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    file_error: str = ""

    @property
    def can_confirm(self):
        return not self.file_error and not self.problems and bool(self.creates or self.updates or self.steps)

    # -- kept in the database between preview and confirm (ImportJob.checked_rows and .problems)

    def rows_json(self) -> dict:
        """What confirm writes, as JSON: dates as ISO text, Decimals as text (decoded by the model fields).

        Column by column ({"rows": excel rows, "columns": a list of values per attribute}), not a list per row:
        a value's kind is settled once per column, and 100,000 rows are a few long lists to encode and decode."""
        step_fields = list(dict.fromkeys(a for _n, _k, step in self.steps for a in step))
        return {
            "format": 2, "slug": self.slug, "attrs": self.attrs,
            "creates": {"rows": [number for number, _values in self.creates],
                        "columns": [_json_column(c) for c in _transposed([v for _n, v in self.creates], self.attrs)]},
            "updates": [[number, pk, {a: _json(v) for a, v in changed.items()}]
                        for number, pk, changed in self.updates],
            "steps": {"rows": [number for number, _key, _step in self.steps], "fields": step_fields,
                      "keys": [_json_column(c) for c in _transposed([k for _n, k, _s in self.steps], range(
                          len(self.steps[0][1]) if self.steps else 0))],
                      "columns": [_json_column([step.get(a) for _n, _k, step in self.steps]) for a in step_fields]},
            "unchanged": self.unchanged, "invalid_rows": self.invalid_rows, "total_rows": self.total_rows,
            "notes": self.notes, "file_error": self.file_error,
        }

    def problems_json(self) -> list:
        return [[p.row, p.column, p.header, p.message] for p in self.problems]

    @classmethod
    def from_json(cls, rows: dict, problems: list, resource: LedgerResource) -> Preview:
        """The Preview that rows_json() and problems_json() were made of, each value through its model field."""
        if rows.get("format") != 2:
            rows = _columnar(rows)  # kept by the version before (a list per row): confirmed all the same
        attrs = rows["attrs"]
        decode = resource.decoder
        creates, steps = rows["creates"], rows["steps"]
        columns = [decoded(column) for decoded, column in zip([_column_decoder(resource, a) for a in attrs],
                                                              creates["columns"], strict=True)]
        keys = [[decode(a, v) for v in column] for a, column in zip(resource.key, steps["keys"], strict=False)]
        fields = steps["fields"]
        seen = {}

        def decoded(values):
            """The step of these kept values: decoded once for equal values (many rows bring the same step)."""
            try:
                step = seen.get(values)
            except TypeError:  # a kept value that cannot be a dictionary key
                return resource.decode_step(dict(zip(fields, values, strict=True)))
            if step is None:
                step = seen[values] = resource.decode_step(dict(zip(fields, values, strict=True)))
            return step

        return cls(
            slug=rows["slug"], attrs=attrs,
            creates=list(zip(creates["rows"], zip(*columns, strict=True), strict=True)) if columns else [],
            updates=[(number, pk, {a: decode(a, v) for a, v in changed.items()})
                     for number, pk, changed in rows["updates"]],
            steps=[(number, key, decoded(values))
                   for number, key, values in zip(steps["rows"], zip(*keys, strict=True), zip(*steps["columns"],
                                                                                             strict=True),
                                                  strict=True)] if keys else [],
            unchanged=rows["unchanged"], invalid_rows=rows["invalid_rows"], total_rows=rows["total_rows"],
            problems=[CellProblem(*problem) for problem in problems],
            notes=rows["notes"], file_error=rows["file_error"],
        )


def _transposed(rows, names) -> list[list]:
    """The columns of `rows` (tuples of one value per name): a list per name, empty ones when there are no rows."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _name in names]


def _json_column(values) -> list:
    kinds = set(map(type, values))
    if kinds <= _JSON_AS_IS:
        return values
    if kinds <= {datetime.date, type(None)}:
        # Each distinct day written once: a ledger repeats its days (a stage's date, birth dates).
        texts = {day: day.isoformat() for day in set(values) if day is not None}
        texts[None] = None
        return list(map(texts.__getitem__, values))
    return [v if v.__class__ in _JSON_AS_IS else _json(v) for v in values]


def _columnar(rows: dict) -> dict:
    """checked_rows as rows_json() keeps them, from the list-per-row form that came before it."""
    steps = rows["steps"]
    return {**rows, "format": 2,
            "creates": {"rows": [number for number, _values in rows["creates"]],
                        "columns": _transposed([values for _n, values in rows["creates"]], rows["attrs"])},
            "steps": {"rows": [number for number, _key, _step in steps],
                      "fields": list(dict.fromkeys(a for _n, _k, step in steps for a in step)),
                      "keys": _transposed([key for _n, key, _step in steps], ()),
                      "columns": [[step.get(a) for _n, _k, step in steps]
                                  for a in dict.fromkeys(a for _n, _k, step in steps for a in step)]}}


_JSON_AS_IS = frozenset({str, int, bool, float, type(None)})
# Model fields whose to_python() gives back a JSON string, integer or boolean of the right kind unchanged.
_DECODED_AS_IS = {models.CharField: str, models.TextField: str, models.BooleanField: bool}


def _column_decoder(resource, attr):
    """How confirm turns a column's JSON values back into model values: a function of the whole column. A column
    whose values come back as they are (text of a text field, booleans of a boolean field, integer ids of a foreign
    key) is kept as it is after one look at its kinds; ISO dates of a date field are read by one call each; any
    other value goes through resource.decoder."""
    decode = resource.decoder

    def slow(column):
        return [decode(attr, value) for value in column]

    if type(resource).decoder is not LedgerResource.decoder:
        return slow  # a resource that decodes its own way
    try:
        model_field = resource.model._meta.get_field(attr)
    except FieldDoesNotExist:
        return slow
    if type(model_field) is models.DateField:  # as rows_json() wrote it: ISO text
        def dates(column):
            if None in column:
                return [value if value is None else datetime.date.fromisoformat(value) for value in column]
            return list(map(datetime.date.fromisoformat, column))

        return dates
    kind = next((k for field_class, k in _DECODED_AS_IS.items() if type(model_field) is field_class), None)
    if kind is None and isinstance(model_field, models.ForeignKey) and isinstance(
            model_field.target_field, models.AutoField | models.BigAutoField):
        kind = int
    if kind is None:
        return slow

    def kept(column):
        if set(map(type, column)) <= {kind, type(None)}:
            return column
        return [value if value is None or value.__class__ is kind else decode(attr, value) for value in column]

    return kept


def _json(value):
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _unescape(value):
    """Undo the quote our exports put before a formula-like text, so an export imports back unchanged."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in FORMULA_PREFIXES:
        return value[1:]
    return value


def field_validators(resource, attr) -> list:
    """The validators declared on the model field a column writes (a phone number's form, a date not after
    today: records.validators), so an import refuses what a form refuses. Django's own validators of the field
    (its length, its digits) are the widgets' business and give their messages there."""
    try:
        model_field = resource.model._meta.get_field(attr)
    except FieldDoesNotExist:
        return []
    return list(getattr(model_field, "_validators", []))


def _validated(value, validators):
    """`value` when every validator accepts it; ValueError with their Chinese messages otherwise."""
    if value is None or value == "" or not validators:
        return value
    messages = []
    for validator in validators:
        try:
            validator(value)
        except ValidationError as exc:
            messages.extend(exc.messages)
    if messages:
        raise ValueError("；".join(messages))
    return value


class _Refused(str):
    """The message of a cell value its column refuses, as the column's memo keeps it."""


_MISSING = object()
_NONE_KEY = (type(None), None)  # a blank cell's memo key, made once


def _column_check(clean, validators):
    """A column's check of one cell: clean() and then the validators, giving the value or raising ValueError.

    A ledger repeats most of its cells (the village, yes/no, a stage, a date), so each column remembers the
    outcome of the first MEMO_VALUES distinct cell values it sees and checks each of them once per import;
    a column of unique values (names, 身份证号) stops remembering there. The cell rules are functions of the cell
    alone (the lookups a widget needs are loaded once per import), so a remembered outcome is the outcome.

    The check carries its memo ({_memo_key(cell): outcome}) and `outcome(cell, key)` (the outcome of a cell not
    in the memo, a _Refused message for a refused one, remembered while there is room): the preview's loop looks
    a cell up itself and calls no function for a remembered one."""
    memo = {}

    def outcome_of(raw, key):
        try:
            outcome = clean(raw)
            if validators:
                outcome = _validated(outcome, validators)
        except ValueError as exc:
            outcome = _Refused(str(exc))
        if len(memo) < MEMO_VALUES:
            memo[key] = outcome
        return outcome

    def check(raw):
        key = _memo_key(raw)
        outcome = memo.get(key, _MISSING)
        if outcome is _MISSING:
            outcome = outcome_of(raw, key)
        if outcome.__class__ is _Refused:
            raise ValueError(str(outcome))
        return outcome

    check.memo, check.outcome = memo, outcome_of
    return check


def _memo_key(raw):
    # By kind as well as value: 1, 1.0 and True are one dictionary key but not one cell.
    return raw if raw.__class__ is str else _NONE_KEY if raw is None else (raw.__class__, raw)


def _find_header(rows, resource, limit=HEADER_SEARCH_ROWS):
    """(row number, {position: Field}) of the first row carrying the key columns (titles may sit above)."""
    by_header = {}
    for f in resource.import_columns():
        by_header[normalise_header(f.column_name)] = f
    for alias, target in resource.aliases.items():
        for f in resource.import_columns():
            if f.column_name == target:
                by_header[normalise_header(alias)] = f
    key_columns = {f.column_name for f in resource.import_columns() if f.attribute in resource.key}
    for number, values in rows:
        mapping = {}
        for position, header in enumerate(values):
            f = by_header.get(normalise_header(header))
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
            _preview_rows(resource, book.rows(book.sheet_names[0]), result, progress, done_reading=book.close)
    except SpreadsheetError as exc:
        result.file_error = exc.message
        result.creates, result.updates = [], []
    return result


def _preview_rows(resource, rows, result, progress, done_reading=None):
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
                {normalise_header(h) for h in header_values if h}]
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
    checks = {f.attribute: [v for v in field_validators(resource, f.attribute)
                            if v not in getattr(f.widget, "covers", ())]
              for _p, f in columns}
    # What each cell of a row goes through, looked up once: its position, attribute, its column's check (the
    # widget's clean() and the model field's validators the widget does not already ask), and its header.
    cells = []
    for p, f in columns:
        check = _column_check(f.widget.clean, checks[f.attribute])
        cells.append((p, f.attribute, check.memo, check.outcome, f.column_name))
    step_attrs = resource.step_attrs
    key = resource.key
    single_key = key[0] if len(key) == 1 else None
    problems = result.problems
    # (row number, key, values, step values) of the rows that passed; the values as a tuple in the order of the
    # first such row's attributes (row_keys), a dict only for a row whose attributes differ: a dict per row
    # costs four times the memory, 50 MB at 100,000 rows. The step values too are a tuple (in step_attrs order,
    # _ABSENT for a column the file does not have), not a dict each.
    parsed = []
    row_keys = None
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
        for position, attribute, memo, outcome_of, header in cells:
            # The column's check (_column_check) inlined: a remembered cell costs one dictionary lookup.
            raw = values[position] if position < width else None
            if raw.__class__ is str:  # a text is its own memo key (_memo_key), without a call
                if raw[0] == "'":
                    raw = _unescape(raw)
                memo_key = raw
            else:
                memo_key = _memo_key(raw)
            outcome = memo.get(memo_key, _MISSING)
            if outcome is _MISSING:
                outcome = outcome_of(raw, memo_key)
            if outcome.__class__ is _Refused:
                problems.append(CellProblem(number, position, header, str(outcome)))
                row_ok = False
            else:
                row_values[attribute] = outcome
        step_values = tuple([row_values.pop(a, _ABSENT) for a in step_attrs]) if step_attrs else ()
        if row_ok:
            for attr, message in resource.derive(row_values):
                position = position_of.get(attr)
                problems.append(CellProblem(number, position, _header(resource, attr), message))
                row_ok = False
        if single_key is not None:
            key_value = (row_values[single_key],) if single_key in row_values else None
        else:
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
            if row_keys is None:
                row_keys = row_values.keys()
            packed = tuple(row_values.values()) if row_values.keys() == row_keys else row_values
            parsed.append((number, key_value, packed, step_values))
        else:
            invalid.add(number)
    result.total_rows = count
    if count == 0:
        raise SpreadsheetError("表头下面没有数据行。")
    del seen
    if done_reading is not None:
        done_reading()  # the workbook (the whole sheet, as calamine holds it) goes before the stored rows come

    row_keys = list(row_keys or ())
    attrs = [f.attribute for _p, f in columns if f.attribute not in step_attrs]
    all_attrs = list(dict.fromkeys(attrs + row_keys))
    row_checks, stored_all = {}, None
    if parsed and type(resource).check_rows is not LedgerResource.check_rows:
        # Rules across rows (a person's transfers, in date order) see every row and what is stored of it at once;
        # the rows are then matched against the same stored records, not read again.
        stored_all = resource.existing([k for _n, k, _v, _s in parsed], attrs)
        names, stored = stored_all
        checked = []
        for index, (number, key_value, packed, step_values) in enumerate(parsed):
            values = dict(zip(row_keys, packed, strict=True)) if packed.__class__ is tuple else packed
            parsed[index] = (number, key_value, values, step_values)  # what check_rows sets in it stays
            row = stored.get(key_value)
            checked.append((number, values, None if row is None else dict(zip(names, row, strict=True))))
        row_checks = resource.check_rows(checked)
    result.attrs = all_attrs
    match = _Matcher(resource, result, invalid, position_of, row_keys, attrs, all_attrs, row_checks, stored_all)
    # Rows are matched against what is stored a chunk at a time (a key unique across townships is looked up by
    # its values), so that the stored side of no more than a chunk is held at once.
    size = LARGE_LOOKUP_CHUNK if resource.global_key and len(key) == 1 else max(len(parsed), 1)
    for start in range(0, len(parsed), size):
        chunk = parsed[start:start + size]
        for index in range(start, start + len(chunk)):
            parsed[index] = None  # each row goes once its outcome is kept: not all rows twice in memory
        match(chunk)
        del chunk
    result.invalid_rows = len(invalid)
    problems.sort(key=lambda p: (p.row, -1 if p.column is None else p.column))


_ABSENT = object()  # a step column the file does not have


def _shared(seen: dict, step: dict) -> dict:
    """One dict for equal steps (many rows bring the same stage, day and village): steps are only read after."""
    try:
        return seen.setdefault(tuple(step.items()), step)
    except TypeError:  # a value that cannot be a dictionary key: kept as it is
        return step


class _Matcher:
    """The outcome of checked rows against the stored records: new, changed, unchanged or refused.

    The stored side comes as tuples (LedgerResource.existing) whose first values are the row's attributes in the
    row's order: a row whose values equal that slice is unchanged after one tuple comparison in C, without a
    dict or a formatted value of either side; a dict of the stored values is made only for a row that needs
    one (a step to weigh, a refusal to word, a changed row's locked month)."""

    def __init__(self, resource, result, invalid, position_of, row_keys, attrs, all_attrs, row_checks=None,
                 stored=None):
        self.resource, self.result, self.invalid, self.position_of = resource, result, invalid, position_of
        self.row_checks = row_checks or {}  # {excel row: [(attribute, message)]} of the rules across rows
        self.stored = stored  # (names, {key: values}) of every row's key, when already read for those rules
        self.row_keys = row_keys
        # The attributes compared with what is stored: the file's columns (not what derive() adds beside them).
        self.attrs = attrs
        self.width = len(attrs)
        # Whether a packed row's first values are those attributes, in that order (derive() adds its own after
        # them): the row then compares with the stored tuple's first values as it is.
        self.aligned = row_keys[:len(attrs)] == attrs
        self.whole = len(row_keys) == len(attrs)
        self.reuse = all_attrs == row_keys  # a new row's packed values are already in the order creates keep
        self.all_attrs = all_attrs
        self.locked = resource.locked_months()
        self.township_id = resource.township.pk if resource.township else None
        self.steps_seen = {}

    def __call__(self, chunk):
        resource, result, problems, invalid = self.resource, self.result, self.result.problems, self.invalid
        key, step_attrs, position_of, row_keys = resource.key, resource.step_attrs, self.position_of, self.row_keys
        names, stored = self.stored or resource.existing([k for _n, k, _v, _s in chunk], self.attrs)
        at_township = names.index("_township")
        width, aligned, whole = self.width, self.aligned, self.whole
        locked, township_id = self.locked, self.township_id
        quiet = resource.step_unchanged_when if step_attrs else None
        if quiet is not None:
            quiet_at, quiet_stored = step_attrs.index(quiet[0]), names.index(quiet[1])

        def no_step(step_values, row):
            """Whether step_unchanged_when says the row asks no step: the file's value blank or the stored one."""
            if quiet is None:
                return False
            value = step_values[quiet_at]
            return value is _ABSENT or not value or value == row[quiet_stored]

        if step_attrs and type(resource).prepare_steps is not LedgerResource.prepare_steps:
            resource.prepare_steps(names, [(row, step_values) for _n, key_value, _p, step_values in chunk
                                           if (row := stored.get(key_value)) is not None
                                           and not no_step(step_values, row)])
        for number, key_value, packed, step_values in chunk:
            row = stored.get(key_value)
            is_tuple = packed.__class__ is tuple
            if row is not None and township_id is not None and row[at_township] != township_id:
                problems.append(CellProblem(number, position_of.get(key[0]), _header(resource, key[0]),
                                            resource.refused_elsewhere(key_value, dict(zip(names, row, strict=True)))))
                invalid.add(number)
                continue
            if number in self.row_checks:
                for attr, message in self.row_checks[number]:
                    problems.append(CellProblem(number, position_of.get(attr), _header(resource, attr), message))
                invalid.add(number)
                continue
            same = row is not None and aligned and is_tuple and row[:width] == (packed if whole else packed[:width])
            if same and not step_attrs:
                result.unchanged += 1  # nothing to write, so an approved month's lock has nothing to refuse
                continue
            if same and no_step(step_values, row):
                result.unchanged += 1  # no step either (step_unchanged_when): nothing to write
                continue
            row_values = dict(zip(row_keys, packed, strict=True)) if is_tuple else packed
            current = None if row is None else dict(zip(names, row, strict=True))
            step = None
            if step_attrs:
                step_dict = {a: v for a, v in zip(step_attrs, step_values, strict=True) if v is not _ABSENT}
                step, step_problems = resource.step_of(row_values, step_dict, current, locked)
                for attr, message in step_problems:
                    problems.append(CellProblem(number, position_of.get(attr), _header(resource, attr), message))
                if step_problems:
                    invalid.add(number)
                    continue
            if current is None or same:
                changed = {}
            elif aligned and is_tuple:
                changed = {a: v for a, v, s in zip(self.attrs, packed, row, strict=False) if s != v}  # both are longer
            else:
                changed = {a: v for a, v in row_values.items() if a in current and current[a] != v}
            if current is not None and not changed and step is None:
                result.unchanged += 1  # unchanged: nothing to write, so an approved month's lock has nothing to refuse
                continue
            month = _locked_month(resource, locked, row_values, current) if locked else None
            if month is not None:
                message = f"{month[0]}年{month[1]}月的月报已审核锁定，不能导入该月的记录"
                problems.append(CellProblem(number, None, "", message))
                invalid.add(number)
                continue
            if step is not None:
                result.steps.append((number, key_value, _shared(self.steps_seen, step)))
            if current is None:
                values = packed if is_tuple and self.reuse else tuple(row_values.get(a) for a in self.all_attrs)
                result.creates.append((number, values))
            else:
                result.updates.append((number, current["pk"], changed))


def _locked_month(resource, locked, row_values, current):
    """(year, month) of the approved month a row that would write lies in, as the file has it or as it is stored
    (a change that moves a record out of a locked month changes that month too); None when there is none."""
    for values in (row_values, current):
        if values is None:
            continue
        month = resource.month_of(values)
        if month and (resource.village_of(values), *month) in locked:
            return month
    return None


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
    pks = {}  # excel row → id of its record
    step_of_new = {number: step for number, _key, step in result.steps} if result.creates else {}
    with _without_gc(), transaction.atomic():
        fast = bulk.supports(model)
        prepared = None
        if result.creates and type(resource).prepare_creates is not LedgerResource.prepare_creates:
            prepared = [dict(zip(attrs, values, strict=True)) for _number, values in result.creates]
            resource.prepare_creates(prepared, user=user)
        for start in range(0, len(result.creates), WRITE_BATCH):
            chunk = result.creates[start:start + WRITE_BATCH]
            rows = (prepared[start:start + WRITE_BATCH] if prepared is not None
                    else [dict(zip(attrs, values, strict=True)) for _number, values in chunk])
            if step_of_new:
                for (number, _values), row in zip(chunk, rows, strict=True):
                    if number in step_of_new:
                        row.update(resource.created_with_step(step_of_new[number]))
            if locked:
                for row in rows:
                    _check_lock(resource, locked, row)
            if fast:  # records and history rows without an instance each (COPY on PostgreSQL): ledgers.bulk
                ids = bulk.insert_with_history(model, rows, defaults=defaults, user=user, reason=CHANGE_REASON)
                pks.update((number, pk) for (number, _values), pk in zip(chunk, ids, strict=True))
            else:
                objs = [model(**row, **defaults) for row in rows]
                bulk_create_with_history(objs, model, batch_size=WRITE_BATCH, default_user=user,
                                         default_change_reason=CHANGE_REASON)
                # The new ids, where the database returns them (PostgreSQL, SQLite ≥ 3.35), for the rows' steps.
                pks.update((number, obj.pk) for (number, _values), obj in zip(chunk, objs, strict=True) if obj.pk)
            done += len(chunk)
            if progress:
                progress(done, total)
        for start in range(0, len(result.updates), WRITE_BATCH):
            batch = result.updates[start:start + WRITE_BATCH]
            chunk = [update for update in batch if update[2]]  # {}: the row brings only a step, written below
            instances = model._default_manager.in_bulk([pk for _n, pk, _c in chunk]) if chunk else {}
            objs, fields = [], set()
            pks.update((number, pk) for number, pk, _changed in batch)
            for _number, pk, changed in chunk:
                instance = instances.get(pk)
                if instance is None:
                    raise ImportChanged("预览后有记录被删除，请重新上传文件。")
                for attr, value in changed.items():
                    setattr(instance, attr, value)
                _check_lock(resource, locked, {a: getattr(instance, a, None) for a in attrs})
                objs.append(instance)
                fields.update(changed)
            if objs:
                bulk_update_with_history(objs, model, fields=sorted(fields), batch_size=WRITE_BATCH,
                                         default_user=user, default_change_reason=CHANGE_REASON)
            done += len(batch)
            if progress:
                progress(done, total)
        if result.steps:
            resource.write_steps(result.steps, pks=pks, user=user, locked=locked,
                                 created=frozenset(number for number, _values in result.creates))
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
