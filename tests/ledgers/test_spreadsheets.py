import datetime
import io
import zipfile

import openpyxl
import pytest

from ledgers.spreadsheets import CSV, XLSX, Limits, SpreadsheetError, Workbook, decode_text, sniff

LIMITS = Limits(max_bytes=1024 * 1024, max_unpacked_bytes=2 * 1024 * 1024, max_zip_members=50, max_rows=100)


def xlsx_bytes(rows, title="收入"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_rows_keep_excel_numbers_and_types():
    data = xlsx_bytes([["日期", "金额"], [datetime.date(2023, 5, 3), 1200.0], [None, None], ["  x ", 3]])
    with Workbook(data, LIMITS) as book:
        assert book.kind == XLSX and book.sheet_names == ["收入"]
        rows = list(book.rows("收入"))
    assert rows[1] == (2, [datetime.date(2023, 5, 3), 1200])
    assert rows[3] == (4, ["x", 3])


def test_row_limit_is_an_error_not_a_silent_cut():
    data = xlsx_bytes([["a"]] + [[i] for i in range(150)])
    with Workbook(data, LIMITS) as book, pytest.raises(SpreadsheetError, match="超过100行"):
        list(book.rows("收入"))


def test_zip_bomb_refused_before_parsing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * (5 * 1024 * 1024))
    with pytest.raises(SpreadsheetError, match="解压后"):
        Workbook(buffer.getvalue(), LIMITS)


def test_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(SpreadsheetError, match="不是 Excel 工作簿"):
        sniff(buffer.getvalue())


def test_truncated_xlsx():
    data = xlsx_bytes([["a"], [1]])
    with pytest.raises(SpreadsheetError, match="损坏"):
        Workbook(data[: len(data) // 2], LIMITS)


def test_html_saved_as_xls_gets_its_own_message():
    with pytest.raises(SpreadsheetError, match="网页"):
        sniff("<html><table><tr><td>收入</td></tr></table></html>".encode())


def test_password_protected_workbook_gets_its_own_message():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le")
    with pytest.raises(SpreadsheetError, match="密码"):
        sniff(data)


def test_oversized_file_refused():
    with pytest.raises(SpreadsheetError, match="超过"):
        Workbook(b"a," * (LIMITS.max_bytes), LIMITS)


@pytest.mark.parametrize(
    "data,encoding",
    [
        ("收入类别,金额\n土地流转,100\n".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "收入类别,金额\n".encode(), "utf-8-sig"),
        ("收入类别,金额\n土地流转,100\n".encode("gbk"), "gb18030"),
    ],
)
def test_csv_encodings_detected(data, encoding):
    text, found = decode_text(data)
    assert found == encoding and text.lstrip("\ufeff").startswith("收入类别")
    with Workbook(data, LIMITS) as book:
        assert book.kind == CSV and list(book.rows("Sheet1"))[0] == (1, ["收入类别", "金额"])


def test_empty_file():
    with pytest.raises(SpreadsheetError, match="空的"):
        sniff(b"")
