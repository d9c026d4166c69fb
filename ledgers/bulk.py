"""Writing many new rows of a model and their history rows (django-simple-history) fast, in the caller's transaction.

What `bulk_create_with_history` does — the records, then one history row ("+") each with the user and the
reason — without building a model instance per record and per history row and preparing every value through
Django's field machinery one by one (that took four fifths of a 10,000-row ledger confirm). Each column's
value is prepared once per column kind: the values the ledger import hands over are already the Python types
of their fields (cleaned by ledgers.cells and the model fields' to_python), so only the few kinds whose
database form differs are converted. Ids are taken from the table's sequence first, so the history rows
carry them without reading the records back:

- PostgreSQL: `nextval()` of the table's sequence for all the ids in one query, then COPY (psycopg2's
  copy_expert) of the records and of their history rows;
- elsewhere (SQLite): the ids after the largest ever given (sqlite_sequence, the write lock of the
  transaction held), then executemany() of one INSERT.

Like bulk_create it calls no save() and sends no signal; the callers derive what save() would (for a
person: Person.derived_from_id_number) before handing the rows over.
"""
from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.conf import settings
from django.db import connections, models, router, transaction
from django.utils import timezone

HISTORY_COLUMNS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}
# Field kinds whose values, as the import has them, the database drivers take as they are.
_AS_IS = (models.CharField, models.TextField, models.BooleanField, models.IntegerField, models.DateField,
          models.DecimalField, models.ForeignKey)


def supports(model) -> bool:
    """Whether insert_with_history() can write this model: PostgreSQL or SQLite, an auto id, history by
    simple_history with only its usual columns (no history_relation, no extra fields), and plain field kinds."""
    if connections[router.db_for_write(model)].vendor not in ("postgresql", "sqlite"):
        return False
    pk = model._meta.pk
    if not isinstance(pk, models.AutoField | models.BigAutoField):
        return False
    history = getattr(model, "history", None)
    if history is None or not hasattr(history, "model"):
        return False
    historical = history.model
    if hasattr(historical, "history_relation"):
        return False
    tracked = {f.attname for f in historical.tracked_fields}
    extra = {f.attname for f in historical._meta.concrete_fields} - tracked - HISTORY_COLUMNS
    if extra or tracked != {f.attname for f in model._meta.concrete_fields}:
        return False
    if isinstance(historical._meta.get_field("history_id"), models.UUIDField):
        return False
    return all(isinstance(f, _AS_IS) or f.primary_key for f in model._meta.concrete_fields)


def insert_with_history(model, rows: list[dict], *, defaults: dict | None = None, user=None, reason="") -> list[int]:
    """Insert `rows` ({attname: value}; a missing field takes `defaults`, else the field's default) and one
    "+" history row each. Returns the new ids in the order of `rows`. Must run inside a transaction."""
    if not rows:
        return []
    using = router.db_for_write(model)
    connection = connections[using]
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("insert_with_history() writes inside a transaction only.")
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    template = model(**(defaults or {}))  # the defaults, once: one instance, not one per row
    constants = {f.attname: _db_value(connection, f.pre_save(template, True)) for f in fields}
    ids = _new_ids(connection, model, len(rows))
    columns = ["id", *(f.attname for f in fields)]
    # Column by column (a list of values per field), not a list per record: each column is then formatted for the
    # database at once (_copy_column), by the kind of its values, rather than value by value.
    values = [ids]
    for name in columns[1:]:
        constant = constants[name]
        values.append([row[name] if name in row else constant for row in rows])
    _write_with_history(connection, model, columns, values, history_type="+", user=user, reason=reason,
                        records_too=True)
    return ids


def insert_history(model, rows: list[dict], *, history_type: str, user=None, reason=""):
    """One history row per record in `rows` ({attname: value} of every field, the id included), as
    simple_history's bulk_history_create() writes them ("~" for an update), without an instance each."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    columns = [f.attname for f in model._meta.concrete_fields]
    values = [[row[name] for row in rows] for name in columns]
    _write_with_history(connection, model, columns, values, history_type=history_type, user=user, reason=reason)


def _write_with_history(connection, model, columns, values, *, history_type, user, reason, records_too=False):
    """The records (when `records_too`) and a history row of each, from `values`: a list of the records' values per
    column. A history row is its record's values followed by the same four history values, so the columns are named
    in that order and each record is formatted once: its COPY line (or parameter list) is reused with the history
    values appended."""
    historical = model.history.model
    now = timezone.now() if settings.USE_TZ else datetime.datetime.now()
    fixed = {"history_date": now, "history_change_reason": reason, "history_type": history_type,
             "history_user_id": getattr(user, "pk", None)}
    history_columns = [*columns, *fixed]
    expected = {f.attname for f in historical._meta.concrete_fields if f.attname != "history_id"}
    if set(history_columns) != expected:  # supports() admits only the usual history columns
        raise ValueError(f"{historical._meta.db_table}: history columns {sorted(expected)}, not {history_columns}")
    if connection.vendor == "postgresql":
        lines = _copy_lines(values)
        suffix = "\t" + "\t".join(_copy_text(value) for value in fixed.values()) + "\n"
        if records_too:
            _copy(connection, model._meta.db_table, columns, "\n".join(lines) + "\n")
        _copy(connection, historical._meta.db_table, history_columns, suffix.join(lines) + suffix)
        return
    records = [list(record) for record in zip(*values, strict=True)]
    for index in _datetime_columns(model, columns):  # SQLite's driver: aware datetimes made naive, by Django
        for record in records:
            record[index] = _db_value(connection, record[index])
    if records_too:
        _insert(connection, model._meta.db_table, columns, records)
    tail = [_db_value(connection, value) for value in fixed.values()]
    _insert(connection, historical._meta.db_table, history_columns, [record + tail for record in records])


def _new_ids(connection, model, count) -> list[int]:
    table = model._meta.db_table
    pk_column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [connection.ops.quote_name(table), pk_column, count])
            return [row[0] for row in cursor.fetchall()]
        # SQLite (see supports()), whose transaction holds the write lock from its start. AUTOINCREMENT: never
        # an id given before, even if its row is gone (its history still names it).
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({quote(pk_column)}), (SELECT seq FROM sqlite_sequence WHERE name = %s) "
                       f"FROM {quote(table)}", [table])
        largest, given = cursor.fetchone()
        largest = max(largest or 0, given or 0)
        return list(range(largest + 1, largest + 1 + count))


def _datetime_columns(model, columns) -> list[int]:
    """The positions of the columns SQLite's driver needs prepared by Django (aware datetimes made naive)."""
    kinds = {f.attname: f for f in model._meta.concrete_fields}
    return [i for i, name in enumerate(columns) if isinstance(kinds.get(name), models.DateTimeField)]


def _copy_lines(columns) -> list[str]:
    """Each record (`columns`: a list of the records' values per column) as a line of COPY's text format (without
    its newline)."""
    return list(map("\t".join, zip(*map(_copy_column, columns), strict=True)))


_BOOLEAN_TEXT = ("f", "t")


def _copy_column(values) -> list[str]:
    """A column's values in COPY's text format (_copy_text), the column at once where its values are all of one
    kind: text needing no escape as it is (one look at all of it), booleans, integers or dates each by one call."""
    kinds = set(map(type, values))
    if len(kinds) == 1:
        kind = next(iter(kinds))
        if kind is str:
            joined = "".join(values)
            if joined.isprintable() and "\\" not in joined:
                return values
        elif kind is bool:
            return [_BOOLEAN_TEXT[v] for v in values]
        elif kind is int:
            return list(map(str, values))
        elif kind is datetime.date:
            return list(map(datetime.date.isoformat, values))
    # Most values are text needing no escape: kept as they are without a call each.
    return [v if v.__class__ is str and v.isprintable() and "\\" not in v else _copy_text(v) for v in values]


def _copy(connection, table, columns, text):
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN",
                                  io.StringIO(text))


def _insert(connection, table, columns, rows):
    """executemany() of one INSERT (SQLite's driver takes text, numbers, booleans, dates and Decimals as Django
    registered them: ledgers.bulk.supports)."""
    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "
                           f"VALUES ({placeholders})", rows)


def _db_value(connection, value):
    """What SQLite's driver is given for a value, as Django's operations would prepare it."""
    kind = value.__class__
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if isinstance(value, str):  # a TextChoices member
        return str(value)
    if kind is datetime.date:
        return connection.ops.adapt_datefield_value(value)
    if kind is datetime.datetime:
        return connection.ops.adapt_datetimefield_value(value)
    if kind is Decimal:
        return connection.ops.adapt_decimalfield_value(value)
    return value


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """A value in COPY's text format: \\N for NULL, t/f for booleans, ISO dates, escaped text."""
    if value is None:
        return "\\N"
    kind = value.__class__
    if kind is str:
        return value.translate(_COPY_ESCAPES) if ("\\" in value or "\t" in value or "\n" in value
                                                  or "\r" in value) else value
    if kind is bool:
        return "t" if value else "f"
    if kind is int or kind is Decimal:
        return str(value)
    if kind is datetime.date or kind is datetime.datetime:
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)
