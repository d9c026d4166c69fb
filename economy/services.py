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

from .models import IncomeRecord


def plan_month_income(*, village, year, month, rows):
    """(create, update, delete) lists of IncomeRecord for rows of dicts: category, amount (str), note."""
    existing = {r.category: r for r in IncomeRecord.objects.filter(village=village, year=year, month=month)}
    create, update = [], []
    for row in rows:
        amount = Decimal(row["amount"])
        record = existing.pop(row["category"], None)
        if record is None:
            create.append(IncomeRecord(village=village, year=year, month=month, category=row["category"],
                                       amount=amount, note=row.get("note", ""), source=Source.WORKBOOK))
        else:
            record.amount, record.note, record.source = amount, row.get("note", ""), Source.WORKBOOK
            update.append(record)
    delete = [r for r in existing.values() if r.source == Source.WORKBOOK]
    return create, update, delete


def month_income_changes(*, village, year, month, rows) -> dict:
    create, update, delete = plan_month_income(village=village, year=year, month=month, rows=rows)
    return {"added": len(create), "replaced": len(update), "removed": len(delete)}


def replace_month_income(*, village, year, month, rows, user) -> dict:
    """Write the village-month's income as the workbook has it; returns added/replaced/removed counts."""
    create, update, delete = plan_month_income(village=village, year=year, month=month, rows=rows)
    reason = f"{year}年{month}月月度报表"
    # Removed first: a category that moves between rows never meets the unique constraint twice.
    delete_with_history(delete, IncomeRecord, user=user, reason=reason)
    if update:
        bulk_update_with_history(update, IncomeRecord, ["amount", "note", "source"],
                                 default_user=user, default_change_reason=reason)
    if create:
        bulk_create_with_history(create, IncomeRecord, default_user=user, default_change_reason=reason)
    return {"added": len(create), "replaced": len(update), "removed": len(delete)}
