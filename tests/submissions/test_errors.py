"""Every kind of problem is reported by sheet, Excel row and column, in Chinese, and nothing is written."""
import datetime

import pytest

from cadres.id_numbers import make_id_number
from cadres.models import Person, StageChange
from economy.models import IncomeRecord
from study.models import OrgLifeEvent, StudyActivity
from submissions.models import Submission

from .conftest import ID_ZHANG

pytestmark = pytest.mark.django_db

EMPTY = {"集体经济收入": [], "党员发展": [], "组织生活": [], "学习活动": []}


def _upload(upload_api, user, village, data, **kwargs):
    response = upload_api(user, village, data, **kwargs)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "invalid"
    assert body["changes"] == [] and body["change_summary"] == {}
    return body["errors"]


def _nothing_written():
    return (IncomeRecord.objects.count(), StageChange.objects.count(), Person.objects.count(),
            OrgLifeEvent.objects.count(), StudyActivity.objects.count()) == (0, 0, 0, 0, 0)


def _rows(**sheets):
    return {**EMPTY, **sheets}


def _has(errors, sheet, row, column, text):
    return any(e["sheet"] == sheet and e["row"] == row and e["column"] == column and text in e["message"]
               for e in errors)


@pytest.mark.parametrize("sheet, values, row, column, text", [
    ("集体经济收入", ["彩票", 100, ""], 2, "收入类别", "“彩票”不是有效的收入类别"),
    ("集体经济收入", ["土地流转", "一万元", ""], 2, "金额（元）", "不是数字"),
    ("集体经济收入", ["土地流转", -5, ""], 2, "金额（元）", "不能为负数"),
    ("集体经济收入", ["土地流转", 1.234, ""], 2, "金额（元）", "最多2位小数"),
    ("集体经济收入", ["土地流转", None, ""], 2, "金额（元）", "不能为空"),
    ("党员发展", ["张三", None, None, "64010219900501001", "入党积极分子", datetime.date(2024, 3, 5), ""],
     2, "身份证号", "18位"),
    ("党员发展", ["张三", None, None, ID_ZHANG[:-1] + ("0" if ID_ZHANG[-1] != "0" else "1"), "入党积极分子",
                datetime.date(2024, 3, 5), ""], 2, "身份证号", "校验位"),
    ("党员发展", ["张三", None, None, 640102199005010011, "入党积极分子", datetime.date(2024, 3, 5), ""],
     2, "身份证号", "保存成了数字"),
    ("党员发展", ["张三", "女", None, ID_ZHANG, "入党积极分子", datetime.date(2024, 3, 5), ""], 2, "性别", "不一致"),
    ("党员发展", ["张三", None, datetime.date(1991, 1, 1), ID_ZHANG, "入党积极分子", datetime.date(2024, 3, 5), ""],
     2, "出生日期", "不一致"),
    ("党员发展", ["张三", None, None, ID_ZHANG, "积极分子候选", datetime.date(2024, 3, 5), ""], 2, "发展阶段",
     "“积极分子候选”不是有效的发展阶段"),
    ("党员发展", ["张三", None, None, ID_ZHANG, "入党积极分子", "三月五日", ""], 2, "日期", "不是有效日期"),
    ("党员发展", ["张三", None, None, ID_ZHANG, "入党积极分子", datetime.date(2024, 4, 1), ""], 2, "日期",
     "不在所报月份（2024年3月）内"),
    ("组织生活", [datetime.date(2024, 2, 29), "支委会", "学习", 7], 2, "日期", "不在所报月份"),
    ("组织生活", [datetime.date(2024, 3, 9), "茶话会", "学习", 7], 2, "类型", "“茶话会”不是有效的类型"),
    ("组织生活", [datetime.date(2024, 3, 9), "支委会", "学习", "七人"], 2, "参加人数", "“七人”不是整数"),
    ("组织生活", [datetime.date(2024, 3, 9), "支委会", None, 7], 2, "主题", "不能为空"),
    ("学习活动", ["2024/13/40", "集中学习", "学习", 20, 1], 2, "日期", "不是有效日期"),
    ("学习活动", [datetime.date(2024, 3, 9), "看电影", "学习", 20, 1], 2, "形式", "“看电影”不是有效的形式"),
    ("学习活动", [datetime.date(2024, 3, 9), "集中学习", "学习", 20, -1], 2, "心得体会篇数", "不能为负数"),
])
def test_each_cell_problem_is_located(upload_api, secretary_a, village_a, workbook_for, sheet, values, row,
                                      column, text):
    errors = _upload(upload_api, secretary_a, village_a, workbook_for(village_a, rows=_rows(**{sheet: [values]})))
    assert _has(errors, sheet, row, column, text), errors
    assert _nothing_written()


def test_every_problem_is_listed_not_only_the_first(upload_api, secretary_a, village_a, workbook_for):
    rows = _rows(**{
        "集体经济收入": [["土地流转", 1, ""], None, ["土地流转", 2, ""], ["彩票", "x", ""]],
        "学习活动": [[datetime.date(2024, 3, 9), "集中学习", "学习", 20, 1],
                 [datetime.date(2024, 5, 9), "夜校", "学习", 20, 1]],
    })
    rows["集体经济收入"][1] = []  # a blank row in between keeps Excel's numbering
    errors = _upload(upload_api, secretary_a, village_a, workbook_for(village_a, rows=rows))
    assert _has(errors, "集体经济收入", 4, "收入类别", "第2行已填写")
    assert _has(errors, "集体经济收入", 5, "收入类别", "不是有效的收入类别")
    assert _has(errors, "集体经济收入", 5, "金额（元）", "不是数字")
    assert _has(errors, "学习活动", 3, "日期", "不在所报月份")
    assert len(errors) == 4


def test_wrong_village_or_month_in_the_header(upload_api, secretary_a, village_a, village_b, workbook_for):
    errors = _upload(upload_api, secretary_a, village_a, workbook_for(village_b))
    assert _has(errors, "填报说明", 3, "村名称", "联星村")
    errors = _upload(upload_api, secretary_a, village_a, workbook_for(village_a, month=4, rows=EMPTY))
    assert _has(errors, "填报说明", 5, "月份", "不一致")
    errors = _upload(upload_api, secretary_a, village_a, workbook_for(village_a, info={"年度": 2023}))
    assert _has(errors, "填报说明", 4, "年度", "不一致")
    assert _nothing_written()


def test_missing_sheet_and_missing_column(upload_api, secretary_a, village_a, workbook_for):
    errors = _upload(upload_api, secretary_a, village_a,
                     workbook_for(village_a, drop_sheets=["组织生活"], headers={("学习活动", 5): "心得"}))
    assert _has(errors, "组织生活", None, "", "缺少工作表“组织生活”")
    assert _has(errors, "学习活动", 1, "心得体会篇数", "缺少列")
    errors = _upload(upload_api, secretary_a, village_a, workbook_for(village_a, drop_sheets=["填报说明"]))
    assert _has(errors, "填报说明", None, "", "缺少工作表")
    assert _nothing_written()


def test_a_month_that_has_not_begun(upload_api, secretary_a, village_a, workbook_for):
    future = datetime.date.today().year + 1
    errors = _upload(upload_api, secretary_a, village_a, workbook_for(village_a, year=future, month=1, rows=EMPTY),
                     year=future, month=1)
    assert any("尚未开始" in e["message"] for e in errors)


def test_a_person_of_another_village_cannot_be_reported(upload_api, secretary_a, village_a, village_b,
                                                        workbook_for):
    Person.objects.create(township=village_b.township, village=village_b, name="张三", id_number=ID_ZHANG)
    errors = _upload(upload_api, secretary_a, village_a, workbook_for(village_a))
    # Where the number is registered is told only to the township's staff (tests/cadres/test_id_number_oracle.py).
    assert _has(errors, "党员发展", 2, "身份证号", "该身份证号无法在此登记，请联系镇党委核实")
    assert IncomeRecord.objects.count() == 0


def test_a_stage_already_recorded_in_another_month(upload_api, secretary_a, staff, village_a, workbook_for):
    person = Person.objects.create(township=village_a.township, village=village_a, name="张三", id_number=ID_ZHANG)
    StageChange.objects.create(person=person, stage="activist", date=datetime.date(2024, 1, 9))
    errors = _upload(upload_api, secretary_a, village_a, workbook_for(village_a))
    # A secretary is not told that the number is registered (tests/cadres/test_id_number_oracle.py) …
    assert _has(errors, "党员发展", 2, "身份证号", "该身份证号无法在此登记，请联系镇党委核实")
    # … the township's staff are, with the date.
    errors = _upload(upload_api, staff, village_a, workbook_for(village_a))
    assert _has(errors, "党员发展", 2, "发展阶段", "2024年01月09日")


def test_problems_are_shown_on_the_preview_page(client_for, secretary_a, village_a, workbook_for):
    from .conftest import upload_file

    data = workbook_for(village_a, rows=_rows(**{"集体经济收入": [["彩票", 1, ""]]}))
    client = client_for(secretary_a)
    response = client.post("/submissions/upload/", {"village": village_a.pk, "year": 2024, "month": 3,
                                                    "file": upload_file(data)}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "“彩票”不是有效的收入类别" in page and "确认上报" not in page
    assert Submission.objects.get().status == "invalid"


def test_text_dates_and_a_matching_gender_are_accepted(upload_api, secretary_a, village_a, workbook_for):
    other = make_id_number("640102", datetime.date(1985, 2, 3), 7, False)
    data = workbook_for(village_a, rows=_rows(**{"党员发展": [
        ["王五", "女", "1985-02-03", other, "发展对象", "2024年3月8日", ""]]}))
    response = upload_api(secretary_a, village_a, data)
    assert response.json()["errors"] == []

