"""党费 per member and month: the brackets, the fixed amount, expected and paid, arrears; figures and sentence."""
import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from cadres.models import MemberDues, dues_rate, expected_dues
from reports import drafting
from reports.figures import compute_figures
from tests.cadres.factories import PersonFactory, StageChangeFactory, party_member

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.mark.parametrize(("base", "rate", "expected"), [
    ("0", "0.005", "0.00"), ("3000", "0.005", "15.00"), ("3000.01", "0.01", "30.00"), ("5000", "0.01", "50.00"),
    ("5000.01", "0.015", "75.00"), ("10000", "0.015", "150.00"), ("10000.01", "0.02", "200.00"),
    ("2468.30", "0.005", "12.34"),
])
def test_the_brackets(base, rate, expected):
    assert dues_rate(D(base)) == D(rate)
    assert expected_dues("income", D(base)) == D(expected)


def payload(person, **more):
    return {"person": person.pk, "year": 2023, "month": 3, "category": "income", "base": "4500.00",
            "paid": "45.00", "paid_date": "2023-03-25", **more}


def test_expected_follows_the_base_or_the_fixed_amount(api_for, client_for, staff, village_a):
    person = party_member(village_a)
    response = api_for(staff).post("/api/member-dues/", payload(person), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["expected"] == "45.00"
    farmer = party_member(village_a)
    page = client_for(staff).post(reverse("records:member-dues-create"), payload(
        farmer, category="fixed", base="", fixed_amount="0.50", paid="0.50"))
    assert page.status_code == 302, page.content.decode()
    assert MemberDues.objects.get(person=farmer).expected == D("0.50")


def test_the_fixed_amount_is_0_2_to_1_yuan_and_a_base_is_required(api_for, client_for, staff, village_a):
    person = party_member(village_a)
    api = api_for(staff)
    for amount in ("0.10", "1.50"):
        response = api.post("/api/member-dues/", payload(person, category="fixed", base=None, fixed_amount=amount),
                            format="json")
        assert response.status_code == 400
        assert "农民及无固定收入党员每月定额交纳0.20元至1.00元" in response.json()["fixed_amount"][0]
    response = api.post("/api/member-dues/", payload(person, base=None), format="json")
    assert response.status_code == 400 and "按月收入比例交纳须填写月收入基数" in response.json()["base"][0]
    page = client_for(staff).post(reverse("records:member-dues-create"), payload(person, base=""))
    assert page.status_code == 400 and "按月收入比例交纳须填写月收入基数" in page.content.decode()
    assert api.post("/api/member-dues/", payload(person, category="fixed", base=None, fixed_amount="0.20"),
                    format="json").status_code == 201
    assert api.post("/api/member-dues/", payload(person, month=4, category="fixed", base=None,
                                                 fixed_amount="1.00"), format="json").status_code == 201


def test_only_a_party_member_at_the_months_end_and_once_a_month(api_for, staff, village_a):
    applicant = PersonFactory(village=village_a, township=village_a.township)
    StageChangeFactory(person=applicant, stage="applicant", date=datetime.date(2022, 1, 5))
    response = api_for(staff).post("/api/member-dues/", payload(applicant), format="json")
    assert response.status_code == 400 and "该人员在2023年3月末不是党员" in response.json()["person"][0]
    person = party_member(village_a)
    assert api_for(staff).post("/api/member-dues/", payload(person), format="json").status_code == 201
    again = api_for(staff).post("/api/member-dues/", payload(person), format="json")
    assert again.status_code == 400 and "该党员该月的党费已登记" in str(again.json())


def test_the_figures_and_the_report_state_expected_paid_and_arrears(township, village_a, village_b, client_for,
                                                                   staff):
    first, second, farmer = party_member(village_a), party_member(village_b), party_member(village_a)
    for month in (1, 2, 3):
        MemberDues.objects.create(person=first, year=2023, month=month, base=D("4000"), paid=D("40.00"))
        MemberDues.objects.create(person=second, year=2023, month=month, base=D("6000"),
                                  paid=D("90.00") if month < 3 else D("0"))
        MemberDues.objects.create(person=farmer, year=2023, month=month, category="fixed", fixed_amount=D("1"),
                                  paid=D("0.50"))
    MemberDues.objects.create(person=first, year=2022, month=12, base=D("4000"), paid=D("0"))
    figures = compute_figures(township, 2023)
    assert figures["dues.expected"]["value"] == "393.00"  # 3 × (40 + 90 + 1)
    assert figures["dues.paid"]["value"] == "301.50"  # 120 + 180 + 1.5
    assert figures["dues.members_in_arrears"]["value"] == 2  # second (March) and the farmer; not 2022's
    source = client_for(staff).get(figures["dues.members_in_arrears"]["source"])
    assert {row.pk for row in source.context["page"].object_list} == {second.pk, farmer.pk}
    text = "".join(para.text for para in drafting.grassroots(figures))
    assert "严格党费收缴，全年应交党费393.00元，实交301.50元，2名党员存在欠交。" in text  # under 压实党建责任


# ---------------------------------------------------------------- the 党员党费台账: export and import


def test_the_ledger_computes_expected_and_refuses_what_the_form_refuses(township, village_a, staff, client_for):
    from cadres.resources import MemberDuesResource
    from ledgers import importing
    from tests.ledgers.conftest import xlsx_bytes

    payer, farmer = party_member(village_a), party_member(village_a)
    applicant = PersonFactory(village=village_a, township=township)
    StageChangeFactory(person=applicant, stage="applicant", date=datetime.date(2022, 1, 5))
    MemberDues.objects.create(person=payer, year=2023, month=1, base=D("4000"), paid=D("40.00"))
    exported = client_for(staff).get(reverse("ledgers:export", args=["member-dues", "xlsx"])).content
    result = importing.preview(MemberDuesResource(township=township), exported)
    assert not result.problems and (len(result.creates), result.unchanged) == (0, 1)
    header = ["姓名", "身份证号", "年度", "月份", "交纳方式", "月收入基数（元）", "定额（元）", "实交（元）"]
    income, fixed = "按月收入比例交纳", "农民及无固定收入党员定额交纳"
    rows = [[payer.name, payer.id_number, 2023, 2, income, "6000", None, "90"],
            [farmer.name, farmer.id_number, 2023, 2, fixed, None, "1.5", "1.5"],
            [applicant.name, applicant.id_number, 2023, 2, fixed, None, "1", "1"]]
    result = importing.preview(MemberDuesResource(township=township), xlsx_bytes([header, *rows]))
    problems = [str(problem) for problem in result.problems]
    assert len(problems) == 2
    assert "农民及无固定收入党员每月定额交纳0.20元至1.00元" in problems[0]
    assert "该人员在2023年2月末不是党员，无需交纳党费" in problems[1]
    rows[1][6] = rows[1][7] = "1"
    result = importing.preview(MemberDuesResource(township=township), xlsx_bytes([header, *rows[:2]]))
    assert not result.problems, [str(problem) for problem in result.problems]
    importing.confirm(MemberDuesResource(township=township), result, user=staff)
    assert MemberDues.objects.get(person=payer, month=2).expected == D("90.00")
    assert MemberDues.objects.get(person=farmer, month=2).expected == D("1.00")


def test_branch_month_totals_are_derived_from_the_members_and_agree_with_the_figures(township, village_a,
                                                                                      village_b):
    a1, a2, b1 = party_member(village_a), party_member(village_a), party_member(village_b)
    for month in (1, 2):
        MemberDues.objects.create(person=a1, year=2023, month=month, category="income", base=D("4000"),
                                  paid=D("40") if month == 1 else D("0"))
        MemberDues.objects.create(person=a2, year=2023, month=month, category="fixed", fixed_amount=D("0.5"),
                                  paid=D("0.5"))
    MemberDues.objects.create(person=b1, year=2023, month=1, category="income", base=D("12000"), paid=D("240"))
    MemberDues.objects.create(person=b1, year=2022, month=12, category="income", base=D("12000"), paid=D("0"))
    totals = {(row["village_id"], row["month"]): (row["members"], row["members_paid"], row["members_in_arrears"],
                                                  row["expected_total"], row["paid_total"])
              for row in MemberDues.objects.filter(year=2023).village_months()}
    assert totals == {
        (village_a.pk, 1): (2, 2, 0, D("40.50"), D("40.50")),
        (village_a.pk, 2): (2, 1, 1, D("40.50"), D("0.50")),
        (village_b.pk, 1): (1, 1, 0, D("240.00"), D("240.00")),
    }
    figures = compute_figures(township, 2023)
    assert figures["dues.expected"]["value"] == "321.00" and D("321") == sum(t[3] for t in totals.values())
    assert figures["dues.paid"]["value"] == "281.00" and D("281") == sum(t[4] for t in totals.values())
    assert figures["dues.members_in_arrears"]["value"] == 1


def test_a_member_transferred_to_another_township_keeps_their_months_here_in_the_ledger(
        township, village_a, other_village, staff, other_staff, client_for):
    """The dues of the months a member was this township's stay its own: exported with their 身份证号 and imported
    back unchanged, a correction of such a month accepted; a month after they left is the other township's."""
    from cadres.models import Transfer
    from cadres.resources import MemberDuesResource
    from ledgers import importing
    from tests.ledgers.conftest import xlsx_bytes

    mover = party_member(village_a)
    MemberDues.objects.create(person=mover, year=2023, month=3, base=D("4000"), paid=D("40.00"))
    Transfer(person=mover, kind="between", date=datetime.date(2023, 5, 10), to_village=other_village).save()
    exported = client_for(staff).get(reverse("ledgers:export", args=["member-dues", "xlsx"])).content
    result = importing.preview(MemberDuesResource(township=township), exported)
    assert not result.problems and (len(result.creates), result.unchanged) == (0, 1)
    header = ["姓名", "身份证号", "年度", "月份", "交纳方式", "月收入基数（元）", "定额（元）", "实交（元）"]
    rows = [[mover.name, mover.id_number, 2023, 4, "按月收入比例交纳", "4000", None, "40"],
            [mover.name, mover.id_number, 2023, 6, "按月收入比例交纳", "4000", None, "40"]]
    result = importing.preview(MemberDuesResource(township=township), xlsx_bytes([header, *rows]))
    assert [str(problem) for problem in result.problems] == [
        "第3行 B列（身份证号）：该人员在2023年6月末不是党员，无需交纳党费"]
    result = importing.preview(MemberDuesResource(township=township), xlsx_bytes([header, rows[0]]))
    importing.confirm(MemberDuesResource(township=township), result, user=staff)
    assert MemberDues.objects.get(person=mover, month=4).village == village_a
    # The other township records June, in its own village.
    result = importing.preview(MemberDuesResource(township=other_village.township), xlsx_bytes([header, rows[1]]))
    importing.confirm(MemberDuesResource(township=other_village.township), result, user=other_staff)
    assert MemberDues.objects.get(person=mover, month=6).village == other_village
