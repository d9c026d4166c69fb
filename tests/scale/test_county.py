"""The county view: county users read their county's townships summed and side by side, and change nothing."""
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from economy.models import IncomeRecord
from reports.county import county_figures
from reports.figures import compute_figures
from township.models import County, Role, User
from villages.models import Township, Village

pytestmark = pytest.mark.django_db

YEAR = 2023


def synth(count, first=1):
    call_command("synth", "--townships", str(count), "--first", str(first), "--years", "1", "--end-year", str(YEAR))


@pytest.fixture
def county_setup(db):
    """Townships 0001 and 0002 in 合成县; 0003 outside it."""
    synth(3)
    first, second, outside = Township.objects.order_by("name")
    county = County.objects.create(name="合成县")
    county.townships.set([first, second])
    user = User.objects.create_user("county", password="x" * 10, role=Role.COUNTY, county=county)
    return {"county": county, "user": user, "townships": [first, second], "outside": outside}


def client_for(user):
    client = APIClient()
    client.force_login(user)
    return client


def test_county_user_sees_both_townships_summed_and_side_by_side(county_setup):
    response = client_for(county_setup["user"]).get(f"/api/reports/county/{YEAR}/figures/")
    assert response.status_code == 200
    body = response.json()
    first, second = county_setup["townships"]
    assert [t["name"] for t in body["townships"]] == [first.name, second.name]
    one, two = compute_figures(first, YEAR), compute_figures(second, YEAR)
    total = body["total"]
    assert Decimal(total["economy.income_total"]["value"]) == (
        Decimal(one["economy.income_total"]["value"]) + Decimal(two["economy.income_total"]["value"]))
    assert total["villages.count"]["value"] == 24
    for key in ("study.concentrated_sessions", "township.problems_found", "members.activists",
                "members.new_probationary", "reserve.cadres", "talent.industry_leaders", "economy.villages_over_1m"):
        assert total[key]["value"] == one[key]["value"] + two[key]["value"], key
    # A share is recomputed from the summed counts, not averaged.
    levels = {k: one["stars.by_level"]["value"][k] + two["stars.by_level"]["value"][k] for k in "54321"}
    rated = sum(levels.values())
    assert total["stars.share_3plus"]["value"] == round(100 * (levels["5"] + levels["4"] + levels["3"]) / rated, 1)
    # Each township's column says what its own annual report says.
    for column, own in zip(body["townships"], (one, two), strict=True):
        for key, figure in column["figures"].items():
            if key in own and not key.startswith("_"):
                assert figure["value"] == own[key]["value"], (column["name"], key)
    # The county's richest village is one of its own, named with its township.
    richest = total["economy.income_max"]["value"]
    assert richest["township"] in ("合成0001镇", "合成0002镇")
    assert richest["amount"] == max((one, two), key=lambda f: Decimal(f["economy.income_max"]["value"]["amount"]))[
        "economy.income_max"]["value"]["amount"]


def test_county_page_shows_the_sum_and_each_township(county_setup):
    response = client_for(county_setup["user"]).get(f"/reports/county/{YEAR}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "合成县2023年党建工作汇总" in page
    assert "合成0001镇" in page and "合成0002镇" in page and "合成0003镇" not in page
    total = sum(IncomeRecord.objects.filter(year=YEAR, village__township__in=county_setup["townships"])
                .values_list("amount", flat=True))
    assert f"{total:,.2f}" in page
    assert "不是各镇占比的平均" in page


def test_county_user_reads_records_of_the_county_only(county_setup):
    client = client_for(county_setup["user"])
    response = client.get("/api/incomes/", {"year": YEAR})
    assert response.status_code == 200
    assert response.json()["count"] == IncomeRecord.objects.filter(
        year=YEAR, village__township__in=county_setup["townships"]).count() > 0
    outside = IncomeRecord.objects.filter(village__township=county_setup["outside"]).first()
    assert client.get(f"/records/incomes/{outside.pk}/").status_code == 404
    inside = IncomeRecord.objects.filter(village__township=county_setup["townships"][1]).first()
    assert client.get(f"/records/incomes/{inside.pk}/").status_code == 200
    assert client.get("/records/incomes/", {"year": YEAR}).status_code == 200
    assert client.get("/").status_code == 200


def test_county_user_changes_nothing(county_setup):
    client = client_for(county_setup["user"])
    village = Village.objects.filter(township=county_setup["townships"][0]).first()
    income = {"village": village.pk, "year": 2024, "month": 1, "category": "land_transfer", "amount": "100.00"}
    before = IncomeRecord.objects.count()
    assert client.get("/records/incomes/new/").status_code == 403
    assert client.post("/records/incomes/new/", income).status_code == 403
    assert client.post("/api/incomes/", income, format="json").status_code == 403
    inside = IncomeRecord.objects.filter(village=village).first()
    assert client.post(f"/records/incomes/{inside.pk}/edit/", {**income, "amount": "1.00"}).status_code == 403
    assert client.patch(f"/api/incomes/{inside.pk}/", {"amount": "1.00"}, format="json").status_code == 403
    assert client.delete(f"/api/incomes/{inside.pk}/").status_code == 403
    assert client.post(f"/reports/{YEAR}/finalize/").status_code in (403, 404)
    assert IncomeRecord.objects.count() == before
    inside.refresh_from_db()
    assert inside.amount != Decimal("1.00")


@pytest.mark.parametrize("username", ["synth0001-staff", "synth0001-leader", "synth0001-sec01"])
def test_township_users_do_not_get_the_county_page(county_setup, username):
    client = client_for(User.objects.get(username=username))
    assert client.get(f"/reports/county/{YEAR}/").status_code == 404
    assert client.get(f"/api/reports/county/{YEAR}/figures/").status_code == 404


def test_anonymous_is_sent_to_login(county_setup):
    response = APIClient().get(f"/reports/county/{YEAR}/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert APIClient().get(f"/api/reports/county/{YEAR}/figures/").status_code in (401, 403)


def test_superuser_sees_a_county_or_every_township(county_setup):
    admin = User.objects.create_superuser("admin", password="x" * 10)
    client = client_for(admin)
    body = client.get(f"/api/reports/county/{YEAR}/figures/", {"county": county_setup["county"].pk}).json()
    assert len(body["townships"]) == 2
    body = client.get(f"/api/reports/county/{YEAR}/figures/").json()
    assert len(body["townships"]) == 3
    assert client.get(f"/reports/county/{YEAR}/", {"county": 999}).status_code == 404


# ---------------------------------------------------------------- query counts do not grow with data


def queries_of(call):
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_figures_query_count_is_the_same_for_one_and_three_townships(db):
    synth(1)
    township = Township.objects.get(name="合成0001镇")
    one = queries_of(lambda: compute_figures(township, YEAR))
    synth(2, first=2)
    three = queries_of(lambda: compute_figures(township, YEAR))
    assert one == three
    assert three <= 22  # one grouped query per counted record kind (民主评议党员 and 党员党费 added one each)


def test_county_figures_query_count_does_not_grow_with_the_county(db):
    synth(3)
    townships = list(Township.objects.order_by("name"))
    one = queries_of(lambda: county_figures(townships[:1], YEAR))
    three = queries_of(lambda: county_figures(townships, YEAR))
    # 16, and three since (organisational life's compliance, 民主评议党员, 党员党费); none per township
    assert one == three <= 19


def test_figures_api_query_count_is_the_same_for_one_and_three_townships(db):
    synth(1)
    client = client_for(User.objects.get(username="synth0001-staff"))
    url = f"/api/reports/{YEAR}/figures/"
    client.get(url)
    one = queries_of(lambda: client.get(url))
    synth(2, first=2)
    three = queries_of(lambda: client.get(url))
    assert one == three


def test_county_navigation_leads_to_last_years_county_page(client_for, staff):
    from township.models import County, User

    county = County.objects.create(name="示范县")
    county.townships.add(staff.township)
    overseer = User.objects.create_user("county_nav", password="demo12345", role="county", county=county)
    client = client_for(overseer)
    assert "全县汇总" in client.get("/villages/").content.decode()
    response = client.get("/reports/county/")
    assert response.status_code == 302 and response.url.startswith("/reports/county/")
    assert client_for(staff).get("/reports/county/").status_code == 404
