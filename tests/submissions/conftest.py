"""Workbook builders for the monthly-workbook tests: the real template, filled with openpyxl."""
import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cadres.id_numbers import make_id_number
from submissions.workbook import INFO_SHEET, build_template

YEAR, MONTH = 2024, 3
ID_ZHANG = make_id_number("640102", datetime.date(1990, 5, 1), 1, True)
ID_LI = make_id_number("640102", datetime.date(1998, 8, 8), 2, False)

DEFAULT_ROWS = {
    "集体经济收入": [["土地流转", 12000.5, ""], ["设施租赁", "3000", "大棚租金"]],
    "党员发展": [["张三", "男", None, ID_ZHANG, "入党积极分子", datetime.date(2024, 3, 5), ""],
             ["李四", None, None, ID_LI, "入党申请人", "2024-03-06", "返乡青年"]],
    "组织生活": [[datetime.date(2024, 3, 10), "支委会", "学习全国两会精神", 7]],
    "学习活动": [[datetime.date(2024, 3, 12), "集中学习", "学习二十大精神", 20, 5]],
}


def fill(template_bytes, rows=None, info=None, drop_sheets=(), headers=None):
    """The template with `rows` per sheet from row 2; `info` overrides header-area cells (label → value)."""
    book = openpyxl.load_workbook(io.BytesIO(template_bytes))
    rows = DEFAULT_ROWS if rows is None else rows
    for sheet_name, sheet_rows in rows.items():
        sheet = book[sheet_name]
        for r, values in enumerate(sheet_rows, start=2):
            for c, value in enumerate(values, start=1):
                sheet.cell(row=r, column=c, value=value)
    for (sheet_name, column), value in (headers or {}).items():
        book[sheet_name].cell(row=1, column=column, value=value)
    for label, value in (info or {}).items():
        sheet = book[INFO_SHEET]
        for row in sheet.iter_rows(min_col=1, max_col=2):
            if row[0].value == label:
                row[1].value = value
    for name in drop_sheets:
        del book[name]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def workbook_for():
    def make(village, year=YEAR, month=MONTH, **kwargs):
        return fill(build_template(village=village, year=year, month=month), **kwargs)

    return make


def upload_file(data, name="月报.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def measure_queries(village, user, data, year=YEAR, month=MONTH):
    """(queries of the preview, queries of the confirm) of the workbook `data`, which must be clean."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from submissions import services

    submission = services.submission_create(village=village, year=year, month=month, user=user,
                                            uploaded_file=upload_file(data))
    with CaptureQueriesContext(connection) as preview:
        submission = services.submission_preview(submission=submission)
    assert submission.errors == []
    with CaptureQueriesContext(connection) as confirm:
        services.submission_confirm(submission=submission, user=user)
    return len(preview), len(confirm)


@pytest.fixture
def upload_api(api_for):
    """POST a workbook through the API as `user`; returns the response."""

    def post(user, village, data, year=YEAR, month=MONTH, name="月报.xlsx"):
        return api_for(user).post("/api/submissions/", {
            "village": village.pk, "year": year, "month": month, "file": upload_file(data, name),
        }, format="multipart")

    return post
