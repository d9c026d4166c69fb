"""Village secretary sec03 (通昌村) reports a missing month: reminder, template, mistakes, correction, confirm."""
import pytest
from django.utils import timezone

from tests.e2e.conftest import (
    PHONE,
    assert_no_horizontal_overflow,
    card,
    download,
    follow_nav,
    login,
    shot,
    table_rows,
)
from tests.e2e.workbooks import fill, month_rows

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(page, name, data):
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": XLSX, "buffer": data}])
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("viewport", ["laptop", "phone"])
def test_secretary_reports_the_missing_month(page, live_server, demo, watch, viewport):
    from submissions.models import Submission
    from submissions.services import previous_month, send_reminders
    from villages.models import Village, VillageMonth

    # The demo ends in 2023, so last month is missing everywhere; the product's own reminder run notices it.
    year, month = previous_month(timezone.localdate())
    assert not VillageMonth.objects.filter(village__name="通昌村", year=year, month=month).exists()
    # Every village of the system (示范镇's 12 and 青山镇's 3) is missing it.
    assert send_reminders()["missing"] == Village.objects.count() == 15
    if viewport == "phone":
        page.set_viewport_size(PHONE)

    login(page, live_server.url, "sec03")
    assert page.locator("h1").first.inner_text().startswith("通昌村")
    notices = page.locator("section.notices")
    assert f"通昌村{year}年{month}月的月度报表尚未上报" in notices.inner_text()
    assert f"{year}年{month}月：未上报" in card(page, "月度报表").inner_text()
    shot(page, f"secretary-1-reminder-{viewport}")
    assert_no_horizontal_overflow(page)

    template = download(page, lambda: page.get_by_role("link", name=f"下载{month}月报表模板").click())

    # First try: an unknown 收入类别 and a 身份证号 with a wrong check digit.
    follow_nav(page, "月度报表")
    assert page.locator("#id_village option:checked").inner_text() == "通昌村"
    assert page.locator("#id_month option:checked").inner_text() == f"{month}月"
    shot(page, f"secretary-2-upload-{viewport}")
    assert_no_horizontal_overflow(page)
    upload(page, "通昌村月报.xlsx", fill(template, month_rows(year, month, mistakes=True)))
    assert page.locator("#submission-status").inner_text() == "有错误"
    assert "发现 2 个问题" in page.locator("h2", has_text="问题").inner_text()
    problems = table_rows(page.locator("table.errors-table"))
    assert [row[:3] for row in problems] == [["集体经济收入", "2", "收入类别"], ["党员发展", "2", "身份证号"]]
    assert "“卖菜收入”不是有效的收入类别" in problems[0][3]
    assert "校验" in problems[1][3] or "身份证号" in problems[1][3]
    assert page.get_by_role("button", name="确认上报").count() == 0
    shot(page, f"secretary-3-errors-{viewport}")
    assert_no_horizontal_overflow(page)

    # Corrected, uploaded again from the error page itself (same village and month, nothing to choose). While the
    # file travels the button is disabled and says what is happening.
    reupload = page.locator("#reupload")
    assert f"重新上传通昌村{year}年{month}月报表" in reupload.inner_text()
    corrected = fill(template, month_rows(year, month))
    reupload.locator("input[type=file]").set_input_files(
        files=[{"name": "通昌村月报（改正）.xlsx", "mimeType": XLSX, "buffer": corrected}])
    # Held back in the page (a listener after the product's own), so the busy state can be looked at.
    reupload.locator("form").evaluate("form => form.addEventListener('submit', event => event.preventDefault())")
    button = reupload.get_by_role("button", name="重新上传并检查")
    button.click()
    reupload.locator(".busy").wait_for(state="visible")
    assert button.is_disabled() and "正在上传并检查" in reupload.locator(".busy").inner_text()
    shot(page, f"secretary-3b-uploading-{viewport}")
    with page.expect_navigation():
        reupload.locator("form").evaluate("form => form.submit()")
    page.wait_for_load_state("networkidle")
    # The preview says what will change, row by row, and nothing is written until the confirm.
    assert page.locator("#submission-status").inner_text() == "待确认"
    changes = {row[0]: row[1:] for row in table_rows(card(page, "确认后将作如下变更").locator("table"))}
    # 党费收缴 left as the template gave it: listed, with nothing to change.
    assert changes == {"集体经济收入": ["2", "0", "0", "0"], "党员发展": ["1", "0", "0", "0"],
                       "组织生活": ["1", "0", "0", "0"], "学习活动": ["1", "0", "0", "0"],
                       "党费收缴": ["0", "0", "0", "0"]}
    rows = page.locator("#changes li.row-change")
    assert rows.count() == 5 and "新增" in rows.first.inner_text()
    assert "土地流转" in page.locator("#changes").inner_text()
    assert Submission.objects.filter(village__name="通昌村", status="superseded").count() == 1
    assert not VillageMonth.objects.filter(village__name="通昌村", year=year, month=month, status="submitted").exists()
    shot(page, f"secretary-4-preview-{viewport}")
    assert_no_horizontal_overflow(page)
    page.get_by_role("button", name="确认上报").click()
    page.wait_for_load_state("networkidle")
    assert "报表已确认上报，等待镇党委审核" in page.locator("ul.messages").inner_text()
    assert page.locator("#submission-status").inner_text() == "已上报"
    shot(page, f"secretary-5-submitted-{viewport}")
    assert_no_horizontal_overflow(page)

    follow_nav(page, "本村")
    assert f"{year}年{month}月：已上报" in card(page, "月度报表").inner_text()
    assert f"{year}年{month}月：已上报" in card(page, "月度上报").inner_text()
    assert Submission.objects.filter(village__name="通昌村", status="submitted").count() == 1

    # Another village's pages are not there for him: neither its page nor its template.
    other = Village.objects.get(name="江南村")
    for path in (f"/villages/{other.pk}/", f"/submissions/template/?village={other.pk}&year={year}&month={month}"):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 404, path
        assert "页面不存在" in page.content()
    # The two 404s above are the point; Chromium reports each main-frame 404 as a console error.
    watch.errors = [e for e in watch.errors if "status of 404" not in e]
    watch.assert_clean()
