"""Writes of the Party-member pipeline and the members' dues that the monthly workbook makes, in bulk and with
history.

The workbook's 党员发展 rows are (person by 身份证号, stage, date). Replacing a
village-month's rows: a row whose person and stage already exist in that month
(from a form or an earlier workbook) replaces it; a workbook row of that month no
longer in the workbook is removed; stage changes entered through forms stay.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from records.history import delete_with_history
from township import access, audit
from township.models import RefusalReason
from villages.models import Source, month_bounds
from villages.month_plans import REMOVE, MonthPlan, RowChange, plain

from .models import (
    STAGE_RANK,
    MemberDues,
    Person,
    Stage,
    StageChange,
    development_problem,
    dues_problems,
    party_member_on,
)


@dataclass
class PipelinePlan(MonthPlan):
    """What writing a village-month's 党员发展 rows does; `create` holds (row, date) pairs."""

    problems: dict = field(default_factory=dict)  # row number → (column, message)
    persons: dict = field(default_factory=dict)  # id_number → Person already on record
    new_persons: list = field(default_factory=list)  # 身份证号 of the people the rows bring in


def _row_of(change) -> dict:
    """A stored stage change as the workbook's row has it."""
    return {"name": change.person.name, "id_number": change.person.id_number, "stage": change.stage,
            "date": plain(change.date), "note": change.note}


def plan_month_pipeline(*, village, year, month, rows, for_update=False, uploaded_by=None, where="") -> PipelinePlan:
    """Compare the workbook rows (dicts: row, name, id_number, stage, date, note) with the database.

    Reports rows that cannot be written (the 身份证号 belongs to someone of another village, to someone of
    another name, or that stage was already recorded in another month) as problems. Why is told only to the
    staff of the township holding the number; everyone else reads access.ID_NUMBER_REFUSED, and with
    `uploaded_by` (the preview) the refusal is logged and counted against their daily limit (township.audit).
    `for_update`: lock what is read (the confirm plans under the village-month's lock).
    """
    first, last = month_bounds(year, month)
    plan = PipelinePlan()
    if rows and uploaded_by is not None:
        try:
            audit.check_not_throttled(uploaded_by, where=where)
        except audit.IdNumberThrottled as exc:
            plan.problems[rows[0]["row"]] = ("身份证号", exc.message)
            return plan
    ids = {row["id_number"] for row in rows}
    people = Person.objects.filter(id_number__in=ids).order_by("pk")
    stored = StageChange.objects.filter(
        models.Q(person__id_number__in=ids) | models.Q(village=village, date__range=(first, last))
    ).select_related("person").order_by("pk")
    if for_update:
        people, stored = people.select_for_update(), stored.select_for_update(of=("self",))
    persons = {}
    for person in people:
        plan.read(person)
        persons[person.id_number] = person
    existing = {}
    for change in stored:
        plan.read(change)
        existing[(change.person.id_number, change.stage)] = change
    seen = set()
    for row in rows:
        id_number, stage = row["id_number"], row["stage"]
        date = datetime.date.fromisoformat(row["date"])
        person = persons.get(id_number)
        change = existing.get((id_number, stage))
        refusal = None
        if person is not None and person.village_id != village.pk:
            refusal = ("身份证号", "该身份证号已登记在其他村或镇，请联系镇党委工作人员核实", None)
        elif person is not None and person.name != row["name"]:
            refusal = ("姓名", f"姓名与该身份证号已登记的姓名“{person.name}”不一致", RefusalReason.NAME_MISMATCH)
        elif change is not None and not (first <= change.date <= last):
            told = f"该人员的“{Stage(stage).label}”阶段已于{change.date:%Y年%m月%d日}登记，不能重复登记"
            refusal = ("发展阶段", told, RefusalReason.STAGE_RECORDED)
        if refusal is not None:
            column, told, reason = refusal
            try:
                plan.problems[row["row"]] = _refused(uploaded_by, person, column, told, reason, id_number, where)
            except audit.IdNumberThrottled as exc:
                plan.problems[row["row"]] = ("身份证号", exc.message)
                break
            continue
        seen.add((id_number, stage))
        after = {"name": row["name"], "id_number": id_number, "stage": stage, "date": row["date"],
                 "note": row.get("note", "")}
        if change is None:
            plan.added(row, after, (row, date))
            continue

        def apply(change, date=date, note=after["note"]):
            change.date, change.note = date, note

        plan.matched(row, change, _row_of(change), after, apply)
    for key, change in existing.items():
        if (key not in seen and change.source == Source.WORKBOOK and change.village_id == village.pk
                and first <= change.date <= last):
            plan.delete.append(change)
            plan.changes.append(RowChange(REMOVE, None, _row_of(change), None))
    _check_development(plan, rows, existing, persons)
    plan.new_persons = sorted({row["id_number"] for row, _ in plan.create} - set(persons))
    plan.persons = persons
    return plan


def _check_development(plan, rows, existing, persons):
    """The development rules (cadres.models.development_problem) over each person's steps once the workbook is
    written: their steps on record that stay, with this workbook's rows; a broken rule is the row's problem."""
    removed = {change.pk for change in plan.delete}
    steps, extension = {}, {}
    for (id_number, stage), change in existing.items():
        if change.pk not in removed:
            steps.setdefault(id_number, {})[stage] = change.date
            if stage == Stage.EXTENDED:
                extension[id_number] = change.extension_months
    by_person = {}
    for row in rows:
        if row.get("row") not in plan.problems:
            steps.setdefault(row["id_number"], {})[row["stage"]] = datetime.date.fromisoformat(row["date"])
            by_person.setdefault(row["id_number"], []).append(row)
    for id_number, own_rows in by_person.items():
        person = persons.get(id_number)
        birth_date = person.birth_date if person else Person.derived_from_id_number(id_number)["birth_date"]
        problem = development_problem(steps[id_number], birth_date=birth_date,
                                      extension_months=extension.get(id_number))
        if problem:
            field, message = problem
            row = max(own_rows, key=lambda r: STAGE_RANK[r["stage"]])  # the furthest step the workbook brings
            plan.problems[row.get("row")] = ("日期" if field == "date" else "发展阶段", message)


def _refused(user, person, column, told, reason, id_number, where):
    """(column, message) of a row refused for a number on record: the reason for the holder's staff, the neutral
    answer (logged when the uploader is known) for everyone else."""
    if user is None:
        return ("身份证号", access.ID_NUMBER_REFUSED)
    answer = audit.registered_answer(user, id_number=id_number, holder_township_id=person.township_id,
                                     holder_village_id=person.village_id, reason=reason, where=where,
                                     told_message=told)
    return (column, answer) if answer == told else ("身份证号", answer)


def write_month_pipeline(plan: PipelinePlan, *, village, rows, user, reason):
    """Write a plan of plan_month_pipeline (new people first), with history; then the people's stages."""
    if plan.problems:
        number, (column, message) = next(iter(plan.problems.items()))
        raise ValueError(f"党员发展第{number}行{column}：{message}")
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
        StageChange(person=persons[row["id_number"]], village=village, stage=row["stage"], date=date,
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


# ---------------------------------------------------------------- 党费收缴: the members' dues of a village-month

DUES_COLUMNS = ("name", "id_number", "category", "base", "fixed_amount", "expected", "paid", "paid_date")


@dataclass
class DuesPlan(MonthPlan):
    """What writing a village-month's 党费收缴 rows does; `create` holds unsaved MemberDues."""

    problems: dict = field(default_factory=dict)  # row number → (column, message)


def _dues_row(dues) -> dict:
    """A stored month's dues as the workbook's row has it."""
    return {"name": dues.person.name, "id_number": dues.person.id_number, "category": dues.category,
            "base": plain(dues.base), "fixed_amount": plain(dues.fixed_amount), "expected": plain(dues.expected),
            "paid": plain(dues.paid), "paid_date": plain(dues.paid_date)}


def _amount(text):
    return None if text in (None, "") else Decimal(text)


def _member_of_row(row, people):
    """(person, None) for the row's person among the village's `people`, else (None, (column, message)): by the
    whole 身份证号, or by 姓名 and the last four characters when the template's masked number is kept."""
    id_number, name = row["id_number"], row["name"]
    if "*" not in id_number:
        person = next((p for p in people if p.id_number == id_number), None)
        if person is None:
            return None, ("身份证号", "该身份证号不是本村登记的人员，请联系镇党委工作人员核实")
        if person.name != name:
            return None, ("姓名", f"姓名与该身份证号已登记的姓名“{person.name}”不一致")
        return person, None
    tail = id_number[-4:]
    found = [p for p in people if p.name == name and p.id_number.endswith(tail)]
    if not found:
        return None, ("姓名", f"本村没有姓名为“{name}”、身份证号后四位为{tail}的人员")
    if len(found) > 1:
        return None, ("身份证号", "本村有同名且身份证号后四位相同的人员，请填写完整身份证号")
    return found[0], None


def plan_month_dues(*, village, year, month, rows, for_update=False) -> DuesPlan:
    """Compare the workbook's 党费收缴 rows (dicts: row, name, id_number whole or masked, category, base,
    fixed_amount, expected, paid as text, paid_date) with the village-month's stored dues.

    A row's person must be of the village and a Party member at the month's end (MemberDues' rule,
    dues_problems), once in the sheet: else the row's problem. A stored month's dues that a workbook wrote and
    this one no longer lists are removed; those entered through forms or imports stay. Two reads, whatever the
    number of rows."""
    first, last = month_bounds(year, month)
    plan = DuesPlan()
    people, members = [], set()
    if rows:  # one read: the village's people, each with whether they are a member at the month's end
        people = list(Person.objects.filter(village=village).order_by("pk").only("pk", "name", "id_number")
                      .annotate(member=models.Case(models.When(party_member_on(last), then=True),
                                                   default=False, output_field=models.BooleanField())))
        members = {person.pk for person in people if person.member}
    stored = MemberDues.objects.filter(village=village, year=year, month=month).select_related(
        "person").order_by("pk")
    if for_update:
        stored = stored.select_for_update(of=("self",))
    existing = {}
    for dues in stored:
        plan.read(dues)
        existing[dues.person_id] = dues
    plan.inputs.append(("members", sorted(members)))
    plan.inputs.append(("people", sorted((p.pk, p.name, p.id_number) for p in people)))
    seen = {}
    for row in rows:
        person, refusal = _member_of_row(row, people)
        if refusal is None and person.pk in seen:
            refusal = ("姓名", f"同一党员本月只能填一行（第{seen[person.pk]}行已填写）")
        if refusal is None:
            not_member = dues_problems(category=row["category"], base=_amount(row["base"]),
                                       fixed_amount=_amount(row["fixed_amount"]), year=year, month=month,
                                       member_at_month_end=person.pk in members).get("person_id")
            refusal = ("姓名", not_member) if not_member else None
        if refusal is not None:
            plan.problems[row["row"]] = refusal
            continue
        seen[person.pk] = row["row"]
        after = {"name": person.name, "id_number": person.id_number,
                 **{name: row.get(name) for name in DUES_COLUMNS[2:]}}
        values = {"category": row["category"], "base": _amount(row["base"]),
                  "fixed_amount": _amount(row["fixed_amount"]), "paid": _amount(row["paid"]) or Decimal("0"),
                  "paid_date": datetime.date.fromisoformat(row["paid_date"]) if row.get("paid_date") else None}
        dues = existing.get(person.pk)
        if dues is None:
            new = MemberDues(person=person, village=village, year=year, month=month, source=Source.WORKBOOK,
                             **values)
            plan.added(row, after, new)
            continue

        def apply(dues, values=values):
            for name, value in values.items():
                setattr(dues, name, value)

        plan.matched(row, dues, _dues_row(dues), after, apply)
    for person_id, dues in existing.items():
        if person_id not in seen and dues.source == Source.WORKBOOK:
            plan.delete.append(dues)
            plan.changes.append(RowChange(REMOVE, None, _dues_row(dues), None))
    return plan


def write_month_dues(plan: DuesPlan, *, user, reason):
    """Write a plan of plan_month_dues, with history; 应交 computed by MemberDues' one rule (expected_dues)."""
    if plan.problems:
        number, (column, message) = next(iter(plan.problems.items()))
        raise ValueError(f"党费收缴第{number}行{column}：{message}")
    for dues in plan.create + plan.update:
        dues.set_expected()  # bulk writes skip save()
    delete_with_history(plan.delete, MemberDues, user=user, reason=reason)
    if plan.update:
        bulk_update_with_history(plan.update, MemberDues, ["category", "base", "fixed_amount", "expected", "paid",
                                                           "paid_date", "source"],
                                 default_user=user, default_change_reason=reason)
    if plan.create:
        bulk_create_with_history(plan.create, MemberDues, default_user=user, default_change_reason=reason)
