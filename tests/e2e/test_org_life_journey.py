"""Issue 17's journeys: a secretary reads a notice and attaches a photo to a meeting on a phone; staff see the
三会一课 compliance grid."""
import io

import pytest

from tests.e2e.conftest import PHONE, assert_no_horizontal_overflow, follow_nav, login, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def photo() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def test_secretary_reads_a_notice_and_attaches_a_photo_on_a_phone(page, live_server, demo, watch):
    from committee.models import Attachment, NoticeReceipt
    from study.models import OrgLifeEvent

    page.set_viewport_size(PHONE)
    login(page, live_server.url, "sec03")
    notices = page.locator("#township-notices")
    assert notices.locator(".badge", has_text="未读").count() == 2
    assert "关于补开支委会和主题党日的提醒" in notices.inner_text()
    assert_no_horizontal_overflow(page)
    shot(page, "org-life-1-notices-phone")
    notices.get_by_role("button", name="标为已读").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#township-notices .badge", has_text="未读").count() == 1
    assert NoticeReceipt.objects.filter(user__username="sec03").count() == 1

    # December 2023 is submitted, not yet approved: its meetings take evidence (an approved month's are locked).
    meeting = OrgLifeEvent.objects.get(branch__village__name="通昌村", kind="theme_day", date__year=2023,
                                       date__month=12)
    page.goto(f"{live_server.url}/records/org-life/{meeting.pk}/")
    page.set_input_files("#attachments input[type=file]",
                         files=[{"name": "主题党日.jpg", "mimeType": "image/jpeg", "buffer": photo()}])
    page.get_by_role("button", name="上传").click()
    page.wait_for_load_state("networkidle")
    assert "附件已上传" in page.content()
    thumbnail = page.locator("#attachments img")
    assert thumbnail.count() == 1 and thumbnail.evaluate("img => img.naturalWidth") == 320
    assert_no_horizontal_overflow(page)
    shot(page, "org-life-2-photo-phone")
    assert Attachment.objects.get().object_id == meeting.pk
    watch.assert_clean()


def test_staff_see_the_compliance_grid(page, live_server, demo, watch):
    login(page, live_server.url, "staff")
    follow_nav(page, "三会一课")
    assert page.locator("h1").inner_text().endswith("“三会一课”和主题党日落实情况")
    page.goto(f"{live_server.url}/org-life/compliance/?year=2023")  # the demo's year
    assert page.locator("#compliance-rate").inner_text() == "99.0%"
    row = page.locator("tr[data-village='通昌村']")
    assert "支委会✗" in row.locator("td[data-month='3']").inner_text()
    assert "支委会（3月、4月）" in row.locator("td.short").inner_text()
    shot(page, "org-life-3-compliance-laptop")
    row.locator("td[data-month='3'] a").click()
    page.wait_for_load_state("networkidle")
    assert "month=3" in page.url and "支委会" not in page.locator("table tbody").inner_text()
    watch.assert_clean()
