"""Writes of the annual report: staff edits, items, suggestions, final and reopen."""
from django.core.exceptions import ValidationError
from django.db import transaction

from . import drafting
from .document import drafted_parts, figures_of, frozen_sections, parts_text, report_document
from .figures import year_has_records
from .models import ItemSection, ItemStatus, LogAction, ReportFinal, ReportItem, ReportLog, ReportSectionEdit

NO_RECORDS_TO_FINALIZE = "本年度尚无工作记录，不能定稿。"


def save_edit(*, report, part, text, user):
    """Keep staff's text for a part beside the draft; an empty text goes back to the draft."""
    figures, previous = figures_of(report.township, report.year)
    draft = parts_text(drafted_parts(figures, report.year, previous)[part])
    text = text.strip()
    if not text or text == draft:
        ReportSectionEdit.objects.filter(report=report, part=part).delete()
        return None
    edit, _ = ReportSectionEdit.objects.update_or_create(
        report=report, part=part, defaults={"text": text, "draft_at_edit": draft, "edited_by": user})
    return edit


def add_item(*, report, section, text, user, position=None):
    """An item of staff's own; `position` n makes it the n-th paragraph of its part (among the generated ones),
    without one it comes last."""
    return ReportItem.objects.create(report=report, section=section, text=text.strip(), order=position or 0,
                                     created_by=user)


def decide_suggestion(*, report, key, accept, user):
    """Accept (an item of 存在的问题, after the others) or dismiss a data suggestion; returns the item, or None if
    gone."""
    figures, previous = figures_of(report.township, report.year)
    suggestion = next((s for s in drafting.suggestions(figures, previous) if s["key"] == key), None)
    if suggestion is None:
        return None
    item, _ = ReportItem.objects.update_or_create(
        report=report, suggestion_key=key,
        defaults={"section": ItemSection.PROBLEMS, "text": suggestion["text"],
                  "status": ItemStatus.ACCEPTED if accept else ItemStatus.DISMISSED, "created_by": user})
    return item


@transaction.atomic
def finalize(*, report, user):
    """Freeze figures (this year's and last year's) and text as they are now, and log it.

    A year without any record cannot be made final: there is nothing to sign."""
    figures, previous = figures_of(report.township, report.year)
    if not year_has_records(figures):
        raise ValidationError(NO_RECORDS_TO_FINALIZE)
    document = report_document(report, figures, previous)
    ReportFinal.objects.create(report=report, figures=figures, previous_figures=previous,
                               sections=frozen_sections(document), finalized_by=user)
    ReportLog.objects.create(report=report, action=LogAction.FINALIZE, user=user)


@transaction.atomic
def reopen(*, report, user, reason=""):
    """Undo the final version (figures and text live again); the reopening is logged."""
    ReportFinal.objects.filter(report=report).delete()
    ReportLog.objects.create(report=report, action=LogAction.REOPEN, user=user, reason=reason[:200])
