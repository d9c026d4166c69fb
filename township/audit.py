"""Refused 身份证号: one neutral answer, a daily limit per user, an audit row and a notice to the holder's staff.

Whether a 身份证号 is registered is told only to the staff of the township that holds it
(access.told_id_number_registered). Everyone else who asks to register a number that is on
record reads access.ID_NUMBER_REFUSED, whatever the reason; the refusal is written to
IdNumberRefusal (who, when, where, the masked number, the real reason), the staff of the
holding township get an IdNumberNotice, and after ID_NUMBER_REFUSALS_PER_DAY refusals in a
day the user may register no 身份证号 at all until the next day, so that a number cannot be
found by trying the candidates its masked form leaves.

The callers (cadres: forms, API, monthly workbook; ledgers: import preview) look the number
up themselves; this module knows no domain app.
"""
from __future__ import annotations

import contextvars
import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from township import access
from township.masking import mask_id_number

logger = logging.getLogger(__name__)

# The path of the request being served, for refusals whose caller has no request at hand (a form's clean()).
request_path: contextvars.ContextVar[str] = contextvars.ContextVar("request_path", default="")


def daily_limit() -> int:
    return int(getattr(settings, "ID_NUMBER_REFUSALS_PER_DAY", 10))


def throttle_message() -> str:
    return (f"今天已有{daily_limit()}次身份证号无法登记。为保护个人信息，今天不能再登记身份证号，"
            "请明天再试；如确需登记，请联系镇党委工作人员。")


class IdNumberThrottled(Exception):
    """The user has reached today's limit of refused 身份证号: answer 429 (API) or throttle_message() (forms)."""

    def __init__(self):
        super().__init__(throttle_message())
        self.message = throttle_message()


def _start_of_today():
    today = timezone.localdate()
    return timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))


def refusals_today(user) -> int:
    from township.models import IdNumberRefusal

    return IdNumberRefusal.objects.counted_since(user, _start_of_today()).count() + _pending_for(user)


def is_throttled(user) -> bool:
    return access.throttles_id_number_refusals(user) and refusals_today(user) >= daily_limit()


def check_not_throttled(user, *, id_number="", where=""):
    """Raise IdNumberThrottled when `user` has used up today's refusals, before the number is looked up:
    past the limit every number is refused alike, registered or not, so the refusal itself tells nothing."""
    from township.models import RefusalReason

    if is_throttled(user):
        _write(user=user, id_number=id_number, reason=RefusalReason.THROTTLED,
               township_id=access.own_township_id(user), where=where, notify=False)
        raise IdNumberThrottled()


def reason_for(user, *, holder_township_id, holder_village_id):
    """The audit's reason for refusing a number registered in `holder_village_id` of `holder_township_id`."""
    from township.models import RefusalReason

    if holder_village_id is not None and holder_village_id == getattr(user, "village_id", None):
        return RefusalReason.SAME_VILLAGE
    if holder_township_id == access.own_township_id(user):
        return RefusalReason.SAME_TOWNSHIP
    return RefusalReason.OTHER_TOWNSHIP


def registered_answer(user, *, id_number, holder_township_id, holder_village_id=None, reason=None, where="",
                      told_message=access.ID_NUMBER_REGISTERED) -> str:
    """What `user` reads when the 身份证号 they typed is on record in `holder_township_id`.

    The holder's staff read `told_message` (nothing is logged); everyone else reads access.ID_NUMBER_REFUSED, and
    the refusal is logged, the holder's staff notified and the user's daily count raised. Raises IdNumberThrottled
    when this refusal is one past the limit."""
    if access.told_id_number_registered(user, holder_township_id):
        return told_message
    check_not_throttled(user, id_number=id_number, where=where)
    if reason is None:
        reason = reason_for(user, holder_township_id=holder_township_id, holder_village_id=holder_village_id)
    _write(user=user, id_number=id_number, reason=reason, township_id=holder_township_id, where=where, notify=True)
    return access.ID_NUMBER_REFUSED


def _write(*, user, id_number, reason, township_id, where, notify):
    from township.models import IdNumberRefusal

    if township_id is None:  # a user of no township (a superuser is never throttled): nothing to scope it by
        return None
    masked = mask_id_number(id_number) or ""
    refusal = IdNumberRefusal(
        user=user if getattr(user, "pk", None) else None, username=getattr(user, "username", "") or "",
        path=(where or request_path.get() or "")[:255], masked_number=masked[:18], reason=reason,
        township_id=township_id)
    logger.warning("身份证号被拒绝登记：用户 %s，位置 %s，号码 %s，原因 %s", refusal.username, refusal.path, masked,
                   refusal.get_reason_display())
    pending = _pending.get()
    if pending is not None:
        # Within a request the refusal is written after the view's transaction has ended: a refused API write
        # rolls that transaction back (DRF's exception handler), and the log must outlive it.
        pending.append((refusal, notify))
    else:
        _save(refusal, notify)
    return refusal


def _save(refusal, notify):
    from township.models import IdNumberNotice, Role, User

    refusal.save()
    if notify:
        staff = User.objects.filter(role=Role.STAFF, township_id=refusal.township_id, is_active=True)
        IdNumberNotice.objects.bulk_create([IdNumberNotice(user=member, refusal=refusal) for member in staff])


# The refusals of the request being served, written by flush_pending() once its transaction has ended.
_pending: contextvars.ContextVar[list | None] = contextvars.ContextVar("pending_refusals", default=None)


def start_request(path):
    """Called by township.middleware.RequestAuditMiddleware before the view: returns the tokens to end it with."""
    return request_path.set(path[:255]), _pending.set([])


def end_request(tokens):
    """Write the request's refusals (outside the view's transaction) and forget the request."""
    path_token, pending_token = tokens
    pending = _pending.get() or []
    try:
        if pending:
            with transaction.atomic():
                for refusal, notify in pending:
                    _save(refusal, notify)
    finally:
        _pending.reset(pending_token)
        request_path.reset(path_token)


def _pending_for(user) -> int:
    from township.models import RefusalReason

    return sum(1 for refusal, _notify in (_pending.get() or [])
               if refusal.user_id == getattr(user, "pk", None) and refusal.reason != RefusalReason.THROTTLED)
