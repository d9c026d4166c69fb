"""One cell, two readers: the monthly workbook and the ledger import give the same value or the same message.

Each cell below is written, as a spreadsheet holds it, into a real monthly workbook (the
template from build_template, filled with openpyxl) and into a real ledger file of the
column of the same kind, then read through submissions.workbook.read_workbook and
through ledgers.importing.preview. Both results must equal the expected one.
"""
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import pytest

from cadres.id_numbers import make_id_number
from ledgers import importing
from submissions.workbook import build_template, read_workbook

pytestmark = pytest.mark.django_db

YEAR, MONTH = 2024, 3
DAY = datetime.date(2024, 3, 12)
ID = make_id_number("640102", datetime.date(1990, 5, 1), 1, True)
ID_X = "11010519491231002X"  # the GB 11643 example, ending in X


@dataclass(frozen=True)
class Column:
    """Where a column sits in the monthly workbook and in a ledger, with valid neighbours for the other cells."""

    sheet: str
    title: str
    key: str  # of the workbook's row dict
    workbook_row: object  # value → the row under the sheet's header
    slug: str
    ledger_headers: tuple
    ledger_row: object  # value → the ledger's data row
    attribute: str


COLUMNS = {
    "amount": Column("集体经济收入", "金额（元）", "amount", lambda v: ["土地流转", v, ""],
                     "incomes", ("村", "年度", "月份", "收入类别", "金额（元）", "备注"),
                     lambda v: ["江南村", YEAR, MONTH, "土地流转", v, ""], "amount"),
    "category": Column("集体经济收入", "收入类别", "category", lambda v: [v, 100, ""],
                       "incomes", ("村", "年度", "月份", "收入类别", "金额（元）", "备注"),
                       lambda v: ["江南村", YEAR, MONTH, v, 100, ""], "category"),
    "note": Column("集体经济收入", "备注", "note", lambda v: ["土地流转", 100, v],
                   "incomes", ("村", "年度", "月份", "收入类别", "金额（元）", "备注"),
                   lambda v: ["江南村", YEAR, MONTH, "土地流转", 100, v], "note"),
    "date": Column("学习活动", "日期", "date", lambda v: [v, "集中学习", "学习", 20, 5],
                   "study-activities", ("日期", "形式", "主题", "组织单位（村）", "参加人数", "心得体会篇数"),
                   lambda v: [v, "集中学习", "学习", "江南村", 20, 5], "date"),
    "kind": Column("学习活动", "形式", "kind", lambda v: [DAY, v, "学习", 20, 5],
                   "study-activities", ("日期", "形式", "主题", "组织单位（村）", "参加人数", "心得体会篇数"),
                   lambda v: [DAY, v, "学习", "江南村", 20, 5], "kind"),
    "topic": Column("学习活动", "主题", "topic", lambda v: [DAY, "集中学习", v, 20, 5],
                    "study-activities", ("日期", "形式", "主题", "组织单位（村）", "参加人数", "心得体会篇数"),
                    lambda v: [DAY, "集中学习", v, "江南村", 20, 5], "topic"),
    "attendance": Column("学习活动", "参加人数", "attendance", lambda v: [DAY, "集中学习", "学习", v, 5],
                         "study-activities", ("日期", "形式", "主题", "组织单位（村）", "参加人数", "心得体会篇数"),
                         lambda v: [DAY, "集中学习", "学习", "江南村", v, 5], "attendance"),
    "essays": Column("学习活动", "心得体会篇数", "essays", lambda v: [DAY, "集中学习", "学习", 20, v],
                     "study-activities", ("日期", "形式", "主题", "组织单位（村）", "参加人数", "心得体会篇数"),
                     lambda v: [DAY, "集中学习", "学习", "江南村", 20, v], "essays"),
    "id_number": Column("党员发展", "身份证号", "id_number",
                        lambda v: ["张三", None, None, v, "入党积极分子", datetime.date(2024, 3, 5), ""],
                        "persons", ("姓名", "身份证号", "所属村"), lambda v: ["张三", v, "江南村"], "id_number"),
    "name": Column("党员发展", "姓名", "name",
                   lambda v: [v, None, None, ID, "入党积极分子", datetime.date(2024, 3, 5), ""],
                   "persons", ("姓名", "身份证号", "所属村"), lambda v: [v, ID, "江南村"], "name"),
}


def error(text):
    return ("error", text)


# (id, column, raw cell, expected value as the workbook keeps it, or error(part of the message))
CELLS = [
    ("amount-float", "amount", 12000.5, "12000.50"),
    ("amount-int", "amount", 800, "800.00"),
    ("amount-text-yuan-separators", "amount", "1,234.50元", "1234.50"),
    ("amount-text-fullwidth-yen", "amount", "￥3,000", "3000.00"),
    ("amount-text-fullwidth-comma", "amount", "¥1，200.5", "1200.50"),
    ("amount-float-noise", "amount", 0.1 + 0.2, "0.30"),
    ("amount-negative", "amount", -5, error("不能为负数")),
    ("amount-negative-text", "amount", "-3", error("不能为负数")),
    ("amount-three-decimals", "amount", 1.234, error("最多2位小数")),
    ("amount-three-decimals-text", "amount", "12.345", error("最多2位小数")),
    ("amount-not-a-number", "amount", "abc", error("“abc”不是数字")),
    ("amount-chinese-number", "amount", "一万元", error("不是数字")),
    ("amount-too-large", "amount", 1e12, error("金额过大")),
    ("amount-blank-required", "amount", None, error("不能为空")),
    ("amount-formula-without-value", "amount", "=B3*2", error("单元格是公式（=B3*2）且没有计算结果")),
    ("category-label", "category", "土地流转", "land_transfer"),
    ("category-code", "category", "land_transfer", "land_transfer"),
    ("category-unknown", "category", "卖菜", error("“卖菜”不是有效的收入类别，可填：土地流转")),
    ("category-blank", "category", None, error("不能为空")),
    ("note-too-long", "note", "备" * 201, error("不能超过200个字（当前201个）")),
    ("note-number", "note", 12.0, "12"),
    ("date-date-cell", "date", datetime.date(2024, 3, 5), "2024-03-05"),
    ("date-datetime-cell", "date", datetime.datetime(2024, 3, 5, 9, 30), "2024-03-05"),
    ("date-serial-number", "date", ("number", 45356), "2024-03-05"),
    ("date-serial-with-time", "date", ("number", 45356.75), "2024-03-05"),
    ("date-iso", "date", "2024-03-05", "2024-03-05"),
    ("date-slashes", "date", "2024/3/5", "2024-03-05"),
    ("date-dots", "date", "2024.3.5", "2024-03-05"),
    ("date-chinese", "date", "2024年3月5日", "2024-03-05"),
    ("date-compact", "date", "20240305", "2024-03-05"),
    ("date-with-time", "date", "2024-03-05 10:30", "2024-03-05"),
    ("date-impossible", "date", "2024-02-30", error("“2024-02-30”不是有效日期")),
    ("date-words", "date", "三月五日", error("“三月五日”不是有效日期")),
    ("date-blank", "date", None, error("不能为空")),
    ("kind-label", "kind", "集中学习", "concentrated"),
    ("kind-code", "kind", "concentrated", "concentrated"),
    ("kind-unknown", "kind", "看电影", error("“看电影”不是有效的形式")),
    ("topic-too-long", "topic", "学" * 201, error("不能超过200个字")),
    ("topic-blank", "topic", None, error("不能为空")),
    ("attendance-int", "attendance", 20, 20),
    ("attendance-integral-float", "attendance", 20.0, 20),
    ("attendance-with-unit", "attendance", "12人", 12),
    ("attendance-separator", "attendance", "1,200", 1200),
    ("attendance-negative", "attendance", "-3", error("不能为负数")),
    ("attendance-text", "attendance", "abc", error("“abc”不是整数")),
    ("attendance-fraction", "attendance", 12.5, error("“12.5”不是整数")),
    ("attendance-too-many", "attendance", 100001, error("不能大于100000")),
    ("attendance-blank-is-zero", "attendance", None, 0),
    ("essays-with-unit", "essays", "5篇", 5),
    ("id-valid", "id_number", ID, ID),
    ("id-lower-case-x", "id_number", ID_X.lower(), ID_X),
    ("id-as-number", "id_number", int(ID), error("身份证号被保存成了数字")),
    ("id-wrong-check-digit", "id_number", ID[:-1] + ("0" if ID[-1] != "0" else "1"), error("校验位不正确")),
    ("id-17-digits", "id_number", ID[:17], error("身份证号应为18位，当前为17位")),
    ("id-masked", "id_number", ID[:4] + "*" * 10 + ID[-4:], error("已打码")),
    ("id-blank", "id_number", None, error("不能为空")),
    ("name-too-long", "name", "张" * 51, error("不能超过50个字")),
]


def _write(sheet, row, values):
    """Write a row from column A; a ("number", n) cell is a number in a cell formatted as a number."""
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, tuple):
            cell.value = value[1]
            cell.number_format = "General"
        else:
            cell.value = value


def workbook_file(village, column, raw):
    book = openpyxl.load_workbook(io.BytesIO(build_template(village=village, year=YEAR, month=MONTH)))
    _write(book[column.sheet], 2, column.workbook_row(raw))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ledger_file(column, raw):
    book = openpyxl.Workbook()
    sheet = book.active
    _write(sheet, 1, column.ledger_headers)
    _write(sheet, 2, column.ledger_row(raw))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _plain(value):
    """The ledger's model value as the workbook keeps it (JSON-ready)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def through_workbook(village, column, raw):
    result = read_workbook(workbook_file(village, column, raw), village=village, year=YEAR, month=MONTH)
    messages = [e["message"] for e in result.errors if e["sheet"] == column.sheet and e["column"] == column.title]
    assert len(result.errors) == len(messages), result.errors  # no problem but the cell's own
    if messages:
        return ("error", messages)
    (row,) = result.rows[{"集体经济收入": "income", "党员发展": "pipeline", "学习活动": "study"}[column.sheet]]
    return row[column.key]


def through_ledger(township, column, raw):
    resource = importing.resource_for(column.slug)(township=township)
    result = importing.preview(resource, ledger_file(column, raw))
    assert not result.file_error, result.file_error
    messages = [p.message for p in result.problems if p.header == column.title]
    assert len(result.problems) == len(messages), [str(p) for p in result.problems]
    if messages:
        return ("error", messages)
    ((_number, values),) = result.creates
    return _plain(dict(zip(result.attrs, values, strict=True))[column.attribute])


@pytest.mark.parametrize("column_name, raw, expected", [c[1:] for c in CELLS], ids=[c[0] for c in CELLS])
def test_both_readers_agree_on_the_cell(township, village_a, column_name, raw, expected):
    column = COLUMNS[column_name]
    from_workbook = through_workbook(village_a, column, raw)
    from_ledger = through_ledger(township, column, raw)
    assert from_workbook == from_ledger
    if isinstance(expected, tuple):
        (message,) = from_workbook[1]
        assert expected[1] in message
    else:
        assert from_workbook == expected


def test_the_table_covers_every_kind_of_column():
    assert len(CELLS) >= 30 and {c[1] for c in CELLS} == set(COLUMNS)
