"""A month's rows sent as JSON (the API) go through exactly the checks and the confirm of an uploaded workbook."""
import datetime

import pytest
from django.db import transaction

from cadres.id_numbers import make_id_number
from cadres.models import StageChange
from economy.models import IncomeRecord
from reports.figures import compute_figures
from study.models import OrgLifeEvent, StudyActivity
from submissions.models import Entry, Submission
from submissions.workbook import SHEETS_BY_NAME
from villages.models import VillageMonth, VillageMonthStatus

from .conftest import DEFAULT_ROWS, ID_LI, ID_ZHANG, MONTH, YEAR

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 1)

# The same rows with the same mistakes: a category twice, an amount that is no number, a date outside the month,
# a stage that does not exist, a topic missing, a count that is no number.
ROWS_WITH_MISTAKES = {
    "集体经济收入": [["土地流转", 12000.5, ""], ["土地流转", "3000", "又一行"], ["设施租赁", "三千", ""]],
    "党员发展": [["张三", "男", None, ID_ZHANG, "积极分子", datetime.date(2024, 3, 5), ""],
             ["李四", None, None, ID_LI, "入党申请人", "2024-04-06", ""]],
    "组织生活": [[datetime.date(2024, 3, 10), "支委会", None, 7]],
    "学习活动": [[datetime.date(2024, 3, 12), "集中学习", "学习二十大精神", "很多", 5]],
}


def as_json_rows(workbook_rows):
    """The workbook's rows (lists of cells in the template's column order) as the API's JSON rows."""
    out = {}
    for name, rows in workbook_rows.items():
        columns = SHEETS_BY_NAME[name].columns
        out[name] = [{header: value.isoformat() if isinstance(value, datetime.date) else value
                      for header, value in zip(columns, row, strict=False)} for row in rows]
    return out


def with_people(workbook_rows, *id_numbers):
    """The rows with the 党员发展 sheet's 身份证号 replaced, in order (a person is registered in one village)."""
    rows = dict(workbook_rows)
    rows["党员发展"] = [[*row[:3], id_number, *row[4:]] for row, id_number in zip(rows["党员发展"], id_numbers,
                                                                             strict=True)]
    return rows


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def post_rows(api_for):
    def post(user, village, rows, year=YEAR, month=MONTH):
        return api_for(user).post("/api/submissions/", {
            "village": village.pk, "year": year, "month": month, "rows": rows}, format="json")

    return post


def _confirm(api_for, user, response):
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["errors"] == [] and body["status"] == "preview", body["errors"]
    confirmed = api_for(user).post(f"/api/submissions/{body['id']}/confirm/")
    assert confirmed.status_code == 200, confirmed.content
    return body


def _records(village):
    return {
        "income": sorted(IncomeRecord.objects.filter(village=village).values_list("year", "month", "category",
                                                                                   "amount", "note", "source")),
        "stages": sorted(StageChange.objects.filter(person__village=village)
                         .values_list("person__name", "stage", "date", "source")),
        "org_life": sorted(OrgLifeEvent.objects.filter(branch__village=village)
                           .values_list("date", "kind", "topic", "attendance")),
        "study": sorted(StudyActivity.objects.filter(village=village)
                        .values_list("date", "kind", "topic", "attendance", "essays")),
    }


def test_a_workbook_and_json_rows_get_the_same_problems_changes_records_and_figures(
        api_for, staff, village_a, village_b, township, workbook_for, upload_api, post_rows):
    by_file = upload_api(staff, village_a, workbook_for(village_a, rows=ROWS_WITH_MISTAKES)).json()
    by_rows = post_rows(staff, village_b, as_json_rows(ROWS_WITH_MISTAKES)).json()
    assert by_file["status"] == by_rows["status"] == "invalid"
    assert len(by_file["errors"]) >= 6
    assert by_rows["errors"] == by_file["errors"]
    problem_at = {(p["sheet"], p["row"], p["column"]) for p in by_rows["errors"]}
    assert {("集体经济收入", 3, "收入类别"), ("集体经济收入", 4, "金额（元）"), ("党员发展", 2, "发展阶段"),
            ("党员发展", 3, "日期"), ("组织生活", 2, "主题"), ("学习活动", 2, "参加人数")} <= problem_at

    # Corrected: the same rows (other people in the other village) are confirmed into the same records.
    people_b = (make_id_number("640102", datetime.date(1991, 2, 3), 3, True),
                make_id_number("640102", datetime.date(1999, 9, 9), 4, False))
    by_file = _confirm(api_for, staff, upload_api(staff, village_a, workbook_for(village_a)))
    by_rows = _confirm(api_for, staff, post_rows(staff, village_b, as_json_rows(with_people(DEFAULT_ROWS, *people_b))))
    assert by_rows["change_summary"] == by_file["change_summary"]
    assert [{**c, "before": None} for c in by_rows["changes"] if c["sheet"] != "党员发展"] == [
        {**c, "before": None} for c in by_file["changes"] if c["sheet"] != "党员发展"]
    records_a, records_b = _records(village_a), _records(village_b)
    assert records_a["income"] and records_a["stages"] and records_a["org_life"] and records_a["study"]
    assert records_b == records_a
    assert Submission.objects.get(pk=by_rows["id"]).entry == Entry.ROWS
    assert VillageMonth.objects.get(village=village_b, year=YEAR, month=MONTH).status == VillageMonthStatus.SUBMITTED
    figures = compute_figures(township, YEAR, today=TODAY)
    by_village = {row["village"]: row["amount"] for row in figures["economy.income_by_village"]["value"]}
    assert by_village[village_a.name] == by_village[village_b.name] is not None


def test_one_village_confirmed_by_workbook_or_by_json_gives_the_same_figures(
        api_for, staff, village_a, township, workbook_for, upload_api, post_rows):
    before = compute_figures(township, YEAR, today=TODAY)

    class Undo(Exception):
        pass

    outcomes = []
    for send in (lambda: upload_api(staff, village_a, workbook_for(village_a)),
                 lambda: post_rows(staff, village_a, as_json_rows(DEFAULT_ROWS))):
        try:
            with transaction.atomic():
                _confirm(api_for, staff, send())
                outcomes.append((_records(village_a), compute_figures(township, YEAR, today=TODAY)))
                raise Undo
        except Undo:
            pass
    (records_file, figures_file), (records_rows, figures_rows) = outcomes
    assert records_rows == records_file
    assert figures_rows == figures_file
    assert figures_file["economy.income_total"]["value"] != before["economy.income_total"]["value"]


def test_a_correction_sent_as_json_shows_old_and_new(api_for, secretary_a, village_a, workbook_for, upload_api,
                                                     post_rows):
    _confirm(api_for, secretary_a, upload_api(secretary_a, village_a, workbook_for(village_a)))
    rows = as_json_rows(DEFAULT_ROWS)
    rows["集体经济收入"][0]["金额（元）"] = "13000"
    body = post_rows(secretary_a, village_a, rows).json()
    assert body["status"] == "preview", body["errors"]
    assert body["changes"] == [{"sheet": "集体经济收入", "row": 2, "action": "replace",
                                "before": {"收入类别": "土地流转", "金额（元）": "12000.50", "备注": ""},
                                "after": {"收入类别": "土地流转", "金额（元）": "13000.00", "备注": ""}}]


def test_rows_of_an_unknown_sheet_or_column_are_problems_and_nothing_is_written(staff, village_a, post_rows):
    body = post_rows(staff, village_a, {"收入": [], "集体经济收入": [{"类别": "土地流转", "金额（元）": 5}],
                                        "学习活动": [{"日期": ["2024-03-01"]}]}).json()
    assert body["status"] == "invalid"
    assert [(p["sheet"], p["row"], p["column"]) for p in body["errors"]] == [
        ("收入", None, ""), ("集体经济收入", 2, "类别"), ("学习活动", 2, "日期")]
    assert "可填：集体经济收入、党员发展、组织生活、学习活动" in body["errors"][0]["message"]
    assert IncomeRecord.objects.count() == 0


@pytest.mark.parametrize("payload", [{"rows": "集体经济收入"}, {"rows": {"集体经济收入": "土地流转"}}, {"year": 1999}])
def test_rows_of_the_wrong_shape_are_refused_with_400(staff, village_a, api_for, payload):
    body = {"village": village_a.pk, "year": YEAR, "month": MONTH, "rows": {}, **payload}
    response = api_for(staff).post("/api/submissions/", body, format="json")
    assert response.status_code == 400
    assert Submission.objects.count() == 0


def test_json_rows_keep_the_scope_and_the_lock(api_for, roles, village_a, village_b, other_village, post_rows,
                                               staff):
    rows = as_json_rows(DEFAULT_ROWS)
    assert post_rows(roles["leader"], village_a, rows).status_code == 403
    assert post_rows(roles["secretary_b"], village_a, rows).status_code == 404
    assert post_rows(roles["other_staff"], village_a, rows).status_code == 404
    assert api_for(None).post("/api/submissions/", {"village": village_a.pk, "year": YEAR, "month": MONTH,
                                                    "rows": rows}, format="json").status_code in (401, 403)
    VillageMonth.objects.create(village=village_a, year=YEAR, month=MONTH, status=VillageMonthStatus.APPROVED)
    assert post_rows(staff, village_a, rows).status_code == 409
    assert Submission.objects.count() == 0


def test_json_rows_past_the_size_limit_are_refused_and_nothing_is_stored(settings, staff, village_a, post_rows):
    settings.SUBMISSION_MAX_BYTES = 10_000
    rows = {"集体经济收入": [{"收入类别": "土地流转", "金额（元）": "1", "备注": "备" * 150}] * 200}
    response = post_rows(staff, village_a, rows)
    assert response.status_code == 413, response.status_code
    assert "上限" in response.json()["detail"]
    assert Submission.objects.count() == 0
