"""The demo reads coherently (issue 14): realistic submission times, and village pages' member counts that the
member list reproduces."""
import datetime
import os
import re

import pytest
from django.core.management import call_command

from submissions.completeness import build_grid
from villages.models import VillageMonth

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_township):
    return demo_township


def test_reported_demo_months_have_submission_times_mostly_on_time(demo):
    reported = VillageMonth.objects.filter(status__in=["submitted", "approved", "returned"])
    assert reported.exists() and not reported.filter(first_submitted_at__isnull=True).exists()
    for year in (2022, 2023):
        grid = build_grid(villages=demo.villages.all(), year=year, today=datetime.date(2026, 12, 1))
        assert grid.reporting_rate > 90
        assert 80 <= grid.on_time_rate <= 90, (year, grid.on_time_rate)
    # Loading again changes nothing.
    before = list(VillageMonth.objects.order_by("pk").values_list("first_submitted_at", flat=True))
    call_command("load_demo", stdout=open(os.devnull, "w"))
    assert list(VillageMonth.objects.order_by("pk").values_list("first_submitted_at", flat=True)) == before


def test_each_village_page_counts_the_members_its_list_shows(demo, client_for):
    from township.models import User

    client = client_for(User.objects.get(username="staff"))
    for village in demo.villages.all():
        page = client.get(f"/villages/{village.pk}/").content.decode()
        link, count = re.search(r'本村党员<a href="([^"]+)">(\d+)名</a>', page).groups()
        listed = client.get(link.replace("&amp;", "&")).content.decode()
        assert f"共 {count} 条" in listed, village.name
        assert int(count) == 30 + village.order * 3
