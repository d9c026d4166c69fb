"""Every figure key against numbers computed by hand, from records made by factories and through the API."""
import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.figures import compute_figures
from tests.cadres.factories import PersonFactory, ReserveCadreFactory, StageChangeFactory, TalentFactory
from tests.economy.factories import IncomeRecordFactory, TownshipEconomyTargetFactory
from tests.records.factories import BulletinFactory, ProblemFactory, TownshipTargetFactory
from tests.study.factories import StudyActivityFactory
from tests.villages.factories import StarRatingFactory, VillageMonthFactory

pytestmark = pytest.mark.django_db

CONTRACT_KEYS = [
    "villages.count", "stars.by_level", "stars.share_3plus", "stars.share_4plus", "stars.share_5",
    "study.central_group_sessions", "study.central_group_seminars", "study.concentrated_sessions",
    "study.topic_seminars", "study.essays", "study.warning_education_visitors", "study.delivered_study",
    "township.problems_found", "township.problems_rectified", "township.bulletins", "members.activists",
    "members.new_probationary", "members.converted", "reserve.cadres", "reserve.seedling_files",
    "talent.industry_leaders", "talent.industry_leader_trainees", "economy.income_total", "economy.income_max",
    "economy.income_min", "economy.villages_over_1m", "economy.villages_over_2m", "economy.income_by_category",
    "submissions.reporting_rate",
]


def build(township, village_a, village_b, other_village, api):
    """The records of 2023 (and some of 2022 and of another township that must not count)."""
    a_branch, b_branch = village_a.branches.get(), village_b.branches.get()
    StarRatingFactory(branch=a_branch, year=2023, stars=4, target_stars=5)
    StarRatingFactory(branch=b_branch, year=2023, stars=3)
    StarRatingFactory(branch=a_branch, year=2022, stars=2)

    def study(kind, village=village_a, **kw):
        kw.setdefault("essays", 0)
        kw.setdefault("attendance", 10)
        return StudyActivityFactory(village=village, township=village.township, kind=kind, **kw)

    for _ in range(3):
        study("concentrated", essays=2)
    for _ in range(2):
        study("topic_seminar", village=village_b, essays=1)
    study("central_group", village=village_b)
    StudyActivityFactory(village=None, township=township, kind="seminar_exchange", essays=0)
    study("warning_visit", attendance=40)
    study("warning_visit", attendance=35)
    study("delivered_study", attendance=6)
    study("concentrated", essays=5, date=datetime.date(2022, 12, 31))
    study("concentrated", village=other_village, essays=5)
    response = api.post("/api/study-activities/", {
        "village": village_a.pk, "date": "2023-09-01", "kind": "concentrated", "topic": "经API录入的集中学习",
        "attendance": 30, "essays": 4}, format="json")
    assert response.status_code == 201, response.content

    ProblemFactory(township=township, found_date=datetime.date(2023, 3, 1))
    ProblemFactory(township=township, found_date=datetime.date(2023, 4, 1))
    ProblemFactory(township=township, found_date=datetime.date(2023, 5, 1), rectified=True,
                   rectified_date=datetime.date(2023, 6, 1))
    ProblemFactory(township=township, found_date=datetime.date(2022, 5, 1))
    for _ in range(2):
        BulletinFactory(township=township, date=datetime.date(2023, 6, 1))
    BulletinFactory(township=township, date=datetime.date(2022, 6, 1))
    BulletinFactory(township=township, kind="work_info", date=datetime.date(2023, 6, 1))

    p1 = PersonFactory(village=village_a)
    StageChangeFactory(person=p1, stage="applicant", date=datetime.date(2022, 1, 5))
    StageChangeFactory(person=p1, stage="activist", date=datetime.date(2023, 3, 1))
    p2 = PersonFactory(village=village_a)
    StageChangeFactory(person=p2, stage="activist", date=datetime.date(2022, 3, 1))
    StageChangeFactory(person=p2, stage="candidate", date=datetime.date(2023, 3, 1))
    p3 = PersonFactory(village=village_b)
    StageChangeFactory(person=p3, stage="candidate", date=datetime.date(2022, 3, 1))
    StageChangeFactory(person=p3, stage="probationary", date=datetime.date(2023, 5, 1))
    p4 = PersonFactory(village=village_b)
    StageChangeFactory(person=p4, stage="probationary", date=datetime.date(2022, 5, 1))
    StageChangeFactory(person=p4, stage="member", date=datetime.date(2023, 6, 1))
    p5 = PersonFactory(village=village_b)
    StageChangeFactory(person=p5, stage="applicant", date=datetime.date(2023, 6, 1))
    StageChangeFactory(person=p5, stage="activist", date=datetime.date(2024, 1, 10))
    p6 = PersonFactory(village=village_a)
    response = api.post("/api/stage-changes/", {"person": p6.pk, "stage": "activist", "date": "2023-08-01"},
                        format="json")
    assert response.status_code == 201, response.content
    outsider = PersonFactory(village=other_village)
    StageChangeFactory(person=outsider, stage="activist", date=datetime.date(2023, 3, 1))

    ReserveCadreFactory(person=PersonFactory(village=village_a), has_seedling_file=True,
                        since=datetime.date(2022, 1, 1))
    ReserveCadreFactory(person=PersonFactory(village=village_a), since=datetime.date(2023, 1, 1))
    ReserveCadreFactory(person=PersonFactory(village=village_b), since=datetime.date(2023, 1, 1))
    ReserveCadreFactory(person=PersonFactory(village=village_b), since=datetime.date(2022, 1, 1),
                        until=datetime.date(2023, 6, 30))
    ReserveCadreFactory(person=PersonFactory(village=village_b), since=datetime.date(2024, 1, 1))

    TalentFactory(village=village_a, kind="industry_leader")
    TalentFactory(village=village_b, kind="industry_leader")
    TalentFactory(village=village_b, kind="industry_leader", since=datetime.date(2021, 1, 1),
                  until=datetime.date(2023, 5, 1))
    for _ in range(3):
        TalentFactory(village=village_a, kind="industry_leader_trainee")

    IncomeRecordFactory(village=village_a, year=2023, month=1, category="land_transfer",
                        amount=Decimal("700000.00"))
    IncomeRecordFactory(village=village_a, year=2023, month=2, category="facility_rent",
                        amount=Decimal("500000.50"))
    IncomeRecordFactory(village=village_a, year=2022, month=1, category="land_transfer",
                        amount=Decimal("999999.00"))
    IncomeRecordFactory(village=other_village, year=2023, month=1, category="land_transfer",
                        amount=Decimal("5000000.00"))
    response = api.post("/api/incomes/", {"village": village_b.pk, "year": 2023, "month": 5,
                                          "category": "land_transfer", "amount": "300000.25"}, format="json")
    assert response.status_code == 201, response.content

    for month in range(1, 11):
        VillageMonthFactory(village=village_a, year=2023, month=month, status="approved")
    for month in range(1, 6):
        VillageMonthFactory(village=village_b, year=2023, month=month, status="submitted")
    VillageMonthFactory(village=village_b, year=2023, month=6, status="returned")

    TownshipTargetFactory(township=township, year=2023)
    TownshipEconomyTargetFactory(township=township, year=2023, income_total=Decimal("1400000.00"),
                                 villages_over_1m=2, villages_over_2m=0)


@pytest.fixture
def records(township, village_a, village_b, other_village, staff, api_for):
    build(township, village_a, village_b, other_village, api_for(staff))


def test_every_contract_key_matches_hand_count(township, records):
    figures = compute_figures(township, 2023)
    value = {key: figures[key]["value"] for key in figures}
    assert set(CONTRACT_KEYS) <= set(figures)
    for key in CONTRACT_KEYS:
        assert {"label", "unit", "value"} <= set(figures[key]), key

    assert value["villages.count"] == 2
    assert value["stars.by_level"] == {"5": 0, "4": 1, "3": 1, "2": 0, "1": 0}
    assert value["stars.share_3plus"] == 100.0
    assert value["stars.share_4plus"] == 50.0
    assert value["stars.share_5"] == 0.0
    assert value["study.central_group_sessions"] == 1
    assert value["study.central_group_seminars"] == 1
    assert value["study.concentrated_sessions"] == 3 + 1  # three by factory, one through the API
    assert value["study.topic_seminars"] == 2
    assert value["study.essays"] == 3 * 2 + 2 * 1 + 4
    assert value["study.warning_education_visitors"] == 40 + 35
    assert value["study.delivered_study"] == 6
    assert value["township.problems_found"] == 3
    assert value["township.problems_rectified"] == 1
    assert value["township.bulletins"] == 2
    assert value["township.work_info"] == 1
    assert value["members.activists"] == 2  # p1 and p6 (API); p5 becomes one only in 2024
    assert value["members.new_probationary"] == 1
    assert value["members.converted"] == 1
    assert value["reserve.cadres"] == 3
    assert value["reserve.seedling_files"] == 1
    assert value["talent.industry_leaders"] == 2
    assert value["talent.industry_leader_trainees"] == 3
    assert value["economy.income_total"] == "1500000.75"
    assert value["economy.income_max"] == {"village": "江南村", "amount": "1200000.50"}
    assert value["economy.income_min"] == {"village": "联星村", "amount": "300000.25"}
    assert value["economy.villages_over_1m"] == 1
    assert value["economy.villages_over_2m"] == 0
    assert value["economy.income_by_category"] == {"土地流转": "1000000.25", "设施租赁": "500000.50"}
    assert value["economy.land_share"] == 66.7
    assert value["submissions.reporting_rate"] == 62.5  # (10 + 5) of 2 villages × 12 months
    assert value["reserve.by_village"] == {"江南村": 2, "联星村": 1}


def test_no_data_is_none_not_zero(township, village_a):
    figures = compute_figures(township, 2023)
    for key in ["stars.share_3plus", "stars.by_level", "study.concentrated_sessions", "study.essays",
                "economy.income_total", "economy.income_max", "economy.villages_over_1m"]:
        assert figures[key]["value"] is None, key


def test_figures_api_shape_and_money_strings(township, records, api_for, staff):
    response = api_for(staff).get("/api/reports/2023/figures/")
    assert response.status_code == 200
    body = response.json()
    assert body["township"] == "示范镇" and body["year"] == 2023
    assert body["final"] is False and body["live"] is True
    assert body["figures"]["economy.income_total"] == {
        "label": "村集体经济总收入", "unit": "元", "value": "1500000.75",
        "source": "/records/incomes/?year=2023&sum=amount"}
    assert body["figures"]["study.concentrated_sessions"]["value"] == 4
    assert body["figures"]["stars.share_4plus"]["value"] == 50.0


def test_figure_sources_are_filtered_record_lists(township, records, client_for, staff):
    figures = compute_figures(township, 2023)
    source = figures["study.concentrated_sessions"]["source"]
    assert source == "/records/study-activities/?year=2023&kind=concentrated"
    page = client_for(staff).get(source)
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 4


def add_more(township, village_a, village_b, n):
    """`n` more records of every kind the figures read."""
    for i in range(n):
        village = (village_a, village_b)[i % 2]
        StudyActivityFactory(village=village, township=township, kind=("concentrated", "warning_visit")[i % 2])
        IncomeRecordFactory(village=village, year=2023, month=1 + i, category="services",
                            amount=Decimal("1000.00"))
        person = PersonFactory(village=village)
        StageChangeFactory(person=person, stage="activist", date=datetime.date(2023, 2, 1))
        StageChangeFactory(person=person, stage="candidate", date=datetime.date(2023, 9, 1))
        ReserveCadreFactory(person=PersonFactory(village=village), since=datetime.date(2023, 1, 1))
        TalentFactory(village=village, kind="industry_leader")
        ProblemFactory(township=township, found_date=datetime.date(2023, 8, 1))
        BulletinFactory(township=township, date=datetime.date(2023, 8, 1))


def _queries(township):
    with CaptureQueriesContext(connection) as captured:
        compute_figures(township, 2023)
    return len(captured.captured_queries)


def test_query_count_does_not_grow_with_records(township, village_a, village_b, other_village, staff, api_for):
    build(township, village_a, village_b, other_village, api_for(staff))
    small = _queries(township)
    add_more(township, village_a, village_b, 10)
    large = _queries(township)
    assert small == large
    # 20, two for organisational life (study.compliance: branches with meetings, requirements) and one grouped
    # query per new record kind with count figures (民主评议党员, 党员党费)
    assert small <= 24
