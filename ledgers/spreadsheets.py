"""Reading uploaded spreadsheets safely: .xlsx, .xls, .ods and .csv, sniffed by content.

Shared by the monthly workbook (submissions) and the ledger imports (resources).
Every failure is a SpreadsheetError with a Chinese message a secretary can act on;
nothing here writes to the database.

The spreadsheet formats are read by python-calamine (one reader for .xlsx, .xls and
.ods, written in Rust). It holds a whole sheet in memory and trusts what the file
says, so every check runs in front of it, on the raw bytes: the file size; for zip
files the member count and unpacked size (zip bombs), a DOCTYPE or ENTITY anywhere in
any member (XML bombs), and the area a sheet spans, since a file of a few kilobytes
with one cell at XFD1048576 makes calamine allocate hundreds of gigabytes and abort the
process (and shared strings announcing more than they hold, for the same reason); for
OLE files the password-protected .xlsx (EncryptedPackage); and web pages saved as .xls.
An .xls cannot be checked like that, so calamine reads it in a child process with a
memory limit (_read_xls_apart). Calamine reads a formula cell without a cached value as
empty, so the sheet XML is scanned for such cells and they come out as UncomputedFormula.
"""
from __future__ import annotations

import csv
import datetime
import html
import io
import os
import re
import zipfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter

from django.conf import settings

XLSX, XLS, ODS, CSV = "xlsx", "xls", "ods", "csv"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
DAMAGED = "工作簿已损坏或格式不正确，无法读取，请在 Excel 或 WPS 中重新保存后上传。"
DAMAGED_XLS = "旧版 Excel（.xls）文件已损坏或无法读取，请另存为 .xlsx 后上传。"
PASSWORD = "工作簿设置了打开密码，系统无法读取。请在 Excel 或 WPS 中取消密码后重新上传。"
UNSAFE_XML = "工作簿包含不安全的内容（DTD），系统拒绝读取。"
CELLS_PER_ROW = 32  # the default area limit: rows × columns ≤ (max_rows + 1) × CELLS_PER_ROW


class SpreadsheetError(Exception):
    """A file that cannot be read, with the reason in Chinese."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class UncomputedFormula(str):
    """A formula cell that carries no calculated value (written by a program, never opened in Excel).

    Its text is the formula ("=SUM(A1:A3)"); the cell parsers (ledgers.cells) turn it into a message."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_unpacked_bytes: int
    max_zip_members: int
    max_rows: int
    max_cells: int | None = None  # rows × columns a sheet may span; None: (max_rows + 1) × CELLS_PER_ROW

    @classmethod
    def from_settings(cls, prefix="SPREADSHEET"):
        return cls(
            max_bytes=getattr(settings, f"{prefix}_MAX_BYTES", 5 * 1024 * 1024),
            max_unpacked_bytes=getattr(settings, f"{prefix}_MAX_UNPACKED_BYTES", 100 * 1024 * 1024),
            max_zip_members=getattr(settings, f"{prefix}_MAX_ZIP_MEMBERS", 200),
            max_rows=getattr(settings, f"{prefix}_MAX_ROWS", 10_000),
            max_cells=getattr(settings, f"{prefix}_MAX_CELLS", None),
        )

    @property
    def cell_limit(self) -> int:
        return self.max_cells or (self.max_rows + 1) * CELLS_PER_ROW


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
                mimetype = b""
                if "mimetype" in names:
                    with archive.open("mimetype") as stream:
                        mimetype = stream.read(len(ODS_MIMETYPE) + 16).strip()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as exc:
            raise SpreadsheetError("文件已损坏或不完整，无法打开，请重新保存后上传。") from exc
        if mimetype == ODS_MIMETYPE:
            return ODS
        if "xl/workbook.xml" in names:
            return XLSX
        if "xl/workbook.bin" in names:
            raise SpreadsheetError("系统不读取二进制工作簿（.xlsb），请在 Excel 中“另存为” .xlsx 后上传。")
        raise SpreadsheetError("该文件不是 Excel 工作簿（.xlsx），请用 Excel 或 WPS 另存为 .xlsx 后上传。")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data:
            raise SpreadsheetError(PASSWORD)
        return XLS
    text_head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text_head.startswith((b"<html", b"<!doctype", b"<?xml", b"<table", b"<meta")):
        # Named by what the bytes are, whatever the file's name says (.xls, .html, .xlsx …).
        raise SpreadsheetError(
            "该文件实际是网页（HTML/XML）格式，不是 Excel 表格。请在 Excel 或 WPS 中打开后“另存为” .xlsx 再上传。"
        )
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SpreadsheetError("无法识别的文件格式，请上传 .xlsx、.xls、.ods 或 .csv 文件。")
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


_MIDNIGHT = datetime.time(0)


def _clean_row(values) -> list:
    """_clean() of every cell, inlined: this loop runs once per cell of a 100,000-row ledger."""
    out = []
    append = out.append
    for value in values:
        kind = value.__class__
        if kind is str:
            value = value.strip() or None
        elif kind is float:
            if value.is_integer():
                value = int(value)
        elif kind is datetime.datetime:
            if value.time() == _MIDNIGHT:
                value = value.date()
        append(value)
    return out


def release_freed_memory():
    """Hand the memory calamine freed back to the system (glibc's malloc_trim), where there is glibc.

    Calamine holds a whole sheet as many small allocations; once freed, glibc keeps them for the process, so
    the rows checked after the reading would come on top of the sheet's memory instead of taking its place."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            import ctypes

            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim = None


def is_blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


class Workbook:
    """The sheets of an uploaded file; rows come out as (excel_row_number, [values])."""

    def __init__(self, data: bytes, limits: Limits | None = None, *, csv_sheet_name="Sheet1"):
        self.limits = limits or Limits.from_settings()
        check_size(data, self.limits)
        self.kind = sniff(data)
        self.encoding = None
        self._book = None
        self._uncomputed = {}  # sheet name → {excel row: {column index: UncomputedFormula}}
        if self.kind == CSV:
            self._text, self.encoding = decode_text(data)
            self.sheet_names = [csv_sheet_name]
            return
        if self.kind in (XLSX, ODS):
            check_zip(data, self.limits)
            try:
                self._uncomputed = _scan_zip(data, self.kind, self.limits)
            except SpreadsheetError:
                raise
            except Exception as exc:  # a damaged archive or XML: the same message calamine's failure gets
                raise SpreadsheetError(DAMAGED) from exc
        if self.kind == XLS:
            # The old binary format is read in a child process (see _read_xls_apart): it cannot be checked
            # byte by byte in front of the parser the way the zip formats are.
            self._xls_rows = _read_xls_apart(data, self.limits)
            self.sheet_names = list(self._xls_rows)
            return
        self._book = _calamine(lambda: _open_calamine(data), DAMAGED)
        from python_calamine import SheetTypeEnum

        self.sheet_names = [m.name for m in self._book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]

    def close(self):
        if self._book is not None:
            self._book.close()
            self._book = None
            release_freed_memory()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def rows(self, sheet_name: str) -> Iterator[tuple[int, list]]:
        """Rows of a sheet, numbered as Excel numbers them; stops with an error past the row limit."""
        max_rows = self.limits.max_rows
        if self.kind == CSV:
            raw = self._csv_rows()
        elif self.kind == XLS:
            if sheet_name not in self._xls_rows:
                raise SpreadsheetError(f"没有名为“{sheet_name}”的工作表。")
            raw = iter(self._xls_rows[sheet_name])
        else:
            raw = self._calamine_rows(sheet_name)
        for number, values in raw:
            if number > max_rows + 1:  # +1 for the header row
                raise SpreadsheetError(_too_many_rows(sheet_name, max_rows))
            yield number, values

    def _csv_rows(self):
        reader = csv.reader(io.StringIO(self._text, newline=""))
        try:
            for number, row in enumerate(reader, start=1):
                yield number, [_clean(v) for v in row]
        except csv.Error as exc:
            raise SpreadsheetError(f"CSV 文件格式有误：{exc}") from exc

    def _calamine_rows(self, sheet_name):
        if sheet_name not in self.sheet_names:
            raise SpreadsheetError(f"没有名为“{sheet_name}”的工作表。")
        return _sheet_rows(self._book, sheet_name, self._uncomputed.get(sheet_name, {}))


def _sheet_rows(book, sheet_name, uncomputed):
    """(excel row, cleaned values) of a calamine sheet, with the formula cells it reads as empty put back."""
    damaged = f"工作表“{sheet_name}”内容损坏，无法读取。"
    sheet = _calamine(lambda: book.get_sheet_by_name(sheet_name), damaged)
    formulas = deque(sorted(uncomputed.items()))
    start = sheet.start
    rows = iter(()) if start is None else _calamine(sheet.iter_rows, damaged)
    first_row, first_column = start or (0, 0)
    # iter_rows() starts each row at the sheet's first used column, so the columns before it are put back.
    padding = [None] * first_column
    number = 0
    while True:
        values = _calamine(lambda rows=rows: next(rows, None), damaged)
        if values is None:
            break
        if number == 0:
            # python-calamine 0.9 yields empty rows for those above the data, so the first row is Excel's
            # row 1; a version that starts at the data would give the first used row, which is never empty.
            padded = first_row == 0 or all(v == "" for v in values)
            number = 1 if padded else first_row + 1
        else:
            number += 1
        while formulas and formulas[0][0] < number:  # rows calamine did not give: only their formulas
            yield _with_formulas(*formulas.popleft(), [])
        values = padding + _clean_row(values) if padding else _clean_row(values)
        if formulas and formulas[0][0] == number:
            yield _with_formulas(*formulas.popleft(), values)
        else:
            yield number, values
    for row_number, cells in formulas:  # below the last row with a value
        yield _with_formulas(row_number, cells, [])


XLS_MEMORY = 1024 * 1024 * 1024  # what the child process reading an .xls may add to the parent's address space
XLS_SECONDS = 60


def _read_xls_apart(data: bytes, limits: Limits) -> dict:
    """{sheet name: [(excel row, values)]} of an .xls, read by calamine in a forked child process.

    The .xls reader trusts sizes the file declares (the FAT and DIFAT of the OLE container, a
    sheet's DIMENSIONS record): a few changed bytes made it ask for 343 GB and abort the whole
    process, which no exception handler survives. The child runs with a memory and time limit
    and sends the rows back as JSON; if it dies, the file is damaged. Where fork() is missing
    (not on the Linux servers), the file is read in this process.
    """
    import json
    import signal

    if not hasattr(os, "fork"):
        return _xls_rows(data, limits)
    # Everything the child needs is imported here: another thread may hold the import lock at fork().
    import resource

    import python_calamine  # noqa: F401

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        status = 1
        try:
            os.close(read_end)
            signal.alarm(XLS_SECONDS)
            size = _address_space()
            resource.setrlimit(resource.RLIMIT_AS, (size + XLS_MEMORY, size + XLS_MEMORY))
            try:
                answer = {"sheets": _xls_rows(data, limits, as_json=True)}
            except SpreadsheetError as exc:
                answer = {"error": exc.message}
            with os.fdopen(write_end, "w", encoding="utf-8") as out:
                json.dump(answer, out, ensure_ascii=False)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "r", encoding="utf-8") as stream:
        text = stream.read()
    _pid, status = os.waitpid(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0 or not text:
        raise SpreadsheetError(DAMAGED_XLS)
    answer = json.loads(text)
    if "error" in answer:
        raise SpreadsheetError(answer["error"])
    return {name: [(number, [_from_json(v) for v in values]) for number, values in rows]
            for name, rows in answer["sheets"]}


def _address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _xls_rows(data, limits, as_json=False):
    """[(sheet name, [(excel row, values)])] of every worksheet; with as_json, values JSON-ready."""
    from python_calamine import SheetTypeEnum

    book = _calamine(lambda: _open_calamine(data), DAMAGED_XLS)
    try:
        sheets = []
        for meta in book.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            rows = []
            for number, values in _sheet_rows(book, meta.name, {}):
                if number > limits.max_rows + 1:
                    raise SpreadsheetError(_too_many_rows(meta.name, limits.max_rows))
                rows.append((number, [_to_json(v) for v in values] if as_json else values))
            sheets.append((meta.name, rows))
        return sheets if as_json else dict(sheets)
    finally:
        book.close()


def _to_json(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return {type(value).__name__: value.isoformat()}
    if isinstance(value, datetime.timedelta):
        return {"timedelta": value.total_seconds()}
    return value


def _from_json(value):
    if not isinstance(value, dict):
        return value
    ((kind, text),) = value.items()
    if kind == "timedelta":
        return datetime.timedelta(seconds=text)
    return getattr(datetime, kind).fromisoformat(text)


def _too_many_rows(sheet_name, max_rows):
    return f"工作表“{sheet_name}”超过{max_rows}行的上限，请分批上传。"


def _with_formulas(number, cells, values):
    width = max(cells) + 1
    if len(values) < width:
        values = values + [None] * (width - len(values))
    for column, formula in cells.items():
        values[column] = formula
    return number, values


def _open_calamine(data):
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_filelike(io.BytesIO(data))


def _calamine(call, message):
    """call(), with whatever calamine raises turned into a SpreadsheetError with `message`.

    A Rust panic reaches Python as pyo3's PanicException, which derives from BaseException."""
    try:
        return call()
    except SpreadsheetError:
        raise
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:
        from python_calamine import PasswordError

        raise SpreadsheetError(PASSWORD if isinstance(exc, PasswordError) else message) from exc


# ---------------------------------------------------------------- checks in front of the parser

_CHUNK = 1024 * 1024
_OVERLAP = 64  # longer than any marker searched for, so a marker split across two chunks is still found
_DTD_UTF8 = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DTD_UTF16 = re.compile(b"|".join(
    re.escape(marker.encode(encoding))
    for marker in ("<!DOCTYPE", "<!ENTITY", "<!doctype", "<!entity")
    for encoding in ("utf-16-le", "utf-16-be")
))


def _looks_utf16(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4]


def _has_dtd(buffer: bytes, utf16: bool) -> bool:
    # "<!" is rare in a spreadsheet's XML: the plain search finds it at memory speed, the pattern runs only then.
    if b"<!" in buffer and _DTD_UTF8.search(buffer):
        return True
    return utf16 and _DTD_UTF16.search(buffer) is not None


_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _scan_zip(data: bytes, kind: str, limits: Limits) -> dict:
    """Read every member of the archive to its end: refuse XML bombs and sheets spanning too large an area.

    Returns {sheet name: {row: {column: UncomputedFormula}}} of .xlsx formula cells without a value."""
    uncomputed = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = _xlsx_sheet_parts(archive) if kind == XLSX else {}
        total_cells = 0
        for member in archive.infolist():
            if member.is_dir():
                continue
            sheet_name = sheets.get(member.filename)
            with archive.open(member) as stream:
                if sheet_name is None:
                    _check_no_dtd(stream)
                    continue
                scan = _SheetScan(stream)
            if scan.needs_exact:
                # Cells without a leading r="A1" (allowed, but written by few programs): read them one by one.
                with archive.open(member) as stream:
                    scan = _ExactSheetScan(stream)
            total_cells = _check_area(sheet_name, scan.max_row, scan.max_column, limits, total_cells)
            if scan.formulas:
                uncomputed[sheet_name] = scan.formulas
        if kind == ODS and "content.xml" in archive.namelist():
            with archive.open("content.xml") as stream:
                _check_ods_area(stream, limits)
    return uncomputed


_SHARED_STRINGS = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)sst\b[^>]*?\suniqueCount\s*=\s*[\"']\s*([0-9]+)")


def _check_no_dtd(stream):
    """Read a member to its end: no DOCTYPE or ENTITY anywhere, and a table of shared strings that has the
    strings it announces (calamine reserves memory for uniqueCount strings before reading one)."""
    tail, utf16, announced, strings, token = b"", None, None, 0, b""
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        if utf16 is None:
            utf16 = _looks_utf16(chunk)
            match = _SHARED_STRINGS.search(chunk)
            if match:
                token, announced = b"<" + match.group(1) + b"si", int(match.group(2))
        buffer = tail + chunk
        if _has_dtd(buffer, utf16):
            raise SpreadsheetError(UNSAFE_XML)
        if token:
            strings += buffer.count(token) - tail.count(token)
        tail = chunk[-_OVERLAP:]
    if announced is not None and announced > strings:
        raise SpreadsheetError(DAMAGED)


def _check_area(sheet_name, rows, columns, limits, total_cells=0):
    """Refuse a sheet whose used area would not fit; returns the cells counted so far in the workbook."""
    if rows > limits.max_rows + 1:
        raise SpreadsheetError(_too_many_rows(sheet_name, limits.max_rows))
    cells = rows * columns
    total_cells += cells
    if cells > limits.cell_limit or total_cells > 2 * limits.cell_limit:
        raise SpreadsheetError(
            f"工作表“{sheet_name}”的数据区域过大（{rows}行×{columns}列），"
            "请删除多余的行和列（包括设置了格式的空白单元格）后重新上传。"
        )
    return total_cells


def _xlsx_sheet_parts(archive) -> dict:
    """{member name: sheet name} of the worksheets, from xl/workbook.xml and its relationships."""
    from defusedxml import ElementTree

    def parse(name):
        with archive.open(name) as stream:
            _check_no_dtd(stream)
        with archive.open(name) as stream:
            return ElementTree.parse(stream).getroot()

    names = set(archive.namelist())
    rels = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for rel in parse("xl/_rels/workbook.xml.rels").iter(f"{_PKG_REL_NS}Relationship"):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            rels[rel.get("Id")] = target
    parts = {}
    for sheet in parse("xl/workbook.xml").iter(f"{_MAIN_NS}sheet"):
        target = rels.get(sheet.get(f"{_REL_NS}id"))
        if target in names:
            parts[target] = sheet.get("name")
    return parts


class _SheetScan:
    """One streaming pass over a worksheet's XML, in chunks: the used area and formulas without a value.

    The fast path reads `<c r="B7"` (the reference comes first in what Excel, WPS, LibreOffice and
    the usual libraries write) with one regular expression per chunk. When a cell inside <sheetData>
    is written otherwise (no reference, another attribute first, rich text) the number of "<c" there
    differs from the number of references, and `needs_exact` is set. A chunk is cut before the last
    cell or row that starts in it, so no cell is ever split between two chunks.
    """

    _ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet[\s>]")

    def __init__(self, stream):
        self.max_row = self.max_column = 0
        self.formulas = {}
        self.needs_exact = False
        self._prefix = None
        self._utf16 = None
        self._state = "before"  # before, inside or after <sheetData>
        carry = b""
        while True:
            chunk = stream.read(_CHUNK)
            if self._utf16 is None:
                self._utf16 = _looks_utf16(chunk)
            buffer = carry + chunk
            if self._prefix is None:
                self._find_prefix(buffer)
            if not chunk:
                self._region(buffer)
                break
            cut = self._cut(buffer)
            if cut > 0:
                self._region(buffer[:cut])
                carry = buffer[cut:]
            elif cut == 0:
                carry = buffer  # one cell longer than a chunk: keep it whole
            else:
                if _has_dtd(buffer, self._utf16):
                    raise SpreadsheetError(UNSAFE_XML)
                carry = buffer[-_OVERLAP:]

    def _find_prefix(self, buffer):
        match = self._ROOT.search(buffer)
        if match is None:
            return
        prefix = (match.group(1) + b":") if match.group(1) else b""
        self._prefix = prefix
        p = re.escape(prefix)
        self._opening = b"<" + prefix + b"c"
        self._reference = re.compile(b"<" + p + rb'c r="([A-Z]+)([0-9]+)"')
        self._formula = re.compile(b"<" + p + rb"f[\s/>]")
        self._cell_starts = (b"<" + prefix + b"c ", b"<" + prefix + b"c>", b"<" + prefix + b"row")
        self._cell_end = b"</" + prefix + b"c>"
        self._data_start, self._data_end = b"<" + prefix + b"sheetData", b"</" + prefix + b"sheetData>"
        self._value = re.compile(b"<" + p + rb"(?:v>[^<]|is[\s>])")
        self._formula_text = re.compile(b"<" + p + rb"f(?:\s[^>]*)?>([^<]*)<")
        self._type = re.compile(rb'\st="([a-zA-Z]+)"')

    def _cut(self, buffer):
        """Where the last cell or row of the buffer starts (-1: none, so nothing is carried but an overlap)."""
        if self._prefix is None:
            return -1
        return max(buffer.rfind(token) for token in self._cell_starts)

    def _region(self, region):
        if _has_dtd(region, self._utf16):
            raise SpreadsheetError(UNSAFE_XML)
        if self._prefix is None or self.needs_exact or self._state == "after":
            return
        if self._state == "before":
            start = region.find(self._data_start)
            if start < 0:
                return
            self._state, region = "inside", region[start + len(self._data_start):]
        end = region.find(self._data_end)
        if end >= 0:
            self._state, region = "after", region[:end]
        references = self._reference.findall(region)
        if region.count(self._opening) != len(references):
            self.needs_exact = True
            return
        if references:
            columns = set(map(itemgetter(0), references))
            rows = set(map(itemgetter(1), references))
            self.max_column = max(self.max_column, max(map(_column_number, columns)))
            self.max_row = max(self.max_row, max(map(int, rows)))
        if b"<" + self._prefix + b"f" in region:
            for match in self._formula.finditer(region):
                self._formula_cell(region, match.start())

    def _formula_cell(self, region, position):
        start = max(region.rfind(token, 0, position) for token in self._cell_starts[:2])
        end = region.find(self._cell_end, position)
        if start < 0 or end < 0:
            return  # not inside a cell: calamine will judge the file
        cell = region[start:end]
        open_tag = cell[: cell.find(b">") + 1]
        kind = self._type.search(open_tag)
        if self._value.search(cell) or (kind and kind.group(1) == b"str"):
            return  # a cached value (a formula giving "" is written t="str" with an empty <v>)
        reference = self._reference.match(cell)
        if reference is None:
            return
        text = self._formula_text.search(cell)
        row, column = int(reference.group(2)), _column_number(reference.group(1)) - 1
        formula = html.unescape(text.group(1).decode("utf-8", "replace")) if text else ""
        self.formulas.setdefault(row, {})[column] = UncomputedFormula(f"={formula}" if formula else "=（共享公式）")


class _ExactSheetScan:
    """The used area and formulas without a value, cell by cell with lxml: for sheets the fast path cannot read."""

    def __init__(self, stream):
        from lxml import etree

        self.max_row = self.max_column = 0
        self.formulas = {}
        row = 0
        for _event, element in etree.iterparse(stream, events=("end",), tag="{*}row", resolve_entities=False,
                                                no_network=True, load_dtd=False, huge_tree=True):
            reference = element.get("r")
            row = int(reference) if reference and reference.isdigit() else row + 1
            column = 0
            for cell in element:
                if etree.QName(cell).localname != "c":
                    continue
                reference = cell.get("r")
                letters = reference.rstrip("0123456789") if reference else ""
                cell_row = int(reference[len(letters):]) if reference and reference[len(letters):] else row
                column = _column_number(letters) if letters else column + 1
                children = {etree.QName(child).localname: child for child in cell}
                value = children.get("v")
                has_value = "is" in children or (value is not None and bool(value.text))
                if has_value or "f" in children:
                    self.max_row, self.max_column = max(self.max_row, cell_row), max(self.max_column, column)
                if "f" in children and not has_value and cell.get("t") != "str":
                    formula = children["f"].text or ""
                    self.formulas.setdefault(cell_row, {})[column - 1] = UncomputedFormula(
                        f"={formula}" if formula else "=（共享公式）")
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]


def _column_number(letters) -> int:
    """1 for A, 27 for AA."""
    number = 0
    for letter in letters:
        number = number * 26 + (letter if isinstance(letter, int) else ord(letter)) - 64
    return number


def _check_ods_area(stream, limits):
    """The used area of every table of an .ods, repeated rows and columns counted as calamine expands them."""
    from lxml import etree

    table_ns = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    office_ns = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    rows_repeated, columns_repeated = f"{{{table_ns}}}number-rows-repeated", f"{{{table_ns}}}number-columns-repeated"
    value_type = f"{{{office_ns}}}value-type"
    tags = (f"{{{table_ns}}}table", f"{{{table_ns}}}table-row", f"{{{table_ns}}}table-cell",
            f"{{{table_ns}}}covered-table-cell")
    total = 0
    name, row, max_row, max_column, column, row_has_value = "", 0, 0, 0, 0, False
    for event, element in etree.iterparse(stream, events=("start", "end"), tag=tags, resolve_entities=False,
                                          no_network=True, load_dtd=False, huge_tree=True):
        local = etree.QName(element).localname
        if local == "table" and event == "start":
            name, row, max_row, max_column = element.get(f"{{{table_ns}}}name", ""), 0, 0, 0
        elif local == "table":
            total = _check_area(name, max_row, max_column, limits, total)
            element.clear()
        elif local == "table-row" and event == "start":
            column, row_has_value = 0, False
        elif local == "table-row":
            repeat = _repeat(element.get(rows_repeated))
            if row_has_value:
                max_row = row + repeat
                if max_row > limits.max_rows + 1:
                    raise SpreadsheetError(_too_many_rows(name, limits.max_rows))
            row += repeat
            element.clear()
        elif event == "end":  # a cell
            column += _repeat(element.get(columns_repeated))
            if element.get(value_type) is not None or len(element):
                row_has_value = True
                max_column = max(max_column, column)
            element.clear()


def _repeat(value) -> int:
    return int(value) if value and value.isdigit() else 1
