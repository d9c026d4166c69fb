"""Reading uploaded spreadsheets safely: .xlsx, .xls and .csv, sniffed by content.

Shared by the monthly workbook (submissions) and the ledger imports (resources).
Every failure is a SpreadsheetError with a Chinese message a secretary can act on;
nothing here writes to the database.
"""
from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

XLSX, XLS, CSV = "xlsx", "xls", "csv"


class SpreadsheetError(Exception):
    """A file that cannot be read, with the reason in Chinese."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_unpacked_bytes: int
    max_zip_members: int
    max_rows: int

    @classmethod
    def from_settings(cls, prefix="SPREADSHEET"):
        return cls(
            max_bytes=getattr(settings, f"{prefix}_MAX_BYTES", 5 * 1024 * 1024),
            max_unpacked_bytes=getattr(settings, f"{prefix}_MAX_UNPACKED_BYTES", 100 * 1024 * 1024),
            max_zip_members=getattr(settings, f"{prefix}_MAX_ZIP_MEMBERS", 200),
            max_rows=getattr(settings, f"{prefix}_MAX_ROWS", 10_000),
        )


def _mb(n):
    return f"{n / 1024 / 1024:.0f}MB" if n >= 1024 * 1024 else f"{n // 1024}KB"


def sniff(data: bytes) -> str:
    """The real kind of the file from its first bytes (never from its name)."""
    head = data[:8]
    if not data:
        raise SpreadsheetError("文件是空的，请选择填写好的表格文件。")
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile as exc:
            raise SpreadsheetError("文件已损坏或不完整，无法打开，请重新保存后上传。") from exc
        if "xl/workbook.xml" not in names:
            raise SpreadsheetError("该文件不是 Excel 工作簿（.xlsx），请用 Excel 或 WPS 另存为 .xlsx 后上传。")
        return XLSX
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data:
            raise SpreadsheetError("工作簿设置了打开密码，系统无法读取。请在 Excel 或 WPS 中取消密码后重新上传。")
        return XLS
    text_head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text_head.startswith((b"<html", b"<!doctype", b"<?xml", b"<table", b"<meta")):
        raise SpreadsheetError(
            "该文件实际是网页（HTML/XML）格式，只是扩展名为 .xls。请在 Excel 或 WPS 中打开后“另存为” .xlsx 再上传。"
        )
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SpreadsheetError("无法识别的文件格式，请上传 .xlsx、.xls 或 .csv 文件。")
    return CSV


def check_size(data: bytes, limits: Limits):
    if len(data) > limits.max_bytes:
        raise SpreadsheetError(f"文件大小为{_mb(len(data))}，超过{_mb(limits.max_bytes)}的上限。")


def check_zip(data: bytes, limits: Limits):
    """Refuse zip bombs before any XML is parsed."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        if len(members) > limits.max_zip_members:
            raise SpreadsheetError(f"工作簿内部文件过多（{len(members)}个），超过上限，无法处理。")
        unpacked = sum(m.file_size for m in members)
        if unpacked > limits.max_unpacked_bytes:
            raise SpreadsheetError(
                f"工作簿解压后为{_mb(unpacked)}，超过{_mb(limits.max_unpacked_bytes)}的上限，请删除多余内容后重新上传。"
            )


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): BOM first, then strict UTF-8, then GB18030 (a superset of GBK). Never a guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise SpreadsheetError("CSV 文件的编码无法识别，请保存为 UTF-8 或 GBK 编码后上传。") from exc


def _clean(value):
    """Cell values as Python values: integral floats as int, datetimes at midnight as dates, text stripped."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date()
    if isinstance(value, str):
        value = value.strip()
        return value if value else None
    return value


class Workbook:
    """The sheets of an uploaded file; rows come out as (excel_row_number, [values])."""

    def __init__(self, data: bytes, limits: Limits | None = None, *, csv_sheet_name="Sheet1"):
        self.limits = limits or Limits.from_settings()
        check_size(data, self.limits)
        self.kind = sniff(data)
        self.encoding = None
        self._data = data
        self._csv_sheet_name = csv_sheet_name
        if self.kind == XLSX:
            check_zip(data, self.limits)
            import openpyxl

            try:
                self._book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            except Exception as exc:  # openpyxl raises many kinds on damaged files
                raise SpreadsheetError(
                    "工作簿已损坏或格式不正确，无法读取，请在 Excel 或 WPS 中重新保存后上传。"
                ) from exc
            self.sheet_names = list(self._book.sheetnames)
        elif self.kind == XLS:
            import xlrd

            try:
                self._book = xlrd.open_workbook(file_contents=data, on_demand=True)
            except Exception as exc:
                raise SpreadsheetError("旧版 Excel（.xls）文件已损坏或无法读取，请另存为 .xlsx 后上传。") from exc
            self.sheet_names = self._book.sheet_names()
        else:
            self._text, self.encoding = decode_text(data)
            self.sheet_names = [csv_sheet_name]

    def close(self):
        if self.kind == XLSX:
            self._book.close()
        elif self.kind == XLS:
            self._book.release_resources()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def rows(self, sheet_name: str) -> Iterator[tuple[int, list]]:
        """Rows of a sheet, numbered as Excel numbers them; stops with an error past the row limit."""
        max_rows = self.limits.max_rows
        for number, values in self._raw_rows(sheet_name):
            if number > max_rows + 1:  # +1 for the header row
                raise SpreadsheetError(f"工作表“{sheet_name}”超过{max_rows}行的上限，请分批上传。")
            yield number, values

    def _raw_rows(self, sheet_name):
        if self.kind == XLSX:
            sheet = self._book[sheet_name]
            # Some writers record a wrong <dimension>; read-only mode would silently drop rows.
            sheet.reset_dimensions()
            try:
                for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                    yield number, [_clean(v) for v in row]
            except SpreadsheetError:
                raise
            except Exception as exc:
                raise SpreadsheetError(f"工作表“{sheet_name}”内容损坏，无法读取。") from exc
        elif self.kind == XLS:
            import xlrd

            sheet = self._book.sheet_by_name(sheet_name)
            for index in range(sheet.nrows):
                values = []
                for cell in sheet.row(index):
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        try:
                            values.append(_clean(xlrd.xldate.xldate_as_datetime(cell.value, self._book.datemode)))
                        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                            values.append(cell.value)
                    elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        values.append(None)
                    else:
                        values.append(_clean(cell.value))
                yield index + 1, values
        else:
            reader = csv.reader(io.StringIO(self._text, newline=""))
            try:
                for number, row in enumerate(reader, start=1):
                    yield number, [_clean(v) for v in row]
            except csv.Error as exc:
                raise SpreadsheetError(f"CSV 文件格式有误：{exc}") from exc


def is_blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)
