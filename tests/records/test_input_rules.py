"""Input rules every path applies (issue 14): no record dated after today, plausible dates, phone numbers, a
person's village; and filters and forms that read in words."""
import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cadres.id_numbers import id_number_problem, make_id_number
from cadres.models import Person, StageChange, Talent
from cadres.resources import PersonResource, TalentResource
from committee.models import Problem
from economy.models import Enterprise
from economy.resources import EnterpriseResource
from ledgers import importing
from records import registry
from records.validators import FUTURE_DATE, validate_phone
from study.models import StudyActivity
from study.resources import StudyActivityResource
from submissions import services
from submissions.workbook import build_template
from tests.cadres.factories import PersonFactory
from tests.ledgers.conftest import xlsx_bytes
from tests.submissions.conftest import fill

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


def _problems(result):
    return [str(problem) for problem in result.problems]


# ---------------------------------------------------------------- no record dated after today


def test_a_future_study_activity_is_refused_by_the_api_and_the_form(api_for, client_for, staff, village_a):
    payload = {"village": village_a.pk, "date": TOMORROW.isoformat(), "kind": "concentrated", "topic": "学习",
               "attendance": 20, "essays": 0}
    response = api_for(staff).post("/api/study-activities/", payload, format="json")
    assert response.status_code == 400 and response.json()["date"] == [FUTURE_DATE]
    response = client_for(staff).post("/records/study-activities/new/", payload)
    assert response.status_code == 400 and FUTURE_DATE in response.content.decode()
    assert not StudyActivity.objects.exists()
    payload["date"] = timezone.localdate().isoformat()  # today is fine
    assert api_for(staff).post("/api/study-activities/", payload, format="json").status_code == 201


def test_a_future_problem_is_refused_by_the_api_and_the_form(api_for, client_for, staff, village_a):
    payload = {"village": village_a.pk, "found_date": TOMORROW.isoformat(), "description": "学习教育不够深入",
               "owner": "李四", "rectified": False}
    response = api_for(staff).post("/api/problems/", payload, format="json")
    assert response.status_code == 400 and response.json()["found_date"] == [FUTURE_DATE]
    response = client_for(staff).post("/records/problems/new/", payload)
    assert response.status_code == 400 and FUTURE_DATE in response.content.decode()
    payload.update(found_date="2023-03-01", rectified=True, rectified_date=TOMORROW.isoformat())
    response = api_for(staff).post("/api/problems/", payload, format="json")
    assert response.status_code == 400 and response.json()["rectified_date"] == [FUTURE_DATE]
    assert not Problem.objects.exists()


def test_a_future_study_activity_is_refused_by_the_monthly_workbook(village_a, secretary_a):
    today = timezone.localdate()
    later_this_month = today.replace(day=28) if today.day < 28 else None
    if later_this_month is None:
        pytest.skip("no later day this month to try")
    data = fill(build_template(village=village_a, year=today.year, month=today.month), rows={
        "学习活动": [[later_this_month, "集中学习", "学习", 20, 1]]})
    submission = services.submission_create(village=village_a, year=today.year, month=today.month, user=secretary_a,
                                            uploaded_file=SimpleUploadedFile("月报.xlsx", data))
    submission = services.submission_preview(submission=submission)
    assert [(e["sheet"], e["row"], e["column"]) for e in submission.errors] == [("学习活动", 2, "日期")]
    assert submission.errors[0]["message"].startswith(FUTURE_DATE)


def test_the_workbook_checks_dates_against_the_day_it_is_read(village_a, secretary_a):
    data = fill(build_template(village=village_a, year=2024, month=3), rows={
        "学习活动": [[datetime.date(2024, 3, 12), "集中学习", "学习", 20, 1]]})
    submission = services.submission_create(village=village_a, year=2024, month=3, user=secretary_a,
                                            uploaded_file=SimpleUploadedFile("月报.xlsx", data))
    submission = services.submission_preview(submission=submission, today=datetime.date(2024, 3, 10))
    assert [e["message"] for e in submission.errors] == [f"{FUTURE_DATE}（2024-03-12）"]


def test_a_future_study_activity_is_refused_by_the_ledger_import(township, village_a):
    data = xlsx_bytes([["日期", "形式", "主题", "组织单位（村）", "参加人数"],
                       [TOMORROW, "集中学习", "学习", "江南村", 20],
                       [datetime.date(2023, 4, 1), "集中学习", "学习", "江南村", 20]])
    result = importing.preview(StudyActivityResource(township=township), data)
    assert _problems(result) == [f"第2行 A列（日期）：{FUTURE_DATE}"]
    assert not result.can_confirm


# ---------------------------------------------------------------- plausible dates


def test_an_applicant_is_at_least_18_on_the_step_date(api_for, staff, village_a):
    young = PersonFactory(village=village_a, township=village_a.township,
                          id_number=make_id_number("640102", datetime.date(2000, 6, 1), 1, True))
    payload = {"person": young.pk, "stage": "applicant", "date": "2018-05-31"}
    response = api_for(staff).post("/api/stage-changes/", payload, format="json")
    assert response.status_code == 400
    assert "入党申请人须年满18周岁" in response.json()["date"][0] and "2018年06月01日" in response.json()["date"][0]
    assert not StageChange.objects.exists()
    payload["date"] = "2018-06-01"  # the 18th birthday
    assert api_for(staff).post("/api/stage-changes/", payload, format="json").status_code == 201


def test_the_workbook_and_the_roster_refuse_an_applicant_under_18(village_a, secretary_a, township):
    minor = make_id_number("640102", datetime.date(2008, 9, 1), 3, False)
    data = fill(build_template(village=village_a, year=2024, month=3), rows={
        "党员发展": [["小李", None, None, minor, "入党申请人", datetime.date(2024, 3, 6), ""]]})
    submission = services.submission_create(village=village_a, year=2024, month=3, user=secretary_a,
                                            uploaded_file=SimpleUploadedFile("月报.xlsx", data))
    submission = services.submission_preview(submission=submission)
    assert [(e["sheet"], e["column"]) for e in submission.errors] == [("党员发展", "日期")]
    assert "入党申请人须年满18周岁" in submission.errors[0]["message"]
    roster = xlsx_bytes([["姓名", "身份证号", "所属村", "发展阶段", "阶段日期"],
                         ["小李", minor, "江南村", "入党申请人", datetime.date(2024, 3, 6)]])
    result = importing.preview(PersonResource(township=township), roster)
    assert len(result.problems) == 1 and "入党申请人须年满18周岁" in _problems(result)[0]


def test_birth_dates_within_120_years():
    assert "不在合理范围内" in id_number_problem(make_id_number("640102", datetime.date(1890, 1, 1), 1, True))
    assert id_number_problem(make_id_number("640102", datetime.date(1940, 1, 1), 1, True)) is None


# ---------------------------------------------------------------- phone numbers


@pytest.mark.parametrize("phone, valid", [
    ("13812345678", True), ("0951-1234567", True), ("0951-12345678", True), ("010-12345678-801", True),
    ("+8613812345678", True), ("abc", False), ("12345", False), ("23812345678", False), ("0951-12345", False),
])
def test_phone_rule(phone, valid):
    from django.core.exceptions import ValidationError

    if valid:
        validate_phone(phone)
    else:
        with pytest.raises(ValidationError):
            validate_phone(phone)


@pytest.mark.parametrize("slug, payload, field", [
    ("persons", lambda v: {"village": v.pk, "name": "张三", "id_number": make_id_number(
        "640102", datetime.date(1990, 1, 1), 7, True), "phone": "abc"}, "phone"),
    ("talents", lambda v: {"village": v.pk, "name": "马致富", "kind": "industry_leader", "phone": "abc",
                           "since": "2023-01-01"}, "phone"),
    ("enterprises", lambda v: {"name": "合作社", "contact_phone": "abc"}, "contact_phone"),
])
def test_every_phone_field_refuses_abc_through_api_and_form(slug, payload, field, api_for, client_for, staff,
                                                             village_a):
    response = api_for(staff).post(f"/api/{slug}/", payload(village_a), format="json")
    assert response.status_code == 400 and "联系电话格式不正确" in response.json()[field][0]
    response = client_for(staff).post(f"/records/{slug}/new/", payload(village_a))
    assert response.status_code == 400 and "联系电话格式不正确" in response.content.decode()
    assert not (Person.objects.exists() or Talent.objects.exists() or Enterprise.objects.exists())


@pytest.mark.parametrize("resource, header, row", [
    (PersonResource, ["姓名", "身份证号", "所属村", "联系电话"],
     ["张三", make_id_number("640102", datetime.date(1990, 1, 1), 7, True), "江南村", "abc"]),
    (TalentResource, ["姓名", "人才类别", "所属村", "联系电话", "纳入日期"],
     ["马致富", "产业带头人", "江南村", "abc", datetime.date(2023, 1, 1)]),
    (EnterpriseResource, ["企业名称", "联系电话"], ["合作社", "abc"]),
])
def test_the_ledger_import_refuses_abc_as_a_phone(resource, header, row, township, village_a):
    result = importing.preview(resource(township=township), xlsx_bytes([header, row]))
    assert len(result.problems) == 1 and "联系电话格式不正确" in _problems(result)[0]
    assert "第2行" in _problems(result)[0] and "联系电话" in _problems(result)[0]


# ---------------------------------------------------------------- a person belongs to a village


def test_a_person_needs_a_village_through_form_api_and_import(api_for, client_for, staff, township, village_a):
    payload = {"name": "张三", "id_number": make_id_number("640102", datetime.date(1990, 1, 1), 7, True)}
    response = api_for(staff).post("/api/persons/", payload, format="json")
    assert response.status_code == 400 and "village" in response.json()
    response = client_for(staff).post("/records/persons/new/", payload)
    assert response.status_code == 400
    result = importing.preview(PersonResource(township=township), xlsx_bytes([
        ["姓名", "身份证号", "所属村"], ["张三", payload["id_number"], None]]))
    assert _problems(result) == ["第2行 C列（所属村）：不能为空"]
    assert not Person.objects.exists()


# ---------------------------------------------------------------- words, not "---------"


def test_filters_and_forms_read_in_words(client_for, staff, village_a):
    client = client_for(staff)
    for record_type in registry.all_types():
        page = client.get(f"/records/{record_type.slug}/").content.decode()
        filters = page.split('class="filters"', 1)[1].split("</form>", 1)[0]
        assert "---------" not in filters and "未知" not in filters, record_type.slug
        for select in re.findall(r"<select[^>]*>(.*?)</select>", filters, re.S):
            first = re.search(r"<option[^>]*>(.*?)</option>", select).group(1)
            assert first == "全部", (record_type.slug, first)
            if re.search(r">是</option>", select):
                assert re.findall(r"<option[^>]*>(.*?)</option>", select) == ["全部", "是", "否"]
        form = client.get(f"/records/{record_type.slug}/new/").content.decode()
        assert "---------" not in form and "未知" not in form, record_type.slug
    person_form = client.get("/records/persons/new/").content.decode()
    assert re.search(r'<select name="village"[^>]*>\s*<option value="" selected>请选择</option>', person_form)
    problem_form = client.get("/records/problems/new/").content.decode()
    assert re.search(r'<select name="village"[^>]*>\s*<option value="" selected>（不选）</option>', problem_form)
