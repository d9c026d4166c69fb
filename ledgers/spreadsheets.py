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
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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

    def __init__(self, data: bytes, limits: Limits | None = None, *, csv_sheet_name="Sheet1", streaming=False):
        self.limits = limits or Limits.from_settings()
        check_size(data, self.limits)
        self.kind = sniff(data)
        self.encoding = None
        self._data = data
        self._csv_sheet_name = csv_sheet_name
        self._fast = None
        if self.kind == XLSX and streaming:
            # Large ledgers: a leaner reader than openpyxl's (about three times faster), see StreamingXlsx.
            check_zip(data, self.limits)
            self._fast = StreamingXlsx(data)
            self.sheet_names = self._fast.sheet_names
        elif self.kind == XLSX:
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
        if self._fast is not None:
            self._fast.close()
        elif self.kind == XLSX:
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
        if self._fast is not None:
            yield from self._fast.rows(sheet_name)
        elif self.kind == XLSX:
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


# ---------------------------------------------------------------- streaming .xlsx reader


class UncomputedFormula(str):
    """A formula cell that carries no calculated value (written by a program, never opened in Excel)."""


_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


class StreamingXlsx:
    """Cell values of an .xlsx read straight from its XML with lxml's iterparse.

    Values come out like openpyxl's read-only ``values_only`` rows (dates as datetimes
    from the cell's number format, numbers as floats, booleans, text), at about a third
    of the time. Entities are never resolved and a DOCTYPE is refused (no XML bombs);
    the stored <dimension> is ignored, so a stale one drops no rows. A formula cell
    without a cached value comes out as UncomputedFormula, so the caller can say so.
    """

    def __init__(self, data: bytes):
        self._zip = zipfile.ZipFile(io.BytesIO(data))
        try:
            self._read_workbook()
            self._shared = self._read_shared_strings()
            self._date_styles = self._read_date_styles()
        except SpreadsheetError:
            raise
        except Exception as exc:
            raise SpreadsheetError("工作簿已损坏或格式不正确，无法读取，请在 Excel 或 WPS 中重新保存后上传。") from exc

    def close(self):
        self._zip.close()

    def _open_xml(self, name):
        with self._zip.open(name) as head:
            start = head.read(4096)
        if b"<!DOCTYPE" in start or b"<!ENTITY" in start:
            raise SpreadsheetError("工作簿包含不安全的内容（DTD），系统拒绝读取。")
        return self._zip.open(name)

    def _iter(self, name, tag):
        from lxml import etree

        with self._open_xml(name) as stream:
            for _event, element in etree.iterparse(
                stream, events=("end",), tag=tag, resolve_entities=False, no_network=True, load_dtd=False,
                huge_tree=True,
            ):
                yield element
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]

    def _read_workbook(self):
        from lxml import etree

        with self._open_xml("xl/workbook.xml") as stream:
            root = etree.parse(stream, etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
        pr = root.find(f"{_MAIN_NS}workbookPr")
        self.date1904 = pr is not None and pr.get("date1904") in ("1", "true")
        rels = {}
        try:
            with self._open_xml("xl/_rels/workbook.xml.rels") as stream:
                rel_root = etree.parse(stream, etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
            for rel in rel_root.iter(f"{_PKG_REL_NS}Relationship"):
                target = rel.get("Target", "")
                target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                rels[rel.get("Id")] = (rel.get("Type", ""), target)
        except KeyError:
            pass
        self._rels = rels
        self._sheets = {}
        self.sheet_names = []
        for sheet in root.iter(f"{_MAIN_NS}sheet"):
            name = sheet.get("name")
            _type, target = rels.get(sheet.get(f"{_REL_NS}id"), ("", ""))
            if target and target in self._zip.namelist():
                self._sheets[name] = target
                self.sheet_names.append(name)

    def _part(self, suffix, default):
        for rel_type, target in self._rels.values():
            if rel_type.endswith(suffix):
                return target
        return default

    def _read_shared_strings(self):
        name = self._part("/sharedStrings", "xl/sharedStrings.xml")
        if name not in self._zip.namelist():
            return []
        text_tag = f"{_MAIN_NS}t"
        phonetic = f"{_MAIN_NS}rPh"
        strings = []
        for si in self._iter(name, f"{_MAIN_NS}si"):
            for ruby in si.findall(phonetic):
                si.remove(ruby)
            strings.append("".join(si.itertext(text_tag)))
        return strings

    def _read_date_styles(self):
        from lxml import etree
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

        name = self._part("/styles", "xl/styles.xml")
        if name not in self._zip.namelist():
            return frozenset()
        with self._open_xml(name) as stream:
            root = etree.parse(stream, etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
        formats = dict(BUILTIN_FORMATS)
        for fmt in root.iter(f"{_MAIN_NS}numFmt"):
            formats[int(fmt.get("numFmtId"))] = fmt.get("formatCode", "")
        dates = set()
        xfs = root.find(f"{_MAIN_NS}cellXfs")
        if xfs is not None:
            for index, xf in enumerate(xfs.iter(f"{_MAIN_NS}xf")):
                code = formats.get(int(xf.get("numFmtId", "0")), "")
                if code and is_date_format(code):
                    dates.add(str(index))
        return frozenset(dates)

    def rows(self, sheet_name):
        """(excel_row_number, [cleaned values]) of every row the sheet stores."""
        from openpyxl.utils.cell import column_index_from_string
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

        try:
            name = self._sheets[sheet_name]
        except KeyError as exc:
            raise SpreadsheetError(f"没有名为“{sheet_name}”的工作表。") from exc
        epoch = CALENDAR_MAC_1904 if self.date1904 else CALENDAR_WINDOWS_1900
        v_tag, f_tag, is_tag, t_tag = (f"{_MAIN_NS}{t}" for t in ("v", "f", "is", "t"))
        shared, date_styles = self._shared, self._date_styles
        columns = {}
        expected = 0
        try:
            for row in self._iter(name, f"{_MAIN_NS}row"):
                number = row.get("r")
                expected = int(number) if number else expected + 1
                digits = len(number) if number else 0
                values = []
                for cell in row:
                    ref = cell.get("r")
                    if ref is not None:
                        letters = ref[:-digits] if digits else ref.rstrip("0123456789")
                        index = columns.get(letters)
                        if index is None:
                            index = columns[letters] = column_index_from_string(letters) - 1
                        if index != len(values):
                            values.extend([None] * (index - len(values)))
                    kind = cell.get("t")
                    raw = cell.findtext(v_tag)
                    # The cleaning of _clean() inlined: this loop runs once per cell of a 100,000-row ledger.
                    if kind == "s" and raw:
                        value = shared[int(raw)].strip() or None
                    elif kind == "inlineStr":
                        inline = cell.find(is_tag)
                        value = ("".join(inline.itertext(t_tag)).strip() or None) if inline is not None else None
                    elif not raw:  # no value, or an empty <v/> as openpyxl writes under a formula
                        formula = cell.findtext(f_tag)
                        value = UncomputedFormula(f"={formula}") if formula else None
                    elif kind is None or kind == "n":
                        value = float(raw)
                        if date_styles and cell.get("s") in date_styles:
                            value = _clean(from_excel(value, epoch))
                        elif value.is_integer():
                            value = int(value)
                    elif kind == "b":
                        value = raw in ("1", "true")
                    elif kind == "d":
                        value = _clean(datetime.datetime.fromisoformat(raw.rstrip("Z")))
                    else:  # "str" (a formula's text result) and "e" (an error such as #N/A)
                        value = raw.strip() or None
                    values.append(value)
                yield expected, values
        except SpreadsheetError:
            raise
        except Exception as exc:
            raise SpreadsheetError(f"工作表“{sheet_name}”内容损坏，无法读取。") from exc
