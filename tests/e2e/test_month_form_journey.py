"""sec03 (通昌村) fills last month in the month form on a 390 × 844 phone: a mistake shown at its row, fixed,
the changes seen and confirmed; staff return it; one amount corrected in the form shows old → new."""
import pytest
from django.utils import timezone

from tests.e2e.conftest import LAPTOP, PHONE, assert_no_horizontal_overflow, card, login, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def check(page):
    page.get_by_role("button", name="检查", exact=True).click()
    page.wait_for_load_state("networkidle")


def test_secretary_fills_the_month_in_the_form_on_a_phone(page, live_server, demo, watch):
    from economy.models import IncomeRecord
    from submissions import services
    from submissions.models import MonthDraft, Submission
    from submissions.services import previous_month
    from township.models import User
    from villages.models import VillageMonth

    year, month = previous_month(timezone.localdate())
    page.set_viewport_size(PHONE)
    login(page, live_server.url, "sec03")
    card(page, "月度报表").get_by_role("link", name=f"在线填报{month}月报表").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == f"通昌村 {year}年{month}月报表"
    assert_no_horizontal_overflow(page)

    # An amount in words, and a study day typed with the phone's date picker.
    page.select_option("select[name=income-0-0]", label="土地流转")
    page.fill("input[name=income-0-1]", "一万二")
    page.fill("input[name=study-0-0]", f"{year}-{month:02d}-12")
    page.select_option("select[name=study-0-1]", label="集中学习")
    page.fill("input[name=study-0-2]", "学习党章")
    page.fill("input[name=study-0-3]", "18")
    # The draft is saved on the server as he types: another session finds it.
    page.locator(".autosave-state").get_by_text("草稿已自动保存").wait_for()
    assert MonthDraft.objects.get(village__name="通昌村", year=year, month=month).rows["集体经济收入"][0][
        "金额（元）"] == "一万二"
    shot(page, "month-form-1-filled-phone")
    assert_no_horizontal_overflow(page)

    check(page)
    row = page.locator("#income-row-0")
    assert "has-problem" in row.get_attribute("class")
    amount = row.locator("label.cell", has=page.locator("input[name=income-0-1]"))
    assert "has-error" in amount.get_attribute("class") and "“一万二”" in amount.locator(".field-error").inner_text()
    assert "has-problem" not in page.locator("#study-row-0").get_attribute("class")
    assert page.locator("input[name=income-0-1]").input_value() == "一万二"  # the rows are still there
    shot(page, "month-form-2-mistake-phone")
    assert_no_horizontal_overflow(page)

    page.fill("input[name=income-0-1]", "12000")
    check(page)
    assert page.locator("#submission-status").inner_text() == "待确认"
    assert "土地流转" in page.locator("#changes").inner_text()
    assert_no_horizontal_overflow(page)
    page.get_by_role("button", name="确认上报").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#submission-status").inner_text() == "已上报"
    assert IncomeRecord.objects.get(village__name="通昌村", year=year, month=month).amount == 12000

    # Staff return it with a reason (their review pages are the staff journey's).
    submission = Submission.objects.get(village__name="通昌村", year=year, month=month, status="submitted")
    services.submission_return(submission=submission, user=User.objects.get(username="staff"),
                               reason="土地流转金额有误")
    page.goto(f"{live_server.url}/submissions/{submission.pk}/")
    page.get_by_role("link", name="在网页表格中修改").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("input[name=income-0-1]").input_value() == "12000.00"  # the reported rows
    page.fill("input[name=income-0-1]", "12500")
    check(page)
    replaced = page.locator("#changes li.row-change.replace")
    assert replaced.count() == 1
    assert replaced.locator("dd.changed del").inner_text() == "12000.00"
    assert replaced.locator("dd.changed ins").inner_text() == "12500.00"
    shot(page, "month-form-3-correction-phone")
    assert_no_horizontal_overflow(page)
    page.get_by_role("button", name="确认上报").click()
    page.wait_for_load_state("networkidle")
    assert VillageMonth.objects.get(village__name="通昌村", year=year, month=month).status == "submitted"
    correction = Submission.objects.get(village__name="通昌村", year=year, month=month, status="submitted")

    # Staff review it like an uploaded workbook: the changed amount old → new; on a laptop the form fits too.
    page.context.clear_cookies()
    page.set_viewport_size(LAPTOP)
    login(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/submissions/{correction.pk}/")
    replaced = page.locator("#changes li.row-change.replace")
    assert replaced.locator("dd.changed del").inner_text() == "12000.00"
    assert replaced.locator("dd.changed ins").inner_text() == "12500.00"
    assert page.get_by_role("button", name="审核通过并锁定").count() == 1
    page.goto(f"{live_server.url}/submissions/form/{correction.village_id}/{year}/{month}/")
    assert page.locator("input[name=income-0-1]").input_value() == "12500.00"
    shot(page, "month-form-4-staff-laptop")
    assert_no_horizontal_overflow(page)
    watch.assert_clean()
