"""The declaration of a record type: one place says what differs per record.

Each domain app lists its record types in its `records.py` with `register()`;
the generic pages (township/record_views.py) and the API (township/record_api.py)
are built from these declarations, so twenty record types share one
implementation of list, detail, form, delete, history and API.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models

from township import access

_registry: dict[str, RecordType] = {}


@dataclass
class DetailTable:
    """A table of a record's detail page (a person's dated steps …): rows of cells, each (text, href or "")."""

    title: str
    columns: list[str]
    rows: list[list]
    empty: str = "暂无记录。"


@dataclass
class RecordType:
    model: type[models.Model]
    slug: str
    group: str  # navigation group (中文)
    list_fields: list[str]
    form_fields: list[str] | None = None  # None: every editable field but the township (set from the user)
    filter_fields: list[str] = field(default_factory=list)  # exact-match filters (kinds, flags, FKs)
    search_fields: list[str] = field(default_factory=list)
    year_field: str | None = None  # "year" or a date field; gives the 年度 filter
    ordering: list[str] | None = None
    form_class: type | None = None  # a ModelForm subclass of records.views.RecordForm
    serializer_class: type | None = None  # a ModelSerializer subclass of records.api.RecordSerializer
    api_fields: list[str] | None = None
    # Fields shown masked to everyone but staff (身份证号, phone numbers).
    masked_fields: list[str] = field(default_factory=list)
    # Filters beyond the generic ones: {URL parameter: records.filters.* instance with its condition}.
    extra_filters: dict = field(default_factory=dict)
    # Filter values in force when a list (page, API, export) does not name them: {URL parameter: raw value}
    # (the roster leaves out the people transferred out of the system unless asked for them).
    default_filters: dict = field(default_factory=dict)
    # Fields a list may total (?sum=<field>), with the unit the total is stated in: {"essays": "篇"}.
    sum_fields: dict[str, str] = field(default_factory=dict)
    # Extra related paths for select_related on list and detail pages.
    select_related: list[str] = field(default_factory=list)
    prefetch_related: list[str] = field(default_factory=list)
    # Tables the detail page shows below the fields: a callable (obj, user) → [records.registry.DetailTable].
    detail_tables: Callable | None = None
    # Lists of a day past (the year-end lists behind the figures): (URL parameter of the day, day → (expression of
    # the township id, of the village id) where each record belonged that day). With the parameter a list (page,
    # API, export) holds the records of the user's township or village on that day (township.access.visible).
    as_of: tuple[str, Callable] | None = None

    @property
    def label(self):
        return self.model._meta.verbose_name

    @property
    def label_plural(self):
        return self.model._meta.verbose_name_plural

    def field(self, name):
        return self.model._meta.get_field(name)

    @property
    def has_township_field(self):
        return any(f.name == "township" for f in self.model._meta.fields)

    def editable_fields(self, user):
        if self.form_fields is not None:
            names = list(self.form_fields)
        else:
            names = [
                f.name
                for f in self.model._meta.get_fields()
                if getattr(f, "editable", False) and not f.auto_created and f.concrete
                and f.name not in {"id", "created_at", "updated_at", "created_by"}
            ]
        if "township" in names and user is not None and not access.chooses_township(user):
            names.remove("township")
        return names

    def auto_select_related(self):
        paths = list(self.select_related)
        for name in self.list_fields:
            f = self.model._meta.get_field(name) if "__" not in name else None
            if f is not None and (f.many_to_one or f.one_to_one):
                paths.append(name)
        return sorted(set(paths))

    def visible_to(self, user, *, prefetch=(), params=None):
        """The records of this kind `user` may see (township.access decides), with what their lists show
        joined in and `prefetch` (or the kind's own prefetch_related) fetched in one query each. `params`: the
        list's filters; with the day of `as_of`, the records of where they belonged on that day."""
        qs = self.model._default_manager.all()
        day = self.as_of_day(params)
        if day is None:
            qs = access.visible(user, qs)
        else:
            township, village = self.as_of[1](day)
            qs = access.visible(user, qs.annotate(township_then=township, village_then=village),
                                scope=access.Scope(township="township_then", village="village_then"))
        related = self.auto_select_related()
        if related:
            qs = qs.select_related(*related)
        prefetch = list(prefetch or self.prefetch_related)
        if prefetch:
            qs = qs.prefetch_related(*prefetch)
        return qs

    def as_of_day(self, params):
        """The day of the `as_of` parameter in `params`, as the list's own filter reads it, or None (none asked
        for, or not a date: the list's filter says why)."""
        if self.as_of is None or not params or not params.get(self.as_of[0]):
            return None
        from django.core.exceptions import ValidationError

        from .filters import filterset_for  # the filters are built from the registry

        name = self.as_of[0]
        try:
            return filterset_for(self).base_filters[name].clean_param(params.get(name))
        except ValidationError:
            return None

    def filter_year_lookup(self):
        if self.year_field is None:
            return None
        f = self.model._meta.get_field(self.year_field)
        if isinstance(f, models.DateField):
            return f"{self.year_field}__year"
        return self.year_field


def register(record_type: RecordType) -> RecordType:
    if record_type.slug in _registry:
        raise ValueError(f"duplicate record type slug {record_type.slug!r}")
    _registry[record_type.slug] = record_type
    return record_type


def all_types() -> list[RecordType]:
    return list(_registry.values())


def get(slug) -> RecordType:
    return _registry[slug]


def for_model(model) -> RecordType | None:
    for record_type in _registry.values():
        if record_type.model is model:
            return record_type
    return None
