"""The Word file in the layout of GB/T 9704-2012: the closing of the body, the annexes, the grid, fonts, tables."""
import datetime
import io

import docx
import pytest
from django.utils import timezone
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import etree

from reports.docx import CHARS_PER_LINE, LINES_PER_PAGE, grid, signature_indents
from reports.models import Report
from township.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_township):
    return demo_township


@pytest.fixture
def word(demo, client):
    client.force_login(User.objects.get(username="staff"))
    return docx.Document(io.BytesIO(client.get("/reports/2023/report.docx").content))


def body_paragraphs(document):
    """The paragraphs before the first annex (the one that starts a new page)."""
    paragraphs = document.paragraphs
    first_annex = next(n for n, p in enumerate(paragraphs) if p.paragraph_format.page_break_before)
    return paragraphs[:first_annex], paragraphs[first_annex:]


def test_the_signature_and_the_date_close_the_body(word):
    body, _annexes = body_paragraphs(word)
    signer, date = [p for p in body if p.text.strip()][-2:]
    assert signer.text == "中共示范镇委员会"
    assert date.text == f"{timezone.localdate().year}年{timezone.localdate().month}月{timezone.localdate().day}日"
    for paragraph in (signer, date):
        assert paragraph.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT
        assert paragraph.paragraph_format.right_indent >= Pt(32)  # two characters from the right, or more
    # The 附件说明 comes between the text and the signature, numbered.
    texts = [p.text for p in body]
    start = texts.index("附件：1.2023年度目标完成情况")
    assert texts[start:start + 3] == ["附件：1.2023年度目标完成情况", "2.2023年各村集体经济收入", "3.2023年主要数据"]
    assert start < texts.index("中共示范镇委员会") and texts[start - 1] == ""  # one blank line under the text


def test_a_final_reports_date_is_the_day_it_was_made_final(demo, client):
    client.force_login(User.objects.get(username="staff"))
    client.post("/reports/2023/finalize/")
    final = Report.objects.get(township=demo, year=2023).final
    type(final).objects.filter(pk=final.pk).update(
        finalized_at=timezone.make_aware(datetime.datetime(2024, 1, 15, 10, 0)))
    document = docx.Document(io.BytesIO(client.get("/reports/2023/report.docx").content))
    body, _annexes = body_paragraphs(document)
    assert [p.text for p in body if p.text.strip()][-1] == "2024年1月15日"


def test_each_annex_starts_a_new_page_with_a_repeating_header(word):
    _body, annexes = body_paragraphs(word)
    labels = [p for p in annexes if p.text.startswith("附件") and len(p.text) <= 4]
    assert [p.text for p in labels] == ["附件1", "附件2", "附件3"]
    assert all(p.paragraph_format.page_break_before and p.paragraph_format.keep_with_next for p in labels)
    assert len(word.tables) == 3
    for table in word.tables:
        header = table.rows[0]._tr
        assert header.trPr.find(qn("w:tblHeader")) is not None
        assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)


def test_the_income_annex_has_separators_last_year_and_the_total(word):
    income = word.tables[1]
    assert [c.text for c in income.rows[0].cells] == ["村", "2023年（元）", "2022年（元）", "增减（元）"]
    jiangnan = [c.text for c in income.rows[1].cells]
    assert jiangnan == ["江南村", "1,502,300.00", "1,306,420.00", "+195,880.00"]
    assert [c.text for c in income.rows[-1].cells][:2] == ["合计", "13,635,320.50"]


def test_the_data_annex_is_short_and_compares_with_last_year(word):
    data = word.tables[2]
    assert [c.text for c in data.rows[0].cells] == ["项目", "2023年", "2022年", "增减"]
    assert 10 <= len(data.rows) - 1 <= 20
    rows = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in data.rows[1:]}
    assert rows["集中学习"] == ["263次", "231次", "+32"]
    assert rows["村集体经济总收入"][0] == "13,635,320.50元"


def test_the_grid_holds_28_characters_a_line_and_22_lines_a_page(word):
    section = word.sections[0]
    doc_grid = section._sectPr.find(qn("w:docGrid"))
    assert doc_grid.get(qn("w:type")) == "linesAndChars"
    line_pitch, char_space = int(doc_grid.get(qn("w:linePitch"))), int(doc_grid.get(qn("w:charSpace")))
    assert (line_pitch, char_space) == grid(section)
    height = section.page_height.twips - section.top_margin.twips - section.bottom_margin.twips
    width_pt = (section.page_width.twips - section.left_margin.twips - section.right_margin.twips) / 20
    assert line_pitch * LINES_PER_PAGE <= height < line_pitch * (LINES_PER_PAGE + 1)
    char_pitch = 16 + char_space / 4096  # 三号 plus the grid's character spacing
    assert char_pitch * CHARS_PER_LINE <= width_pt < char_pitch * (CHARS_PER_LINE + 1)
    assert (line_pitch, char_space) == (579, -842)  # the values of the usual 公文 templates
    body = next(p for p in word.paragraphs if p.text.startswith("（一）"))
    assert body.paragraph_format.line_spacing.twips == line_pitch


def test_the_official_fonts_declare_fallbacks(word):
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    part = next(rel.target_part for rel in word.part.rels.values() if rel.reltype == RT.FONT_TABLE)
    fonts = etree.fromstring(part.blob)
    alt = {font.get(qn("w:name")): font.find(qn("w:altName")).get(qn("w:val"))
           for font in fonts.findall(qn("w:font")) if font.find(qn("w:altName")) is not None}
    assert alt["方正小标宋简体"] == "宋体" and alt["仿宋_GB2312"] == "仿宋" and alt["楷体_GB2312"] == "楷体"
    assert "黑体" in alt


def test_headings_keep_with_the_next_paragraph(word):
    for heading in ("一、工作开展情况", "二、亮点工作", "三、存在的问题", "四、下一步措施"):
        paragraph = next(p for p in word.paragraphs if p.text == heading)
        assert paragraph.paragraph_format.keep_with_next, heading


def test_signature_indents_follow_gbt_9704():
    # The date is shorter than 署名 + 2 characters: it stays two characters from the right and the 署名 moves left.
    signer, date = signature_indents("中共示范镇委员会", "2024年1月15日")
    assert (signer.pt, date.pt) == (40, 32)
    # A long 署名: two characters from the right, the date beginning two characters right of it.
    signer, date = signature_indents("中共示范县示范镇委员会", "2024年1月5日")
    assert signer.pt == 32 and date.pt == 11 * 16 - (3 * 16 + 6 * 8)
