"""The month form: a draft that survives, the workbook's check shown at its row, the same preview and confirm."""
import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from cadres.id_numbers import make_id_number
from cadres.models import Person, StageChange
from economy.models import IncomeRecord
from submissions.models import Entry, MonthDraft, Submission, SubmissionStatus
from villages.models import VillageMonth, VillageMonthStatus

from .conftest import MONTH, YEAR

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 1)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def form_url(village, year=YEAR, month=MONTH):
    return reverse("submissions:month-form", args=[village.pk, year, month])


def fields(amount="12000.50", topic="学习二十大精神", study_date="2024-03-12"):
    """The form's POSTed fields for one income row and one study row (columns by their index in the sheet)."""
    return {
        "income-0-0": "土地流转", "income-0-1": amount, "income-0-2": "",
        "study-0-0": study_date, "study-0-1": "集中学习", "study-0-2": topic, "study-0-3": "20", "study-0-4": "5",
    }


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_saved_draft_is_there_in_a_new_session(secretary_a, village_a):
    response = logged_in(secretary_a).post(form_url(village_a), {**fields(amount="8800"), "action": "save"})
    assert response.status_code == 302
    draft = MonthDraft.objects.get(village=village_a, year=YEAR, month=MONTH)
    assert draft.updated_by == secretary_a
    assert draft.rows["集体经济收入"] == [{"收入类别": "土地流转", "金额（元）": "8800", "备注": ""}]

    page = logged_in(secretary_a).get(form_url(village_a)).content.decode()  # another browser, another session
    assert 'name="income-0-1" value="8800"' in page
    assert '集体经济收入 <span class="muted">（已填 1 行）' in page
    assert '组织生活 <span class="muted">（已填 0 行）' in page  # its blank row offered to fill is not counted
    assert 'name="study-0-2" value="学习二十大精神"' in page
    assert IncomeRecord.objects.count() == 0 and Submission.objects.count() == 0  # a draft writes no record


def test_autosave_keeps_the_draft_and_answers_when(secretary_a, village_a):
    response = logged_in(secretary_a).post(form_url(village_a) + "draft/", fields(amount="100"))
    assert response.status_code == 200
    assert re.fullmatch(r"\d\d:\d\d:\d\d", response.json()["saved_at"])
    assert MonthDraft.objects.get().rows["集体经济收入"][0]["金额（元）"] == "100"
    logged_in(secretary_a).post(form_url(village_a) + "draft/", fields(amount="200"))
    assert MonthDraft.objects.get().rows["集体经济收入"][0]["金额（元）"] == "200"  # one draft per month


def test_who_may_open_and_save_the_form(client_for, roles, village_a, county_user):
    url = form_url(village_a)
    assert client_for(None).get(url).status_code == 302
    assert client_for(roles["secretary_b"]).get(url).status_code == 404
    assert client_for(roles["other_staff"]).get(url).status_code == 404
    assert client_for(roles["secretary_b"]).post(url + "draft/", fields()).status_code == 404
    for reader in (roles["leader"], county_user):
        page = client_for(reader).get(url)
        assert page.status_code == 200
        assert "检查</button>" not in page.content.decode()  # read-only: no buttons
        assert client_for(reader).post(url, {**fields(), "action": "save"}).status_code == 403
        assert client_for(reader).post(url + "draft/", fields()).status_code == 403
    assert client_for(roles["staff"]).post(url + "draft/", fields()).status_code == 200
    assert MonthDraft.objects.get().updated_by == roles["staff"]
    assert client_for(roles["secretary_a"]).get(url).status_code == 200
    assert client_for(roles["secretary_a"]).get(reverse("submissions:month-form", args=[village_a.pk, YEAR, 13])
                                                ).status_code == 404


def test_a_locked_month_keeps_its_draft_as_it_was(client_for, staff, secretary_a, village_a):
    logged_in(secretary_a).post(form_url(village_a) + "draft/", fields(amount="100"))
    VillageMonth.objects.create(village=village_a, year=YEAR, month=MONTH, status=VillageMonthStatus.APPROVED)
    assert logged_in(secretary_a).post(form_url(village_a) + "draft/", fields(amount="200")).status_code == 409
    response = logged_in(secretary_a).post(form_url(village_a), {**fields(amount="300"), "action": "check"})
    assert response.status_code == 302
    assert MonthDraft.objects.get().rows["集体经济收入"][0]["金额（元）"] == "100"
    assert Submission.objects.count() == 0
    page = logged_in(secretary_a).get(form_url(village_a)).content.decode()
    assert 'id="month-locked"' in page and "检查</button>" not in page


def test_check_shows_the_workbooks_problems_at_their_row_then_the_same_preview_and_confirm(
        secretary_a, staff, village_a, api_for):
    client = logged_in(secretary_a)
    response = client.post(form_url(village_a), {**fields(amount="一万", study_date="2024-04-12"),
                                                 "action": "check"})
    submission = Submission.objects.get()
    assert submission.entry == Entry.ROWS and submission.status == SubmissionStatus.INVALID
    assert response["Location"] == form_url(village_a) + f"?submission={submission.pk}#problems"
    # The API's JSON of the same rows gets the same problems: one check.
    rows = {"集体经济收入": [{"收入类别": "土地流转", "金额（元）": "一万", "备注": ""}],
            "学习活动": [{"日期": "2024-04-12", "形式": "集中学习", "主题": "学习二十大精神", "参加人数": "20",
                      "心得体会篇数": "5"}]}
    same = api_for(secretary_a).post("/api/submissions/", {"village": village_a.pk, "year": YEAR, "month": MONTH,
                                                           "rows": rows}, format="json").json()
    assert same["errors"] == submission.errors
    assert {(p["sheet"], p["row"], p["column"]) for p in submission.errors} == {
        ("集体经济收入", 2, "金额（元）"), ("学习活动", 2, "日期")}

    page = client.get(form_url(village_a) + f"?submission={submission.pk}").content.decode()
    income_row = _row(page, "income-row-0")
    assert "has-problem" in income_row
    amount_cell = income_row[income_row.rindex("<label", 0, income_row.index('name="income-0-1"')):]
    assert 'class="cell has-error"' in amount_cell and "“一万”不是" in amount_cell[:amount_cell.index("</label>")]
    study_row = _row(page, "study-row-0")
    assert "has-problem" in study_row and "不在所报月份" in study_row
    assert "has-problem" not in _row(page, "org_life-row-0")  # a blank row offered to fill is no row to the check

    response = client.post(form_url(village_a), {**fields(), "action": "check"})
    preview = Submission.objects.latest("pk")
    assert response["Location"] == reverse("submissions:detail", args=[preview.pk])
    assert preview.status == SubmissionStatus.PREVIEW
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.SUPERSEDED
    detail = client.get(response["Location"]).content.decode()
    assert "确认后将作如下变更" in detail and "12000.50" in detail
    assert client.post(reverse("submissions:confirm", args=[preview.pk])).status_code == 302
    assert IncomeRecord.objects.get(village=village_a).amount == Decimal("12000.50")
    assert VillageMonth.objects.get(village=village_a, year=YEAR, month=MONTH).status == VillageMonthStatus.SUBMITTED
    assert not MonthDraft.objects.exists()  # the draft has become the report

    # Reopened, the reported month shows its rows; one amount corrected shows old → new.
    page = client.get(form_url(village_a)).content.decode()
    assert 'name="income-0-1" value="12000.50"' in page and "本月已上报" in page
    client.post(form_url(village_a), {**fields(amount="13000"), "action": "check"})
    correction = Submission.objects.latest("pk")
    assert correction.changes == [{"sheet": "集体经济收入", "row": 2, "action": "replace",
                                   "before": {"收入类别": "土地流转", "金额（元）": "12000.50", "备注": ""},
                                   "after": {"收入类别": "土地流转", "金额（元）": "13000.00", "备注": ""}}]


def _row(page, row_id):
    """The HTML of one row of the form, from its <fieldset> to its end."""
    start = page.rindex("<fieldset", 0, page.index(f'id="{row_id}"'))
    return page[start:page.index("</fieldset>", start)]


def test_rows_are_added_and_removed_and_last_months_categories_are_listed(secretary_a, village_a):
    IncomeRecord.objects.create(village=village_a, year=YEAR, month=MONTH - 1, category="facility_rent", amount=5)
    IncomeRecord.objects.create(village=village_a, year=YEAR, month=MONTH - 1, category="land_transfer", amount=5)
    client = logged_in(secretary_a)
    page = client.get(form_url(village_a)).content.decode()
    assert re.findall(r'name="income-(\d)-0"><option value="">—</option>.*?<option selected>(\w+)</option>', page) == [
        ("0", "土地流转"), ("1", "设施租赁")]
    response = client.post(form_url(village_a), {"income-0-0": "土地流转", "income-1-0": "设施租赁",
                                                 "add": "组织生活"})
    assert response["Location"].endswith("#section-org_life")
    rows = MonthDraft.objects.get().rows
    assert len(rows["组织生活"]) == 1 and len(rows["集体经济收入"]) == 2
    client.post(form_url(village_a), {"income-0-0": "土地流转", "income-1-0": "设施租赁", "remove": "集体经济收入:0"})
    assert [r["收入类别"] for r in MonthDraft.objects.get().rows["集体经济收入"]] == ["设施租赁"]


def test_a_person_chosen_from_the_roster_is_reported_without_typing_the_id_number(secretary_a, village_a):
    id_number = make_id_number("640102", datetime.date(1995, 1, 2), 7, True)
    person = Person.objects.create(township=village_a.township, village=village_a, name="王五", id_number=id_number)
    client = logged_in(secretary_a)
    page = client.get(form_url(village_a)).content.decode()
    assert f'<option value="{person.pk}">王五' in page and id_number not in page  # the roster shows it masked
    client.post(form_url(village_a), {"pipeline-0-person": str(person.pk), "pipeline-0-4": "入党申请人",
                                      "pipeline-0-5": "2024-03-08", "action": "check"})
    preview = Submission.objects.get()
    assert preview.status == SubmissionStatus.PREVIEW, preview.errors
    assert client.post(reverse("submissions:confirm", args=[preview.pk])).status_code == 302
    change = StageChange.objects.get()
    assert (change.person, change.stage, change.date) == (person, "applicant", datetime.date(2024, 3, 8))
    page = client.get(form_url(village_a)).content.decode()
    assert f'<option value="{person.pk}" selected>王五' in page and id_number not in page


def test_the_form_page_queries_do_not_grow_with_rows(secretary_a, village_a, django_assert_max_num_queries):
    rows = {"集体经济收入": [{"收入类别": "土地流转", "金额（元）": str(n), "备注": ""} for n in range(60)],
            "学习活动": [{"日期": "2024-03-01", "形式": "集中学习", "主题": f"第{n}次"} for n in range(60)]}
    MonthDraft.objects.create(village=village_a, year=YEAR, month=MONTH, rows=rows, updated_by=secretary_a)
    client = logged_in(secretary_a)
    with django_assert_max_num_queries(15):
        page = client.get(form_url(village_a))
    assert page.content.decode().count('class="form-line') == 120 + 3  # and a blank row in the empty sections


def test_the_secretary_home_and_the_submissions_page_link_the_form(secretary_a, village_a):
    client = logged_in(secretary_a)
    home = client.get(reverse("villages:detail", args=[village_a.pk])).content.decode()
    index = client.get(reverse("submissions:index") + f"?village={village_a.pk}&year={YEAR}&month={MONTH}"
                       ).content.decode()
    assert f'href="{form_url(village_a, *_last_month())}"' in home
    assert f'href="{form_url(village_a)}"' in index


def _last_month():
    from submissions.services import previous_month

    return previous_month(TODAY)
