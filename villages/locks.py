"""Locks that hold through cascades: a record with dependent rows in an approved month is neither deleted nor moved.

A month-locked row (a MonthlyRecord: StageChange, IncomeRecord, StudyActivity, OrgLifeEvent,
DuesPayment, Submission …) refuses a direct write once its village-month is approved. It would
still change if a record it hangs on changed under it: deleting a person deletes their stage
changes (CASCADE) or empties a submission's uploader (SET_NULL); moving a person, a branch or a
village to another village or township moves the rows whose scope runs through it.

So before a record is deleted, or its own scope field (village, township) changes, the rows of
every month-locked kind that reach it through foreign keys are asked, one query per kind and
path (a fixed number, read from the models), whether any lies in an approved village-month.

The rule is enforced for every ORM path by pre_delete and pre_save signals (connected in
VillagesConfig.ready()), which raise access.MonthLocked; the record engine turns that into 409
(API) or the form's message. Bulk writes that skip signals (QuerySet.update(), bulk_update) must
ask check_unlocked_dependents() themselves (cadres.resources.PersonResource does).
"""
from __future__ import annotations

from functools import cache

from django.apps import apps
from django.db import models
from django.db.models import Exists, F, OuterRef

from township import access

from .dates import Month, Year
from .models import MonthlyRecord, VillageMonth, lock_message

MAX_DEPTH = 4  # foreign-key hops from a month-locked row to a record it hangs on (OrgLifeEvent → … → Township: 3)


@cache
def locked_kinds() -> tuple:
    """Every concrete month-locked model of the project."""
    return tuple(m for m in apps.get_models() if issubclass(m, MonthlyRecord) and not m._meta.abstract)


def _forward_keys(model):
    return [f for f in model._meta.concrete_fields if f.is_relation and (f.many_to_one or f.one_to_one)]


def _paths_to(model, target, depth, prefix="", cascading_only=False):
    """ORM paths from `model` to `target` along which deleting a `target` reaches a `model` row: the row's own
    key may do anything but nothing (CASCADE, SET_NULL, PROTECT …: the row is deleted, changed or the delete
    refused), every key above it must CASCADE (a PROTECT there refuses the delete before it reaches the row)."""
    if depth == 0:
        return
    for field in _forward_keys(model):
        on_delete = field.remote_field.on_delete
        if on_delete is models.DO_NOTHING or (cascading_only and on_delete is not models.CASCADE):
            continue
        path = f"{prefix}{field.name}"
        if field.related_model is target:
            yield path
        if field.related_model is not model:
            yield from _paths_to(field.related_model, target, depth - 1, f"{path}__", cascading_only=True)


@cache
def delete_paths(parent) -> tuple:
    """((month-locked model, ORM path to `parent`), …): the rows a delete of a `parent` record would touch."""
    return tuple((kind, path) for kind in locked_kinds() for path in _paths_to(kind, parent, MAX_DEPTH))


@cache
def move_paths(parent) -> tuple:
    """((month-locked model, ORM path to `parent`), …) where `parent` lies on the row's scope path (its village
    or township is read through it), so that moving `parent` moves the row."""
    found = []
    for kind in locked_kinds():
        scope = access.scope_of(kind)
        for scope_path in {scope.township, scope.village} - {None, "pk"}:
            hops = scope_path.split("__")
            model = kind
            for i, hop in enumerate(hops):
                model = model._meta.get_field(hop).related_model
                if model is parent:
                    found.append((kind, "__".join(hops[:i + 1])))
    return tuple(dict.fromkeys(found))


@cache
def move_fields(parent) -> tuple:
    """The attributes of `parent` whose change moves it: the first hops of its own scope (village, township)."""
    scope = getattr(parent, "SCOPE", None)
    if scope is None:
        return ()
    names = {path.split("__")[0] for path in (scope.township, scope.village) if path and path != "pk"}
    return tuple(sorted(parent._meta.get_field(name).attname for name in names))


def _month_key(kind):
    """(year, month) expressions of the village-month a row of `kind` belongs to."""
    spec = access.scope_of(kind).month
    if isinstance(spec, tuple):
        return F(spec[0]), F(spec[1])
    return Year(spec), Month(spec)


def first_locked_row(kind, path, pk):
    """(village_id, year, month) of a row of `kind` reaching record `pk` through `path` in an approved month."""
    village_path = access.scope_of(kind).village
    if village_path is None:
        return None
    year, month = _month_key(kind)
    rows = (kind._default_manager.filter(**{path: pk})
            .annotate(_village=F(village_path), _year=year, _month=month).order_by())
    approved = VillageMonth.objects.locked().filter(village_id=OuterRef("_village"), year=OuterRef("_year"),
                                                   month=OuterRef("_month"))
    return rows.filter(Exists(approved)).values_list("_village", "_year", "_month").first()


def dependents_lock_message(obj, *, moving=False) -> str | None:
    """The Chinese message when `obj` has month-locked dependents in an approved month, else None.

    moving=False: `obj` is about to be deleted; True: its village or township is about to change."""
    if obj.pk is None:
        return None
    paths = move_paths(type(obj)) if moving else delete_paths(type(obj))
    for kind, path in paths:
        found = first_locked_row(kind, path, obj.pk)
        if found is not None:
            action = "改变所属村或镇" if moving else "删除"
            return (f"该{type(obj)._meta.verbose_name}有{kind._meta.verbose_name}属于已审核锁定的月份，不能{action}："
                    f"{lock_message(*found)}")
    return None


def check_unlocked_dependents(obj, *, moving=False):
    """Raise access.MonthLocked when `obj` has month-locked dependents in an approved month."""
    message = dependents_lock_message(obj, moving=moving)
    if message:
        raise access.MonthLocked(message)


def is_moving(obj, update_fields=None) -> bool:
    """Whether saving `obj` changes one of its move_fields against what is stored (one query, only for records
    that have month-locked dependents on a scope path and are not new)."""
    names = move_fields(type(obj))
    if not names or obj._state.adding or obj.pk is None or not move_paths(type(obj)):
        return False
    if update_fields is not None and not {type(obj)._meta.get_field(n).attname for n in update_fields} & set(names):
        return False
    stored = type(obj)._default_manager.filter(pk=obj.pk).values(*names).first()
    return stored is not None and any(stored[name] != getattr(obj, name) for name in names)


# ---------------------------------------------------------------- signals


def refuse_delete(sender, instance, **kwargs):
    check_unlocked_dependents(instance)


def refuse_move(sender, instance, update_fields=None, raw=False, **kwargs):
    if not raw and is_moving(instance, update_fields):
        check_unlocked_dependents(instance, moving=True)


def connect():
    """Guard every record that month-locked rows hang on (VillagesConfig.ready())."""
    for model in apps.get_models():
        if model._meta.abstract or model._meta.proxy:
            continue
        if delete_paths(model):
            models.signals.pre_delete.connect(refuse_delete, sender=model, dispatch_uid=f"lock-delete-{model._meta}")
        if move_paths(model) and move_fields(model):
            models.signals.pre_save.connect(refuse_move, sender=model, dispatch_uid=f"lock-move-{model._meta}")
