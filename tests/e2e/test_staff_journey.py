"""Township staff: completeness grid, return and approve a month, edit a record, import a ledger."""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
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
from tests.e2e.workbooks import fill, fill_ledger, month_rows

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def secretary_reports(village, year, month, **rows):
    """sec03 reports the month through the product's services (his browser journey is the secretary test)."""
    from submissions import services
    from submissions.workbook import build_template
    from township.models import User

    user = User.objects.get(username="sec03")
    data = fill(build_template(village=village, year=year, month=month), month_rows(year, month, **rows))
    submission = services.submission_create(village=village, year=year, month=month, user=user,
                                            uploaded_file=SimpleUploadedFile("通昌村月报.xlsx", data))
    submission = services.submission_preview(submission=submission)
    assert submission.errors == []
    return services.submission_confirm(submission=submission, user=user)


def open_submission(page, village_name, year, month, status):
    """From the submissions list, the row of that village-month in that status."""
    follow_nav(page, "月度报表")
    row = page.locator("tbody tr", has=page.locator("td", has_text=village_name)).filter(has_text=status).first
    row.get_by_role("link", name=f"{year}年{month}月").click()
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("viewport", ["laptop", "phone"])
def test_staff_reviews_edits_and_imports(page, live_server, demo, watch, viewport):
    from committee.models import Bulletin, Problem
    from submissions.services import previous_month
    from villages.models import Village, VillageMonth

    village = Village.objects.get(name="通昌村")
    year, month = previous_month(timezone.localdate())
    secretary_reports(village, year, month)
    if viewport == "phone":
        page.set_viewport_size(PHONE)

    login(page, live_server.url, "staff")
    assert "1 份报表待审核" in card(page, "月度报表").inner_text()
    shot(page, f"staff-1-home-{viewport}")
    assert_no_horizontal_overflow(page)

    # The completeness grid of last month's year (in January, last year's): 通昌村 has reported, the others not.
    follow_nav(page, "上报情况")
    assert page.locator("h1").inner_text() == f"{timezone.localdate().year}年月度报表上报情况"
    page.select_option("select[name=year]", str(year))
    page.get_by_role("button", name="查看").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == f"{year}年月度报表上报情况"
    grid = {row[0]: row[1:] for row in table_rows(page.locator("table.completeness"))}
    assert len(grid) == 12
    # (逾期 is added under a cell once the 10th of the next month has passed.)
    assert grid["通昌村"][month - 1].startswith("已上报") and grid["江南村"][month - 1].startswith("未上报")
    shot(page, f"staff-2-completeness-{viewport}")
    assert_no_horizontal_overflow(page)

    # Return it with a reason…
    open_submission(page, "通昌村", year, month, "已上报")
    page.fill("#return-reason", "党员发展表缺少入党申请书日期，请补充备注")
    shot(page, f"staff-3-review-{viewport}")
    assert_no_horizontal_overflow(page)
    page.get_by_role("button", name="退回").click()
    page.wait_for_load_state("networkidle")
    assert "已退回" in page.locator("ul.messages").inner_text()
    assert "退回原因：党员发展表缺少入党申请书日期" in page.content()
    assert VillageMonth.objects.get(village=village, year=year, month=month).status == "returned"

    # …the secretary corrects one figure, uploads again and confirms. Staff find it in the 待审核 queue, see the
    # changed row old → new above the buttons, and approve it: the month locks.
    secretary_reports(village, year, month, theme_day_attendance=25)
    follow_nav(page, "首页")
    card(page, "月度报表").get_by_role("link", name="1 份报表待审核").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#uploads h2").inner_text() == "待审核的报表"
    queue = table_rows(page.locator("#submission-list"))
    assert len(queue) == 1 and queue[0][0] == "通昌村" and "待审核" in queue[0][2]
    shot(page, f"staff-4a-queue-{viewport}")
    assert_no_horizontal_overflow(page)
    page.locator("#submission-list").get_by_role("link", name=f"{year}年{month}月").click()
    page.wait_for_load_state("networkidle")
    replaced = page.locator("#changes li.row-change.replace")
    assert replaced.count() == 1
    assert "第2行" in replaced.inner_text() and "参加人数" in replaced.inner_text()
    assert replaced.locator("dd.changed del").inner_text() == "23"
    assert replaced.locator("dd.changed ins").inner_text() == "25"
    changes_box = page.locator("#changes").bounding_box()
    assert changes_box["y"] < page.locator("#review").bounding_box()["y"]  # old → new above the buttons
    shot(page, f"staff-4b-review-changes-{viewport}")
    assert_no_horizontal_overflow(page)
    page.get_by_role("button", name="审核通过并锁定").click()
    page.wait_for_load_state("networkidle")
    assert "已审核通过，该月已锁定" in page.locator("ul.messages").inner_text()
    log = table_rows(card(page, "本月状态记录").locator("table"))
    assert [row[1] for row in log] == ["审核通过", "确认上报", "退回", "确认上报"]  # newest first
    assert log[0][3:] == ["已上报", "已审核", "—"] and log[2][3:5] == ["已上报", "已退回"]
    shot(page, f"staff-4-approved-{viewport}")
    assert_no_horizontal_overflow(page)
    assert VillageMonth.objects.get(village=village, year=year, month=month).status == "approved"

    # Edit a record through its form and find the change in 修改记录.
    follow_nav(page, "查摆问题", group="镇党委工作")
    problem = Problem.objects.order_by("-found_date", "pk").first()
    page.locator("table tbody tr").first.locator("a").first.click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="编辑").click()
    page.wait_for_load_state("networkidle")
    shot(page, f"staff-5-edit-form-{viewport}")
    assert_no_horizontal_overflow(page)
    page.fill("#id_owner", "王建国")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    problem.refresh_from_db()
    assert problem.owner == "王建国"
    page.get_by_role("link", name="修改记录").click()
    page.wait_for_load_state("networkidle")
    latest = table_rows(page.locator("table"))[0]
    assert latest[1:3] == ["staff", "修改"] and "整改责任人" in latest[3] and "王建国" in latest[3]
    shot(page, f"staff-6-history-{viewport}")
    assert_no_horizontal_overflow(page)

    # Import a ledger: the template, a preview that writes nothing, then the confirm.
    follow_nav(page, "工作专报与信息", group="镇党委工作")
    before = Bulletin.objects.count()
    page.get_by_role("link", name="导入台账").click()
    page.wait_for_load_state("networkidle")
    template = download(page, lambda: page.get_by_role("link", name="下载导入模板").click())
    ledger = fill_ledger(template, [
        {"类型": "工作专报", "发布日期": datetime.date(year, month, 20), "期号": 14,
         "标题": "全镇村级月报上报情况通报"},
        {"类型": "工作信息", "发布日期": datetime.date(year, month, 21), "标题": "通昌村开展主题党日活动"},
    ])
    page.set_input_files("input[type=file]", files=[{"name": "工作专报台账.xlsx", "mimeType": XLSX, "buffer": ledger}])
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="确认导入").wait_for()
    assert "确认后将新增 2 条、更新 0 条记录" in page.content()
    assert Bulletin.objects.count() == before
    shot(page, f"staff-7-import-preview-{viewport}")
    assert_no_horizontal_overflow(page)
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_load_state("networkidle")
    page.get_by_text("导入：新增 2 条").wait_for()
    assert Bulletin.objects.count() == before + 2
    page.get_by_role("link", name="返回工作专报与信息").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("tbody tr", has_text="全镇村级月报上报情况通报").count() == 1
    shot(page, f"staff-8-imported-{viewport}")
    assert_no_horizontal_overflow(page)
    watch.assert_clean()
