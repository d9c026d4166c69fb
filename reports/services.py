"""Writes of the annual report: staff edits, items, suggestions, final and reopen."""
from django.db import transaction

from . import drafting
from .document import drafted_parts, frozen_sections, parts_text, report_document
from .figures import compute_figures
from .models import ItemSection, ItemStatus, LogAction, ReportFinal, ReportItem, ReportLog, ReportSectionEdit


def save_edit(*, report, part, text, user):
    """Keep staff's text for a part beside the draft; an empty text goes back to the draft."""
    figures = compute_figures(report.township, report.year)
    draft = parts_text(drafted_parts(figures, report.year)[part])
    text = text.strip()
    if not text or text == draft:
        ReportSectionEdit.objects.filter(report=report, part=part).delete()
        return None
    edit, _ = ReportSectionEdit.objects.update_or_create(
        report=report, part=part, defaults={"text": text, "draft_at_edit": draft, "edited_by": user})
    return edit


def add_item(*, report, section, text, user):
    last = report.items.filter(section=section).order_by("-order").values_list("order", flat=True).first() or 0
    return ReportItem.objects.create(report=report, section=section, text=text.strip(), order=last + 1,
                                     created_by=user)


def decide_suggestion(*, report, key, accept, user):
    """Accept (an item of 存在的问题) or dismiss a data suggestion; returns the item, or None if gone."""
    figures = compute_figures(report.township, report.year)
    suggestion = next((s for s in drafting.suggestions(figures) if s["key"] == key), None)
    if suggestion is None:
        return None
    last = report.items.filter(section=ItemSection.PROBLEMS).order_by("-order").values_list(
        "order", flat=True).first() or 0
    item, _ = ReportItem.objects.update_or_create(
        report=report, suggestion_key=key,
        defaults={"section": ItemSection.PROBLEMS, "text": suggestion["text"], "order": last + 1,
                  "status": ItemStatus.ACCEPTED if accept else ItemStatus.DISMISSED, "created_by": user})
    return item


@transaction.atomic
def finalize(*, report, user):
    """Freeze figures and text as they are now, and log it."""
    figures = compute_figures(report.township, report.year)
    document = report_document(report, figures)
    ReportFinal.objects.create(report=report, figures=figures, sections=frozen_sections(document),
                               finalized_by=user)
    ReportLog.objects.create(report=report, action=LogAction.FINALIZE, user=user)


@transaction.atomic
def reopen(*, report, user, reason=""):
    """Undo the final version (figures and text live again); the reopening is logged."""
    ReportFinal.objects.filter(report=report).delete()
    ReportLog.objects.create(report=report, action=LogAction.REOPEN, user=user, reason=reason[:200])
