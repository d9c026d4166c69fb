"""The development rules of 《中国共产党发展党员工作细则》 (cadres.models.development_problem), through the API, the
form, the monthly workbook and the 党员花名册 import: each refused case with its message, and the first allowed date."""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cadres.id_numbers import make_id_number
from cadres.models import Person, StageChange, development_problem
from cadres.resources import PersonResource
from ledgers import importing
from submissions import services
from submissions.workbook import build_template
from tests.cadres.factories import PersonFactory, StageChangeFactory
from tests.ledgers.conftest import xlsx_bytes
from tests.submissions.conftest import fill

pytestmark = pytest.mark.django_db

D = datetime.date
BORN = D(1990, 5, 1)


@pytest.fixture
def person(village_a):
    return PersonFactory(village=village_a, township=village_a.township,
                         id_number=make_id_number("640102", BORN, 7, True), name="王发展")


def steps(person, *pairs, **extra):
    for stage, day in pairs:
        StageChangeFactory(person=person, stage=stage, date=day, **(extra if stage == "extended" else {}))


def post_api(api_for, staff, person, stage, day, **more):
    return api_for(staff).post("/api/stage-changes/", {"person": person.pk, "stage": stage,
                                                        "date": day.isoformat(), **more}, format="json")


def post_form(client_for, staff, person, stage, day, **more):
    return client_for(staff).post(reverse("records:stage-changes-create"),
                                  {"person": person.pk, "stage": stage, "date": day.isoformat(), **more})


def refused_then_first_allowed(api_for, client_for, staff, person, stage, refused, allowed, message, field="date",
                               **more):
    """The API and the form refuse `stage` on `refused` with `message` (nothing written) and take it on `allowed`."""
    before = StageChange.objects.count()
    response = post_api(api_for, staff, person, stage, refused, **more)
    assert response.status_code == 400, response.content
    assert message in response.json()[field][0]
    page = post_form(client_for, staff, person, stage, refused, **more)
    assert page.status_code == 400 and message in page.content.decode()
    assert StageChange.objects.count() == before
    response = post_api(api_for, staff, person, stage, allowed, **more)
    assert response.status_code == 201, response.content
    return response


# ---------------------------------------------------------------- the rule function itself


def test_the_first_recorded_step_may_be_any_stage():
    for stage in ("applicant", "activist", "candidate", "probationary", "member"):
        assert development_problem({stage: D(2015, 1, 1)}, birth_date=BORN) is None


def test_a_later_step_needs_the_one_before_it():
    field, message = development_problem({"applicant": D(2020, 1, 1), "candidate": D(2022, 1, 1)}, birth_date=BORN)
    assert field == "stage" and "登记“发展对象”前须先登记“入党积极分子”" in message


# ---------------------------------------------------------------- through the API and the form


def test_order_a_step_may_not_skip_a_stage(api_for, client_for, staff, person):
    steps(person, ("applicant", D(2020, 3, 1)))
    response = post_api(api_for, staff, person, "probationary", D(2023, 3, 1))
    assert response.status_code == 400
    assert "登记“预备党员”前须先登记“发展对象”" in response.json()["stage"][0]
    page = post_form(client_for, staff, person, "probationary", D(2023, 3, 1))
    assert "登记“预备党员”前须先登记“发展对象”" in page.content.decode()
    assert post_api(api_for, staff, person, "activist", D(2020, 3, 1)).status_code == 201  # the same day is allowed


def test_the_issue_case_a_member_step_before_the_application_is_refused(api_for, client_for, staff, person):
    steps(person, ("applicant", D(2024, 1, 10)), ("activist", D(2024, 2, 1)), ("candidate", D(2025, 2, 1)))
    # a 正式党员 step dated 2019: before the steps it needs and before the application
    response = post_api(api_for, staff, person, "member", D(2019, 6, 1))
    assert response.status_code == 400 and "须先登记“预备党员”" in response.json()["stage"][0]
    person.refresh_from_db()
    assert person.stage == "candidate"


def test_each_step_is_on_or_after_the_one_before(api_for, client_for, staff, person):
    steps(person, ("applicant", D(2021, 3, 1)), ("activist", D(2021, 9, 1)), ("candidate", D(2022, 9, 1)))
    refused_then_first_allowed(api_for, client_for, staff, person, "probationary", D(2022, 8, 31), D(2022, 9, 1),
                               "“预备党员”的日期不能早于“发展对象”的日期（2022年09月01日）")


def test_an_earlier_step_entered_late_is_checked_against_the_later_one(api_for, client_for, staff, person):
    steps(person, ("activist", D(2022, 3, 1)))
    refused_then_first_allowed(api_for, client_for, staff, person, "applicant", D(2022, 3, 2), D(2022, 3, 1),
                               "“入党积极分子”的日期不能早于“入党申请人”的日期（2022年03月02日）")


def test_an_applicant_is_18_on_the_application_date(api_for, client_for, staff, village_a):
    young = PersonFactory(village=village_a, township=village_a.township,
                          id_number=make_id_number("640102", D(2004, 7, 15), 3, False))
    refused_then_first_allowed(api_for, client_for, staff, young, "applicant", D(2022, 7, 14), D(2022, 7, 15),
                               "入党申请人须年满18周岁：该人员2022年07月15日才满18周岁")


def test_a_year_as_activist_before_becoming_candidate(api_for, client_for, staff, person):
    steps(person, ("applicant", D(2021, 1, 5)), ("activist", D(2021, 4, 20)))
    refused_then_first_allowed(api_for, client_for, staff, person, "candidate", D(2022, 4, 19), D(2022, 4, 20),
                               "该人员最早于2022年04月20日可确定为发展对象")


def test_conversion_not_before_the_year_of_probation_ends(api_for, client_for, staff, person):
    steps(person, ("probationary", D(2022, 6, 28)))
    refused_then_first_allowed(api_for, client_for, staff, person, "member", D(2023, 6, 27), D(2023, 6, 28),
                               "预备期满才能讨论转为正式党员：该人员的预备期至2023年06月28日届满")
    person.refresh_from_db()
    assert person.stage == "member"


def test_an_extension_is_decided_when_the_year_ends_and_lasts_6_to_12_months(api_for, client_for, staff, person):
    steps(person, ("probationary", D(2022, 6, 28)))
    refused_then_first_allowed(api_for, client_for, staff, person, "extended", D(2023, 6, 27), D(2023, 6, 28),
                               "预备期满才能讨论延长预备期", extension_months=6)
    person.refresh_from_db()
    assert person.stage == "probationary"  # an extended probationer is still a 预备党员
    other = PersonFactory(village=person.village, township=person.township)
    steps(other, ("probationary", D(2022, 6, 28)))
    for months in (None, 13, 5):
        response = post_api(api_for, staff, other, "extended", D(2023, 6, 28), extension_months=months)
        assert response.status_code == 400
        assert "延长预备期须填写延长期限：不少于6个月，最长不超过12个月" in response.json()["extension_months"][0]
    response = post_api(api_for, staff, other, "applicant", D(2015, 1, 1), extension_months=6)
    assert response.status_code == 400 and "只有“延长预备期”记录填写延长期限" in response.json()["extension_months"][0]


def test_conversion_after_an_extension_waits_for_its_end(api_for, client_for, staff, person):
    steps(person, ("probationary", D(2022, 6, 28)), ("extended", D(2023, 6, 28)), extension_months=6)
    refused_then_first_allowed(api_for, client_for, staff, person, "member", D(2023, 12, 27), D(2023, 12, 28),
                               "该人员的预备期至2023年12月28日届满")


def test_disqualification_follows_probation_and_excludes_conversion(api_for, client_for, staff, person):
    steps(person, ("candidate", D(2021, 3, 1)), ("probationary", D(2022, 6, 28)))
    refused_then_first_allowed(api_for, client_for, staff, person, "disqualified", D(2022, 6, 27), D(2022, 6, 28),
                               "“取消预备党员资格”的日期不能早于“预备党员”的日期（2022年06月28日）")
    person.refresh_from_db()
    assert person.stage == "disqualified" and not Person.objects.party_members().filter(pk=person.pk).exists()
    response = post_api(api_for, staff, person, "member", D(2023, 7, 1))
    assert response.status_code == 400
    assert "同一人员不能既转为正式党员又被取消预备党员资格" in response.json()["stage"][0]


def test_an_edit_is_checked_as_well(api_for, staff, person):
    steps(person, ("applicant", D(2021, 1, 5)), ("activist", D(2021, 4, 20)))
    candidate = StageChangeFactory(person=person, stage="candidate", date=D(2022, 5, 1))
    response = api_for(staff).patch(f"/api/stage-changes/{candidate.pk}/", {"date": "2022-04-01"}, format="json")
    assert response.status_code == 400 and "最早于2022年04月20日" in response.json()["date"][0]
    candidate.refresh_from_db()
    assert candidate.date == D(2022, 5, 1)


# ---------------------------------------------------------------- the monthly workbook and the roster import


def _preview(village, secretary, year, month, rows):
    data = fill(build_template(village=village, year=year, month=month), rows={"党员发展": rows})
    submission = services.submission_create(village=village, year=year, month=month, user=secretary,
                                            uploaded_file=SimpleUploadedFile("月报.xlsx", data))
    return services.submission_preview(submission=submission)


def test_the_workbook_refuses_a_candidate_within_the_year_and_takes_the_first_allowed_date(
        village_a, secretary_a, person):
    steps(person, ("applicant", D(2023, 1, 5)), ("activist", D(2023, 6, 10)))
    row = ["王发展", None, None, person.id_number, "发展对象", D(2024, 6, 9), ""]
    submission = _preview(village_a, secretary_a, 2024, 6, [row])
    assert [(e["sheet"], e["column"]) for e in submission.errors] == [("党员发展", "日期")]
    assert "该人员最早于2024年06月10日可确定为发展对象" in submission.errors[0]["message"]
    row[5] = D(2024, 6, 10)
    submission = _preview(village_a, secretary_a, 2024, 6, [row])
    assert submission.errors == []
    services.submission_confirm(submission=submission, user=secretary_a)
    person.refresh_from_db()
    assert person.stage == "candidate"


def test_the_workbook_checks_a_new_persons_rows_together(village_a, secretary_a):
    new = make_id_number("640102", D(1995, 2, 2), 5, False)
    rows = [["赵新", None, None, new, "入党申请人", D(2024, 3, 2), ""],
            ["赵新", None, None, new, "入党积极分子", D(2024, 3, 1), ""]]
    submission = _preview(village_a, secretary_a, 2024, 3, rows)
    assert [(e["row"], e["column"]) for e in submission.errors] == [(3, "日期")]
    assert "“入党积极分子”的日期不能早于“入党申请人”的日期（2024年03月02日）" in submission.errors[0]["message"]


def test_the_workbook_refuses_a_conversion_before_the_probation_ends(village_a, secretary_a, person):
    steps(person, ("probationary", D(2023, 3, 20)))
    row = ["王发展", None, None, person.id_number, "正式党员", D(2024, 3, 19), ""]
    submission = _preview(village_a, secretary_a, 2024, 3, [row])
    assert "预备期至2024年03月20日届满" in submission.errors[0]["message"]
    row[5] = D(2024, 3, 20)
    assert _preview(village_a, secretary_a, 2024, 3, [row]).errors == []


def test_the_roster_import_refuses_a_conversion_before_the_probation_ends(township, person):
    steps(person, ("probationary", D(2023, 3, 20)))
    header = ["姓名", "身份证号", "所属村", "发展阶段", "阶段日期"]
    early = xlsx_bytes([header, ["王发展", person.id_number, "江南村", "正式党员", D(2024, 3, 19)]])
    result = importing.preview(PersonResource(township=township), early)
    assert len(result.problems) == 1 and "预备期至2024年03月20日届满" in str(result.problems[0])
    allowed = xlsx_bytes([header, ["王发展", person.id_number, "江南村", "正式党员", D(2024, 3, 20)]])
    result = importing.preview(PersonResource(township=township), allowed)
    assert not result.problems


def test_a_middle_step_is_not_deleted_the_first_and_the_last_are(api_for, client_for, staff, person):
    steps(person, ("applicant", datetime.date(2021, 3, 1)), ("activist", datetime.date(2021, 9, 1)),
          ("candidate", datetime.date(2022, 10, 1)))
    by_stage = {change.stage: change for change in StageChange.objects.filter(person=person)}
    middle = by_stage["activist"]
    response = api_for(staff).delete(f"/api/stage-changes/{middle.pk}/")
    assert response.status_code == 400
    assert "不能删除该“入党积极分子”记录：删除后登记“发展对象”前须先登记“入党积极分子”" in str(response.json())
    page = client_for(staff).post(reverse("records:stage-changes-delete", args=[middle.pk]), follow=True)
    assert "不能删除该“入党积极分子”记录" in page.content.decode()
    assert StageChange.objects.filter(pk=middle.pk).exists()
    # the last step may go (the stage falls back), and then the first
    assert api_for(staff).delete(f"/api/stage-changes/{by_stage['candidate'].pk}/").status_code == 204
    person.refresh_from_db()
    assert person.stage == "activist"
    assert api_for(staff).delete(f"/api/stage-changes/{by_stage['applicant'].pk}/").status_code == 204
