"""The filters of a record list, each with the one ORM condition it stands for.

A figure of the annual report is "the records of kind K under these filters", counted or
summed (reports/registry.py); its source is the list page under the same filters. Both
ask `condition()` of the same filter objects, so the list always reproduces the figure.

Apps declare what their record kinds need beyond the generic filters (village, year,
the kinds and flags of `filter_fields`, keyword search) as `extra_filters` beside the
model, built from the classes here with a `condition` (value → Q).
"""
from __future__ import annotations

from collections.abc import Callable

import django_filters
from django import forms
from django.db import models
from django.db.models import Q, Value
from django.db.models.lookups import Exact
from django_filters.constants import EMPTY_VALUES

from township import access, masking

from .registry import RecordType

ALL = "全部"


class Condition:
    """A filter whose meaning is one Q built from its cleaned value: its own lookup, or `condition`.

    `condition(value, others)` also receives the other filters' cleaned values, for a filter
    whose meaning depends on another (a stage *on a date*).

    `personal` names the kind of personal data the filter reads (township.masking.BIRTH_DATE): for
    a user who sees that data masked, the filter may only ask what the mask shows (see year_only)."""

    def __init__(self, *args, condition: Callable[[object, dict], Q] | None = None, personal: str | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self._condition = condition
        self.personal = personal

    def condition(self, value, others=None) -> Q:
        if self._condition is not None:
            return self._condition(value, others or {})
        return Q(**{f"{self.field_name}__{self.lookup_expr}": value})

    def clean_param(self, raw):
        """The value of a URL parameter as the list page's form would clean it (a figure's filter)."""
        return self.field.clean(raw)


class ChoiceFilter(Condition, django_filters.ChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", ALL)
        super().__init__(*args, **kwargs)


class ModelChoiceFilter(Condition, django_filters.ModelChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", ALL)
        super().__init__(*args, **kwargs)

    def clean_param(self, raw):
        # A figure names the record by id; the scope is the figure's township, not a user's.
        return int(raw)


class YesNoSelect(forms.Select):
    """全部 / 是 / 否, read back as None / True / False."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("", ALL), ("true", "是"), ("false", "否")])

    def format_value(self, value):
        return {True: ["true"], False: ["false"], "true": ["true"], "false": ["false"]}.get(value, [""])

    def value_from_datadict(self, data, files, name):
        return {"true": True, "1": True, "false": False, "0": False}.get(data.get(name))


class BooleanFilter(Condition, django_filters.BooleanFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", YesNoSelect)
        super().__init__(*args, **kwargs)

    def clean_param(self, raw):
        return {"true": True, "1": True, True: True, "false": False, "0": False, False: False}[raw]


class IntegerFilter(Condition, django_filters.NumberFilter):
    """A whole-number filter: "abc", "1.5" or a number past the column's range is a 400, never a 500."""

    field_class = forms.IntegerField


class DateFilter(Condition, django_filters.DateFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(*args, **kwargs)


class CharFilter(Condition, django_filters.CharFilter):
    pass


INT_RANGE = {"min_value": -(2**31), "max_value": 2**31 - 1}


def related_model(model, path):
    """The model at the end of an ORM path (`person__village` → Village), read from the fields."""
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
    return model


def _scoped_queryset(model):
    def queryset(request):
        qs = model._default_manager.all()
        if request is None:
            return qs.none()
        if hasattr(model, "SCOPE"):
            return access.visible(request.user, qs)
        return qs

    return queryset


def on_record(since="since", until="until") -> DateFilter:
    """在册日期: on record on that day (joined by then and not left by then)."""
    return DateFilter(label="在册日期", condition=lambda day, _others: (
        Q(**{f"{since}__lte": day}) & (Q(**{f"{until}__isnull": True}) | Q(**{f"{until}__gt": day}))))


_filtersets: dict[str, type] = {}


def filterset_for(record_type: RecordType):
    """The FilterSet of a record kind: 村, 年度, declared kinds and flags, its extra filters, 关键词."""
    if record_type.slug not in _filtersets:
        _filtersets[record_type.slug] = _build(record_type)
    return _filtersets[record_type.slug]


BIRTH_YEAR_ONLY = "出生日期已打码，只能按年份筛选（请选择某年的12月31日）"


def year_only(value) -> bool:
    """Whether a date filter on birth dates asks no more than a birth year: "born after 31 December"."""
    return (value.month, value.day) == (12, 31)


class RecordFilterSet(django_filters.FilterSet):
    default_params: dict = {}

    def __init__(self, data=None, *args, **kwargs):
        if self.default_params:
            missing = {name: value for name, value in self.default_params.items() if not data or name not in data}
            if missing:
                data = data.copy() if data is not None else {}
                if hasattr(data, "_mutable"):
                    data._mutable = True
                data.update(missing)
        super().__init__(data, *args, **kwargs)

    def is_valid(self):
        """Valid, and for a user who sees personal data masked, no filter on it finer than the mask.

        出生晚于 1992-03-14 and 1992-03-15 would give back the birth date the list masks to 1992年."""
        valid = super().is_valid()
        if not valid or access.sees_personal_data(getattr(self.request, "user", None)):
            return valid
        for name, value in list(self.form.cleaned_data.items()):
            personal = getattr(self.filters[name], "personal", None)
            if personal == masking.BIRTH_DATE and value not in EMPTY_VALUES and not year_only(value):
                self.form.add_error(name, BIRTH_YEAR_ONLY)
                valid = False
        return valid

    def filter_queryset(self, queryset):
        cleaned = self.form.cleaned_data
        for name, value in cleaned.items():
            flt = self.filters[name]
            if not isinstance(flt, Condition):
                queryset = flt.filter(queryset, value)
            elif value not in EMPTY_VALUES:
                queryset = queryset.filter(flt.condition(value, cleaned))
        return queryset


def _build(record_type: RecordType):
    model = record_type.model
    attrs = {}
    scope = access.scope_of(model)
    if scope.village and scope.village != "pk":
        paths = scope.village_paths()
        either = None
        if len(paths) > 1:  # a record between two villages (a transfer) is listed under both
            def either(village, _others, paths=paths):
                condition = Q()
                for path in paths:
                    condition |= Q(**{path: village})
                return condition
        elif record_type.as_of is not None:  # a list of a day past: the village the record belonged to that day
            def either(village, others, path=scope.village, as_of=record_type.as_of):
                param, where_then = as_of
                village_id = getattr(village, "pk", village)
                if others.get(param):
                    return Q(Exact(where_then(others[param])[1], Value(village_id)))
                return Q(**{path: village_id})
        attrs["village"] = ModelChoiceFilter(
            label="村", field_name=scope.village, queryset=_scoped_queryset(related_model(model, scope.village)),
            condition=either,
        )
    year_lookup = record_type.filter_year_lookup()
    if year_lookup:
        # Years 1–9999 only: a date lookup on year 0 or 10000 raises instead of matching nothing.
        attrs["year"] = IntegerFilter(label="年度", field_name=year_lookup, min_value=1, max_value=9999)
    for name in record_type.filter_fields:
        if name == "village":
            continue
        field = model._meta.get_field(name)
        if field.many_to_one or field.many_to_many:
            attrs[name] = ModelChoiceFilter(label=field.verbose_name, field_name=name,
                                            queryset=_scoped_queryset(field.related_model))
        elif field.choices:
            attrs[name] = ChoiceFilter(label=field.verbose_name, field_name=name, choices=field.choices)
        elif isinstance(field, models.BooleanField):
            attrs[name] = BooleanFilter(label=field.verbose_name, field_name=name)
        elif isinstance(field, models.IntegerField):
            attrs[name] = IntegerFilter(label=field.verbose_name, field_name=name, **INT_RANGE)
        else:
            attrs[name] = CharFilter(label=field.verbose_name, field_name=name)
    attrs.update(record_type.extra_filters)
    if record_type.search_fields:
        def filter_search(self, queryset, _name, value):
            paths = record_type.search_fields
            if not access.sees_personal_data(getattr(self.request, "user", None)):
                # Searching a masked field would let a reader guess it digit by digit.
                paths = [p for p in paths if p not in record_type.masked_fields]
            condition = Q()
            for path in paths:
                condition |= Q(**{f"{path}__icontains": value})
            return queryset.filter(condition) if paths else queryset

        attrs["filter_search"] = filter_search
        attrs["q"] = django_filters.CharFilter(label="关键词", method="filter_search")
    attrs["default_params"] = dict(record_type.default_filters)
    attrs["Meta"] = type("Meta", (), {"model": model, "fields": []})
    return type(f"{model.__name__}FilterSet", (RecordFilterSet,), attrs)


def township_path(model) -> str:
    """The ORM path from a record to its township id (what a figure groups by)."""
    path = access.scope_of(model).township
    return "id" if path == "pk" else f"{path}_id"


def village_path(model) -> str | None:
    """The ORM path from a record to its village id, or None (township-level kinds, several villages)."""
    path = access.scope_of(model).village
    if path is None or path == "pk":
        return None
    field = model
    for name in path.split("__"):
        field = field._meta.get_field(name)
        if field.many_to_many:
            return None
        field = field.related_model
    return f"{path}_id"


def year_lookup(record_type: RecordType) -> str | None:
    """The ORM lookup the 年度 filter compares (`date__year`, or a `year` field)."""
    flt = filterset_for(record_type).base_filters.get("year")
    return flt.field_name if flt is not None else None


_cleaned: dict[tuple[str, str, str], object] = {}


def _clean(record_type: RecordType, flt, name: str, raw: str):
    """A URL parameter's cleaned value, once per kind, filter and raw value: a report states a hundred figures
    for two years, most with the same few parameters (年度, a kind), and cleaning is a form field's work. Only
    the registry's parameters come here (a bounded set: its filters of the years asked), never a user's."""
    key = (record_type.slug, name, raw)
    if key not in _cleaned:
        _cleaned[key] = flt.clean_param(raw)
    return _cleaned[key]


def split_equalities(record_type: RecordType, params: dict) -> tuple[dict, dict]:
    """({ORM path: cleaned value}, {param: raw}): the filters that are a plain equality on one column
    (a figure engine may group by that column instead), and the others."""
    filters = filterset_for(record_type).base_filters
    equal, other = {}, {}
    for name, raw in params.items():
        flt = filters[name]
        if isinstance(flt, Condition) and flt._condition is None and flt.lookup_expr == "exact" \
                and not isinstance(flt, ModelChoiceFilter):
            equal[flt.field_name] = _clean(record_type, flt, name, raw)
        else:
            other[name] = raw
    return equal, other


def condition(record_type: RecordType, params: dict, only=None) -> Q:
    """The ORM condition of a record list under `params` (URL parameters, as a figure's source has them);
    with `only`, the condition of those parameters alone (the others still inform them)."""
    filters = filterset_for(record_type).base_filters
    cleaned = {}
    for name, raw in params.items():
        flt = filters[name]
        if not isinstance(flt, Condition):
            raise ValueError(f"{record_type.slug}: filter {name!r} has no condition")
        cleaned[name] = _clean(record_type, flt, name, raw)
    q = Q()
    for name, value in cleaned.items():
        if only is None or name in only:
            q &= filters[name].condition(value, cleaned)
    return q
