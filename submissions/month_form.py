"""The month form: the workbook's sheets as a web form, its draft, and its rows as the workbook's.

The form holds rows in the API's JSON shape ({sheet name: [{column header: value}]}, workbook.py's
sheet names and headers), so that 检查 sends them through the one check of a workbook
(workbook.read_entered_rows via services.submission_preview). A 党员发展 row may name a person of the
village's roster under PERSON instead of a typed 姓名 and 身份证号: the 身份证号 then never reaches the
page, and `sheet_rows` puts the roster's values in before the check.
"""
from __future__ import annotations

import datetime

from cadres.models import Person
from economy.models import IncomeCategory, IncomeRecord
from ledgers.cells import ChoiceWidget, CountWidget, DateWidget, DecimalWidget
from township import access
from township.masking import mask_id_number

from .models import CURRENT_STATUSES, MonthDraft, Submission
from .services import previous_month
from .workbook import (
    DUES,
    FIRST_ROW,
    INCOME,
    MAX_ENTERED_ROWS,
    PIPELINE,
    SHEETS,
    SHEETS_BY_NAME,
    dues_roster,
    row_as_workbook,
)

PERSON = "人员"  # a 党员发展 row's person from the roster (their id), in the form and its draft only
NEW_PERSON_COLUMNS = ("姓名", "性别", "出生日期", "身份证号")  # typed only for a person not on the roster


def roster(user, village):
    """The village's persons `user` may see, for the 党员发展 rows' choice: [(id, label)], by name."""
    people = access.visible(user, Person.objects.filter(village=village)).order_by("name", "pk")
    return [(person.pk, f"{person.name}（{mask_id_number(person.id_number)}）")
            for person in people.only("pk", "name", "id_number")]


def blank_row(spec):
    return {header: "" for header in spec.columns}


def initial_rows(*, user, village, year, month) -> tuple[dict, str]:
    """The rows the form opens with and where they come from: the saved draft; else the month's reported rows
    (a correction starts from them); else an empty month with last month's income categories and the members
    (for their dues) listed."""
    draft = MonthDraft.objects.filter(village=village, year=year, month=month).first()
    if draft is not None:
        return draft.rows, "draft"
    reported = (Submission.objects.for_month(village.pk, year, month).filter(status__in=CURRENT_STATUSES)
                .order_by("-pk").first())
    if reported is not None and reported.parsed:
        return reported_rows(village, reported.parsed), "reported"
    last_year, last_month = previous_month(datetime.date(year, month, 1))
    used = set(IncomeRecord.objects.filter(village=village, year=last_year, month=last_month)
               .values_list("category", flat=True))
    income = [{**blank_row(INCOME), "收入类别": category.label} for category in IncomeCategory if category in used]
    # The members at the month's end, as the template's 党费收缴 sheet lists them.
    dues = [{**blank_row(DUES), "姓名": name, "身份证号": masked} for name, masked in dues_roster(village, year, month)]
    return {INCOME.name: income, DUES.name: dues}, "new"


def reported_rows(village, parsed) -> dict:
    """A submission's checked rows (sheet key → row dicts) as the form's rows; the people by their roster id."""
    rows = {}
    pipeline = parsed.get(PIPELINE.key, [])
    people = dict(Person.objects.filter(village=village, id_number__in=[r["id_number"] for r in pipeline
                                                                          if r.get("id_number")])
                  .values_list("id_number", "pk"))
    for spec in SHEETS:
        out = []
        for values in parsed.get(spec.key, []):
            shown = row_as_workbook(spec, values)
            row = {**blank_row(spec), **{header: shown[header] for header in spec.columns if header in shown}}
            if spec is PIPELINE and values.get("id_number") in people:
                row = {**row, PERSON: str(people[values["id_number"]]), "姓名": "", "身份证号": ""}
            out.append(row)
        rows[spec.name] = out
    return rows


def rows_from_post(data) -> dict:
    """The form's rows from its POSTed fields `<sheet key>-<row>-<column index>` (and `pipeline-<row>-person`)."""
    rows = {}
    for spec in SHEETS:
        by_index = {}
        prefix = f"{spec.key}-"
        for name in data:
            if not name.startswith(prefix):
                continue
            parts = name[len(prefix):].split("-")
            if len(parts) != 2 or not parts[0].isdigit() or int(parts[0]) >= MAX_ENTERED_ROWS:
                continue
            index, column = int(parts[0]), parts[1]
            if column == "person" and spec is PIPELINE:
                header = PERSON
            elif column.isdigit() and int(column) < len(spec.columns):
                header = spec.columns[int(column)]
            else:
                continue
            by_index.setdefault(index, blank_row(spec))[header] = data.get(name, "").strip()
        rows[spec.name] = [by_index[index] for index in sorted(by_index)]
    return rows


def sheet_rows(*, user, village, rows) -> dict:
    """The form's rows as the workbook's ({sheet name: [{header: value}]}): a roster person's 姓名 and 身份证号
    put in (性别 and 出生日期 then come from the 身份证号)."""
    wanted = {str(row.get(PERSON)) for row in rows.get(PIPELINE.name, []) if str(row.get(PERSON) or "").isdigit()}
    people = {str(person.pk): person for person in access.visible(
        user, Person.objects.filter(village=village, pk__in=wanted))} if wanted else {}
    out = {}
    for name, sheet in rows.items():
        spec = SHEETS_BY_NAME.get(name)
        if spec is None:
            continue
        converted = []
        for row in sheet:
            row = {header: row.get(header, "") for header in spec.columns} | (
                {PERSON: row.get(PERSON, "")} if spec is PIPELINE else {})
            person = people.get(str(row.pop(PERSON, "") or ""))
            if person is not None:
                row.update({"姓名": person.name, "身份证号": person.id_number, "性别": "", "出生日期": ""})
            converted.append(row)
        out[name] = converted
    return out


def save_draft(*, user, village, year, month, rows) -> MonthDraft:
    """The village-month's one draft, now holding `rows` (the form's rows)."""
    draft, _ = MonthDraft.objects.update_or_create(
        village=village, year=year, month=month, defaults={"rows": rows, "updated_by": user})
    return draft


def _input(widget):
    """(kind, choices) of a column's input: a drop-down of the choices, the phone's date picker, a number."""
    if isinstance(widget, ChoiceWidget):
        return "select", list(widget.labels.values())
    if isinstance(widget, DateWidget):
        return "date", None
    if isinstance(widget, CountWidget):
        return "count", None
    if isinstance(widget, DecimalWidget):
        return "decimal", None
    return "text", None


def sections(*, rows, problems=(), people=(), masked=False, editable=False) -> list[dict]:
    """The form's sections (one per sheet) as the template shows them: each row's cells with their input and problem.

    `problems` (the check's, by sheet, row number and column) land on their row and cell: a row's number is
    FIRST_ROW + its place in the section, as in the workbook. `masked`: 身份证号 shown masked (a reader's view).
    `editable`: an empty section offers one blank row to fill (a blank row is no row to the check)."""
    by_cell, by_row, by_sheet = {}, {}, {}
    for item in problems:
        if item.get("row") is None:
            by_sheet.setdefault(item.get("sheet", ""), []).append(item)
        else:
            by_row.setdefault((item["sheet"], item["row"]), []).append(item)
            by_cell[(item["sheet"], item["row"], item.get("column", ""))] = item["message"]
    out = []
    for spec in SHEETS:
        widgets = dict(spec.cells)
        section_rows = []
        for index, row in enumerate(rows.get(spec.name) or ([blank_row(spec)] if editable else [])):
            number = FIRST_ROW + index
            cells = []
            for column, header in enumerate(spec.columns):
                kind, choices = _input(widgets[header])
                value = str(row.get(header, "") if row.get(header) is not None else "")
                if masked and header == "身份证号":
                    value = mask_id_number(value)
                cells.append({
                    "name": f"{spec.key}-{index}-{column}", "header": header, "value": value, "kind": kind,
                    "choices": choices, "required": widgets[header].required,
                    "new_person": spec is PIPELINE and header in NEW_PERSON_COLUMNS,
                    "problem": by_cell.get((spec.name, number, header)),
                })
            section_rows.append({
                "index": index, "number": number, "cells": cells,
                "person": str(row.get(PERSON, "") or "") if spec is PIPELINE else None,
                "person_name": f"{spec.key}-{index}-person",
                "has_problem": (spec.name, number) in by_row,
                # Those not at one of its cells (a row's own, e.g. a conflict with the records) show above the row.
                "problems": [item for item in by_row.get((spec.name, number), [])
                             if item.get("column") not in spec.columns],
            })
        filled = sum(1 for row in rows.get(spec.name) or [] if any(str(v or "").strip() for v in row.values()))
        out.append({"key": spec.key, "name": spec.name, "rows": section_rows, "filled": filled,
                    "problems": by_sheet.get(spec.name, []), "people": people if spec is PIPELINE else None})
    return out
