"""The report as a Word file in the layout of a Chinese official document (GB/T 9704-2012).

A4; margins 37/35/28/26 mm; a character grid of 22 lines of 28 characters
(w:docGrid linesAndChars, the line pitch and character pitch computed from the text
block); title 方正小标宋简体 二号; body 仿宋_GB2312 三号 with a two-character first-line
indent; 一、 headings 黑体 kept with the next paragraph, （一） headings 楷体_GB2312;
page numbers "— 1 —" in 宋体 四号, right on odd pages and left on even pages.

The body ends with the 附件说明 (附件：1. … 2. …), the 发文机关署名 (中共××镇委员会) and the
成文日期 (the day the report was made final, or today for a draft), placed as GB/T 9704
7.3.5.2 places them for a document without a seal: the 署名 two characters from the right,
the date two characters further right than the 署名 begins. The tables follow as 附件1,
附件2 … each from a new page, their header rows repeated on every page, money with
thousands separators.

Every run names its East Asian font (w:eastAsia), and the font table declares a fallback
for each official font (w:altName), or machines without them show one sans font for all.
"""
from __future__ import annotations

import io
import math
from decimal import Decimal

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, Twips
from lxml import etree

from . import drafting
from .figures import HEADLINE_KEYS, change
from .wording import cn_date

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
# Each official font and the font Word or WPS uses where it is not installed.
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING2_FONT: "楷体", HEADING1_FONT: "SimHei",
             PAGE_NUMBER_FONT: "SimSun"}
SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
TABLE_SIZE = Pt(12)  # 小四
CHARS_PER_LINE, LINES_PER_PAGE = 28, 22
CHAR = 16  # points: one character of 三号


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


# ---------------------------------------------------------------- the page and its grid


def grid(section) -> tuple[int, int]:
    """(linePitch in twips, charSpace in 4096ths of a point) so that the text block holds exactly 22 lines of
    28 characters of 三号: Word sets characters at the font size plus charSpace/4096 pt, lines at linePitch."""
    height = section.page_height.twips - section.top_margin.twips - section.bottom_margin.twips
    width = section.page_width.twips - section.left_margin.twips - section.right_margin.twips
    line_pitch = height // LINES_PER_PAGE
    char_space = math.floor((width / 20 / CHARS_PER_LINE - CHAR) * 4096)
    return line_pitch, char_space


def _set_grid(section):
    line_pitch, char_space = grid(section)
    sect_pr = section._sectPr
    doc_grid = sect_pr.find(qn("w:docGrid"))
    if doc_grid is None:
        doc_grid = OxmlElement("w:docGrid")
        sect_pr.append(doc_grid)
    doc_grid.set(qn("w:type"), "linesAndChars")
    doc_grid.set(qn("w:linePitch"), str(line_pitch))
    doc_grid.set(qn("w:charSpace"), str(char_space))
    return line_pitch


def _declare_fonts(document):
    """Each official font in the font table with its fallback (w:altName) and the Chinese character set."""
    part = next(rel.target_part for rel in document.part.rels.values() if rel.reltype == RT.FONT_TABLE)
    fonts = parse_xml(part.blob)
    for font in fonts.findall(qn("w:font")):
        if font.get(qn("w:name")) in FALLBACKS:
            fonts.remove(font)
    for name, fallback in FALLBACKS.items():
        fonts.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{fallback}"/><w:charset w:val="86"/>'
            f'<w:family w:val="{"roman" if name in (TITLE_FONT, PAGE_NUMBER_FONT) else "modern"}"/>'
            f'<w:pitch w:val="variable"/></w:font>'))
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


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


class OfficialDocument:
    """A Word document in the 公文 layout being written: the page, its grid and fonts, paragraphs and tables."""

    def __init__(self):
        self.document = Document()
        section = self.document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.footer_distance = Mm(25)  # the page number about 7 mm under the text block
        self.line = Twips(_set_grid(section))
        self.width = Pt((section.page_width.twips - section.left_margin.twips - section.right_margin.twips) / 20)
        normal = self.document.styles["Normal"]
        normal.font.name = BODY_FONT
        normal.font.size = SIZE_3
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
        _declare_fonts(self.document)
        self.document.settings.odd_and_even_pages_header_footer = True
        odd = section.footer.paragraphs[0]
        odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _page_number(odd)
        even = section.even_page_footer.paragraphs[0]
        even.alignment = WD_ALIGN_PARAGRAPH.LEFT
        _page_number(even)

    def paragraph(self, text=None, font=BODY_FONT, size=SIZE_3, *, indent=True, align=None, keep_with_next=False,
                  page_break_before=False, right_indent=None, left_indent=None):
        paragraph = self.document.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = self.line
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(0)
        if indent:
            fmt.first_line_indent = Pt(2 * CHAR)
        if align is not None:
            paragraph.alignment = align
        if keep_with_next:
            fmt.keep_with_next = True
        if page_break_before:
            fmt.page_break_before = True
        if right_indent is not None:
            fmt.right_indent = right_indent
        if left_indent is not None:
            fmt.left_indent = left_indent
        if text:
            set_font(paragraph.add_run(text), font, size)
        return paragraph

    def table(self, header, rows, *, numeric=()):
        """A table whose header row repeats on every page and whose rows are not split across pages."""
        table = self.document.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            self._cell(cell, text, HEADING1_FONT, WD_ALIGN_PARAGRAPH.CENTER)
        for row in rows:
            cells = table.add_row().cells
            for n, (cell, text) in enumerate(zip(cells, row, strict=True)):
                self._cell(cell, text, BODY_FONT, WD_ALIGN_PARAGRAPH.RIGHT if n in numeric else None)
        for n, row in enumerate(table.rows):
            tr_pr = row._tr.get_or_add_trPr()
            tr_pr.append(OxmlElement("w:cantSplit"))
            if n == 0:
                tr_pr.append(OxmlElement("w:tblHeader"))
        return table

    @staticmethod
    def _cell(cell, text, font, align):
        paragraph = cell.paragraphs[0]
        if align is not None:
            paragraph.alignment = align
        # Table text is smaller than the grid's line: off the grid, or every row is a page line tall.
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        paragraph._p.get_or_add_pPr().append(snap)
        set_font(paragraph.add_run(str(text)), font, TABLE_SIZE)


# ---------------------------------------------------------------- the annexes


def _amount(value) -> str:
    """Money in a table cell: 1,502,300.00 (the unit is in the header)."""
    return "—" if value is None else f"{Decimal(str(value)):,.2f}"


def _signed_amount(difference) -> str:
    return "—" if difference is None else (f"+{difference:,.2f}" if difference > 0 else f"{difference:,.2f}")


def annexes(figures, previous, year) -> list[tuple[str, list[str], list[tuple], tuple]]:
    """(title, header, rows, numeric columns) of each annex: targets, the villages' income, the headline figures."""
    out = []
    targets = drafting.targets_table(figures)
    if targets:
        out.append((f"{year}年度目标完成情况", ["目标", "目标值", "完成", "是否完成"],
                    [(r["label"], r["target"], r["actual"], "完成" if r["achieved"] else "未完成") for r in targets],
                    (1, 2)))
    incomes = (figures.get("economy.income_by_village") or {}).get("value") or []
    if incomes:
        before = {row["village"]: row["amount"] for row in
                  ((previous or {}).get("economy.income_by_village") or {}).get("value") or []}
        rows = [(row["village"], _amount(row["amount"]), _amount(before.get(row["village"])),
                 _signed_amount(change(row["amount"], before.get(row["village"])))) for row in incomes]
        total = figures["economy.income_total"]["value"]
        total_before = ((previous or {}).get("economy.income_total") or {}).get("value")
        rows.append(("合计", _amount(total), _amount(total_before), _signed_amount(change(total, total_before))))
        out.append((f"{year}年各村集体经济收入", ["村", f"{year}年（元）", f"{year - 1}年（元）", "增减（元）"],
                    rows, (1, 2, 3)))
    rows = [(r["label"], r["exact"], r["previous"], r["change"] or "—")
            for r in drafting.comparison_rows(figures, previous, [k for k in HEADLINE_KEYS if k in figures])]
    out.append((f"{year}年主要数据", ["项目", f"{year}年", f"{year - 1}年", "增减"], rows, (1, 2, 3)))
    return out


def _width(text) -> float:
    """The width of a line of text in points (Latin letters and digits are half a character)."""
    return sum(CHAR / 2 if ord(ch) < 128 else CHAR for ch in text)


def signature_indents(signer, date_text) -> tuple[Pt, Pt]:
    """(right indent of the 署名, of the 成文日期) per GB/T 9704 7.3.5.2: the 署名 two characters from the right,
    the date beginning two characters right of the 署名's first character; a date longer than that stays two
    characters from the right and the 署名 moves left."""
    name, date = _width(signer), _width(date_text)
    date_indent = name - date
    if date_indent < 2 * CHAR:
        return Pt(4 * CHAR + date - name), Pt(2 * CHAR)
    return Pt(2 * CHAR), Pt(date_indent)


def build_docx(report_document, figures, previous=None, *, township, year, signed_on) -> bytes:
    """The .docx bytes of a report document (see reports.document.report_document)."""
    out = OfficialDocument()
    title = out.paragraph(report_document["title"], TITLE_FONT, SIZE_2, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.line_spacing = Pt(36)
    out.paragraph(indent=False)  # the blank line under the title

    for section in report_document["sections"]:
        out.paragraph(section["heading"], HEADING1_FONT, keep_with_next=True)
        for part in section["parts"]:
            for n, paragraph in enumerate(part["paragraphs"]):
                if paragraph.get("empty"):
                    continue
                p = out.paragraph()
                if n == 0 and part["heading"]:
                    set_font(p.add_run(part["heading"]), HEADING2_FONT, SIZE_3)
                for segment in paragraph["segments"]:
                    set_font(p.add_run(segment["text"]), BODY_FONT, SIZE_3)

    attached = annexes(figures, previous, year) if report_document.get("has_records", True) else []
    if attached:
        out.paragraph(indent=False)  # 附件说明: one blank line under the body, two characters in
        for n, (annex_title, *_rest) in enumerate(attached, start=1):
            if n == 1:
                out.paragraph(f"附件：{n}.{annex_title}")
            else:  # aligned under the first title
                out.paragraph(f"{n}.{annex_title}", indent=False, left_indent=Pt(5 * CHAR))
    signer, date_text = f"中共{township.name}委员会", cn_date(signed_on)
    signer_indent, date_indent = signature_indents(signer, date_text)
    out.paragraph(indent=False)
    out.paragraph(signer, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=signer_indent)
    out.paragraph(date_text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=date_indent)

    for n, (annex_title, header, rows, numeric) in enumerate(attached, start=1):
        out.paragraph(f"附件{n}", HEADING1_FONT, indent=False, page_break_before=True, keep_with_next=True)
        out.paragraph(annex_title, TITLE_FONT, SIZE_2, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER,
                      keep_with_next=True)
        out.paragraph(indent=False).paragraph_format.keep_with_next = True
        out.table(header, rows, numeric=numeric)

    buffer = io.BytesIO()
    out.document.save(buffer)
    return buffer.getvalue()
