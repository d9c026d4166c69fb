"""The ledger import and an approved month: only a change is refused; the job status states what the check found."""
from decimal import Decimal

import pytest
from django.urls import reverse

from economy.models import IncomeRecord
from economy.resources import IncomeRecordResource
from ledgers import importing
from ledgers.models import ImportJob
from villages.models import VillageMonth

from .conftest import PERSON_HEADERS, person_rows, xlsx_bytes
from .test_views import upload

pytestmark = pytest.mark.django_db



def test_unchanged_rows_of_a_locked_month_are_not_errors_but_a_change_is(township, village_a, staff):
    IncomeRecord.objects.create(village=village_a, year=2023, month=5, category="land_transfer",
                                amount=Decimal("1000.00"))
    VillageMonth.objects.create(village=village_a, year=2023, month=5, status="approved")
    header = ["村", "年度", "月份", "收入类别", "金额（元）", "备注"]
    same = importing.preview(IncomeRecordResource(township=township), xlsx_bytes([
        header, ["江南村", 2023, 5, "土地流转", "1000.00", ""]]))
    assert (same.problems, same.unchanged) == ([], 1)
    changed = importing.preview(IncomeRecordResource(township=township), xlsx_bytes([
        header, ["江南村", 2023, 5, "土地流转", "1200.00", ""], ["江南村", 2023, 5, "其他", "5", ""]]))
    assert [str(p) for p in changed.problems] == ["第2行：2023年5月的月报已审核锁定，不能导入该月的记录",
                                                  "第3行：2023年5月的月报已审核锁定，不能导入该月的记录"]


def test_the_job_status_carries_the_counts_once_checked(staff, village_a, client_for,
                                                        django_capture_on_commit_callbacks):
    client = client_for(staff)
    rows = person_rows(3)
    rows[2][1] = "123"  # a 身份证号 that cannot be
    upload(client, "persons", xlsx_bytes([PERSON_HEADERS, *rows]), capture=django_capture_on_commit_callbacks)
    status = client.get(reverse("ledgers:job-status", args=[ImportJob.objects.get().pk])).json()
    assert {key: status[key] for key in ("new", "updated", "unchanged", "invalid", "problems")} == {
        "new": 2, "updated": 0, "unchanged": 0, "invalid": 1, "problems": 1}
