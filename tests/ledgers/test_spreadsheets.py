import datetime
import io
import zipfile

import openpyxl
import pytest

from ledgers.spreadsheets import (
    CSV,
    ODS,
    XLS,
    XLSX,
    Limits,
    SpreadsheetError,
    UncomputedFormula,
    Workbook,
    decode_text,
    sniff,
)

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
    # Refused before the parser builds the sheet (the used area is read from the XML first).
    with pytest.raises(SpreadsheetError, match="超过100行"), Workbook(data, LIMITS) as book:
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


# ---------------------------------------------------------------- python-calamine behind the same interface


def with_sheet_xml(sheet_data, *, before="", extra_members=None):
    """A real .xlsx (openpyxl's) whose first sheet's XML is replaced: `sheet_data` is the inside of <sheetData>."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["x"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = (
                    f'<?xml version="1.0" encoding="UTF-8"?>{before}'
                    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    f"<sheetData>{sheet_data}</sheetData></worksheet>"
                ).encode()
            archive.writestr(item, content)
        for name, content in (extra_members or {}).items():
            archive.writestr(name, content)
    return out.getvalue()


def test_data_starting_at_row_3_column_c_keeps_excel_positions():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "收入"
    sheet["C3"], sheet["D3"] = "日期", "金额"
    sheet["C5"], sheet["D5"] = datetime.date(2025, 6, 3), 12.5
    buffer = io.BytesIO()
    book.save(buffer)
    with Workbook(buffer.getvalue(), LIMITS) as book:
        rows = [(n, v) for n, v in book.rows("收入") if any(x is not None for x in v)]
    assert rows == [(3, [None, None, "日期", "金额"]), (5, [None, None, datetime.date(2025, 6, 3), 12.5])]


def test_values_come_out_cleaned():
    rows = [["日期", "时间", "数", "整数", "布尔"],
            [datetime.datetime(2025, 6, 3, 0, 0), datetime.datetime(2025, 6, 3, 8, 30), 45812.0, 3.0, True]]
    with Workbook(xlsx_bytes(rows), LIMITS) as book:
        assert list(book.rows("收入"))[1] == (
            2, [datetime.date(2025, 6, 3), datetime.datetime(2025, 6, 3, 8, 30), 45812, 3, True])


def test_xls_read_by_the_same_reader():
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("收入")
    sheet.write(2, 1, "日期")
    sheet.write(3, 1, datetime.date(2024, 3, 5), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    sheet.write(3, 2, 12.0)
    sheet.write(3, 3, " 文本 ")
    buffer = io.BytesIO()
    book.save(buffer)
    with Workbook(buffer.getvalue(), LIMITS) as book:
        assert book.kind == XLS and book.sheet_names == ["收入"]
        rows = list(book.rows("收入"))
    assert rows[2] == (3, [None, "日期", None, None])
    assert rows[3] == (4, [None, datetime.date(2024, 3, 5), 12, "文本"])


ODS_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="收入">{rows}</table:table>'
    "</office:spreadsheet></office:body></office:document-content>"
)
ODS_HEAD = (
    '<table:table-row><table:table-cell office:value-type="string"><text:p>收入类别</text:p></table:table-cell>'
    '<table:table-cell office:value-type="string"><text:p>金额</text:p></table:table-cell></table:table-row>'
    '<table:table-row><table:table-cell office:value-type="string"><text:p>土地流转</text:p></table:table-cell>'
    '<table:table-cell office:value-type="float" office:value="1200.5"><text:p>1200.5</text:p></table:table-cell>'
    "</table:table-row>"
)
# What LibreOffice writes below the data: a million empty rows, repeated.
ODS_ROWS = ODS_HEAD + ('<table:table-row table:number-rows-repeated="1048574">'
                       '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>')


def ods_bytes(rows=ODS_ROWS, mimetype="application/vnd.oasis.opendocument.spreadsheet"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", ODS_CONTENT.format(rows=rows), compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                         'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
    return buffer.getvalue()


def test_ods_is_sniffed_and_read():
    with Workbook(ods_bytes(), LIMITS) as book:
        assert book.kind == ODS and book.sheet_names == ["收入"]
        assert list(book.rows("收入"))[:2] == [(1, ["收入类别", "金额"]), (2, ["土地流转", 1200.5])]
    with pytest.raises(SpreadsheetError, match="不是 Excel 工作簿"):
        sniff(ods_bytes(mimetype="application/vnd.oasis.opendocument.text"))


def test_ods_with_a_repeated_value_over_a_huge_area_is_refused():
    bomb = ('<table:table-row table:number-rows-repeated="90">'
            '<table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16000"/>'
            "</table:table-row>")
    with pytest.raises(SpreadsheetError, match="数据区域过大"):
        Workbook(ods_bytes(ODS_HEAD + bomb), LIMITS)
    rows = ('<table:table-row table:number-rows-repeated="1000000">'
            '<table:table-cell office:value-type="float" office:value="1"/></table:table-row>')
    with pytest.raises(SpreadsheetError, match="超过100行"):
        Workbook(ods_bytes(rows), LIMITS)


def test_xlsb_gets_its_own_message():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
    with pytest.raises(SpreadsheetError, match="xlsb"):
        sniff(buffer.getvalue())


@pytest.mark.parametrize("cell", [
    '<c r="XFD1048576"><v>1</v></c>',  # a few bytes that would make the parser allocate 500 GB
    '<c s="0" r="XFD1048576"><v>1</v></c>',  # the reference not first: the exact path
])
def test_one_far_away_cell_is_refused_before_the_parser(cell):
    data = with_sheet_xml(f'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576">{cell}</row>')
    with pytest.raises(SpreadsheetError, match="超过100行"):
        Workbook(data, LIMITS)


def test_too_many_columns_are_refused_by_area():
    data = with_sheet_xml('<row r="1"><c r="A1"><v>1</v></c><c r="ZZZ1"><v>1</v></c></row>'
                          '<row r="50"><c r="A50"><v>1</v></c></row>')
    with pytest.raises(SpreadsheetError, match="数据区域过大（50行×18278列）"):
        Workbook(data, LIMITS)


def test_cells_without_references_are_read_in_place():
    data = with_sheet_xml('<row><c t="inlineStr"><is><t>名</t></is></c><c><v>2</v></c></row>'
                          '<row><c><v>3</v></c><c><f>A2*2</f></c></row>')
    with Workbook(data, LIMITS) as book:
        rows = list(book.rows("收入"))
    assert rows[0] == (1, ["名", 2])
    assert rows[1][0] == 2 and rows[1][1][0] == 3 and rows[1][1][1] == "=A2*2"
    assert isinstance(rows[1][1][1], UncomputedFormula)


def test_formula_cells_without_a_value_are_found_with_row_and_column():
    data = with_sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1"><v>1</v></c></row>'
        '<row r="2"><c r="A2"><f>B1+1</f><v>2</v></c><c r="B2"><f>"a"&amp;"b"</f><v></v></c></row>'
        '<row r="3"><c r="A3" t="str"><f>""</f><v></v></c></row>'  # a formula giving "" (written by Excel)
        '<row r="7"><c r="C7"><f>SUM(B1:B2)</f></c></row>'  # below every value: the parser drops the row
    )
    with Workbook(data, LIMITS) as book:
        rows = dict(book.rows("收入"))
    assert rows[2] == [2, '="a"&"b"'] and isinstance(rows[2][1], UncomputedFormula)
    assert not isinstance(rows[2][0], UncomputedFormula)
    assert rows[3] == [None, None]
    assert rows[7] == [None, None, "=SUM(B1:B2)"] and isinstance(rows[7][2], UncomputedFormula)


def test_formula_cells_are_found_across_chunk_boundaries():
    filler = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{"x" * 200}</t></is></c></row>'
                     for n in range(1, 6001))
    data = with_sheet_xml(filler + '<row r="6001"><c r="A6001"><f>1+1</f></c></row>')
    limits = Limits(max_bytes=1024 * 1024, max_unpacked_bytes=20 * 1024 * 1024, max_zip_members=50, max_rows=7000)
    with Workbook(data, limits) as book:
        rows = dict(book.rows("收入"))
    assert len(zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")) > 1024 * 1024
    assert rows[6001] == ["=1+1"] and isinstance(rows[6001][0], UncomputedFormula)


@pytest.mark.parametrize("where", ["sheet-after-4kb", "other-member-split-across-chunks", "utf-16"])
def test_doctype_anywhere_in_any_member_is_refused(where):
    marker = '<!DOCTYPE x [<!ENTITY a "b">]>'
    if where == "sheet-after-4kb":
        data = with_sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', before="<!--" + " " * 8000 + "-->" + marker)
    elif where == "other-member-split-across-chunks":
        # The first chunk ends after "<!DOC", the next one starts with "TYPE".
        padding = "<!--" + " " * (1024 * 1024 - 4 - 4 - 5) + "-->"
        data = with_sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>',
                              extra_members={"docProps/custom.xml": padding + marker + "<x/>"})
    else:
        data = with_sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>',
                              extra_members={"docProps/custom.xml": (marker + "<x/>").encode("utf-16-le")})
    with pytest.raises(SpreadsheetError, match="不安全"):
        Workbook(data, Limits(max_bytes=4 * 1024 * 1024, max_unpacked_bytes=20 * 1024 * 1024, max_zip_members=50,
                              max_rows=100))


def test_shared_strings_announcing_more_than_they_hold_are_refused():
    # calamine reserves memory for uniqueCount strings before reading one: 10^11 of them abort the process.
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["x"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(b"</Relationships>", (
                    b'<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings"/></Relationships>'))
            archive.writestr(item, content)
        archive.writestr("xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                         '2006/main" count="1" uniqueCount="100000000000"><si><t>a</t></si></sst>')
    with pytest.raises(SpreadsheetError, match="损坏"):
        Workbook(out.getvalue(), LIMITS)


def test_an_xls_declaring_an_impossible_size_is_a_message_not_a_dead_process():
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("收入")
    for row in range(30):
        sheet.write(row, 0, f"x{row}")
    buffer = io.BytesIO()
    book.save(buffer)
    data = bytearray(buffer.getvalue())
    dimensions = data.index(b"\x00\x02\x0e\x00")  # the DIMENSIONS record: first row, last row + 1, columns
    data[dimensions + 4:dimensions + 8] = (0x7FFF0000).to_bytes(4, "little")  # first row after the last one
    with pytest.raises(SpreadsheetError, match="旧版 Excel"):
        Workbook(bytes(data), LIMITS)
