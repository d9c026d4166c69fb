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

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404


@dataclass(frozen=True)
class Scope:
    """Where a model's records hang in the organisation, declared on the model as SCOPE."""

    township: str  # ORM path to the township ("pk" for Township itself)
    village: str | None  # ORM path to the village; None for township-level records
    month: str | tuple[str, str] | None = None  # a date field, or (year field, month field)
    secretary_edits: bool = False  # secretaries may write their own village's records of this kind
    # A record between two places (a 组织关系转接): the paths to the other township and village. Its users are
    # those of either end: both townships' staff, the secretaries of both villages (touches()).
    other_township: str | None = None
    other_village: str | None = None

    def township_paths(self) -> tuple[str, ...]:
        return tuple(p for p in (self.township, self.other_township) if p)

    def village_paths(self) -> tuple[str, ...]:
        return tuple(p for p in (self.village, self.other_village) if p)


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


def _any_of(paths, lookup, value) -> Q:
    """Q: the record reaches `value` through any of `paths` (both ends of a transfer)."""
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{_filter_path(path)}{lookup}": value})
    return condition


def visible(user, queryset, *, scope: Scope | None = None):
    """The part of `queryset` that `user` may see.

    `scope`: paths to use instead of the model's SCOPE, for a list of a day past that lists records by where
    they belonged that day (a person's township and village on 31 December, annotated by the caller:
    records.registry.RecordType.as_of). Its users are those of that township and village then."""
    if not user or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    scope = scope or scope_of(queryset.model)
    if user.is_secretary:
        if scope.village is None or user.village_id is None:
            return queryset.none()
        return queryset.filter(_any_of(scope.village_paths(), "", user.village_id))
    if getattr(user, "is_county", False):
        if user.county_id is None:
            return queryset.none()
        # A subquery, not a list of ids: one query whatever the county's size.
        return queryset.filter(_any_of(scope.township_paths(), "__in", county_township_ids(user)))
    if user.township_id is None:
        return queryset.none()
    return queryset.filter(_any_of(scope.township_paths(), "", user.township_id))


def touches(obj, *, township_id=None, village_id=None) -> bool:
    """Whether `obj` belongs to the township (or village): through its scope path, or for a record between two
    places (Scope.other_township), through either end."""
    scope = scope_of(type(obj))
    if township_id is not None:
        return any(_resolve_id(obj, path) == township_id for path in scope.township_paths())
    return village_id is not None and any(_resolve_id(obj, path) == village_id for path in scope.village_paths())


def county_township_ids(user, wanted_county=None):
    """The ids of the townships `user` reads as a county, as a subquery (one query whatever the county's size).

    A county user's county's townships; a superuser's ?county= pick (`wanted_county`), or every
    township when they pick none; Http404 for everyone else (county_of)."""
    county_id = county_of(user, wanted_county)
    if county_id is None:
        from township.models import County

        # The township model named by the county's own field: access.py imports no domain app.
        return County._meta.get_field("townships").related_model._default_manager.values("pk")
    return _county_township_links(county_id).values("township_id")


def _county_township_links(county_id):
    from township.models import County

    return County.townships.through.objects.filter(county_id=county_id)


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
    return can_write_kind_of_scope(user, secretary_edits=scope_of(model).secretary_edits)


def transfer_destinations(user, villages):
    """The villages `user` may transfer a person into (组织关系转接): any village of the system for the staff
    who write transfers (a member moves to another township without a second registration), none for others."""
    if can_write_kind_of_scope(user, secretary_edits=False):
        return villages
    return villages.none()


def can_write_kind_of_scope(user, *, secretary_edits) -> bool:
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff_role:
        return True
    return bool(user.is_secretary and secretary_edits)


# ---------------------------------------------------------------- pages


def sees_township_dashboard(user) -> bool:
    """Whether `user` has the township pages (dashboard, the 村 menu); a secretary lands on their village instead."""
    return bool(user and user.is_authenticated and not user.is_secretary)


def confined_village_id(user):
    """The id of the one village `user` is confined to (a secretary's), or None for users who see more."""
    if user and user.is_authenticated and user.is_secretary:
        return user.village_id
    return None


def chooses_township(user) -> bool:
    """Whether `user` picks the township of a new township-level record (superusers, who have none of their
    own to write into); everyone else's new records belong to their own township."""
    return bool(user and user.is_authenticated and user.is_superuser)


# ---------------------------------------------------------------- personal data


def sees_personal_data(user) -> bool:
    """Whether `user` sees 身份证号 and phone numbers whole: township staff and superusers.

    Everyone else (leaders, secretaries, county users) sees them masked (township.masking)."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.is_staff_role))


def downloads_raw_uploads(user) -> bool:
    """Whether `user`'s role may download uploaded files as they came (township staff, secretaries, superusers);
    which ones is may_download_raw_upload's decision. For templates: leaders and county users get no link."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.is_staff_role or user.is_secretary))


def may_download_raw_upload(user, obj) -> bool:
    """Whether `user` may download the file `obj` was uploaded as (a monthly workbook, a ledger).

    The file holds 身份证号 and phone numbers as typed, which no mask reaches: only who sees them whole
    for its township (its staff, superusers) and the secretary of the village it came from, who uploaded
    that village's numbers. Leaders, county users and other villages get 404 (the caller raises it)."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if user.is_staff_role:
        return user.township_id is not None and township_id_of(obj) == user.township_id
    if user.is_secretary:
        village_id = village_id_of(obj)
        return village_id is not None and village_id == user.village_id
    return False


# ---------------------------------------------------------------- whether a 身份证号 is registered

# What everyone but the holder's staff reads when a 身份证号 cannot be registered, whatever the reason:
# registered in this village, in another village or township, under another name. A wrong check digit or an
# invalid number keeps its own message, which tells nothing about the register.
ID_NUMBER_REFUSED = "该身份证号无法在此登记，请联系镇党委核实"
ID_NUMBER_REGISTERED = "该身份证号已登记，同一人不能重复录入。"


def told_id_number_registered(user, holder_township_id) -> bool:
    """Whether `user` may learn that a 身份证号 is registered in the township `holder_township_id`: its staff
    (who see the numbers whole) and superusers. Secretaries, even of the same village, and the staff of any
    other township get ID_NUMBER_REFUSED (domain.md, "People")."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(user.is_staff_role and holder_township_id is not None and user.township_id == holder_township_id)


def throttles_id_number_refusals(user) -> bool:
    """Whether `user`'s refused 身份证号 count towards the daily limit (ID_NUMBER_REFUSALS_PER_DAY): everyone
    but superusers, who see every township's numbers anyway."""
    return bool(user and user.is_authenticated and not user.is_superuser)


def can_read_id_number_audit(user) -> bool:
    """Whether `user` reads the log of refused 身份证号 of their township (visible() scopes it by the township
    that holds the number): its staff and its leaders, who oversee its work without changing it, and superusers.
    Not secretaries (the log names other villages' people) nor county users (it is the township's own log)."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool((user.is_staff_role or user.is_leader) and user.township_id is not None)


def own_township_id(user):
    """The township a user belongs to: their own, or their village's for a secretary."""
    if user.township_id is not None:
        return user.township_id
    village = getattr(user, "village", None) if user.village_id else None
    return village.township_id if village is not None else None


# ---------------------------------------------------------------- notices from the township


def marks_notices_read(user) -> bool:
    """Whether `user` confirms reading the township's notices (a read receipt): a village's secretary."""
    return confined_village_id(user) is not None


def reads_notice_receipts(user) -> bool:
    """Whether `user` sees who has read a notice they may see: the township's staff and leaders, county
    users and administrators, not the secretaries it was sent to."""
    return bool(user and user.is_authenticated and not user.is_secretary)


# ---------------------------------------------------------------- evidence attached to records


def check_attach(user, obj):
    """Raise PermissionDenied unless `user` may attach evidence to `obj` (which they already see): the
    township's staff, or the secretary of the record's village; never leaders or county users (they read);
    MonthLocked once the record's village-month is approved (its attachments are locked with it)."""
    if not user.is_superuser:
        if user.is_secretary:
            if user.village_id is None or village_id_of(obj) != user.village_id:
                raise PermissionDenied("只能为本村的记录添加附件。")
        elif not user.is_staff_role:
            raise PermissionDenied("您的角色只能查看附件，不能添加。")
        elif township_id_of(obj) != user.township_id:
            raise PermissionDenied("只能为本镇的记录添加附件。")
    check_month_open(obj)


# ---------------------------------------------------------------- monthly workbooks


def can_upload_workbook(user) -> bool:
    """Whether `user`'s role uploads and confirms monthly workbooks (for the villages `visible` gives them)."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.is_staff_role or user.is_secretary))


def check_upload_workbook(user):
    """Raise PermissionDenied unless `user`'s role uploads and confirms monthly workbooks."""
    if not can_upload_workbook(user):
        raise PermissionDenied("您的角色只能查看，不能上传或确认月度报表。")


def can_review_workbooks(user) -> bool:
    """Whether `user` approves, returns and reopens monthly workbooks: township staff and superusers."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.is_staff_role))


def check_review_workbooks(user):
    """Raise PermissionDenied unless `user` reviews monthly workbooks."""
    if not can_review_workbooks(user):
        raise PermissionDenied("只有镇党委工作人员可以审核月度报表。")


# ---------------------------------------------------------------- reports

REPORT_NOT_FOUND = "年度工作总结不存在或无权查看"


def can_read_reports(user) -> bool:
    """Whether the annual report is there for `user` without choosing a township (the navigation link).

    Staff and leaders read their township's; secretaries only when REPORTS_VISIBLE_TO_SECRETARIES;
    superusers any. County users reach their townships' reports from the county view (?township=)."""
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if user.is_secretary:
        return bool(getattr(settings, "REPORTS_VISIBLE_TO_SECRETARIES", False))
    return user.township_id is not None


def can_edit_reports(user) -> bool:
    """Whether `user` changes annual reports (edits, items, suggestions, final, reopen): staff and superusers."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.is_staff_role))


def check_edit_reports(user):
    """Raise PermissionDenied unless `user` changes annual reports."""
    if not can_edit_reports(user):
        raise PermissionDenied("只有镇党委工作人员可以修改年度工作总结。")


def _id_or_404(wanted, message) -> int:
    """`wanted` (a query parameter) as a positive id; Http404 for anything else ("abc", "²", 10**5000)."""
    text = str(wanted)
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise Http404(message)
    return int(text)


def report_township_id(user, wanted=None) -> int:
    """The id of the township whose annual report `user` reads; `wanted` is the ?township= parameter.

    - superusers: the township asked for, else their own, else Http404 ("请指定镇");
    - county users: the township asked for when it is one of their county's, else Http404;
    - secretaries: PermissionDenied unless REPORTS_VISIBLE_TO_SECRETARIES, then their village's township;
    - staff and leaders: their own township; asking for another one is Http404.

    The caller fetches the Township (get_object_or_404: an id that does not exist is a 404 there)."""
    if not user or not user.is_authenticated:
        raise Http404(REPORT_NOT_FOUND)
    if user.is_superuser:
        if wanted:
            return _id_or_404(wanted, REPORT_NOT_FOUND)
        if user.township_id:
            return user.township_id
        raise Http404("请指定镇")
    if user.is_county:
        # Like a leader of each of the county's townships: the county view links to their reports.
        if not wanted or user.county_id is None:
            raise Http404("请指定镇")
        township_id = _id_or_404(wanted, REPORT_NOT_FOUND)
        if not _county_township_links(user.county_id).filter(township_id=township_id).exists():
            raise Http404(REPORT_NOT_FOUND)
        return township_id
    if user.is_secretary and not getattr(settings, "REPORTS_VISIBLE_TO_SECRETARIES", False):
        raise PermissionDenied("年度工作总结仅供镇党委查看。")
    township_id = user.township_id or (user.village.township_id if user.village_id else None)
    if township_id is None or (wanted and str(wanted) != str(township_id)):
        raise Http404(REPORT_NOT_FOUND)
    return township_id


# ---------------------------------------------------------------- county view


def can_read_county(user) -> bool:
    """Whether the county view (全县汇总) exists for `user`: superusers and county users; 404 for everyone else."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.is_county))


def county_of(user, wanted=None):
    """The id of the county whose view `user` reads; `wanted` is the ?county= parameter.

    A superuser's pick (None when they pick none: every township); a county user's own county,
    whatever they ask for; Http404 for everyone else. The caller fetches the County
    (get_object_or_404: an id that does not exist is a 404 there)."""
    if user and user.is_authenticated and user.is_superuser:
        return _id_or_404(wanted, "县不存在") if wanted else None
    if can_read_county(user) and user.county_id is not None:
        return user.county_id
    raise Http404("县级汇总不存在或无权查看")


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
            if not touches(obj, village_id=user.village_id):
                raise PermissionDenied("只能修改本村的记录。")
        elif not touches(obj, township_id=user.township_id):
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
