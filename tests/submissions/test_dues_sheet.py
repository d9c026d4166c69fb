"""The monthly workbook's 党费收缴 sheet: prefilled members, 应交 by bracket, refusals by row and column, confirm
into MemberDues, and the branch-month totals and figures derived from them."""
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest

from cadres.models import MemberDues
from submissions import services
from submissions.models import SubmissionStatus
from tests.cadres.factories import PersonFactory, StageChangeFactory
from township.access import MonthLocked
from township.masking import mask_id_number
from villages.models import Source

from .conftest import MONTH, YEAR, measure_queries, upload_file

pytestmark = pytest.mark.django_db

SHEET = "党费收缴"
INCOME = "按月收入比例交纳"
FIXED = "农民及无固定收入党员定额交纳"
NO_OTHER_SHEETS = {"集体经济收入": [], "党员发展": [], "组织生活": [], "学习活动": []}


def member(village, name, joined=datetime.date(2015, 7, 1)):
    person = PersonFactory(village=village, township=village.township, name=name)
    StageChangeFactory(person=person, stage="member", date=joined)
    return person


@pytest.fixture
def members(village_a):
    return [member(village_a, "王芳"), member(village_a, "赵强"), member(village_a, "孙丽")]


def dues_rows(*rows):
    """{sheet: rows} with only the 党费收缴 sheet filled: (person, category, base, fixed, paid, paid_date)."""
    return {**NO_OTHER_SHEETS, SHEET: [
        [person.name, mask_id_number(person.id_number), category, base, fixed, paid, paid_date]
        for person, category, base, fixed, paid, paid_date in rows]}


def preview(village, user, data):
    submission = services.submission_create(village=village, year=YEAR, month=MONTH, user=user,
                                            uploaded_file=upload_file(data))
    return services.submission_preview(submission=submission)


def dues_changes(submission):
    return {entry["after"]["姓名"]: entry for entry in submission.changes if entry["sheet"] == SHEET}


def test_the_template_lists_the_villages_members_at_month_end_masked(village_a, village_b, members):
    from submissions.workbook import build_template

    PersonFactory(village=village_a, township=village_a.township, name="申请人")  # no step: not a member
    member(village_a, "新党员", joined=datetime.date(YEAR, MONTH + 1, 1))  # joins after the month
    member(village_b, "外村党员")
    book = openpyxl.load_workbook(io.BytesIO(build_template(village=village_a, year=YEAR, month=MONTH)))
    sheet = book[SHEET]
    assert [c.value for c in sheet[1]] == ["姓名", "身份证号", "交纳方式", "月收入基数（元）", "定额（元）",
                                           "实交（元）", "交纳日期"]
    listed = [(sheet.cell(r, 1).value, sheet.cell(r, 2).value) for r in range(2, 6) if sheet.cell(r, 1).value]
    assert listed == sorted((p.name, mask_id_number(p.id_number)) for p in members)
    assert all(p.id_number not in str(value) for p in members for _name, value in listed)
    assert FIXED in sheet.data_validations.dataValidation[0].formula1


def test_an_untouched_template_reports_no_dues(village_a, secretary_a, members, workbook_for):
    submission = preview(village_a, secretary_a, workbook_for(village_a, rows=NO_OTHER_SHEETS))
    assert submission.errors == [] and submission.status == SubmissionStatus.PREVIEW
    assert submission.change_summary[SHEET] == {"added": 0, "replaced": 0, "removed": 0, "unchanged": 0}


def test_preview_shows_the_expected_dues_by_bracket(village_a, secretary_a, members, workbook_for, client_for):
    wang, zhao, sun = members
    data = workbook_for(village_a, rows=dues_rows(
        (wang, INCOME, 4000, None, 40, datetime.date(2024, 3, 20)),
        (zhao, FIXED, None, 0.5, 0.5, None),
        (sun, INCOME, "12,000", None, None, None),
    ))
    submission = preview(village_a, secretary_a, data)
    assert submission.errors == []
    changes = dues_changes(submission)
    assert {name: (entry["action"], entry["after"]["应交（元）"], entry["after"]["实交（元）"])
            for name, entry in changes.items()} == {
        "王芳": ("add", "40.00", "40.00"), "赵强": ("add", "0.50", "0.50"), "孙丽": ("add", "240.00", "0.00")}
    assert changes["王芳"]["after"]["交纳方式"] == INCOME and changes["王芳"]["row"] in (2, 3, 4)
    assert not MemberDues.objects.exists()  # a preview writes nothing
    page = client_for(secretary_a).get(f"/submissions/{submission.pk}/").content.decode()
    assert SHEET in page and "应交（元）" in page and "240.00" in page and wang.id_number not in page


def test_a_fixed_amount_outside_the_range_is_refused_with_row_and_column(village_a, secretary_a, members,
                                                                         workbook_for):
    wang, zhao, _sun = members
    data = workbook_for(village_a, rows=dues_rows(
        (wang, INCOME, 4000, None, 40, None),
        (zhao, FIXED, None, 1.5, 1.5, None),
        (wang, INCOME, 3000, 1, 30, None),
    ))
    submission = preview(village_a, secretary_a, data)
    assert submission.status == SubmissionStatus.INVALID
    assert {(e["sheet"], e["row"], e["column"], e["message"]) for e in submission.errors} == {
        (SHEET, 3, "定额（元）", "农民及无固定收入党员每月定额交纳0.20元至1.00元"),
        (SHEET, 4, "定额（元）", "按月收入比例交纳时不填写定额"),
    }
    assert not MemberDues.objects.exists()


def test_a_person_who_is_no_member_of_the_village_is_refused(village_a, village_b, secretary_a, members,
                                                             workbook_for):
    outsider = member(village_b, "外村党员")
    applicant = PersonFactory(village=village_a, township=village_a.township, name="申请人")
    data = workbook_for(village_a, rows=dues_rows(
        (outsider, FIXED, None, 1, 1, None),
        (applicant, FIXED, None, 1, 1, None),
        (members[0], FIXED, None, 1, 1, None),
        (members[0], FIXED, None, 0.5, 0.5, None),
    ))
    [outsider_row, applicant_row, twice] = preview(village_a, secretary_a, data).errors
    assert (outsider_row["row"], outsider_row["column"]) == (2, "姓名")
    assert outsider_row["message"].startswith("本村没有姓名为“外村党员”")
    assert (applicant_row["row"], applicant_row["column"], applicant_row["message"]) == (
        3, "姓名", f"该人员在{YEAR}年{MONTH}月末不是党员，无需交纳党费")
    assert (twice["row"], twice["message"]) == (5, "同一党员本月只能填一行（第4行已填写）")
    # The whole number of someone of another village is refused without saying whose it is.
    data = workbook_for(village_a, rows={**NO_OTHER_SHEETS, SHEET: [
        [outsider.name, outsider.id_number, FIXED, None, 1, 1, None]]})
    [refused] = preview(village_a, secretary_a, data).errors
    assert (refused["column"], refused["message"]) == (
        "身份证号", "该身份证号不是本村登记的人员，请联系镇党委工作人员核实")
    assert not MemberDues.objects.exists()


def test_confirm_writes_member_dues_and_the_derived_totals_and_figures_show_them(
        village_a, secretary_a, staff, members, workbook_for, api_for, client_for):
    wang, zhao, sun = members
    data = workbook_for(village_a, rows=dues_rows(
        (wang, INCOME, 4000, None, 40, datetime.date(2024, 3, 20)),
        (zhao, FIXED, None, 0.5, 0.5, None),
        (sun, INCOME, 12000, None, 100, None),
    ))
    submission = preview(village_a, secretary_a, data)
    services.submission_confirm(submission=submission, user=secretary_a)
    stored = {d.person.name: d for d in MemberDues.objects.select_related("person")}
    assert {name: (d.year, d.month, d.expected, d.paid, d.source) for name, d in stored.items()} == {
        "王芳": (YEAR, MONTH, Decimal("40.00"), Decimal("40.00"), Source.WORKBOOK),
        "赵强": (YEAR, MONTH, Decimal("0.50"), Decimal("0.50"), Source.WORKBOOK),
        "孙丽": (YEAR, MONTH, Decimal("240.00"), Decimal("100.00"), Source.WORKBOOK),
    }
    assert stored["王芳"].paid_date == datetime.date(2024, 3, 20)
    history = stored["王芳"].history.first()
    assert history.history_user == secretary_a and "月度报表" in history.history_change_reason

    [total] = MemberDues.objects.village_months()
    assert total == {"village_id": village_a.pk, "year": YEAR, "month": MONTH,
                     "members": 3, "members_paid": 2, "members_in_arrears": 1,
                     "expected_total": Decimal("280.50"), "paid_total": Decimal("140.50")}
    body = api_for(staff).get(f"/api/members/dues/?year={YEAR}").json()
    assert body["results"] == [{"village": village_a.pk, "village_name": "江南村", "year": YEAR, "month": MONTH,
                                "members": 3, "members_paid": 2, "members_in_arrears": 1,
                                "expected": "280.50", "paid": "140.50"}]
    page = client_for(staff).get(f"/members/dues/?year={YEAR}").content.decode()
    assert "280.50" in page and "140.50" in page and "江南村" in page
    figures = api_for(staff).get(f"/api/reports/{YEAR}/figures/").json()["figures"]
    assert (figures["dues.expected"]["value"], figures["dues.paid"]["value"],
            figures["dues.members_in_arrears"]["value"]) == ("280.50", "140.50", 1)


def test_the_same_file_again_changes_nothing(village_a, secretary_a, members, workbook_for):
    wang, zhao, _sun = members
    data = workbook_for(village_a, rows=dues_rows((wang, INCOME, 4000, None, 40, None),
                                                  (zhao, FIXED, None, 1, 1, None)))
    services.submission_confirm(submission=preview(village_a, secretary_a, data), user=secretary_a)
    history = MemberDues.history.count()
    again = preview(village_a, secretary_a, data)
    assert again.change_summary[SHEET] == {"added": 0, "replaced": 0, "removed": 0, "unchanged": 2}
    services.submission_confirm(submission=again, user=secretary_a)
    assert MemberDues.history.count() == history and MemberDues.objects.count() == 2
    # Leaving a member out of a later upload removes that month's dues the workbook wrote, and only those.
    form_row = MemberDues.objects.create(person=members[2], year=YEAR, month=MONTH, category="fixed",
                                         fixed_amount=Decimal("0.20"), paid=Decimal("0.20"))
    third = preview(village_a, secretary_a, workbook_for(village_a, rows=dues_rows(
        (wang, INCOME, 5000, None, 50, None))))
    assert third.change_summary[SHEET] == {"added": 0, "replaced": 1, "removed": 1, "unchanged": 0}
    services.submission_confirm(submission=third, user=secretary_a)
    assert sorted(MemberDues.objects.values_list("person__name", "expected")) == [
        ("孙丽", Decimal("0.20")), ("王芳", Decimal("50.00"))]
    assert MemberDues.objects.get(pk=form_row.pk).source == Source.FORM


def test_an_approved_month_takes_no_dues(village_a, secretary_a, staff, members, workbook_for):
    data = workbook_for(village_a, rows=dues_rows((members[0], INCOME, 4000, None, 40, None)))
    submission = services.submission_confirm(submission=preview(village_a, secretary_a, data), user=secretary_a)
    services.submission_approve(submission=submission, user=staff)
    with pytest.raises(MonthLocked):
        services.submission_create(village=village_a, year=YEAR, month=MONTH, user=secretary_a,
                                   uploaded_file=upload_file(data))


def test_the_month_form_and_the_json_rows_take_the_dues_section(village_a, secretary_a, members, api_for):
    wang = members[0]
    response = api_for(secretary_a).post("/api/submissions/", {
        "village": village_a.pk, "year": YEAR, "month": MONTH, "rows": {SHEET: [
            {"姓名": wang.name, "身份证号": mask_id_number(wang.id_number), "交纳方式": INCOME,
             "月收入基数（元）": "2000", "实交（元）": "10"}]}}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["errors"] == [] and body["status"] == "preview"
    [change] = [c for c in body["changes"] if c["sheet"] == SHEET]
    assert change["after"]["应交（元）"] == "10.00"  # 2,000 元: 0.5 %


def _measure(village, user, workbook_for, people):
    rows = dues_rows(*[(person, INCOME, 3000 + i, None, 10, None) for i, person in enumerate(people)])
    return measure_queries(village, user, workbook_for(village, rows=rows))


def test_preview_and_confirm_do_not_query_per_row(village_a, village_b, secretary_a, secretary_b, workbook_for):
    small = _measure(village_a, secretary_a, workbook_for, [member(village_a, f"甲{i}") for i in range(5)])
    large = _measure(village_b, secretary_b, workbook_for, [member(village_b, f"乙{i}") for i in range(120)])
    assert MemberDues.objects.filter(person__village=village_b).count() == 120
    assert large[0] == small[0]
    assert large[1] - small[1] <= 4  # bulk inserts split into batches, never a query per row


def test_the_month_form_opens_with_the_members_for_their_dues(village_a, secretary_a, members, client_for):
    from django.urls import reverse

    page = client_for(secretary_a).get(reverse("submissions:month-form", args=[village_a.pk, YEAR, MONTH]))
    body = page.content.decode()
    assert page.status_code == 200 and SHEET in body
    for person in members:
        assert person.name in body and mask_id_number(person.id_number) in body and person.id_number not in body


def test_the_dues_totals_page_and_api_are_scoped(village_a, village_b, secretary_b, leader, members, api_for,
                                                 client_for):
    from tests.cadres.factories import MemberDuesFactory

    MemberDuesFactory(person=members[0], year=YEAR, month=MONTH)
    assert client_for(None).get(f"/members/dues/?year={YEAR}").status_code == 302
    assert api_for(None).get(f"/api/members/dues/?year={YEAR}").status_code in (401, 403)
    assert api_for(secretary_b).get(f"/api/members/dues/?year={YEAR}").json()["results"] == []
    assert "江南村" not in client_for(secretary_b).get(f"/members/dues/?year={YEAR}").content.decode()
    [row] = api_for(leader).get(f"/api/members/dues/?year={YEAR}").json()["results"]
    assert (row["village_name"], row["members"], row["expected"]) == ("江南村", 1, "40.00")
    assert api_for(leader).get("/api/members/dues/?year=abc").status_code == 400
