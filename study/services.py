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

from .models import OrgLifeEvent, StudyActivity


def _match(existing, rows, build, apply):
    """(create, update, delete): pair rows with existing records of the same (date, kind, topic)."""
    pool = {}
    for record in existing:
        pool.setdefault((record.date, record.kind, record.topic), []).append(record)
    create, update = [], []
    for row in rows:
        key = (datetime.date.fromisoformat(row["date"]), row["kind"], row["topic"])
        candidates = pool.get(key)
        if candidates:
            record = candidates.pop(0)
            apply(record, row)
            record.source = Source.WORKBOOK
            update.append(record)
        else:
            create.append(build(row, key[0]))
    delete = [r for records in pool.values() for r in records if r.source == Source.WORKBOOK]
    return create, update, delete


def _write(model, plan, fields, *, user, reason):
    create, update, delete = plan
    delete_with_history(delete, model, user=user, reason=reason)
    if update:
        bulk_update_with_history(update, model, fields, default_user=user, default_change_reason=reason)
    if create:
        bulk_create_with_history(create, model, default_user=user, default_change_reason=reason)
    return {"added": len(create), "replaced": len(update), "removed": len(delete)}


def branch_of(village):
    """The Party branch whose organisational life a village's workbook reports (the first one)."""
    return village.branches.order_by("pk").first()


def plan_month_org_life(*, village, year, month, rows, branch=None):
    branch = branch or branch_of(village)
    first, last = month_bounds(year, month)
    existing = OrgLifeEvent.objects.filter(branch__village=village, date__range=(first, last)).order_by("pk")

    def build(row, date):
        return OrgLifeEvent(branch=branch, date=date, kind=row["kind"], topic=row["topic"],
                            attendance=row["attendance"], source=Source.WORKBOOK)

    def apply(record, row):
        record.attendance = row["attendance"]

    return _match(existing, rows, build, apply)


def month_org_life_changes(*, village, year, month, rows) -> dict:
    create, update, delete = plan_month_org_life(village=village, year=year, month=month, rows=rows)
    return {"added": len(create), "replaced": len(update), "removed": len(delete)}


def replace_month_org_life(*, village, year, month, rows, user) -> dict:
    """Write the village-month's 组织生活 rows as the workbook has them; returns the counts."""
    plan = plan_month_org_life(village=village, year=year, month=month, rows=rows)
    return _write(OrgLifeEvent, plan, ["attendance", "source"], user=user, reason=f"{year}年{month}月月度报表")


def plan_month_study(*, village, year, month, rows):
    first, last = month_bounds(year, month)
    existing = StudyActivity.objects.filter(village=village, date__range=(first, last)).order_by("pk")

    def build(row, date):
        return StudyActivity(township_id=village.township_id, village=village, date=date, kind=row["kind"],
                             topic=row["topic"], attendance=row["attendance"], essays=row["essays"],
                             source=Source.WORKBOOK)

    def apply(record, row):
        record.attendance, record.essays = row["attendance"], row["essays"]

    return _match(existing, rows, build, apply)


def month_study_changes(*, village, year, month, rows) -> dict:
    create, update, delete = plan_month_study(village=village, year=year, month=month, rows=rows)
    return {"added": len(create), "replaced": len(update), "removed": len(delete)}


def replace_month_study(*, village, year, month, rows, user) -> dict:
    """Write the village-month's 学习活动 rows as the workbook has them; returns the counts."""
    plan = plan_month_study(village=village, year=year, month=month, rows=rows)
    return _write(StudyActivity, plan, ["attendance", "essays", "source"], user=user,
                  reason=f"{year}年{month}月月度报表")
