"""The monthly workbook's writes: upload, preview, confirm, approve, return, reopen, reminders.

Every function that changes a village-month locks its VillageMonth row first
(select_for_update), so two confirms, or a confirm racing an approval, have
exactly one outcome. Records are written through the owning apps' services.
"""
from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from cadres import services as cadres_services
from economy import services as economy_services
from study import services as study_services
from township import access
from township.models import Role, User
from villages.models import Village, VillageMonth, VillageMonthStatus, lock_message

from .models import MonthTransition, Notice, NoticeKind, Submission, SubmissionStatus
from .workbook import INCOME, ORG_LIFE, PIPELINE, STUDY, problem, read_workbook

logger = logging.getLogger(__name__)


class SubmissionRefused(Exception):
    """The action is not possible in the submission's or the month's present state; message in Chinese."""

    def __init__(self, message, code="conflict"):
        super().__init__(message)
        self.message = message
        self.code = code


# ---------------------------------------------------------------- helpers


def _lock_month(village_id, year, month) -> VillageMonth:
    """The village-month row, created if needed, locked for the rest of the transaction."""
    village_month, _ = VillageMonth.objects.get_or_create(village_id=village_id, year=year, month=month)
    return VillageMonth.objects.select_for_update().get(pk=village_month.pk)


def _lock_submission(submission) -> Submission:
    return Submission.objects.select_for_update().select_related("village").get(pk=submission.pk)


def _log(village_month, submission, user, from_status, action, reason=""):
    MonthTransition.objects.create(
        village_month=village_month, submission=submission, user=user, from_status=from_status,
        to_status=village_month.status, action=action, reason=reason,
    )


def _set_month(village_month, user, **values):
    for name, value in values.items():
        setattr(village_month, name, value)
    village_month._history_user = user
    village_month.save()


def _notify(users, *, village, year, month, kind, message):
    Notice.objects.bulk_create([
        Notice(user=u, village=village, year=year, month=month, kind=kind, message=message) for u in users
    ])


def _secretaries(village_id):
    return list(User.objects.filter(role=Role.SECRETARY, village_id=village_id, is_active=True))


def _staff(township_id):
    return list(User.objects.filter(role=Role.STAFF, township_id=township_id, is_active=True))


def month_label(village, year, month):
    return f"{village.name}{year}年{month}月"


# ---------------------------------------------------------------- upload and preview


def submission_create(*, village, year, month, uploaded_file, user) -> Submission:
    """A new submission holding the uploaded file (kept for good); refused when the month is locked."""
    if VillageMonth.objects.is_locked(village.pk, year, month):
        raise access.MonthLocked(lock_message(village.pk, year, month))
    name = (getattr(uploaded_file, "name", "") or "")[-255:]
    submission = Submission(village=village, year=year, month=month, uploaded_by=user,
                            original_name=name, file_size=getattr(uploaded_file, "size", 0) or 0)
    submission.file.save(name or "upload", uploaded_file, save=False)
    submission.save()
    return submission


def _progress(submission_id):
    def report(percent):
        Submission.objects.filter(pk=submission_id).update(progress=min(percent, 99))

    return report


def month_changes(*, village, year, month, rows) -> tuple[dict, list]:
    """({sheet name: {added, replaced, removed}}, problems) of writing `rows` over the month as it is now."""
    changes, problems = {}, []
    changes[INCOME.name] = economy_services.month_income_changes(
        village=village, year=year, month=month, rows=rows.get(INCOME.key, []))
    plan = cadres_services.plan_month_pipeline(village=village, year=year, month=month,
                                               rows=rows.get(PIPELINE.key, []))
    for number, (column, message) in plan.problems.items():
        problems.append(problem(PIPELINE.name, number, column, message))
    changes[PIPELINE.name] = plan.counts()
    org_life_rows = rows.get(ORG_LIFE.key, [])
    if org_life_rows and study_services.branch_of(village) is None:
        problems.append(problem(ORG_LIFE.name, None, "", "本村尚未登记党支部，无法填报组织生活，请联系镇党委工作人员"))
        changes[ORG_LIFE.name] = {"added": 0, "replaced": 0, "removed": 0}
    else:
        changes[ORG_LIFE.name] = study_services.month_org_life_changes(
            village=village, year=year, month=month, rows=org_life_rows)
    changes[STUDY.name] = study_services.month_study_changes(
        village=village, year=year, month=month, rows=rows.get(STUDY.key, []))
    return changes, problems


def submission_preview(*, submission, today=None) -> Submission:
    """Read and check the uploaded file; store its problems, its rows and what a confirm would change.

    Writes nothing but the submission itself.
    """
    submission = Submission.objects.select_related("village").get(pk=submission.pk)
    village = submission.village
    try:
        with submission.file.open("rb") as handle:
            data = handle.read()
    except OSError:
        data = b""
    result = read_workbook(data, village=village, year=submission.year, month=submission.month, today=today,
                           progress=_progress(submission.pk))
    errors, changes = list(result.errors), {}
    if not errors:
        changes, problems = month_changes(village=village, year=submission.year, month=submission.month,
                                          rows=result.rows)
        errors.extend(problems)
    submission.errors = errors
    submission.changes = changes if not errors else {}
    submission.parsed = result.rows if not errors else {}
    submission.status = SubmissionStatus.INVALID if errors else SubmissionStatus.PREVIEW
    submission.progress = 100
    submission.message = ""
    submission.save(update_fields=["errors", "changes", "parsed", "status", "progress", "message"])
    return submission


def submission_failed(*, submission_id, message):
    Submission.objects.filter(pk=submission_id).update(status=SubmissionStatus.FAILED, message=message, progress=100)


# ---------------------------------------------------------------- confirm


@transaction.atomic
def submission_confirm(*, submission, user) -> Submission:
    """Write the whole month from a clean preview, or nothing; the month's earlier workbook rows are replaced."""
    village_month = _lock_month(submission.village_id, submission.year, submission.month)
    submission = _lock_submission(submission)
    village = submission.village
    if village_month.is_locked:
        raise SubmissionRefused(lock_message(village.pk, submission.year, submission.month), "locked")
    if submission.status not in (SubmissionStatus.PREVIEW, SubmissionStatus.CONFIRMING) or submission.errors:
        raise SubmissionRefused("只有检查无误、尚未上报的报表才能确认上报。", "not_clean")
    year, month, rows = submission.year, submission.month, submission.parsed
    try:
        changes = {
            INCOME.name: economy_services.replace_month_income(
                village=village, year=year, month=month, rows=rows.get(INCOME.key, []), user=user),
            PIPELINE.name: cadres_services.replace_month_pipeline(
                village=village, year=year, month=month, rows=rows.get(PIPELINE.key, []), user=user),
            ORG_LIFE.name: study_services.replace_month_org_life(
                village=village, year=year, month=month, rows=rows.get(ORG_LIFE.key, []), user=user),
            STUDY.name: study_services.replace_month_study(
                village=village, year=year, month=month, rows=rows.get(STUDY.key, []), user=user),
        }
    except ValueError as exc:  # the records changed since the preview in a way the rows no longer fit
        raise SubmissionRefused(f"报表与现有记录冲突，未保存任何内容：{exc}。请重新上传。", "stale") from exc
    now = timezone.now()
    Submission.objects.for_month(village.pk, year, month).current().exclude(pk=submission.pk).update(
        status=SubmissionStatus.SUPERSEDED)
    submission.status = SubmissionStatus.SUBMITTED
    submission.changes = changes
    submission.confirmed_by = user
    submission.confirmed_at = now
    submission.message = ""
    submission.save(update_fields=["status", "changes", "confirmed_by", "confirmed_at", "message"])
    before = village_month.status
    _set_month(village_month, user, status=VillageMonthStatus.SUBMITTED, submitted_at=now,
               first_submitted_at=village_month.first_submitted_at or now, return_reason="")
    _log(village_month, submission, user, before, "confirm")
    _notify(_staff(village.township_id), village=village, year=year, month=month, kind=NoticeKind.SUBMITTED,
            message=f"{month_label(village, year, month)}的月度报表已上报，待审核。")
    return submission


# ---------------------------------------------------------------- review


def _review_target(submission, expected_month_status, message):
    village_month = _lock_month(submission.village_id, submission.year, submission.month)
    submission = _lock_submission(submission)
    current = submission.status in (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED)
    if village_month.status != expected_month_status or not current:
        raise SubmissionRefused(message, "state")
    return village_month, submission


@transaction.atomic
def submission_approve(*, submission, user, reason="") -> Submission:
    """Approve the village-month's current submission: the month is locked from now on."""
    access.check_review_workbooks(user)
    village_month, submission = _review_target(
        submission, VillageMonthStatus.SUBMITTED, "只有已上报、待审核的当前报表才能审核通过。")
    if submission.status != SubmissionStatus.SUBMITTED:
        raise SubmissionRefused("只有已上报、待审核的当前报表才能审核通过。", "state")
    before = village_month.status
    _set_month(village_month, user, status=VillageMonthStatus.APPROVED, approved_by=user,
               approved_at=timezone.now(), return_reason="")
    submission.status = SubmissionStatus.APPROVED
    submission.save(update_fields=["status"])
    _log(village_month, submission, user, before, "approve", reason)
    village = submission.village
    _notify(_secretaries(village.pk), village=village, year=submission.year, month=submission.month,
            kind=NoticeKind.APPROVED,
            message=f"{month_label(village, submission.year, submission.month)}的月度报表已审核通过，该月已锁定。")
    return submission


def _required_reason(reason, action):
    reason = (reason or "").strip()
    if not reason:
        raise SubmissionRefused(f"{action}时必须填写原因。", "reason_required")
    return reason


@transaction.atomic
def submission_return(*, submission, user, reason) -> Submission:
    """Return the current submission to the village with a reason the secretary sees."""
    access.check_review_workbooks(user)
    reason = _required_reason(reason, "退回")
    village_month, submission = _review_target(
        submission, VillageMonthStatus.SUBMITTED, "只有已上报、待审核的当前报表才能退回；已审核的月份请先重新开放。")
    before = village_month.status
    _set_month(village_month, user, status=VillageMonthStatus.RETURNED, return_reason=reason)
    submission.status = SubmissionStatus.RETURNED
    submission.save(update_fields=["status"])
    _log(village_month, submission, user, before, "return", reason)
    village = submission.village
    _notify(_secretaries(village.pk), village=village, year=submission.year, month=submission.month,
            kind=NoticeKind.RETURNED,
            message=f"{month_label(village, submission.year, submission.month)}的月度报表被退回，原因：{reason}。"
                    "请修改后重新上传。")
    return submission


@transaction.atomic
def submission_reopen(*, submission, user, reason) -> Submission:
    """Unlock an approved month (logged with the reason); it stays reported until a new upload replaces it."""
    access.check_review_workbooks(user)
    reason = _required_reason(reason, "重新开放")
    village_month, submission = _review_target(
        submission, VillageMonthStatus.APPROVED, "只有已审核锁定的月份才能重新开放。")
    before = village_month.status
    _set_month(village_month, user, status=VillageMonthStatus.SUBMITTED, approved_by=None, approved_at=None)
    submission.status = SubmissionStatus.SUBMITTED
    submission.save(update_fields=["status"])
    _log(village_month, submission, user, before, "reopen", reason)
    village = submission.village
    _notify(_secretaries(village.pk), village=village, year=submission.year, month=submission.month,
            kind=NoticeKind.REOPENED,
            message=f"{month_label(village, submission.year, submission.month)}已重新开放，可以更正，原因：{reason}。")
    return submission


# ---------------------------------------------------------------- reminders


def previous_month(today):
    first = today.replace(day=1)
    last = first - datetime.timedelta(days=1)
    return last.year, last.month


def send_reminders(*, today=None) -> dict:
    """Notify the secretaries of villages whose last month is not reported, and staff with the list.

    Safe to run twice: a user gets one notice of a kind per month.
    """
    today = today or timezone.localdate()
    year, month = previous_month(today)
    reported = set(VillageMonth.objects.filter(year=year, month=month).reported().values_list("village_id", flat=True))
    missing = [v for v in Village.objects.select_related("township") if v.pk not in reported]
    already = set(Notice.objects.filter(year=year, month=month, kind__in=[NoticeKind.REMINDER,
                                                                         NoticeKind.MISSING_SUMMARY])
                  .values_list("user_id", "kind"))
    secretaries = {}
    for user in User.objects.filter(role=Role.SECRETARY, is_active=True, village_id__in=[v.pk for v in missing]):
        secretaries.setdefault(user.village_id, []).append(user)
    notices, mails = [], []
    deadline = deadline_for(year, month)
    for village in missing:
        message = (f"{month_label(village, year, month)}的月度报表尚未上报，"
                   f"请于{deadline:%Y年%m月%d日}前下载模板填写并上传。")
        for user in secretaries.get(village.pk, []):
            if (user.pk, NoticeKind.REMINDER) in already:
                continue
            notices.append(Notice(user=user, village=village, year=year, month=month, kind=NoticeKind.REMINDER,
                                  message=message))
            if user.email:
                mails.append((user.email, message))
    by_township = {}
    for village in missing:
        by_township.setdefault(village.township_id, []).append(village.name)
    for user in User.objects.filter(role=Role.STAFF, is_active=True, township_id__in=list(by_township)):
        if (user.pk, NoticeKind.MISSING_SUMMARY) in already:
            continue
        names = by_township[user.township_id]
        notices.append(Notice(user=user, year=year, month=month, kind=NoticeKind.MISSING_SUMMARY,
                              message=f"{year}年{month}月尚有{len(names)}个村未上报月度报表：{'、'.join(names)}。"))
    Notice.objects.bulk_create(notices)
    sent = 0
    if getattr(settings, "SUBMISSION_REMINDER_EMAIL", False):
        for address, message in mails:
            try:
                sent += send_mail("月度报表上报提醒", message, None, [address])
            except Exception:  # a mail server outage must not lose the in-app notices
                logger.exception("reminder e-mail to %s failed", address)
    return {"year": year, "month": month, "missing": len(missing), "notices": len(notices), "emails": sent}


def deadline_for(year, month) -> datetime.date:
    """The last day a village-month counts as on time: the deadline day of the next month."""
    day = getattr(settings, "SUBMISSION_DEADLINE_DAY", 10)
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    return datetime.date(next_year, next_month, min(max(day, 1), 28))
