"""Writes of collective-economy income that the monthly workbook makes, in bulk and with history.

A village-month has at most one income row per category (a database constraint).
A workbook row replaces the month's row of its category, whether a form or an
earlier workbook wrote it; a workbook row no longer in the workbook is removed;
rows entered through forms for other categories stay.
"""
from __future__ import annotations

from decimal import Decimal

from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from records.history import delete_with_history
from villages.models import Source
from villages.month_plans import REMOVE, MonthPlan, RowChange, plain

from .models import IncomeRecord


def _row_of(record) -> dict:
    """A stored income record as the workbook's row has it."""
    return {"category": record.category, "amount": plain(record.amount), "note": record.note}


def plan_month_income(*, village, year, month, rows, for_update=False) -> MonthPlan:
    """What writing the workbook's income rows (dicts: row, category, amount as text, note) over the month does.

    `for_update`: lock the month's stored rows (the confirm plans under the village-month's lock)."""
    stored = IncomeRecord.objects.filter(village=village, year=year, month=month).order_by("pk")
    if for_update:
        stored = stored.select_for_update()
    plan = MonthPlan()
    existing = {}
    for record in stored:
        plan.read(record)
        existing[record.category] = record
    for row in rows:
        after = {"category": row["category"], "amount": plain(Decimal(row["amount"])), "note": row.get("note", "")}
        record = existing.pop(row["category"], None)
        if record is None:
            plan.added(row, after, IncomeRecord(village=village, year=year, month=month, category=row["category"],
                                                amount=Decimal(row["amount"]), note=after["note"],
                                                source=Source.WORKBOOK))
            continue

        def apply(record, amount=Decimal(row["amount"]), note=after["note"]):
            record.amount, record.note = amount, note

        plan.matched(row, record, _row_of(record), after, apply)
    for record in existing.values():
        if record.source == Source.WORKBOOK:
            plan.delete.append(record)
            plan.changes.append(RowChange(REMOVE, None, _row_of(record), None))
    return plan


def write_month_income(plan: MonthPlan, *, user, reason):
    """Write a plan of plan_month_income, with history."""
    # Removed first: a category that moves between rows never meets the unique constraint twice.
    delete_with_history(plan.delete, IncomeRecord, user=user, reason=reason)
    if plan.update:
        bulk_update_with_history(plan.update, IncomeRecord, ["amount", "note", "source"],
                                 default_user=user, default_change_reason=reason)
    if plan.create:
        bulk_create_with_history(plan.create, IncomeRecord, default_user=user, default_change_reason=reason)
