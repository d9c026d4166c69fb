"""Writes of the Party-member pipeline that the monthly workbook makes, in bulk and with history.

The workbook's 党员发展 rows are (person by 身份证号, stage, date). Replacing a
village-month's rows: a row whose person and stage already exist in that month
(from a form or an earlier workbook) replaces it; a workbook row of that month no
longer in the workbook is removed; stage changes entered through forms stay.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import models
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from records.history import delete_with_history
from villages.models import Source, month_bounds

from .models import Person, Stage, StageChange


@dataclass
class PipelinePlan:
    """What replacing a village-month's pipeline rows will do."""

    new_persons: list = field(default_factory=list)
    create: list = field(default_factory=list)  # (id_number, stage, date, note)
    update: list = field(default_factory=list)  # StageChange instances with new values set
    delete: list = field(default_factory=list)
    problems: dict = field(default_factory=dict)  # row number → (column, message)
    persons: dict = field(default_factory=dict)  # id_number → Person already on record

    def counts(self):
        return {"added": len(self.create), "replaced": len(self.update), "removed": len(self.delete)}


def plan_month_pipeline(*, village, year, month, rows) -> PipelinePlan:
    """Compare the workbook rows (dicts: row, name, id_number, stage, date, note) with the database.

    Reports rows that cannot be written (the 身份证号 belongs to someone of another
    village, or that stage was already recorded in another month) as problems.
    """
    first, last = month_bounds(year, month)
    plan = PipelinePlan()
    ids = {row["id_number"] for row in rows}
    persons = {p.id_number: p for p in Person.objects.filter(id_number__in=ids)}
    existing = {
        (change.person.id_number, change.stage): change
        for change in StageChange.objects.filter(
            models.Q(person__id_number__in=ids)
            | models.Q(person__village=village, date__range=(first, last), source=Source.WORKBOOK)
        ).select_related("person")
    }
    seen = set()
    for row in rows:
        id_number, stage = row["id_number"], row["stage"]
        date = datetime.date.fromisoformat(row["date"])
        person = persons.get(id_number)
        if person is not None and person.village_id != village.pk:
            plan.problems[row["row"]] = ("身份证号", "该身份证号已登记在其他村或镇，请联系镇党委工作人员核实")
            continue
        if person is not None and person.name != row["name"]:
            plan.problems[row["row"]] = ("姓名", f"姓名与该身份证号已登记的姓名“{person.name}”不一致")
            continue
        seen.add((id_number, stage))
        change = existing.get((id_number, stage))
        if change is None:
            plan.create.append((row, date))
            continue
        if not (first <= change.date <= last):
            plan.problems[row["row"]] = (
                "发展阶段", f"该人员的“{Stage(stage).label}”阶段已于{change.date:%Y年%m月%d日}登记，不能重复登记",
            )
            continue
        change.date, change.note, change.source = date, row.get("note", ""), Source.WORKBOOK
        plan.update.append(change)
    plan.delete = [
        change for key, change in existing.items()
        if key not in seen and change.source == Source.WORKBOOK and change.person.village_id == village.pk
        and first <= change.date <= last
    ]
    plan.new_persons = sorted({row["id_number"] for row, _ in plan.create} - set(persons))
    plan.persons = persons
    return plan


def replace_month_pipeline(*, village, year, month, rows, user) -> dict:
    """Write the village-month's 党员发展 rows as the workbook has them; returns added/replaced/removed counts."""
    plan = plan_month_pipeline(village=village, year=year, month=month, rows=rows)
    if plan.problems:
        number, (column, message) = next(iter(plan.problems.items()))
        raise ValueError(f"党员发展第{number}行{column}：{message}")
    reason = f"{year}年{month}月月度报表"
    persons = plan.persons
    names = {row["id_number"]: row["name"] for row in rows}
    new_persons = []
    for id_number in plan.new_persons:
        new_persons.append(Person(
            township_id=village.township_id, village=village, name=names[id_number], id_number=id_number,
        ).derive_from_id_number())  # bulk_create skips Person.save()
    if new_persons:
        bulk_create_with_history(new_persons, Person, default_user=user, default_change_reason=reason)
        persons.update({p.id_number: p for p in Person.objects.filter(id_number__in=plan.new_persons)})
    created = [
        StageChange(person=persons[row["id_number"]], stage=row["stage"], date=date,
                    note=row.get("note", ""), source=Source.WORKBOOK)
        for row, date in plan.create
    ]
    if created:
        bulk_create_with_history(created, StageChange, default_user=user, default_change_reason=reason)
    if plan.update:
        bulk_update_with_history(plan.update, StageChange, ["date", "note", "source"],
                                 default_user=user, default_change_reason=reason)
    delete_with_history(plan.delete, StageChange, user=user, reason=reason)
    touched = {persons[row["id_number"]].pk for row in rows if row["id_number"] in persons}
    touched |= {change.person_id for change in plan.delete}
    Person.objects.filter(pk__in=touched).refresh_stages(user=user, reason=reason)
    return plan.counts()
