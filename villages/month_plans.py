"""What writing a monthly workbook's rows over a village-month would change: the one shape every sheet's plan has.

The domain apps plan their sheet (economy.services.plan_month_income, cadres.services.
plan_month_pipeline, study.services.plan_month_org_life / plan_month_study) into a
MonthPlan: the records to create, update and delete, and one RowChange per row that
changes, with its values before and after as the workbook's row has them. The preview
shows those changes, the API lists them and the confirm writes the same plan, so
"what a confirm would change" has one definition.

A plan also keeps a fingerprint of every stored record it was computed from. The
preview stores it; the confirm plans again under the village-month's row lock and
refuses when the fingerprint differs: whatever path changed the month in between (a
form, the API, a ledger import, another confirm), the secretary confirms only the
changes they saw.
"""
from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from .models import Source

ADD, REPLACE, REMOVE = "add", "replace", "remove"


@dataclass
class RowChange:
    """One row that a confirm adds, replaces or removes; `before`/`after` are row values (None when absent)."""

    action: str
    row: int | None  # the workbook row (as Excel numbers it); None for a stored record the workbook removes
    before: dict | None
    after: dict | None


@dataclass
class MonthPlan:
    create: list = field(default_factory=list)  # unsaved instances (or what the app needs to build them)
    update: list = field(default_factory=list)  # instances with their new values set
    delete: list = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)
    unchanged: int = 0  # workbook rows whose stored record already reads the same
    inputs: list = field(default_factory=list)  # (label, values) of every stored record read

    def counts(self) -> dict:
        actions = [change.action for change in self.changes]
        return {"added": actions.count(ADD), "replaced": actions.count(REPLACE), "removed": actions.count(REMOVE),
                "unchanged": self.unchanged}

    def added(self, row: dict, after: dict, new) -> None:
        """A workbook row with no stored record: `new` (what the app builds the record from) is created."""
        self.create.append(new)
        self.changes.append(RowChange(ADD, row.get("row"), None, after))

    def matched(self, row: dict, record, before: dict, after: dict, apply) -> None:
        """A workbook row meets its stored record (`before` as the workbook's row has it): the change is noted
        when the values differ, and the record is written (`apply(record)` sets the row's values) when they
        differ or the record was not the workbook's until now."""
        if before == after:
            self.unchanged += 1
        else:
            self.changes.append(RowChange(REPLACE, row.get("row"), before, after))
        if before != after or record.source != Source.WORKBOOK:
            apply(record)
            record.source = Source.WORKBOOK
            self.update.append(record)

    def read(self, record, label=None):
        """Note a stored record the plan depends on, as it is now (before the plan sets new values on it)."""
        self.inputs.append((label or record._meta.label, record_values(record)))


def plain(value):
    """A value as JSON holds it and as a row dict compares it: dates as ISO text, amounts as text."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def record_values(record) -> tuple:
    """(pk, every concrete field's value) of a stored record, as text: what its fingerprint is made of."""
    return (record.pk, *(plain(f.value_from_object(record)) for f in record._meta.concrete_fields))


def fingerprint(*plans, extra=()) -> str:
    """A digest of every stored record the plans read (order-independent), plus `extra` facts they depend on."""
    items = sorted(repr(item) for plan in plans for item in plan.inputs)
    items += [repr(item) for item in extra]
    return hashlib.sha256("\n".join(items).encode()).hexdigest()
