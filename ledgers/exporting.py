"""Export of a (filtered) record list to .xlsx or .csv, with the headers its import reads back.

Record types with a ledger resource export its columns, so the file imports back
unchanged; the others export every field with its Chinese label. Text that a
spreadsheet would take for a formula is neutralised; 身份证号 is written as text
and masked for everyone but staff (a masked file says so and cannot be imported).
"""
from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from functools import partial

from ledgers.importing import FORMULA_PREFIXES, resource_for
from records.registry import RecordType
from township.access import sees_personal_data
from township.masking import mask_field

MASKED_SUFFIX = "（身份证号等已打码，仅供查看，不能用于导入）"


def neutralise(value):
    """A text a spreadsheet would run as a formula gets a leading quote; numbers and dates stay as they are."""
    if isinstance(value, str) and value and value[0] in FORMULA_PREFIXES:
        return "'" + value
    return value


class Table:
    """Headers and rows (Python values) of an export, and which columns hold personal numbers."""

    def __init__(self, title, headers, rows, *, text_columns=(), masked=False, importable=True):
        self.title, self.headers, self.rows = title, headers, rows
        self.text_columns = set(text_columns)
        self.masked = masked
        self.importable = importable and not masked


def build_table(record_type: RecordType, queryset, user) -> Table:
    resource_class = resource_for(record_type.slug)
    reveal = sees_personal_data(user)
    if resource_class is None:
        return _generic_table(record_type, queryset, user, reveal)
    township = user.township if user.township_id else None
    resource = resource_class(township=township)
    columns = resource.columns()
    attrs = [f.attribute for f in columns]
    maskers, text_columns = {}, []
    for index, f in enumerate(columns):
        base = f.attribute.removesuffix("_id")
        is_id = f.widget.text_only
        if is_id:
            text_columns.append(index)
        if not reveal and (is_id or base in record_type.masked_fields):
            maskers[index] = partial(mask_field, base)
    renderers = [f.widget.render for f in columns]
    queryset = resource.export_queryset(queryset)

    def rows():
        for values in queryset.values_list(*attrs).iterator(chunk_size=2000):
            row = [render(value) for render, value in zip(renderers, values, strict=True)]
            for index, masker in maskers.items():
                row[index] = masker(row[index]) if row[index] else row[index]
            yield row

    return Table(resource.ledger_title or str(record_type.label_plural), [f.column_name for f in columns], rows(),
                 text_columns=text_columns, masked=bool(maskers))


def _generic_table(record_type, queryset, user, reveal):
    model = record_type.model
    fields = [
        f for f in model._meta.get_fields()
        if f.concrete and not f.auto_created and f.name not in {"id", "township"}
    ]
    many = [f.name for f in fields if f.many_to_many]
    related = [f.name for f in fields if f.many_to_one]
    if related:
        queryset = queryset.select_related(*related)
    if many:
        queryset = queryset.prefetch_related(*many)
    masked_names = set() if reveal else set(record_type.masked_fields)

    def render(obj, f):
        if f.many_to_many:
            return "、".join(str(item) for item in getattr(obj, f.name).all())
        value = getattr(obj, f.name)
        if value is None:
            return None
        if f.name in masked_names:
            return mask_field(f.name, value)
        if f.many_to_one:
            return str(value)
        if f.choices:
            return getattr(obj, f"get_{f.name}_display")()
        if isinstance(value, bool):
            return "是" if value else "否"
        return value

    def rows():
        for obj in queryset.iterator(chunk_size=2000) if not many else queryset:
            yield [render(obj, f) for f in fields]

    return Table(str(record_type.label_plural), [str(f.verbose_name) for f in fields], rows(),
                 masked=bool(masked_names & {f.name for f in fields}), importable=False)


def file_name(table: Table, extension: str) -> str:
    stamp = datetime.date.today().strftime("%Y%m%d")
    suffix = "_打码_不可导入" if table.masked else ""
    return f"{table.title}_{stamp}{suffix}.{extension}"


def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.title[:31])
    for index, header in enumerate(table.headers):
        width = 22 if index in table.text_columns else max(10, len(header) * 2 + 2)
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    bold = Font(bold=True)
    header_cells = []
    for header in table.headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    text_columns = table.text_columns
    for row in table.rows:
        out = []
        for index, value in enumerate(row):
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=neutralise(value))
                cell.data_type = "s"  # never a formula, whatever the text begins with
                if index in text_columns:
                    cell.number_format = "@"
                out.append(cell)
            elif isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                out.append(cell)
            else:
                out.append(value)
        sheet.append(out)
    if table.masked:
        note = book.create_sheet("说明")
        note.append(["本文件中的身份证号、联系电话已打码，仅供查看。"])
        note.append(["打码的文件不能用于导入；需要导入时请由镇党委工作人员导出完整文件。"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return neutralise(str(value))


def to_csv(table: Table) -> bytes:
    """UTF-8 with BOM: Excel and WPS on Chinese Windows open it without mojibake."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(record_type: RecordType) -> bytes:
    """An empty ledger with the import headers; 身份证号 columns formatted as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    resource = resource_for(record_type.slug)()
    columns = resource.import_columns()
    book = Workbook()
    sheet = book.active
    sheet.title = (resource.ledger_title or str(record_type.label_plural))[:31]
    for index, f in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=f.column_name)
        cell.font = Font(bold=True)
        letter = get_column_letter(index)
        if f.widget.text_only:
            sheet.column_dimensions[letter].width = 22
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "@"
        else:
            sheet.column_dimensions[letter].width = max(10, len(f.column_name) * 2 + 2)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
