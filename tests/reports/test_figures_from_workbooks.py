"""Figures from records that came in three ways: monthly workbooks, staff forms and the API."""
import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from reports.figures import compute_figures
from submissions.workbook import build_template
from tests.submissions.conftest import ID_LI, ID_ZHANG, fill, upload_file

pytestmark = pytest.mark.django_db

YEAR = 2024


def confirm_workbook(api_for, secretary, village, month, rows):
    api = api_for(secretary)
    data = fill(build_template(village=village, year=YEAR, month=month), rows=rows)
    response = api.post("/api/submissions/", {
        "village": village.pk, "year": YEAR, "month": month, "file": upload_file(data),
    }, format="multipart")
    assert response.status_code == 201 and response.json()["errors"] == [], response.content
    assert api.post(f"/api/submissions/{response.json()['id']}/confirm/").status_code == 200


def value(figures, key):
    return figures[key]["value"]


def test_workbooks_forms_and_api_each_count_once(api_for, client_for, staff, secretary_a, secretary_b,
                                                 village_a, village_b):
    # March and April of 江南村 by workbook.
    confirm_workbook(api_for, secretary_a, village_a, 3, {
        "集体经济收入": [["土地流转", 12000.5, ""], ["设施租赁", "3000", "大棚租金"]],
        "党员发展": [["张三", "男", None, ID_ZHANG, "入党积极分子", datetime.date(2024, 3, 5), ""],
                 ["李四", None, None, ID_LI, "入党申请人", "2024-03-06", ""]],
        "学习活动": [[datetime.date(2024, 3, 12), "集中学习", "学习二十大精神", 20, 5]],
    })
    confirm_workbook(api_for, secretary_a, village_a, 4, {
        "集体经济收入": [["农业种植", 1000, ""]],
        "学习活动": [[datetime.date(2024, 4, 2), "专题研讨", "乡村振兴", 12, 2],
                 [datetime.date(2024, 4, 20), "集中学习", "党章", 15, 0]],
    })
    # March of 联星村 by workbook; the same month's re-upload replaces, never doubles.
    for amount in (500, 800):
        confirm_workbook(api_for, secretary_b, village_b, 3, {"集体经济收入": [["服务收入", amount, ""]]})
    # A staff form row for another month of 联星村, and an activity through the API.
    response = client_for(staff).post(reverse("records:incomes-create"), {
        "village": village_b.pk, "year": YEAR, "month": 6, "category": "investment", "amount": "2000.25", "note": "",
    })
    assert response.status_code == 302
    response = api_for(staff).post("/api/study-activities/", {
        "date": "2024-07-01", "kind": "concentrated", "topic": "镇党委集中学习", "attendance": 40, "essays": 3,
    }, format="json")
    assert response.status_code == 201, response.content

    figures = compute_figures(staff.township, YEAR)

    # Income: 12000.50 + 3000 + 1000 (江南村) and 800 + 2000.25 (联星村, the re-upload replaced 500).
    assert value(figures, "economy.income_total") == "18800.75"
    assert value(figures, "economy.income_max") == {"village": "江南村", "amount": "16000.50"}
    assert value(figures, "economy.income_min") == {"village": "联星村", "amount": "2800.25"}
    assert value(figures, "study.concentrated_sessions") == 3  # two by workbook, one by the API
    assert value(figures, "study.topic_seminars") == 1
    assert value(figures, "study.essays") == 5 + 2 + 0 + 3
    assert value(figures, "members.activists") == 1  # 张三; 李四 is still an applicant on 31 December
    # Reported village-months: 江南村 March, April; 联星村 March — of 2 villages × 12 ended months.
    assert value(figures, "submissions.reporting_rate") == pytest.approx(12.5)
    assert Decimal(value(figures, "economy.income_by_category")["服务收入"]) == Decimal("800.00")
