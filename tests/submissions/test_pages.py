"""The review queue, the completeness grid's links, and the secretary's path (issue 14)."""
import re

import pytest

from submissions import services
from submissions.models import Submission
from villages.models import VillageMonth, VillageMonthStatus

from .conftest import MONTH, YEAR, upload_file

pytestmark = pytest.mark.django_db


def _submitted(village, user, workbook_for):
    submission = services.submission_create(village=village, year=YEAR, month=MONTH, user=user,
                                            uploaded_file=upload_file(workbook_for(village)))
    submission = services.submission_preview(submission=submission)
    return services.submission_confirm(submission=submission, user=user)


def _uploaded(village, user, data, month=MONTH):
    submission = services.submission_create(village=village, year=YEAR, month=month, user=user,
                                            uploaded_file=upload_file(data))
    return services.submission_preview(submission=submission)


def _listed(page):
    """(village, 年月, status cell text) of the rows of the submissions list, in order."""
    body = page.split('id="submission-list"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<td data-label="村">(.*?)</td>.*?>(\d+年\d+月)</a></td>\s*<td data-label="状态">(.*?)</td>',
                      body, re.S)
    return [(village, period, re.sub(r"<.*?>", "", status).strip()) for village, period, status in rows]


def test_staff_queue_lists_what_awaits_review_first(client_for, village_a, village_b, secretary_a, secretary_b, staff,
                                                    workbook_for):
    _submitted(village_a, secretary_a, workbook_for)
    # A preview, newer than the submitted one (its people are 江南村's: none of its own).
    _uploaded(village_b, secretary_b, workbook_for(village_b, rows={"集体经济收入": [["其他", 1, ""]]}))
    client = client_for(staff)
    everything = _listed(client.get("/submissions/").content.decode())
    assert everything[0] == ("江南村", f"{YEAR}年{MONTH}月", "已上报 待审核")
    assert everything[1][0] == "联星村" and everything[1][2] == "待确认"
    queue = client.get("/submissions/?status=submitted").content.decode()
    assert _listed(queue) == [("江南村", f"{YEAR}年{MONTH}月", "已上报 待审核")]
    assert "待审核的报表" in queue
    home = client.get("/").content.decode()
    assert 'href="/submissions/?status=submitted">1 份报表待审核' in home


def test_every_grid_cell_links_to_its_village_month(client_for, village_a, village_b, secretary_a, staff,
                                                    workbook_for):
    submitted = _submitted(village_a, secretary_a, workbook_for)
    page = client_for(staff).get(f"/submissions/completeness/?year={YEAR}&month={MONTH}").content.decode()
    cells = re.findall(r'<td class="m [^"]*"[^>]*><a href="([^"]+)"', page)
    assert len(cells) == 24  # two villages × twelve months, every one a link
    assert f"/submissions/{submitted.pk}/" in cells
    assert f"/submissions/?village={village_b.pk}&amp;year={YEAR}&amp;month={MONTH}" in cells
    # The link of a month without a submission opens the upload form set to that village and month.
    form = client_for(staff).get(f"/submissions/?village={village_b.pk}&year={YEAR}&month={MONTH}").content.decode()
    assert f'<option value="{village_b.pk}" selected>' in form
    assert f'name="year" value="{YEAR}"' in form and f'<option value="{MONTH}" selected>' in form


def test_the_error_page_offers_the_upload_again_for_the_same_month(client_for, village_a, secretary_a, workbook_for):
    bad = _uploaded(village_a, secretary_a, workbook_for(village_a, rows={"集体经济收入": [["彩票", 1, ""]]}))
    client = client_for(secretary_a)
    page = client.get(f"/submissions/{bad.pk}/").content.decode()
    form = page.split('id="reupload"', 1)[1].split("</form>", 1)[0]
    assert 'action="/submissions/upload/"' in form and 'type="file"' in form
    assert f'name="village" value="{village_a.pk}"' in form
    assert f'name="year" value="{YEAR}"' in form and f'name="month" value="{MONTH}"' in form
    assert 'data-busy="' in form and "/static/js/busy-forms.js" in page
    response = client.post("/submissions/upload/", {"village": village_a.pk, "year": YEAR, "month": MONTH,
                                                    "file": upload_file(workbook_for(village_a))})
    newer = Submission.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == f"/submissions/{newer.pk}/"
    assert newer.status == "preview"
    bad.refresh_from_db()
    assert bad.status == "superseded"
    # A clean preview has no such form.
    assert 'id="reupload"' not in client.get(f"/submissions/{newer.pk}/").content.decode()


def test_a_locked_month_shows_its_lock_instead_of_an_upload_button(client_for, village_a, secretary_a, staff,
                                                                   workbook_for, monkeypatch):
    submitted = _submitted(village_a, secretary_a, workbook_for)
    services.submission_approve(submission=submitted, user=staff)
    monkeypatch.setattr("submissions.templatetags.submissions_tags.previous_month", lambda today: (YEAR, MONTH))
    client = client_for(secretary_a)
    page = client.get(f"/villages/{village_a.pk}/").content.decode()
    assert f"{MONTH}月已审核锁定，如需更正请联系镇党委" in page
    assert "上传月度报表</a>" not in page
    form = client.get(f"/submissions/?village={village_a.pk}&year={YEAR}&month={MONTH}").content.decode()
    assert "已审核通过并锁定" in form and "上传并检查</button>" not in form and "上传其他月份的报表" in form
    detail = client.get(f"/submissions/{submitted.pk}/").content.decode()
    assert "已审核锁定，如需更正请联系镇党委" in detail and 'id="reupload"' not in detail


@pytest.mark.parametrize("case", ["too_large", "wrong_kind", "locked", "no_file"])
def test_a_refused_upload_keeps_the_list_of_uploads(case, client_for, settings, village_a, secretary_a, staff,
                                                    workbook_for):
    for month in (1, 2):
        _uploaded(village_a, secretary_a, workbook_for(village_a, month=month), month=month)
    data = workbook_for(village_a)
    if case == "too_large":
        settings.SUBMISSION_MAX_BYTES = 100_000
        data = b"PK\x03\x04" + b"\0" * 300_000
    elif case == "locked":
        VillageMonth.objects.create(village=village_a, year=YEAR, month=MONTH, status=VillageMonthStatus.APPROVED)
    elif case == "wrong_kind":
        data = b"not a workbook"
    payload = {"village": village_a.pk, "year": YEAR, "month": MONTH}
    if case != "no_file":
        payload["file"] = upload_file(data, "月报.exe" if case == "wrong_kind" else "月报.xlsx")
    response = client_for(secretary_a).post("/submissions/upload/", payload, follow=True)
    page = response.content.decode()
    assert "还没有上传的报表" not in page
    assert [period for _village, period, _status in _listed(page)][-2:] == [f"{YEAR}年2月", f"{YEAR}年1月"]
    expected = {"too_large": "上限", "wrong_kind": "请上传 Excel 工作簿", "locked": "锁定",
                "no_file": "请选择要上传的报表文件"}
    assert expected[case] in page
