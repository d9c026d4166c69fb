"""民主评议党员: one appraisal per member and year, by the member's branch; its figures, source pages and sentence."""
import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from cadres.models import Appraisal, AppraisalGrade
from reports import drafting
from reports.figures import compute_figures
from tests.cadres.factories import PersonFactory, StageChangeFactory
from villages.models import Township

pytestmark = pytest.mark.django_db


def member(village, joined=datetime.date(2015, 7, 1)):  # noqa: D103
    person = PersonFactory(village=village, township=village.township)
    StageChangeFactory(person=person, stage="member", date=joined)
    return person


def payload(person, branch, **more):
    return {"person": person.pk, "year": 2023, "grade": "excellent", "date": "2023-12-20", "branch": branch.pk,
            **more}


def test_one_appraisal_per_member_and_year_through_the_api_and_the_form(api_for, client_for, staff, village_a):
    person, branch = member(village_a), village_a.branches.first()
    api = api_for(staff)
    assert api.post("/api/appraisals/", payload(person, branch), format="json").status_code == 201
    again = api.post("/api/appraisals/", payload(person, branch, grade="qualified"), format="json")
    assert again.status_code == 400
    assert "该党员本年度已有民主评议记录，每名党员每年只评议一次" in str(again.json())
    page = client_for(staff).post(reverse("records:appraisals-create"), payload(person, branch, grade="qualified"))
    assert page.status_code == 400 and "每名党员每年只评议一次" in page.content.decode()
    assert list(Appraisal.objects.values_list("grade", flat=True)) == ["excellent"]
    next_year = api.post("/api/appraisals/", payload(person, branch, year=2024, date="2024-12-20"), format="json")
    assert next_year.status_code == 201


def test_only_a_party_member_of_the_branchs_village_on_the_day(api_for, client_for, staff, village_a, village_b):
    branch = village_a.branches.first()
    applicant = PersonFactory(village=village_a, township=village_a.township)
    StageChangeFactory(person=applicant, stage="applicant", date=datetime.date(2022, 3, 1))
    response = api_for(staff).post("/api/appraisals/", payload(applicant, branch), format="json")
    assert response.status_code == 400
    assert "该人员在2023年12月20日不是党员（预备党员或正式党员），不参加民主评议" in response.json()["person"][0]
    late = member(village_a, joined=datetime.date(2023, 12, 21))
    assert api_for(staff).post("/api/appraisals/", payload(late, branch), format="json").status_code == 400
    probationary = PersonFactory(village=village_a, township=village_a.township)
    StageChangeFactory(person=probationary, stage="probationary", date=datetime.date(2023, 12, 20))
    assert api_for(staff).post("/api/appraisals/", payload(probationary, branch), format="json").status_code == 201
    other = member(village_b)
    page = client_for(staff).post(reverse("records:appraisals-create"), payload(other, branch))
    assert page.status_code == 400 and "党支部应为该党员所在村的党支部" in page.content.decode()
    wrong_year = api_for(staff).post("/api/appraisals/", payload(member(village_a), branch, date="2025-01-10"),
                                     format="json")
    assert wrong_year.status_code == 400 and "评议日期应在2023年内或次年" in wrong_year.json()["date"][0]


def test_a_secretary_records_their_own_villages_appraisals_only(api_for, secretary_a, village_a, village_b):
    mine, theirs = member(village_a), member(village_b)
    api = api_for(secretary_a)
    assert api.post("/api/appraisals/", payload(mine, village_a.branches.first()), format="json").status_code == 201
    refused = api.post("/api/appraisals/", payload(theirs, village_b.branches.first()), format="json")
    assert refused.status_code == 400
    assert not Appraisal.objects.filter(person=theirs).exists()


def test_the_figures_count_each_grade_and_the_report_states_them(township, village_a, village_b, client_for, staff):
    grades = ["excellent", "excellent", "qualified", "qualified", "qualified", "basically_qualified"]
    for i, grade in enumerate(grades):
        village = village_a if i % 2 else village_b
        Appraisal.objects.create(person=member(village), year=2023, grade=grade, date=datetime.date(2023, 12, 20),
                                 branch=village.branches.first())
    Appraisal.objects.create(person=member(village_a), year=2022, grade="unqualified",
                             date=datetime.date(2022, 12, 20), branch=village_a.branches.first())
    figures = compute_figures(township, 2023)
    values = {key: figures[key]["value"] for key in ("evaluation.appraised", "evaluation.excellent",
                                                     "evaluation.qualified", "evaluation.basically_qualified",
                                                     "evaluation.unqualified")}
    assert values == {"evaluation.appraised": 6, "evaluation.excellent": 2, "evaluation.qualified": 3,
                      "evaluation.basically_qualified": 1, "evaluation.unqualified": 0}
    source = client_for(staff).get(figures["evaluation.qualified"]["source"])
    assert source.context["page"].paginator.count == 3
    text = "".join(para.text for para in drafting.grassroots(figures))
    assert "组织6名党员参加民主评议，评定优秀2名、合格3名、基本合格1名" in text
    assert "不合格" not in text


def test_the_demo_appraises_every_member_of_2023_in_plausible_proportions(db):
    call_command("load_demo", stdout=io.StringIO())
    township = Township.objects.get(name="示范镇")
    figures = compute_figures(township, 2023)
    appraised = figures["evaluation.appraised"]["value"]
    assert appraised == figures["members.probationary"]["value"] + figures["members.full"]["value"]
    share = {grade: figures[f"evaluation.{grade}"]["value"] / appraised for grade in AppraisalGrade.values}
    assert 0.1 < share["excellent"] < 0.2 and share["qualified"] > 0.75
    assert 0 < share["basically_qualified"] < 0.05 and 0 < share["unqualified"] < 0.01
    assert Appraisal.objects.values("branch__village").distinct().count() == 12


# ---------------------------------------------------------------- the 民主评议党员台账: export and import


def test_the_ledger_exports_and_imports_under_the_same_rules(township, village_a, village_b, staff, client_for):
    from cadres.resources import AppraisalResource
    from ledgers import importing
    from tests.ledgers.conftest import xlsx_bytes

    kept, new, other = member(village_a), member(village_a), member(village_b)
    applicant = PersonFactory(village=village_a, township=township)
    StageChangeFactory(person=applicant, stage="applicant", date=datetime.date(2022, 3, 1))
    Appraisal.objects.create(person=kept, year=2023, grade="excellent", date=datetime.date(2023, 12, 20),
                             branch=village_a.branches.first())
    exported = client_for(staff).get(reverse("ledgers:export", args=["appraisals", "xlsx"])).content
    result = importing.preview(AppraisalResource(township=township), exported)
    assert not result.problems and (len(result.creates), result.unchanged) == (0, 1)
    header = ["姓名", "身份证号", "评议年度", "评定等次", "评议日期", "党支部"]
    day = datetime.date(2023, 12, 20)
    rows = [[new.name, new.id_number, 2023, "合格", day, "江南村党支部"],
            [other.name, other.id_number, 2023, "合格", day, "江南村党支部"],
            [applicant.name, applicant.id_number, 2023, "优秀", day, "江南村党支部"]]
    result = importing.preview(AppraisalResource(township=township), xlsx_bytes([header, *rows]))
    problems = [str(problem) for problem in result.problems]
    assert len(problems) == 2
    assert "党支部应为该党员所在村的党支部" in problems[0]
    assert "该人员在2023年12月20日不是党员（预备党员或正式党员），不参加民主评议" in problems[1]
    result = importing.preview(AppraisalResource(township=township), xlsx_bytes([header, rows[0]]))
    assert not result.problems
    importing.confirm(AppraisalResource(township=township), result, user=staff)
    assert Appraisal.objects.get(person=new).grade == "qualified"
