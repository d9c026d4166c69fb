"""The monthly workbooks the journeys upload: the downloaded template filled with openpyxl."""
import datetime
import io

import openpyxl

from cadres.id_numbers import make_id_number


def month_rows(year, month, *, mistakes=False, theme_day_attendance=23):
    """A village's month, row by row per sheet; with `mistakes`, an unknown 收入类别 and a bad 身份证号."""
    day = datetime.date(year, month, 1)
    activist = make_id_number("640122", datetime.date(1995, 6, 18), 7, True)
    if mistakes:
        activist = activist[:-1] + ("0" if activist[-1] != "0" else "1")  # wrong check digit
    return {
        "集体经济收入": [
            ["卖菜收入" if mistakes else "设施租赁", 18500, "温棚租金"],
            ["土地流转", "42000.50", ""],
        ],
        "党员发展": [["马小军", "男", None, activist, "入党积极分子", day.replace(day=8), "返乡创业青年"]],
        "组织生活": [[day.replace(day=12), "主题党日", "学习贯彻党的二十大精神", theme_day_attendance]],
        "学习活动": [[day.replace(day=15), "集中学习", "乡村振兴政策宣讲", 31, 6]],
    }


def fill(template, rows):
    """The template's bytes with `rows` written from row 2 of each sheet."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    for sheet_name, sheet_rows in rows.items():
        for r, values in enumerate(sheet_rows, start=2):
            for c, value in enumerate(values, start=1):
                book[sheet_name].cell(row=r, column=c, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def fill_ledger(template, records):
    """A ledger import template's bytes with `records` (column name → value) from row 2."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book.active
    columns = {cell.value: cell.column for cell in sheet[1] if cell.value}
    for r, record in enumerate(records, start=2):
        for name, value in record.items():
            sheet.cell(row=r, column=columns[name], value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
