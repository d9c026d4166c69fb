import csv
import datetime
import io

import openpyxl
import pytest

from cadres.id_numbers import make_id_number
from cadres.models import Person


def id_number(n, male=True, region="640122"):
    return make_id_number(region, datetime.date(1980, 1, 1) + datetime.timedelta(days=n), n, male)


def xlsx_bytes(rows, title="Sheet1"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, encoding="utf-8"):
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    text = buffer.getvalue()
    return ("\ufeff" + text).encode("utf-8") if encoding == "utf-8-sig" else text.encode(encoding)


PERSON_HEADERS = ["姓名", "身份证号", "所属村", "联系电话", "发展阶段", "流动党员", "备注", "阶段日期"]
JOINED = datetime.date(2020, 7, 1)  # 阶段日期 of person_rows: the day they became 正式党员


def person_rows(count, village="江南村", start=0):
    return [[f"党员{i}", id_number(i), village, f"1380000{i:04d}", "正式党员", "否", f"备注{i}", JOINED]
            for i in range(start, start + count)]


@pytest.fixture
def make_person(township):
    def make(n, village=None, **kwargs):
        return Person.objects.create(township=township, village=village, name=f"人员{n}", id_number=id_number(n),
                                     **kwargs)

    return make
