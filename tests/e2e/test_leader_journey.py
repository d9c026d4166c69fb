"""Party committee leader: the home page's key figures against their targets with charts, the 2023 report with
its charts, a figure's records, the Word file."""
import io
import re

import docx
import pytest

from tests.e2e.conftest import PHONE, assert_no_horizontal_overflow, download, follow_nav, login, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHARTS = ["chart-income-village", "chart-income-category", "chart-stars", "chart-pipeline", "chart-reporting"]
HOME_CHARTS = ["home-chart-income", "home-chart-counts", "home-chart-stars"]

# Per chart: its canvas size and how many of its pixels are painted (sampled every 4th pixel).
PAINTED = """ids => ids.map(id => {
  const canvas = document.querySelector('#' + id + ' canvas');
  if (!canvas || !canvas.width || !canvas.height) return {id, width: 0, painted: 0};
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 16) if (pixels[i] > 0) painted++;
  return {id, width: canvas.width, painted};
})"""

EDIT_CONTROLS = ["新增", "编辑", "删除", "导入台账", "定稿", "重新打开", "保存修改", "添加", "采用"]


def assert_no_edit_controls(page):
    for name in EDIT_CONTROLS:
        controls = page.locator("main").get_by_role("button", name=name).or_(
            page.locator("main").get_by_role("link", name=re.compile(f"^{name}")))
        assert controls.count() == 0, f"领导不应看到“{name}”（{page.url}）"
    assert page.locator("main form[method=post]").count() == 0, page.url


@pytest.mark.parametrize("viewport", ["laptop", "phone"])
def test_leader_reads_the_2023_report(page, live_server, demo, watch, viewport):
    if viewport == "phone":
        page.set_viewport_size(PHONE)

    login(page, live_server.url, "leader")
    assert page.locator("h1").inner_text() == "示范镇 党建工作概况"
    # The home page: the latest year's key figures against their targets, each a link to its records, and charts.
    dashboard = page.locator("#dashboard")
    assert dashboard.locator("h2").inner_text() == "2023年主要指标"
    values = dict(zip(dashboard.locator("a.kpi-value").evaluate_all("els => els.map(e => e.dataset.key)"),
                      dashboard.locator("a.kpi-value").all_inner_texts(), strict=True))
    assert values["economy.income_total"] == "1363万元" and values["economy.villages_over_1m"] == "7个"
    assert values["members.new_probationary"] == "5名" and values["submissions.reporting_rate"] == "95.8%"
    assert "已完成" in dashboard.locator(".kpi[data-key='economy.income_total']").inner_text()
    assert "计划 12名" in dashboard.locator(".kpi[data-key='members.new_probationary']").inner_text()
    page.locator("#home-chart-stars").scroll_into_view_if_needed()
    page.wait_for_function(f"() => {PAINTED}({HOME_CHARTS!r}).every(c => c.painted > 300)")
    for chart in page.evaluate(PAINTED, HOME_CHARTS):
        assert chart["width"] > 0 and chart["painted"] > 300, chart
    page.wait_for_timeout(1200)  # let ECharts finish its entry animation before the screenshot
    shot(page, f"leader-1-dashboard-{viewport}")
    assert_no_horizontal_overflow(page)
    assert_no_edit_controls(page)
    # A number leads to the records behind it: 百万村 to the seven villages.
    dashboard.locator("a.kpi-value[data-key='economy.villages_over_1m']").click()
    page.wait_for_load_state("networkidle")
    assert "共 7 个村" in page.locator("#list-summary").inner_text().replace("\xa0", " ")
    assert_no_horizontal_overflow(page)
    page.go_back()
    page.wait_for_load_state("networkidle")

    follow_nav(page, "年度工作总结")  # opens the latest year with records: 2023
    assert page.url.endswith("/reports/2023/")
    headings = page.locator("#report-document h3.h1").all_inner_texts()
    assert headings == ["一、工作开展情况", "二、亮点工作", "三、存在的问题", "四、下一步措施"]
    page.locator("#chart-reporting").scroll_into_view_if_needed()
    page.wait_for_function(f"() => {PAINTED}({CHARTS!r}).every(c => c.painted > 500)")
    for chart in page.evaluate(PAINTED, CHARTS):
        assert chart["width"] > 0 and chart["painted"] > 500, chart
    page.wait_for_timeout(1200)  # let ECharts finish its entry animation before the screenshot
    shot(page, f"leader-2-report-{viewport}")
    assert_no_horizontal_overflow(page)
    assert_no_edit_controls(page)

    # The Word file is the same report: it opens, and it says what the reference says.
    data = download(page, lambda: page.get_by_role("link", name="下载Word文档").click())
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "集中学习260余次" in text
    assert all(heading in text for heading in ["一、工作开展情况", "二、亮点工作", "三、存在的问题", "四、下一步措施"])

    # A figure of the text leads to the records behind it, as many as its exact value.
    figure = page.locator("#report-document a.fig[data-key='study.concentrated_sessions']").first
    assert figure.inner_text() == "260余次"
    exact = int(re.search(r"\d+", figure.get_attribute("title")).group())
    figure.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "学习活动"
    assert f"共 {exact} 条" in page.locator("main").inner_text()
    shot(page, f"leader-3-figure-records-{viewport}")
    assert_no_horizontal_overflow(page)
    assert_no_edit_controls(page)
    page.locator("main table tbody tr").first.locator("a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("link", name="修改记录").count() == 1
    shot(page, f"leader-4-record-{viewport}")
    assert_no_horizontal_overflow(page)
    assert_no_edit_controls(page)
    watch.assert_clean()
