"""The report as a Word file in the layout of a Chinese official document (GB/T 9704-2012).

A4; margins 37/35/28/26 mm; 22 lines of 28 characters (fixed 28.9 pt line
spacing); title 方正小标宋简体 二号; body 仿宋_GB2312 三号 with a two-character
first-line indent; 一、 headings 黑体, （一） headings 楷体_GB2312; page numbers
"— 1 —" in 宋体 四号, right on odd pages and left on even pages. Every run names
its East Asian font (w:eastAsia): without it Word and WPS fall back to another font.
"""
from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from . import drafting
from .drafting import exact_text
from .figures import table_keys

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
TABLE_SIZE = Pt(12)  # 小四
LINE = Pt(28.9)


def set_font(run, name, size, bold=False):
    """Font of a run in every script slot, East Asian included."""
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), name)
    return run


def _paragraph(document, indent=True, align=None):
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(32)  # two characters of 三号
    if align is not None:
        paragraph.alignment = align
    return paragraph


def _page_number(paragraph):
    """ "— PAGE —" with a PAGE field, in 宋体 四号."""
    set_font(paragraph.add_run("— "), PAGE_NUMBER_FONT, SIZE_4)
    run = set_font(paragraph.add_run(), PAGE_NUMBER_FONT, SIZE_4)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = " PAGE "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._element.append(element)
    set_font(paragraph.add_run(" —"), PAGE_NUMBER_FONT, SIZE_4)


def _setup(document):
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(25)  # the page number about 7 mm under the text block
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = SIZE_3
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    document.settings.odd_and_even_pages_header_footer = True
    odd = section.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _page_number(odd)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _page_number(even)


def _table(document, caption, header, rows):
    set_font(_paragraph(document, indent=False).add_run(caption), HEADING1_FONT, SIZE_3)
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_font(cell.paragraphs[0].add_run(text), HEADING1_FONT, TABLE_SIZE)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            set_font(cell.paragraphs[0].add_run(str(text)), BODY_FONT, TABLE_SIZE)
    return table


def build_docx(report_document, figures, *, township, year) -> bytes:
    """The .docx bytes of a report document (see reports.document.report_document)."""
    document = Document()
    _setup(document)
    title = _paragraph(document, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.line_spacing = Pt(36)
    set_font(title.add_run(report_document["title"]), TITLE_FONT, SIZE_2)
    _paragraph(document, indent=False)  # the blank line under the title

    for section in report_document["sections"]:
        set_font(_paragraph(document).add_run(section["heading"]), HEADING1_FONT, SIZE_3)
        for part in section["parts"]:
            for n, paragraph in enumerate(part["paragraphs"]):
                p = _paragraph(document)
                if n == 0 and part["heading"]:
                    set_font(p.add_run(part["heading"]), HEADING2_FONT, SIZE_3)
                for segment in paragraph["segments"]:
                    set_font(p.add_run(segment["text"]), BODY_FONT, SIZE_3)

    targets = drafting.targets_table(figures)
    if targets:
        _table(document, "附表1  年度目标完成情况", ["目标", "目标值", "完成", "是否完成"],
               [(r["label"], r["target"], r["actual"], "完成" if r["achieved"] else "未完成") for r in targets])
    incomes = figures.get("economy.income_by_village", {}).get("value") or []
    if incomes:
        _table(document, "附表2  各村集体经济收入", ["村", "收入（元）"],
               [(r["village"], r["amount"]) for r in incomes])
    _table(document, "附表3  主要数据", ["项目", "数值"],
           [(figures[key]["label"], exact_text(figures[key])) for key in table_keys(figures)])

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
