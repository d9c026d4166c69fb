"""The completeness grid and its rates agree with the database; reminders reach the right people once."""
import datetime
import zoneinfo

import pytest
from django.core import mail

from submissions.completeness import build_grid
from submissions.models import Notice
from submissions.services import send_reminders
from villages.models import Village, VillageMonth

pytestmark = pytest.mark.django_db
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def _at(*args):
    return datetime.datetime(*args, tzinfo=TZ)


@pytest.fixture
def months_2023(village_a, village_b):
    rows = [
        (village_a, 1, "submitted", _at(2023, 2, 5, 9)),     # on time
        (village_a, 2, "approved", _at(2023, 3, 15, 9)),     # late
        (village_a, 3, "returned", _at(2023, 4, 2, 9)),      # on time, but not reported now
        (village_b, 1, "submitted", _at(2023, 2, 10, 23)),   # on the deadline day: on time
        (village_b, 2, "submitted", _at(2023, 3, 20, 9)),    # late
    ]
    for village, month, status, first in rows:
        VillageMonth.objects.create(village=village, year=2023, month=month, status=status,
                                    submitted_at=first, first_submitted_at=first)


def test_grid_and_rates_agree_with_the_database(months_2023, staff, api_for, client_for):
    body = api_for(staff).get("/api/submissions/completeness/?year=2023").json()
    reported = VillageMonth.objects.filter(year=2023).reported().count()
    villages = Village.objects.filter(township=staff.township).count()
    assert (body["reported"], body["ended"]) == (reported, villages * 12) == (4, 24)
    assert body["reporting_rate"] == round(4 * 100 / 24, 1) == 16.7
    assert (body["on_time"], body["deadline_passed"], body["on_time_rate"]) == (3, 24, 12.5)
    rows = {v["name"]: v["months"] for v in body["villages"]}
    assert [m["status"] for m in rows["江南村"][:4]] == ["submitted", "approved", "returned", "not_submitted"]
    # Returned and not yet corrected after the deadline is late now, though first confirmed on time.
    assert [m["late"] for m in rows["江南村"][:4]] == [False, True, True, True]
    assert rows["联星村"][0]["on_time"] is True and rows["联星村"][1]["late"] is True
    page = client_for(staff).get("/submissions/completeness/?year=2023").content.decode()
    assert "16.7%" in page and "12.5%" in page and "联星村" in page


def test_secretaries_see_their_own_row(months_2023, secretary_b, api_for):
    body = api_for(secretary_b).get("/api/submissions/completeness/?year=2023").json()
    assert [v["name"] for v in body["villages"]] == ["联星村"]
    assert (body["reported"], body["ended"]) == (2, 12)


def test_months_not_ended_do_not_count(village_a, staff):
    VillageMonth.objects.create(village=village_a, year=2024, month=3, status="submitted",
                                first_submitted_at=_at(2024, 4, 1, 9))
    grid = build_grid(villages=[village_a], year=2024, today=datetime.date(2024, 4, 5))
    assert (grid.reported, grid.ended, grid.reporting_rate) == (1, 3, 33.3)
    assert (grid.on_time, grid.deadline_passed) == (0, 2)  # March's deadline (10 April) has not passed
    cells = grid.rows[0][1]
    assert cells[4].label == "未到期" and not cells[4].late


def test_reminders_notify_missing_villages_once(settings, village_a, village_b, secretary_a, secretary_b, staff,
                                                client_for):
    settings.SUBMISSION_REMINDER_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    secretary_b.email = "b@example.com"
    secretary_b.save()
    VillageMonth.objects.create(village=village_a, year=2024, month=3, status="submitted")
    result = send_reminders(today=datetime.date(2024, 4, 5))
    assert result["missing"] == 1
    assert list(Notice.objects.filter(kind="reminder").values_list("user__username", flat=True)) == ["sec_b"]
    summary = Notice.objects.get(user=staff, kind="missing_summary")
    assert "联星村" in summary.message and "江南村" not in summary.message
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["b@example.com"]
    send_reminders(today=datetime.date(2024, 4, 6))
    assert Notice.objects.count() == 2 and len(mail.outbox) == 1
    assert "2024年3月" in client_for(secretary_b).get(f"/villages/{village_b.pk}/").content.decode()
    assert "联星村" in client_for(staff).get("/").content.decode()


def test_reminder_task_is_scheduled(settings):
    from submissions.tasks import send_reminders_task

    entry = settings.CELERY_BEAT_SCHEDULE["submissions-monthly-reminders"]
    assert entry["task"] == send_reminders_task.name
    assert entry["schedule"].day_of_month == {settings.SUBMISSION_REMINDER_DAY}


def test_notices_can_be_marked_read(secretary_b, staff, client_for):
    notice = Notice.objects.create(user=secretary_b, year=2024, month=3, kind="reminder", message="请上报")
    other = Notice.objects.create(user=staff, year=2024, month=3, kind="reminder", message="x")
    client = client_for(secretary_b)
    assert client.post(f"/submissions/notices/{other.pk}/read/").status_code == 404
    assert client.post(f"/submissions/notices/{notice.pk}/read/", {"next": "https://evil.example/"}).url \
        == f"/villages/{secretary_b.village_id}/"
    notice.refresh_from_db()
    assert notice.read_at is not None
