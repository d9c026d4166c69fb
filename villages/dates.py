"""The year and month of a date in a query, read by the database itself on SQLite too.

Django's ``__year`` on SQLite calls a Python function for every row (django_date_extract), so a figure
grouped by year cost a Python call per record. A DateField is stored there as 'YYYY-MM-DD' text, whose
first four characters are the year and the sixth and seventh the month: ``Year`` and ``Month`` read them in
SQL. Elsewhere, and for a DateTimeField (whose year depends on the time zone), they are Django's own
ExtractYear and ExtractMonth. Registered as the ``year`` and ``month`` lookups of DateField (villages.apps),
so ``date__year`` (with its YearExact/YearGt… lookups) and ``date__month`` use them everywhere.
"""
from django.db.models import DateField, DateTimeField
from django.db.models.functions import ExtractMonth, ExtractYear


class _TextPart:
    """On SQLite, the part of a date's 'YYYY-MM-DD' text at `start` of `length` characters, as an integer."""

    start = length = 0

    def as_sqlite(self, compiler, connection, **extra_context):
        field = self.lhs.output_field
        if isinstance(field, DateField) and not isinstance(field, DateTimeField):
            sql, params = compiler.compile(self.lhs)
            return f"CAST(SUBSTR({sql}, {self.start}, {self.length}) AS INTEGER)", params
        return super().as_sql(compiler, connection, **extra_context)


class Year(_TextPart, ExtractYear):
    start, length = 1, 4


class Month(_TextPart, ExtractMonth):
    start, length = 6, 2


def register():
    DateField.register_lookup(Year)
    DateField.register_lookup(Month)
