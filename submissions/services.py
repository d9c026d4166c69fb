"""The monthly workbook's writes: upload, preview, confirm, approve, return, reopen, reminders.

Every function that changes a village-month locks its VillageMonth row first
(select_for_update), so two confirms, or a confirm racing an approval, have
exactly one outcome. Records are written through the owning apps' services.
"""
from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from cadres import services as cadres_services
from cadres.due import due_items
from cadres.models import Person
from economy import services as economy_services
from study import services as study_services
from township import access
from township.models import Role, User
from villages.models import Village, VillageMonth, VillageMonthStatus, lock_message
from villages.month_plans import MonthPlan, fingerprint

from .models import (
    PREVIEW_STATUSES,
    Entry,
    MonthDraft,
    MonthTransition,
    Notice,
    NoticeKind,
    Submission,
    SubmissionStatus,
)
from .workbook import (
    DUES,
    INCOME,
    ORG_LIFE,
    PIPELINE,
    SHEETS,
    STUDY,
    problem,
    read_entered_rows,
    read_workbook,
    row_as_workbook,
)

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


def _notify(users, *, village, year, month, kind, message, submission=None):
    """Tell each user, once: an unread notice of the same kind and village-month is brought up to date instead."""
    users = list(users)
    unread = {notice.user_id: notice for notice in Notice.objects.filter(
        user__in=users, kind=kind, village=village, year=year, month=month, read_at__isnull=True)}
    now = timezone.now()
    for notice in unread.values():
        notice.message, notice.submission, notice.created_at = message, submission, now
    Notice.objects.bulk_update(list(unread.values()), ["message", "submission", "created_at"])
    Notice.objects.bulk_create([
        Notice(user=user, village=village, year=year, month=month, kind=kind, message=message, submission=submission)
        for user in users if user.pk not in unread
    ])


def _reason_text(reason):
    """A typed reason inside a sentence that adds its own full stop: "金额有误。" does not end in "。。"."""
    return reason.strip().rstrip("。．.；;，, ")


def _secretaries(village_id):
    return list(User.objects.filter(role=Role.SECRETARY, village_id=village_id, is_active=True))


def _staff(township_id):
    return list(User.objects.filter(role=Role.STAFF, township_id=township_id, is_active=True))


def month_label(village, year, month):
    return f"{village.name}{year}年{month}月"


# ---------------------------------------------------------------- upload and preview


SUPERSEDED_MESSAGE = "已有{when}上传的新文件，本报表已被新文件取代，不能再确认上报。"


ENTERED_FILE_NAME = "网页填报.json"


def entered_rows_file(rows) -> ContentFile:
    """The rows typed in the month form or sent as JSON ({sheet name: [{header: value}]}), as the file a
    submission keeps of them."""
    return ContentFile(json.dumps(rows, ensure_ascii=False, indent=1).encode(), name=ENTERED_FILE_NAME)


def entered_rows(submission) -> dict | None:
    """The rows a submission entered as rows keeps (what entered_rows_file wrote); None for an uploaded
    workbook, or when its file is lost or is not that JSON (the check then says the rows are missing)."""
    if submission.entry != Entry.ROWS:
        return None
    try:
        with submission.file.open("rb") as handle:
            return json.loads(handle.read().decode())
    except (OSError, ValueError):
        return None


@transaction.atomic
def submission_create(*, village, year, month, uploaded_file, user, entry=Entry.WORKBOOK) -> Submission:
    """A new submission holding the uploaded file (kept for good); refused when the month is locked.

    `entry=Entry.ROWS`: the file is entered_rows_file(rows), the rows of the month form or the API's JSON.
    It is the month's newest upload: the month's earlier previews (checked or not, with or without
    problems) are superseded and can no longer be confirmed."""
    village_month = _lock_month(village.pk, year, month)
    if village_month.is_locked:
        raise access.MonthLocked(lock_message(village.pk, year, month))
    name = (getattr(uploaded_file, "name", "") or "")[-255:]
    submission = Submission(village=village, year=year, month=month, uploaded_by=user, entry=entry,
                            original_name=name, file_size=getattr(uploaded_file, "size", 0) or 0)
    submission.file.save(name or "upload", uploaded_file, save=False)
    submission.save()
    when = timezone.localtime(submission.uploaded_at).strftime("%Y-%m-%d %H:%M")
    Submission.objects.for_month(village.pk, year, month).filter(status__in=PREVIEW_STATUSES).exclude(
        pk=submission.pk).update(status=SubmissionStatus.SUPERSEDED, message=SUPERSEDED_MESSAGE.format(when=when))
    return submission


def _progress(submission_id):
    def report(percent):
        Submission.objects.filter(pk=submission_id).update(progress=min(percent, 99))

    return report


@dataclass
class MonthChanges:
    """What confirming a workbook's rows would do to its village-month: one plan per sheet."""

    plans: dict  # sheet key → villages.month_plans.MonthPlan
    problems: list  # rows that cannot be written as the records stand (workbook problems)

    @property
    def fingerprint(self) -> str:
        return fingerprint(*self.plans.values())

    def entries(self) -> list[dict]:
        """One entry per changed row: {sheet, row, action, before, after}, values under the workbook's headers."""
        return [
            {"sheet": spec.name, "row": change.row, "action": change.action,
             "before": row_as_workbook(spec, change.before), "after": row_as_workbook(spec, change.after)}
            for spec in SHEETS for change in self.plans[spec.key].changes
        ]

    def summary(self) -> dict:
        """{sheet name: {added, replaced, removed, unchanged}}."""
        return {spec.name: self.plans[spec.key].counts() for spec in SHEETS}


def plan_month(*, village, year, month, rows, for_update=False, uploaded_by=None, where="") -> MonthChanges:
    """What writing `rows` (sheet key → row dicts, as read_workbook gives them) over the month as it is now does.

    The one definition of a confirm's changes: the preview stores it, the pages and the API show it,
    the confirm plans again (for_update: under the village-month's lock) and writes the same plans.
    `uploaded_by`: whose 身份证号 a refusal is logged against (cadres.services.plan_month_pipeline; the preview)."""
    problems = []
    plans = {INCOME.key: economy_services.plan_month_income(
        village=village, year=year, month=month, rows=rows.get(INCOME.key, []), for_update=for_update)}
    pipeline = cadres_services.plan_month_pipeline(village=village, year=year, month=month,
                                                   rows=rows.get(PIPELINE.key, []), for_update=for_update,
                                                   uploaded_by=uploaded_by, where=where)
    for number, (column, message) in pipeline.problems.items():
        problems.append(problem(PIPELINE.name, number, column, message))
    plans[PIPELINE.key] = pipeline
    org_life_rows = rows.get(ORG_LIFE.key, [])
    if org_life_rows and study_services.branch_of(village) is None:
        problems.append(problem(ORG_LIFE.name, None, "", "本村尚未登记党支部，无法填报组织生活，请联系镇党委工作人员"))
        plans[ORG_LIFE.key] = MonthPlan()
    else:
        plans[ORG_LIFE.key] = study_services.plan_month_org_life(
            village=village, year=year, month=month, rows=org_life_rows, for_update=for_update)
    plans[STUDY.key] = study_services.plan_month_study(
        village=village, year=year, month=month, rows=rows.get(STUDY.key, []), for_update=for_update)
    dues = cadres_services.plan_month_dues(village=village, year=year, month=month, rows=rows.get(DUES.key, []),
                                           for_update=for_update)
    for number, (column, message) in dues.problems.items():
        problems.append(problem(DUES.name, number, column, message))
    plans[DUES.key] = dues
    return MonthChanges(plans=plans, problems=problems)


def submission_preview(*, submission, today=None) -> Submission:
    """Read and check the uploaded file (a workbook, or the JSON of entered rows: the same check); store its
    problems, its rows, what a confirm would change and the fingerprint of the records that was computed from.

    Writes nothing but the submission itself, and not even that once a newer upload has superseded it.
    """
    submission = Submission.objects.select_related("village").get(pk=submission.pk)
    village = submission.village
    if submission.entry == Entry.ROWS:
        result = read_entered_rows(entered_rows(submission), year=submission.year, month=submission.month,
                                   today=today)
    else:
        try:
            with submission.file.open("rb") as handle:
                data = handle.read()
        except OSError:
            data = b""
        result = read_workbook(data, village=village, year=submission.year, month=submission.month, today=today,
                               progress=_progress(submission.pk))
    errors, changes = list(result.errors), None
    if not errors:
        changes = plan_month(village=village, year=submission.year, month=submission.month, rows=result.rows,
                             uploaded_by=submission.uploaded_by,
                             where=f"月度报表：{month_label(village, submission.year, submission.month)}"
                                   f"（报表{submission.pk}）")
        errors.extend(changes.problems)
    clean = not errors
    Submission.objects.filter(pk=submission.pk, status=SubmissionStatus.PROCESSING).update(
        errors=errors,
        changes=changes.entries() if clean else [],
        change_summary=changes.summary() if clean else {},
        fingerprint=changes.fingerprint if clean else "",
        parsed=result.rows if clean else {},
        status=SubmissionStatus.PREVIEW if clean else SubmissionStatus.INVALID,
        progress=100,
        message="",
    )
    submission.refresh_from_db()
    return submission


def submission_failed(*, submission_id, message):
    Submission.objects.filter(pk=submission_id, status=SubmissionStatus.PROCESSING).update(
        status=SubmissionStatus.FAILED, message=message, progress=100)


# ---------------------------------------------------------------- confirm

STALE_MESSAGE = ("预览之后该月记录已被修改（另一份报表已确认上报，或有记录被编辑、导入或删除），"
                 "本页列出的变更已不准确，未保存任何内容。请重新上传报表，核对最新的变更后再确认。")
NOT_CLEAN_MESSAGE = "只有检查无误、尚未上报的报表才能确认上报。"


def newer_submission(submission) -> Submission | None:
    """The month's latest upload when it is not `submission`."""
    return (Submission.objects.for_month(submission.village_id, submission.year, submission.month)
            .filter(pk__gt=submission.pk).order_by("-pk").first())


def check_confirmable(submission, village_month=None, *, for_update=False) -> MonthChanges:
    """The changes a confirm of `submission` would write now; SubmissionRefused (with the reason) when it may not.

    It may not when the month is locked, when a newer upload exists, when the workbook has problems or
    was already confirmed, or when the month's records are no longer those the preview was computed from."""
    if village_month is not None and village_month.is_locked:
        raise SubmissionRefused(lock_message(submission.village_id, submission.year, submission.month), "locked")
    newer = newer_submission(submission)
    if newer is not None or submission.status == SubmissionStatus.SUPERSEDED:
        when = timezone.localtime(newer.uploaded_at).strftime("%Y-%m-%d %H:%M") if newer else "之后"
        raise SubmissionRefused(f"该月已有更新的报表（{when}上传），本报表已被新文件取代，不能再确认上报，"
                                "未保存任何内容。请打开该月最新的报表。", "superseded")
    if submission.status not in (SubmissionStatus.PREVIEW, SubmissionStatus.CONFIRMING) or submission.errors:
        raise SubmissionRefused(NOT_CLEAN_MESSAGE, "not_clean")
    changes = plan_month(village=submission.village, year=submission.year, month=submission.month,
                         rows=submission.parsed, for_update=for_update)
    if changes.problems or changes.fingerprint != submission.fingerprint:
        raise SubmissionRefused(STALE_MESSAGE, "stale")
    return changes


def confirm_refusal(submission) -> SubmissionRefused | None:
    """Why `submission` cannot be confirmed now (what a confirm would answer), or None: for the pages and the API,
    so that they never offer a confirm that would be refused."""
    village_month = VillageMonth.objects.filter(
        village_id=submission.village_id, year=submission.year, month=submission.month).first()
    try:
        check_confirmable(submission, village_month)
    except SubmissionRefused as refusal:
        return refusal
    return None


@transaction.atomic
def submission_confirm(*, submission, user) -> Submission:
    """Write the whole month from a clean preview, or nothing; the month's earlier workbook rows are replaced.

    Only the month's latest upload, and only while the month's records are those its preview was computed
    from: the secretary confirms exactly the changes shown."""
    village_month = _lock_month(submission.village_id, submission.year, submission.month)
    submission = _lock_submission(submission)
    village = submission.village
    changes = check_confirmable(submission, village_month, for_update=True)
    year, month, rows = submission.year, submission.month, submission.parsed
    plans = changes.plans
    reason = f"{year}年{month}月月度报表"
    economy_services.write_month_income(plans[INCOME.key], user=user, reason=reason)
    try:
        cadres_services.write_month_pipeline(plans[PIPELINE.key], village=village, rows=rows.get(PIPELINE.key, []),
                                             user=user, reason=reason)
    except ValueError as exc:  # the records changed since the preview in a way the rows no longer fit
        raise SubmissionRefused(f"报表与现有记录冲突，未保存任何内容：{exc}。请重新上传。", "stale") from exc
    study_services.write_month_org_life(plans[ORG_LIFE.key], user=user, reason=reason)
    study_services.write_month_study(plans[STUDY.key], user=user, reason=reason)
    try:
        cadres_services.write_month_dues(plans[DUES.key], user=user, reason=reason)
    except ValueError as exc:
        raise SubmissionRefused(f"报表与现有记录冲突，未保存任何内容：{exc}。请重新上传。", "stale") from exc
    # The month form's draft has become the report (or a workbook replaced it): the form now opens with these rows.
    MonthDraft.objects.filter(village=village, year=year, month=month).delete()
    now = timezone.now()
    Submission.objects.for_month(village.pk, year, month).current().exclude(pk=submission.pk).update(
        status=SubmissionStatus.SUPERSEDED)
    submission.status = SubmissionStatus.SUBMITTED
    submission.change_summary = changes.summary()
    submission.confirmed_by = user
    submission.confirmed_at = now
    submission.message = ""
    submission.save(update_fields=["status", "change_summary", "confirmed_by", "confirmed_at", "message"])
    before = village_month.status
    _set_month(village_month, user, status=VillageMonthStatus.SUBMITTED, submitted_at=now,
               first_submitted_at=village_month.first_submitted_at or now, return_reason="")
    _log(village_month, submission, user, before, "confirm")
    _notify(_staff(village.township_id), village=village, year=year, month=month, kind=NoticeKind.SUBMITTED,
            message=f"{month_label(village, year, month)}的月度报表已上报，待审核。", submission=submission)
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
            kind=NoticeKind.APPROVED, submission=submission,
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
            kind=NoticeKind.RETURNED, submission=submission,
            message=f"{month_label(village, submission.year, submission.month)}的月度报表被退回，"
                    f"原因：{_reason_text(reason)}。请修改后重新上传。")
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
            kind=NoticeKind.REOPENED, submission=submission,
            message=f"{month_label(village, submission.year, submission.month)}已重新开放，可以更正，"
                    f"原因：{_reason_text(reason)}。")
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
                                                                         NoticeKind.MISSING_SUMMARY,
                                                                         NoticeKind.MEMBERS_DUE])
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
    notices += _members_due_notices(year, month, today, already)
    Notice.objects.bulk_create(notices)
    sent = 0
    if getattr(settings, "SUBMISSION_REMINDER_EMAIL", False):
        for address, message in mails:
            try:
                sent += send_mail("月度报表上报提醒", message, None, [address])
            except Exception:  # a mail server outage must not lose the in-app notices
                logger.exception("reminder e-mail to %s failed", address)
    return {"year": year, "month": month, "missing": len(missing), "notices": len(notices), "emails": sent,
            "members_due": sum(1 for notice in notices if notice.kind == NoticeKind.MEMBERS_DUE)}


MEMBERS_DUE_LISTED = 10  # items named in one notice; the rest are counted (the 到期事项 page lists them all)


def _members_due_notices(year, month, today, already) -> list:
    """Each secretary's notice of what falls due in their village's member development (cadres.due, the one
    list the 到期事项 page shows), one per month and only when something is due: three queries in all."""
    secretaries = list(User.objects.filter(role=Role.SECRETARY, is_active=True, village__isnull=False)
                       .select_related("village"))
    if not secretaries:
        return []
    by_village = {}
    people = Person.objects.filter(village_id__in={user.village_id for user in secretaries})
    for item in due_items(people, today=today):
        by_village.setdefault(item.person.village_id, []).append(item)
    notices = []
    for user in secretaries:
        items = by_village.get(user.village_id)
        if not items or (user.pk, NoticeKind.MEMBERS_DUE) in already:
            continue
        named = "；".join(f"{item.person.name}（{item.kind_label}，{item.due:%Y年%m月%d日}）"
                         for item in items[:MEMBERS_DUE_LISTED])
        more = f"等{len(items)}项" if len(items) > MEMBERS_DUE_LISTED else f"共{len(items)}项"
        notices.append(Notice(user=user, village=user.village, year=year, month=month, kind=NoticeKind.MEMBERS_DUE,
                              message=f"{user.village.name}党员发展到期事项{more}：{named}。请在“到期事项”页面查看并及时办理。"))
    return notices


def deadline_for(year, month) -> datetime.date:
    """The last day a village-month counts as on time: the deadline day of the next month."""
    day = getattr(settings, "SUBMISSION_DEADLINE_DAY", 10)
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    return datetime.date(next_year, next_month, min(max(day, 1), 28))
