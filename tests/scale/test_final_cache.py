"""A final report's frozen figures come from the cache; live figures never do."""
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from economy.models import IncomeRecord
from reports import services
from reports.models import Report, ReportFinal
from tests.villages.factories import UserFactory

pytestmark = pytest.mark.django_db

YEAR = 2023


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def final_report(township, village_a, staff):
    IncomeRecord.objects.create(village=village_a, year=YEAR, month=3, category="land_transfer",
                                amount=Decimal("1000.00"))
    report = Report.objects.create(township=township, year=YEAR)
    services.finalize(report=report, user=staff)
    return report


def fresh(report):
    return Report.objects.get(pk=report.pk)


def reads_frozen_json(captured):
    return any('"figures"' in q["sql"] and "reports_reportfinal" in q["sql"] for q in captured)


def test_frozen_figures_are_served_from_the_cache(final_report):
    with CaptureQueriesContext(connection) as captured:
        final = fresh(final_report).final
    assert final.figures["economy.income_total"]["value"] == "1000.00"
    assert final.sections  # the frozen text comes with them
    # Whether it is final is asked of the database; the frozen JSON is not read from it.
    assert any("reports_reportfinal" in q["sql"] for q in captured)
    assert not reads_frozen_json(captured)


def test_a_cold_cache_reads_the_database_once_then_caches(final_report):
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert fresh(final_report).final is not None
    assert reads_frozen_json(captured)
    with CaptureQueriesContext(connection) as captured:
        final = fresh(final_report).final
    assert not reads_frozen_json(captured)
    assert final.figures["economy.income_total"]["value"] == "1000.00"


def test_reopening_and_finalising_again_serves_the_new_figures(final_report, village_a, staff):
    assert fresh(final_report).final.figures["economy.income_total"]["value"] == "1000.00"
    services.reopen(report=fresh(final_report), user=staff, reason="补录收入")
    assert fresh(final_report).final is None
    IncomeRecord.objects.create(village=village_a, year=YEAR, month=4, category="land_transfer",
                                amount=Decimal("500.00"))
    services.finalize(report=fresh(final_report), user=staff)
    assert fresh(final_report).final.figures["economy.income_total"]["value"] == "1500.00"
    assert ReportFinal.objects.count() == 1


def test_a_reopening_elsewhere_is_seen_even_with_the_frozen_figures_cached(final_report):
    assert fresh(final_report).final is not None  # now cached
    ReportFinal.objects.filter(report=final_report).delete()  # as another process would
    assert fresh(final_report).final is None


def test_the_final_report_page_shows_the_frozen_figures_and_flags_live_changes(final_report, village_a, leader,
                                                                               client):
    IncomeRecord.objects.create(village=village_a, year=YEAR, month=5, category="land_transfer",
                                amount=Decimal("700.00"))
    client.force_login(leader)
    page = client.get(f"/reports/{YEAR}/").content.decode()
    assert "已定稿" in page
    assert "定稿后数据已有变化" in page and "村集体经济总收入" in page


def test_live_figures_are_never_cached(township, village_a, staff, client):
    client.force_login(staff)
    url = f"/api/reports/{YEAR}/figures/"
    assert client.get(url).json()["figures"]["economy.income_total"]["value"] is None
    IncomeRecord.objects.create(village=village_a, year=YEAR, month=3, category="land_transfer",
                                amount=Decimal("250.00"))
    assert client.get(url).json()["figures"]["economy.income_total"]["value"] == "250.00"
    other = UserFactory(username="staff2", role="staff", township=township)
    client.force_login(other)
    IncomeRecord.objects.create(village=village_a, year=YEAR, month=4, category="land_transfer",
                                amount=Decimal("250.00"))
    assert client.get(url).json()["figures"]["economy.income_total"]["value"] == "500.00"
