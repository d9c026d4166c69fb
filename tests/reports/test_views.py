"""The report pages by role, staff edits kept apart from the draft, suggestions, final and reopen."""
import datetime
import io
from decimal import Decimal

import docx
import pytest

from reports.models import ItemStatus, LogAction, Report, ReportItem, ReportLog, ReportSectionEdit
from tests.economy.factories import IncomeRecordFactory
from tests.pages import external_references
from tests.study.factories import StudyActivityFactory

pytestmark = pytest.mark.django_db

READ_URLS = ["/reports/", "/reports/2023/", "/reports/2023/report.docx"]


@pytest.fixture
def data(township, village_a, village_b):
    IncomeRecordFactory(village=village_a, year=2023, month=1, category="land_transfer", amount=Decimal("2003580.00"))
    IncomeRecordFactory(village=village_b, year=2023, month=1, category="farming", amount=Decimal("253460.50"))
    for _ in range(23):  # "20余次": 20 keeps 87 % of 23
        StudyActivityFactory(village=village_a, township=township, kind="concentrated", essays=1)


def docx_text(content):
    document = docx.Document(io.BytesIO(content))
    return "\n".join(p.text for p in document.paragraphs)


# ---------------------------------------------------------------- permissions


@pytest.mark.parametrize("url", READ_URLS)
def test_anonymous_goes_to_login(client_for, township, url):
    response = client_for(None).get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("url", READ_URLS)
@pytest.mark.parametrize("role", ["staff", "leader"])
def test_staff_and_leader_read(roles, data, client_for, url, role):
    response = client_for(roles[role]).get(url)
    assert response.status_code in (200, 302)
    if url == "/reports/":
        assert response["Location"] == "/reports/2023/"
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("url", READ_URLS)
def test_secretary_gets_403(roles, client_for, url):
    assert client_for(roles["secretary_a"]).get(url).status_code == 403


def test_secretary_reads_when_the_township_allows_it(roles, data, client_for, settings):
    settings.REPORTS_VISIBLE_TO_SECRETARIES = True
    client = client_for(roles["secretary_a"])
    response = client.get("/reports/2023/")
    assert response.status_code == 200
    assert "示范镇2023年党建工作总结" in response.content.decode()
    assert client.post("/reports/2023/items/", {"section": "problems", "text": "x"}).status_code == 403


def test_other_township_gets_404_for_this_township(roles, township, data, client_for, api_for):
    other = roles["other_staff"]
    assert client_for(other).get(f"/reports/2023/?township={township.pk}").status_code == 404
    assert client_for(other).get(f"/reports/2023/report.docx?township={township.pk}").status_code == 404
    assert api_for(other).get(f"/api/reports/2023/figures/?township={township.pk}").status_code == 404
    report = Report.objects.create(township=township, year=2023)
    item = ReportItem.objects.create(report=report, section="problems", text="本镇的条目")
    assert client_for(other).post(f"/reports/2023/items/{item.pk}/delete/").status_code == 404
    assert ReportItem.objects.filter(pk=item.pk).exists()
    # Their own report shows their own township's (empty) figures, never ours.
    body = client_for(other).get("/reports/2023/").content.decode()
    assert "邻镇2023年党建工作总结" in body and "示范镇" not in body


def test_figures_api_by_role(roles, data, api_for):
    assert api_for(None).get("/api/reports/2023/figures/").status_code in (401, 403)
    assert api_for(roles["staff"]).get("/api/reports/2023/figures/").status_code == 200
    assert api_for(roles["leader"]).get("/api/reports/2023/figures/").status_code == 200
    assert api_for(roles["secretary_a"]).get("/api/reports/2023/figures/").status_code == 403
    assert api_for(roles["other_staff"]).get("/api/reports/2023/figures/").json()["township"] == "邻镇"


WRITE_POSTS = [
    ("/reports/2023/parts/work.political/", {"text": "改写"}),
    ("/reports/2023/items/", {"section": "problems", "text": "新问题"}),
    ("/reports/2023/suggestions/income_gap/", {"accept": "1"}),
    ("/reports/2023/finalize/", {}),
    ("/reports/2023/reopen/", {"reason": "x"}),
]


@pytest.mark.parametrize("url,payload", WRITE_POSTS)
@pytest.mark.parametrize("role,status", [("leader", 403), ("secretary_a", 403), ("staff", 302)])
def test_only_staff_change_the_report(roles, data, client_for, url, payload, role, status):
    assert client_for(roles[role]).post(url, payload).status_code == status


@pytest.mark.parametrize("url,payload", WRITE_POSTS)
def test_anonymous_cannot_post(client_for, township, url, payload):
    response = client_for(None).post(url, payload)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not ReportItem.objects.exists() and not ReportSectionEdit.objects.exists()


# ---------------------------------------------------------------- the page


def test_page_has_the_four_sections_in_order_with_rounded_text_and_exact_tooltips(roles, data, client_for):
    body = client_for(roles["staff"]).get("/reports/2023/").content.decode()
    headings = ["一、工作开展情况", "（一）强化政治建设，筑牢思想根基。", "（二）着力培根固元，夯实基层堡垒。",
                "二、亮点工作", "三、存在的问题", "四、下一步措施"]
    positions = [body.index(h) for h in headings]
    assert positions == sorted(positions)
    assert 'title="精确值：23次"' in body and ">20余次</a>" in body
    assert 'href="/records/study-activities/?year=2023&amp;kind=concentrated"' in body
    assert 'title="精确值：23篇"' in body and ">20余篇</a>" in body
    # No star ratings were recorded: the text leaves them out instead of inventing a number or saying "暂无记录".
    document = body[body.index('id="report-document"'):body.index("</article>")]
    assert "党组织参评" not in document and "暂无记录" not in document
    # The charts get their data through json_script and a local ECharts.
    assert 'id="report-chart-data"' in body and "/static/vendor/echarts/echarts.min.js" in body
    assert external_references(body) == []


def test_suggestion_accept_and_dismiss(roles, data, client_for):
    client = client_for(roles["staff"])
    body = client.get("/reports/2023/").content.decode()
    assert "最高的" in body and "数据提示的问题" in body
    client.post("/reports/2023/suggestions/income_gap/", {"accept": "1"})
    client.post("/reports/2023/suggestions/land_share/", {"accept": "0"})
    item = ReportItem.objects.get(suggestion_key="income_gap")
    assert item.status == ItemStatus.ACCEPTED and item.section == "problems"
    assert ReportItem.objects.get(suggestion_key="land_share").status == ItemStatus.DISMISSED
    content = client.get("/reports/2023/report.docx").content
    text = docx_text(content)
    assert "一是村集体经济发展不平衡。全镇2个村，村集体经济最高的200万元，最低的25万元" in text
    assert "收入结构单一" not in text


def test_staff_edit_survives_regeneration_and_shows_the_difference(roles, township, village_a, data, client_for):
    client = client_for(roles["staff"])
    client.post("/reports/2023/parts/work.political/", {"text": "一是抓实学习教育。镇党委工作人员改写的文字。"})
    edit = ReportSectionEdit.objects.get(part="work.political")
    assert "集中学习20余次" in edit.draft_at_edit
    # New records change the draft...
    for _ in range(10):
        StudyActivityFactory(village=village_a, township=township, kind="concentrated", essays=0)
    body = client.get("/reports/2023/").content.decode()
    # ...but not staff's text, and the page says the draft moved on and shows the difference.
    assert "镇党委工作人员改写的文字。" in body
    assert "数据生成的草稿已有变化" in body
    assert "<del>" in body and "<ins>" in body
    assert ReportSectionEdit.objects.get(part="work.political").text == "一是抓实学习教育。镇党委工作人员改写的文字。"
    assert "镇党委工作人员改写的文字" in docx_text(client.get("/reports/2023/report.docx").content)
    # An empty text goes back to the draft, which now counts 33.
    client.post("/reports/2023/parts/work.political/", {"text": ""})
    assert not ReportSectionEdit.objects.exists()
    assert "集中学习30余次" in docx_text(client.get("/reports/2023/report.docx").content)


def test_staff_items_are_numbered_in_their_section(roles, data, client_for):
    client = client_for(roles["staff"])
    client.post("/reports/2023/items/", {"section": "problems", "text": "党员教育管理有待加强。"})
    client.post("/reports/2023/items/", {"section": "next_steps", "text": "强化作风建设。"})
    text = docx_text(client.get("/reports/2023/report.docx").content)
    assert "一是党员教育管理有待加强。" in text
    assert "（四）强化作风建设。" in text or "（三）强化作风建设。" in text


def test_final_freezes_figures_and_text_until_reopened(roles, township, village_a, data, client_for, api_for):
    client = client_for(roles["staff"])
    client.post("/reports/2023/finalize/")
    report = Report.objects.get(township=township, year=2023)
    assert report.final is not None
    assert report.final.figures["study.concentrated_sessions"]["value"] == 23
    for _ in range(10):
        StudyActivityFactory(village=village_a, township=township, kind="concentrated", essays=0)
    body = client.get("/reports/2023/").content.decode()
    assert "已定稿" in body and "定稿后数据已有变化" in body and "集中学习" in body
    assert ">20余次</a>" in body
    assert "集中学习20余次" in docx_text(client.get("/reports/2023/report.docx").content)
    # The API serves the frozen figures too, marked final with the time; live ones only on request.
    frozen = api_for(roles["staff"]).get("/api/reports/2023/figures/").json()
    assert frozen["final"] is True and frozen["finalized_at"]
    assert frozen["figures"]["study.concentrated_sessions"]["value"] == 23
    live = api_for(roles["staff"]).get("/api/reports/2023/figures/?live=1").json()
    assert live["live"] is True and live["figures"]["study.concentrated_sessions"]["value"] == 33
    # While final, nothing changes.
    client.post("/reports/2023/items/", {"section": "problems", "text": "定稿后添加"})
    assert not ReportItem.objects.exists()
    # Leaders cannot reopen; staff can, and it is logged with the reason.
    assert client_for(roles["leader"]).post("/reports/2023/reopen/", {"reason": "x"}).status_code == 403
    client = client_for(roles["staff"])
    client.post("/reports/2023/reopen/", {"reason": "补录12月数据"})
    report.refresh_from_db()
    assert report.final is None
    log = list(ReportLog.objects.filter(report=report).values_list("action", "reason"))
    assert (LogAction.REOPEN, "补录12月数据") in log and (LogAction.FINALIZE, "") in log
    assert "集中学习30余次" in docx_text(client.get("/reports/2023/report.docx").content)


def test_docx_layout(roles, data, client_for):
    from docx.oxml.ns import qn
    from docx.shared import Pt

    content = client_for(roles["staff"]).get("/reports/2023/report.docx").content
    document = docx.Document(io.BytesIO(content))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 26]
    title = document.paragraphs[0]
    assert title.text == "示范镇2023年党建工作总结"
    assert title.runs[0].font.size == Pt(22)
    assert title.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    fonts = set()
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            east_asia = run._element.rPr.rFonts.get(qn("w:eastAsia"))
            assert east_asia, run.text
            fonts.add(east_asia)
    assert {"仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体"} <= fonts
    heading = next(p for p in document.paragraphs if p.text == "一、工作开展情况")
    assert heading.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "— " in section.footer.paragraphs[0].text
    assert document.settings.odd_and_even_pages_header_footer
    income_table = document.tables[-2]  # 附件: the villages' income, then the headline figures
    assert income_table.rows[1].cells[1].text == "2,003,580.00"


def test_year_out_of_range_is_404(roles, client_for):
    assert client_for(roles["staff"]).get("/reports/1999/").status_code == 404


def test_nav_link_only_for_roles_that_may_read(roles, client_for):
    assert 'href="/reports/"' in client_for(roles["staff"]).get("/").content.decode()
    assert 'href="/reports/"' in client_for(roles["leader"]).get("/").content.decode()
    secretary_page = client_for(roles["secretary_a"]).get(f"/villages/{roles['secretary_a'].village_id}/")
    assert 'href="/reports/"' not in secretary_page.content.decode()


def test_decisions_can_be_undone(roles, data, client_for):
    client = client_for(roles["staff"])
    client.post("/reports/2023/suggestions/income_gap/", {"accept": "0"})
    item = ReportItem.objects.get()
    client.post(f"/reports/2023/items/{item.pk}/delete/")
    assert not ReportItem.objects.exists()
    assert "村集体经济发展不平衡" in client.get("/reports/2023/").content.decode()


def test_months_ended_for_current_year(township, village_a):
    from reports.figures import compute_figures

    figures = compute_figures(township, 2023, today=datetime.date(2023, 4, 10))
    assert figures["submissions.months_ended"]["value"] == 3
    assert figures["submissions.reporting_rate"]["value"] == 0.0
