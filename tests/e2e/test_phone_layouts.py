"""On a 390×844 phone: the completeness grid one month at a time, record lists as cards, a submission's changed
rows; nothing wider than the screen, no column cut off, dates on one line. On a laptop: one menu open at a time."""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.e2e.conftest import LAPTOP, PHONE, assert_no_horizontal_overflow, login, shot
from tests.e2e.workbooks import fill, month_rows

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Every table box shows all it holds (nothing scrolled out of sight), and every cell that is shown lies on screen.
NOTHING_CUT_OFF = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = Array.from(document.querySelectorAll('.table-wrap'))
    .filter(box => box.scrollWidth > box.clientWidth + 1).map(box => box.querySelector('table').className);
  const outside = Array.from(document.querySelectorAll('th, td'))
    .filter(cell => cell.getClientRects().length && cell.getBoundingClientRect().right > width + 1)
    .map(cell => cell.innerText);
  return {clipped, outside};
}"""
# Dates on one line: the text of each date cell makes one line box.
DATES_ON_ONE_LINE = """() => Array.from(document.querySelectorAll('td.nowrap')).filter(cell => {
  const range = document.createRange(); range.selectNodeContents(cell);
  return cell.innerText.trim() && range.getClientRects().length > 1;
}).map(cell => cell.innerText)"""


def assert_nothing_cut_off(page):
    assert_no_horizontal_overflow(page)
    assert page.evaluate(NOTHING_CUT_OFF) == {"clipped": [], "outside": []}
    assert page.evaluate(DATES_ON_ONE_LINE) == []


def _resubmitted_with_a_changed_row():
    """通昌村's last month, confirmed, then uploaded again with one figure changed (a preview)."""
    from submissions import services
    from submissions.services import previous_month
    from submissions.workbook import build_template
    from township.models import User
    from villages.models import Village

    village, user = Village.objects.get(name="通昌村"), User.objects.get(username="sec03")
    year, month = previous_month(datetime.date.today())
    submission = None
    for attendance in (23, 25):
        data = fill(build_template(village=village, year=year, month=month),
                    month_rows(year, month, theme_day_attendance=attendance))
        submission = services.submission_preview(submission=services.submission_create(
            village=village, year=year, month=month, user=user,
            uploaded_file=SimpleUploadedFile("通昌村月报.xlsx", data)))
        if attendance == 23:
            services.submission_confirm(submission=submission, user=user)
    return submission


def test_phone_layouts(page, live_server, demo, watch):
    from villages.models import Village

    preview = _resubmitted_with_a_changed_row()
    page.set_viewport_size(PHONE)
    login(page, live_server.url, "staff")

    # The completeness grid: one month's column at a time, picked above it; each cell opens its village-month.
    page.goto(f"{live_server.url}/submissions/completeness/?year=2023")
    page.select_option("select[name=month]", "5")
    page.get_by_role("button", name="查看").click()
    page.wait_for_load_state("networkidle")
    grid = page.locator("table.completeness")
    headers = [text.strip() for text in grid.locator("thead th").all_inner_texts()]
    visible = [h for h, cell in zip(headers, grid.locator("thead th").all(), strict=True) if cell.is_visible()]
    assert visible == ["村", "5月"]
    first_row = grid.locator("tbody tr").first.locator("th, td")
    assert [cell.is_visible() for cell in first_row.all()].count(True) == 2
    assert grid.locator("tbody tr").count() == 12
    shot(page, "phone-1-completeness-month-picker")
    assert_nothing_cut_off(page)
    page.select_option("select[name=month]", "2")
    page.get_by_role("button", name="查看").click()
    page.wait_for_load_state("networkidle")
    row = grid.locator("tbody tr", has=page.locator("th", has_text="通昌村"))
    assert row.locator("td.picked").inner_text().startswith("未上报")  # the demo's month 通昌村 never reported
    row.locator("td.picked a").click()
    page.wait_for_load_state("networkidle")
    village = Village.objects.get(name="通昌村")
    assert f"village={village.pk}" in page.url and "year=2023" in page.url and "month=2" in page.url
    assert page.locator("#id_month option:checked").inner_text() == "2月"
    assert_nothing_cut_off(page)

    # A record list as cards: each row a block, each value under its column's name, dates on one line.
    page.goto(f"{live_server.url}/records/persons/?village={village.pk}")
    cards = page.locator("table.record-list tbody tr")
    assert cards.count() > 5
    assert page.locator("table.record-list thead").is_hidden()
    first = cards.first.locator("td")
    labels = first.evaluate_all("cells => cells.map(c => getComputedStyle(c, '::before').content)")
    assert labels[:4] == ['"姓名"', '"所属村"', '"性别"', '"出生日期"']
    assert all(cell.is_visible() for cell in first.all())
    shot(page, "phone-2-persons-as-cards")
    assert_nothing_cut_off(page)

    # A submission with its changed rows, old → new, above the buttons.
    page.goto(f"{live_server.url}/submissions/{preview.pk}/")
    replaced = page.locator("#changes li.row-change.replace")
    assert replaced.locator("dd.changed").inner_text().replace(" ", "") == "23→25"
    assert replaced.locator("dd.changed").is_visible()
    shot(page, "phone-3-submission-changes")
    assert_nothing_cut_off(page)
    watch.assert_clean()


def test_one_menu_open_at_a_time(page, live_server, demo, watch):
    page.set_viewport_size(LAPTOP)
    login(page, live_server.url, "staff")
    groups = page.locator("details.nav-group")
    assert groups.count() >= 2
    first, second = groups.nth(0), groups.nth(1)
    open_ones = "() => Array.from(document.querySelectorAll('details.nav-group')).map((g, i) => g.open ? i : -1)" \
                ".filter(i => i >= 0).join(',')"

    def wait_open(expected):  # the menus close on the toggle event, a moment after the click
        page.wait_for_function(f"expected => ({open_ones})() === expected", arg=expected)

    first.locator("summary").click()
    wait_open("0")
    second.locator("summary").click()
    wait_open("1")
    page.mouse.click(LAPTOP["width"] - 20, LAPTOP["height"] - 20)  # a click elsewhere closes it
    wait_open("")
    first.locator("summary").click()
    wait_open("0")
    page.keyboard.press("Escape")
    wait_open("")
    watch.assert_clean()
