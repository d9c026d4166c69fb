"""Writes of organisational life and study activities that the monthly workbook makes.

These rows have no natural key, so a workbook row is matched to a row of the same
village-month with the same date, kind and topic (from a form or an earlier
workbook) and replaces it; unmatched workbook rows are added; the month's earlier
workbook rows left unmatched are removed; unmatched form rows stay.
"""
from __future__ import annotations

import datetime

from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from records.history import delete_with_history
from villages.models import Source, month_bounds
from villages.month_plans import REMOVE, MonthPlan, RowChange, plain

from .models import OrgLifeEvent, StudyActivity


def _match(stored, rows, *, columns, build, apply) -> MonthPlan:
    """Pair workbook rows with stored records of the same (date, kind, topic); the rest are added or removed."""

    def row_of(record):
        return {name: plain(getattr(record, name)) for name in columns}

    plan = MonthPlan()
    pool = {}
    for record in stored:
        plan.read(record)
        pool.setdefault((record.date, record.kind, record.topic), []).append(record)
    for row in rows:
        key = (datetime.date.fromisoformat(row["date"]), row["kind"], row["topic"])
        after = {name: plain(row.get(name)) for name in columns}
        candidates = pool.get(key)
        if not candidates:
            plan.added(row, after, build(row, key[0]))
            continue
        record = candidates.pop(0)
        plan.matched(row, record, row_of(record), after, lambda record, row=row: apply(record, row))
    for records in pool.values():
        for record in records:
            if record.source == Source.WORKBOOK:
                plan.delete.append(record)
                plan.changes.append(RowChange(REMOVE, None, row_of(record), None))
    return plan


def _write(model, plan, fields, *, user, reason):
    delete_with_history(plan.delete, model, user=user, reason=reason)
    if plan.update:
        bulk_update_with_history(plan.update, model, fields, default_user=user, default_change_reason=reason)
    if plan.create:
        bulk_create_with_history(plan.create, model, default_user=user, default_change_reason=reason)


def branch_of(village):
    """The Party branch whose organisational life a village's workbook reports (the first one)."""
    return village.branches.order_by("pk").first()


ORG_LIFE_COLUMNS = ("date", "kind", "topic", "attendance")
STUDY_COLUMNS = ("date", "kind", "topic", "attendance", "essays")


def plan_month_org_life(*, village, year, month, rows, branch=None, for_update=False) -> MonthPlan:
    """What writing the workbook's 组织生活 rows (dicts: row, date, kind, topic, attendance) over the month does."""
    branch = branch or branch_of(village)
    first, last = month_bounds(year, month)
    stored = OrgLifeEvent.objects.filter(branch__village=village, date__range=(first, last)).order_by("pk")
    if for_update:
        stored = stored.select_for_update(of=("self",))

    def build(row, date):
        return OrgLifeEvent(branch=branch, date=date, kind=row["kind"], topic=row["topic"],
                            attendance=row["attendance"], source=Source.WORKBOOK)

    def apply(record, row):
        record.attendance = row["attendance"]

    plan = _match(stored, rows, columns=ORG_LIFE_COLUMNS, build=build, apply=apply)
    plan.inputs.append(("branch", branch.pk if branch else None))
    return plan


def write_month_org_life(plan: MonthPlan, *, user, reason):
    """Write a plan of plan_month_org_life, with history."""
    _write(OrgLifeEvent, plan, ["attendance", "source"], user=user, reason=reason)


def plan_month_study(*, village, year, month, rows, for_update=False) -> MonthPlan:
    """What writing the workbook's 学习活动 rows (dicts: row, date, kind, topic, attendance, essays) does."""
    first, last = month_bounds(year, month)
    stored = StudyActivity.objects.filter(village=village, date__range=(first, last)).order_by("pk")
    if for_update:
        stored = stored.select_for_update()

    def build(row, date):
        return StudyActivity(township_id=village.township_id, village=village, date=date, kind=row["kind"],
                             topic=row["topic"], attendance=row["attendance"], essays=row["essays"],
                             source=Source.WORKBOOK)

    def apply(record, row):
        record.attendance, record.essays = row["attendance"], row["essays"]

    return _match(stored, rows, columns=STUDY_COLUMNS, build=build, apply=apply)


def write_month_study(plan: MonthPlan, *, user, reason):
    """Write a plan of plan_month_study, with history."""
    _write(StudyActivity, plan, ["attendance", "essays", "source"], user=user, reason=reason)
