"""villages.dates.Year and Month: the year and month of a date read in SQL (no Python call per row on SQLite),
equal to Django's."""
import datetime
import zoneinfo

import pytest
from django.db import connection

from study.models import StudyActivity
from submissions.models import Submission
from tests.villages.factories import VillageFactory
from township.models import User
from villages.dates import Month, Year

pytestmark = pytest.mark.django_db


def test_the_year_of_a_date_is_read_in_sql_and_equals_pythons(township):
    days = [datetime.date(1999, 12, 31), datetime.date(2023, 1, 1), datetime.date(2023, 12, 31),
            datetime.date(2024, 2, 29)]
    for day in days:
        StudyActivity.objects.create(township=township, date=day, kind="theory", topic=f"学习{day}")
    query = StudyActivity.objects.values_list("date", "date__year", "date__month").order_by("date")
    assert list(query) == [(day, day.year, day.month) for day in days]
    assert StudyActivity.objects.filter(date__month=12).count() == 2
    assert sorted(StudyActivity.objects.annotate(y=Year("date")).values_list("y", flat=True)) == [
        1999, 2023, 2023, 2024]
    assert sorted(StudyActivity.objects.annotate(m=Month("date")).values_list("m", flat=True)) == [1, 2, 12, 12]
    assert StudyActivity.objects.filter(date__year=2023).count() == 2
    assert StudyActivity.objects.filter(date__year__gte=2023).count() == 3
    if connection.vendor == "sqlite":
        assert "django_date_extract" not in str(query.query)
        assert "django_date_extract" not in str(StudyActivity.objects.filter(date__month=12).query)


def test_the_year_of_a_moment_is_still_the_local_one(township):
    """A DateTimeField keeps Django's own extraction, in the project's time zone: 31 Dec 2023 17:00 UTC is 2024
    in Shanghai."""
    village = VillageFactory(township=township)
    user = User.objects.create(username="u1", role="staff", township=township)
    moment = datetime.datetime(2023, 12, 31, 17, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
    submission = Submission.objects.create(village=village, year=2023, month=12, uploaded_by=user)
    Submission.objects.filter(pk=submission.pk).update(uploaded_at=moment)
    assert list(Submission.objects.values_list("uploaded_at__year", "uploaded_at__month")) == [(2024, 1)]
    assert Submission.objects.filter(uploaded_at__year=2024).count() == 1
