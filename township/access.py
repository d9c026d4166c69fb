"""Who may see and change what. Every view and API endpoint asks this module.

Rules (domain.md, "Who uses it"):
- staff see and change everything of their township;
- leaders see everything of their township and change nothing;
- secretaries see their own village only, and change the records of their
  village that a secretary reports (monthly records), until the month is approved;
- county users (role `county`) see everything of their county's townships and
  change nothing, like a leader of each of them;
- superusers see and change all townships;
- an approved village-month is locked for everyone until staff reopen it.

Not visible → 404 (the object does not exist for you); visible but read-only → 403.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404


@dataclass(frozen=True)
class Scope:
    """Where a model's records hang in the organisation, declared on the model as SCOPE."""

    township: str  # ORM path to the township ("pk" for Township itself)
    village: str | None  # ORM path to the village; None for township-level records
    month: str | tuple[str, str] | None = None  # a date field, or (year field, month field)
    secretary_edits: bool = False  # secretaries may write their own village's records of this kind


class MonthLocked(PermissionDenied):
    """The record belongs to a village-month that staff have approved."""


def scope_of(model) -> Scope:
    try:
        return model.SCOPE
    except AttributeError as exc:  # a model without a scope must never reach a user
        raise ImproperlyScoped(f"{model.__name__} 没有声明 SCOPE") from exc


class ImproperlyScoped(Exception):
    pass


def _filter_path(path: str) -> str:
    return "pk" if path == "pk" else path


def visible(user, queryset):
    """The part of `queryset` that `user` may see."""
    if not user or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    scope = scope_of(queryset.model)
    if user.is_secretary:
        if scope.village is None or user.village_id is None:
            return queryset.none()
        return queryset.filter(**{_filter_path(scope.village): user.village_id})
    if getattr(user, "is_county", False):
        if user.county_id is None:
            return queryset.none()
        # A subquery, not a list of ids: one query whatever the county's size.
        return queryset.filter(**{f"{_filter_path(scope.township)}__in": county_township_ids(user)})
    if user.township_id is None:
        return queryset.none()
    return queryset.filter(**{_filter_path(scope.township): user.township_id})


def county_township_ids(user):
    """The ids of the townships a county user oversees, as a subquery."""
    from township.models import County

    return County.townships.through.objects.filter(county_id=user.county_id).values("township_id")


def get_visible_or_404(user, queryset, **lookup):
    try:
        return visible(user, queryset).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("记录不存在或无权查看") from exc


def _resolve_id(obj, path: str | None):
    """The id at the end of an ORM path, read from the instance without extra queries where possible."""
    if path is None:
        return None
    if path == "pk":
        return obj.pk
    *hops, last = path.split("__")
    target = obj
    for hop in hops:
        target = getattr(target, hop, None)
        if target is None:
            return None
    if last == "pk":
        return target.pk
    return getattr(target, f"{last}_id", None)


def township_id_of(obj):
    return _resolve_id(obj, scope_of(type(obj)).township)


def village_id_of(obj):
    return _resolve_id(obj, scope_of(type(obj)).village)


def month_of(obj):
    """(year, month) of the village-month a record belongs to, or None."""
    spec = scope_of(type(obj)).month
    if spec is None:
        return None
    if isinstance(spec, tuple):
        year, month = (getattr(obj, name, None) for name in spec)
        return (year, month) if year and month else None
    value = getattr(obj, spec, None)
    if isinstance(value, datetime.date):
        return value.year, value.month
    return None


def can_see_kind(user, model) -> bool:
    """Whether `user` has any business with records of this kind (navigation, list pages)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if user.is_secretary:
        return scope_of(model).village is not None
    if getattr(user, "is_county", False):
        return user.county_id is not None
    return user.township_id is not None


def can_write_kind(user, model) -> bool:
    """Whether `user` may create or change records of this kind at all (before looking at one)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff_role:
        return True
    if user.is_secretary:
        return scope_of(model).secretary_edits
    return False


def month_lock_message(obj) -> str | None:
    """The Chinese lock message when the record's village-month has been approved, else None.

    The lock itself is the village-month's rule (villages.models.MonthlyRecord); a record
    kind without a month has none."""
    ask = getattr(obj, "month_lock_message", None)
    return ask() if ask is not None else None


def check_month_open(obj):
    """Raise MonthLocked when the record's village-month has been approved."""
    message = month_lock_message(obj)
    if message:
        raise MonthLocked(message)


def check_write(user, obj):
    """Raise PermissionDenied unless `user` may save or delete `obj` as it stands now."""
    if not can_write_kind(user, type(obj)):
        raise PermissionDenied("您的角色只能查看，不能修改。")
    if not user.is_superuser:
        if user.is_secretary:
            if village_id_of(obj) != user.village_id:
                raise PermissionDenied("只能修改本村的记录。")
        elif township_id_of(obj) != user.township_id:
            raise PermissionDenied("只能修改本镇的记录。")
    check_month_open(obj)


# ---------------------------------------------------------------- ledgers


def can_import_ledgers(user) -> bool:
    """Whether `user` may import ledgers (台账导入) and see import jobs: the staff of a township, for it."""
    return bool(user and user.is_authenticated and user.is_active and user.is_staff_role
                and user.township_id is not None)


def check_import_ledgers(user):
    """Raise PermissionDenied unless `user` may import ledgers: leaders (and county users) only read (403);
    who may not see a job at all gets 404 first, from get_visible_or_404 (ImportJob's SCOPE)."""
    if not can_import_ledgers(user):
        raise PermissionDenied("只有镇党委工作人员可以导入台账。")


def home_url_for(user):
    from django.urls import reverse

    if user.is_secretary:
        return reverse("villages:detail", args=[user.village_id])
    return reverse("home")
