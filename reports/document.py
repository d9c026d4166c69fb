"""The report as a document: the draft, staff edits and items put together, and the final version.

`report_document()` returns one plain structure (sections → parts → paragraphs →
segments) that the page, the Word file and the frozen final all use, so they
cannot say different things.
"""
from __future__ import annotations

import difflib

from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import drafting
from .figures import compute_years, year_has_records
from .models import ItemSection, ItemStatus, Report, ReportFinal

# The reference's four sections, in its order; parts are what staff edit.
SECTIONS = [
    ("一、工作开展情况", [("work.political", "（一）强化政治建设，筑牢思想根基。"),
                         ("work.grassroots", "（二）着力培根固元，夯实基层堡垒。")]),
    ("二、亮点工作", [(ItemSection.HIGHLIGHTS, None)]),
    ("三、存在的问题", [(ItemSection.PROBLEMS, None)]),
    ("四、下一步措施", [(ItemSection.NEXT_STEPS, None)]),
]
EDITABLE_PARTS = {"work.political", "work.grassroots", ItemSection.HIGHLIGHTS, ItemSection.NEXT_STEPS}
PART_LABELS = {
    "work.political": "（一）强化政治建设", "work.grassroots": "（二）夯实基层堡垒",
    ItemSection.HIGHLIGHTS: "亮点工作", ItemSection.NEXT_STEPS: "下一步措施",
}


def title(township, year) -> str:
    return f"{township.name}{year}年党建工作总结"


def get_report(township, year) -> Report:
    """The township's report of the year (created on first use), with whether it is final read in the same query."""
    report = (Report.objects.select_related("final_version")
              .defer(*(f"final_version__{name}" for name in ReportFinal.FROZEN))
              .filter(township=township, year=year).first())
    if report is None:
        report, _ = Report.objects.get_or_create(township=township, year=year)
    report.township = township  # the caller's instance: no query to read it again
    return report


def final_of(township, year) -> ReportFinal | None:
    """The final version of a township's report of `year`, or None; its frozen content deferred (load_frozen()
    reads it, from the cache when it can)."""
    return ReportFinal.objects.defer(*ReportFinal.FROZEN).filter(report__township=township, report__year=year).first()


def stated_figures(township, year, keys=None) -> tuple[dict, dict, bool]:
    """(figures, last year's, final) of a township's year as the product states them outside the report page
    (the leaders' dashboard, which asks for its `keys` only): the frozen ones once the year's report is final,
    live ones otherwise."""
    final = final_of(township, year)
    if final is not None:
        final.load_frozen()
        return final.figures, final.previous_figures, True
    figures, previous = figures_of(township, year, keys)
    return figures, previous, False


def figures_of(township, year, keys=None) -> tuple[dict, dict]:
    """(this year's figures, last year's) of a township in one pass: what the text compares (with `keys`,
    those figures only)."""
    both = compute_years(township, [year, year - 1], keys=keys)
    return both[year], both[year - 1]


def drafted_parts(figures, year, previous=None) -> dict[str, list]:
    """The draft of each part, written from the figures (and last year's, for the changes).

    A year without any record dated in it says so once, as the whole of 一、."""
    if not year_has_records(figures):
        return {"work.political": [plain_para(drafting.NO_RECORDS)], "work.grassroots": [],
                ItemSection.HIGHLIGHTS: [], ItemSection.PROBLEMS: [],
                ItemSection.NEXT_STEPS: drafting.next_steps(figures, year, previous, carry_over=False)}
    return {
        "work.political": drafting.political(figures, previous) or [plain_para(drafting.NOTHING_YET)],
        "work.grassroots": drafting.grassroots(figures, previous) or [plain_para(drafting.NOTHING_YET)],
        ItemSection.HIGHLIGHTS: drafting.highlights(figures, previous),
        ItemSection.PROBLEMS: [],
        ItemSection.NEXT_STEPS: drafting.next_steps(figures, year, previous),
    }


def para_text(paragraph) -> str:
    return "".join(segment["text"] for segment in paragraph)


def parts_text(paragraphs) -> str:
    return "\n".join(para_text(p) for p in paragraphs)


def plain_para(text):
    return [{"text": text, "key": None, "exact": None, "source": None}]


def diff_html(draft: str, edited: str):
    """The edited text against the current draft: deletions in <del>, insertions in <ins>."""
    out = []
    matcher = difflib.SequenceMatcher(None, draft, edited, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape(draft[a1:a2]))
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(draft[a1:a2])}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(edited[b1:b2])}</ins>")
    return mark_safe("".join(out).replace("\n", "<br>"))


def _prefix(section, n):
    if section == ItemSection.HIGHLIGHTS:
        return f"{n}."
    if section == ItemSection.PROBLEMS:
        return f"{drafting.cn_ordinal(n)}是"
    return ""


def place_items(generated, staff) -> list:
    """The paragraphs of a part with staff's items where staff put them: an item of order n is the n-th
    paragraph (order 1 comes first, before the generated ones); items without an order follow, as added."""
    out = list(generated)
    for paragraph in sorted((p for p in staff if p["order"]), key=lambda p: (p["order"], p["item_id"])):
        out.insert(min(paragraph["order"] - 1, len(out)), paragraph)
    return out + [p for p in staff if not p["order"]]


def _number(key, paragraphs):
    """Number the paragraphs of highlights (1.), problems (一是) and next steps (（一）)."""
    for n, paragraph in enumerate(paragraphs, start=1):
        if key in (ItemSection.HIGHLIGHTS, ItemSection.PROBLEMS):
            prefix = _prefix(key, n)
        elif key == ItemSection.NEXT_STEPS:
            prefix = f"（{drafting.cn_ordinal(n)}）"
        else:
            continue
        paragraph["segments"] = plain_para(prefix) + list(paragraph["segments"])


def report_document(report, figures, previous=None, *, with_edit_details=False) -> dict:
    """The whole report: title, sections with parts (paragraphs of segments), and the pending suggestions.

    `previous`: last year's figures (the text states the changes of the headline figures)."""
    year = report.year
    drafts = drafted_parts(figures, year, previous)
    empty_year = not year_has_records(figures)
    edits = {e.part: e for e in report.edits.all()}
    items = list(report.items.all())
    live_suggestions = {s["key"]: s for s in drafting.suggestions(figures, previous)} if not empty_year else {}
    decided = {i.suggestion_key for i in items if i.suggestion_key}
    sections = []
    for heading, parts in SECTIONS:
        section = {"heading": heading, "parts": []}
        for key, part_heading in parts:
            draft = drafts[key]
            edit = edits.get(key)
            if empty_year and key.startswith("work.") and not edit:
                if not draft:
                    continue  # the year's one sentence stands for the whole of 一、
                part_heading = None
            paragraphs = [plain_para(line) for line in edit.text.splitlines() if line.strip()] if edit else draft
            part = {"key": key, "heading": part_heading, "edited": bool(edit), "editable": key in EDITABLE_PARTS,
                    "label": PART_LABELS.get(key, heading)}
            generated = [{"segments": list(paragraph), "item_id": None} for paragraph in paragraphs]
            staff = []
            for item in items:
                if item.section != key or item.status != ItemStatus.ACCEPTED:
                    continue
                live = live_suggestions.get(item.suggestion_key) if item.suggestion_key else None
                segments = list(live["para"]) if live else plain_para(item.text)
                staff.append({"segments": segments, "item_id": item.pk, "order": item.order,
                              "suggested": bool(item.suggestion_key)})
            numbered = place_items(generated, staff)
            _number(key, numbered)
            if not numbered:
                numbered.append({"segments": plain_para("（暂无内容）"), "item_id": None, "empty": True})
            part["paragraphs"] = numbered
            if with_edit_details and edit:
                draft_text = parts_text(draft)
                part["edit"] = {
                    "text": edit.text, "by": str(edit.edited_by or ""), "at": edit.updated_at,
                    "diff": diff_html(draft_text, edit.text),
                    "draft_changed": edit.draft_at_edit != draft_text,
                }
            if with_edit_details:
                part["draft_text"] = parts_text(draft)
            section["parts"].append(part)
        sections.append(section)
    pending = [s for key, s in live_suggestions.items() if key not in decided]
    decided_items = sorted((i for i in items if i.suggestion_key), key=lambda i: (i.status, i.order))
    return {"title": title(report.township, year), "sections": sections, "suggestions": pending,
            "decided": decided_items, "has_records": not empty_year}


def frozen_sections(document) -> list:
    """The sections without what cannot go into JSON (edit details)."""
    return [
        {"heading": s["heading"], "parts": [
            {"key": p["key"], "heading": p["heading"], "label": p["label"], "edited": p["edited"],
             "editable": p["editable"],
             "paragraphs": [{"segments": para["segments"], "item_id": None, "empty": para.get("empty", False)}
                            for para in p["paragraphs"]]}
            for p in s["parts"]
        ]}
        for s in document["sections"]
    ]


def changed_figures(frozen: dict, live: dict) -> list[str]:
    """Labels of the figures whose value changed since the report was made final."""
    return [
        live[key]["label"] for key in live
        if key in frozen and frozen[key]["value"] != live[key]["value"]
    ] + [live[key]["label"] for key in live if key not in frozen]


def current(report, live=None, previous=None):
    """(figures, last year's figures, document) of a report: frozen when final, live otherwise (`live` and
    `previous`: the figures of the year and of last year, already computed)."""
    final = report.final
    if final:
        return final.figures, final.previous_figures, {
            "title": title(report.township, report.year), "sections": final.sections, "suggestions": [],
            "has_records": True}
    if live is None:
        live, previous = figures_of(report.township, report.year)
    return live, previous, report_document(report, live, previous, with_edit_details=True)
