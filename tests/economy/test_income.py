"""Collective-economy records: income in Decimal yuan, one row per village-month-category, targets."""
from decimal import Decimal

import pytest
from django.urls import reverse

from economy.models import IncomeRecord, TownshipEconomyTarget
from tests.economy.factories import AllianceFactory, IncomeRecordFactory, TownshipEconomyTargetFactory

pytestmark = pytest.mark.django_db


def income(village, **overrides):
    return {"village": village.pk, "year": 2023, "month": 3, "category": "land_transfer", "amount": "1234567.89",
            **overrides}


def test_amount_is_kept_to_the_fen_and_shown_with_separators(client_for, staff, village_a):
    client = client_for(staff)
    assert client.post(reverse("records:incomes-create"), income(village_a)).status_code == 302
    record = IncomeRecord.objects.get()
    assert record.amount == Decimal("1234567.89")
    assert "1,234,567.89" in client.get(reverse("records:incomes-list")).content.decode()


def test_second_row_for_the_same_village_month_category_is_refused(client_for, api_for, staff, village_a):
    IncomeRecordFactory(village=village_a, year=2023, month=3, category="land_transfer")
    response = client_for(staff).post(reverse("records:incomes-create"), income(village_a))
    assert response.status_code == 400 and "已经存在" in response.content.decode()
    response = api_for(staff).post("/api/incomes/", income(village_a), format="json")
    assert response.status_code == 400
    assert IncomeRecord.objects.count() == 1


def test_negative_amount_gets_chinese_error(client_for, api_for, staff, village_a):
    response = client_for(staff).post(reverse("records:incomes-create"), income(village_a, amount="-5"))
    assert response.status_code == 400 and "确保该值大于或等于0" in response.content.decode()
    response = api_for(staff).post("/api/incomes/", income(village_a, amount="-5"), format="json")
    assert response.status_code == 400 and "amount" in response.json()
    assert not IncomeRecord.objects.exists()


def test_list_and_api_filter_by_village_year_and_category(client_for, api_for, staff, village_a, village_b):
    mine = IncomeRecordFactory(village=village_a, year=2023, month=1, category="farming")
    IncomeRecordFactory(village=village_a, year=2022, month=1, category="farming")
    IncomeRecordFactory(village=village_a, year=2023, month=1, category="services")
    IncomeRecordFactory(village=village_b, year=2023, month=1, category="farming")
    query = {"village": village_a.pk, "year": 2023, "category": "farming"}
    body = client_for(staff).get(reverse("records:incomes-list"), query).content.decode()
    assert "共 1 条" in body and reverse("records:incomes-detail", args=[mine.pk]) in body
    data = api_for(staff).get("/api/incomes/", query).json()
    assert [row["id"] for row in data["results"]] == [mine.pk]
    assert data["results"][0]["amount"] == "12345.67"


def test_township_target_per_year_is_unique_with_a_clear_message(client_for, api_for, staff, township):
    TownshipEconomyTargetFactory(township=township, year=2023)
    payload = {"year": 2023, "income_total": "13000000.00", "villages_over_1m": 7, "villages_over_2m": 2}
    response = client_for(staff).post(reverse("records:economy-targets-create"), payload)
    assert response.status_code == 400 and "已经存在" in response.content.decode()
    response = api_for(staff).post("/api/economy-targets/", payload, format="json")
    assert response.status_code == 400 and "已经存在" in str(response.json())
    assert TownshipEconomyTarget.objects.count() == 1


def test_alliance_cannot_take_another_townships_village(api_for, staff, other_village, village_a):
    response = api_for(staff).post("/api/alliances/", {"name": "联盟", "kind": "industry", "year": 2023,
                                                        "villages": [village_a.pk, other_village.pk]}, format="json")
    assert response.status_code == 400 and "villages" in response.json()


def test_secretary_sees_alliances_of_their_village_only(client_for, secretary_b, township, village_a, village_b):
    ours = AllianceFactory(township=township, villages=[village_a, village_b], name="江南联星共同体")
    AllianceFactory(township=township, villages=[village_a], name="江南产业联盟")
    body = client_for(secretary_b).get(reverse("records:alliances-list")).content.decode()
    assert "共 1 条" in body and ours.name in body and "江南产业联盟" not in body
