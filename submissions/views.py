"""Pages of the monthly workbook: upload, preview, confirm, review, completeness, notices."""
import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Value, When
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ledgers.spreadsheets import XLSX_CONTENT_TYPE as XLSX_TYPE
from ledgers.uploads import limit_upload_size
from township import access
from township.views import redirect_back
from villages.models import VillageMonth

from . import month_form, rules, services, tasks
from .completeness import build_grid
from .models import Entry, MonthDraft, MonthTransition, Notice, SubmissionStatus
from .workbook import SHEETS_BY_NAME, build_template, file_name_problem

logger = logging.getLogger(__name__)



def _max_mb():
    return getattr(settings, "SUBMISSION_MAX_BYTES", 5 * 1024 * 1024) // (1024 * 1024)


class UploadForm(forms.Form):
    village = forms.TypedChoiceField(label="村", coerce=int)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(label="月份", coerce=int, choices=[(m, f"{m}月") for m in range(1, 13)])
    file = forms.FileField(label="报表文件（.xlsx 或 .xls）", required=False)

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [(v.pk, v.name) for v in villages]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            raise forms.ValidationError("请选择要上传的报表文件。")
        wrong_kind = file_name_problem(upload.name)
        if wrong_kind:
            raise forms.ValidationError(wrong_kind)
        return upload


def _default_period():
    return services.previous_month(timezone.localdate())


# The 状态 filter of the list, 待审核 first: the staff's review queue.
STATUS_FILTERS = [
    ("", "全部"),
    (SubmissionStatus.SUBMITTED, "待审核"),
    (SubmissionStatus.PREVIEW, "待确认"),
    (SubmissionStatus.INVALID, "有错误"),
    (SubmissionStatus.RETURNED, "已退回"),
    (SubmissionStatus.APPROVED, "已审核"),
    (SubmissionStatus.SUPERSEDED, "已被新文件取代"),
]


def _period_param(params, villages):
    """(village id, year, month) asked for in the query string (a grid cell's link); each None when absent or wrong."""

    def number(name, low, high):
        text = params.get(name, "")
        return int(text) if text.isascii() and text.isdigit() and low <= int(text) <= high else None

    village_id = number("village", 1, 2**62)
    if village_id not in {village.pk for village in villages}:
        village_id = None
    return village_id, number("year", 2000, 2100), number("month", 1, 12)


def _index_context(request, form=None):
    """What the 月度报表 page shows, also above a refused upload: the form, the queue and every upload."""
    user = request.user
    villages = list(rules.villages_for(user))
    params = request.GET
    village_id, year, month = _period_param(params, villages)
    default_year, default_month = _default_period()
    if form is None:
        form = UploadForm(villages=villages, initial={
            "year": year or default_year, "month": month or default_month,
            "village": village_id or access.confined_village_id(user),
        })
    submissions = rules.submissions_for(user)
    status = params.get("status", "")
    if status in dict(STATUS_FILTERS) and status:
        submissions = submissions.filter(status=status)
    else:
        status = ""
    if village_id:
        submissions = submissions.filter(village_id=village_id)
    if year:
        submissions = submissions.filter(year=year)
    if month:
        submissions = submissions.filter(month=month)
    queue_first = Case(When(status=SubmissionStatus.SUBMITTED, then=Value(0)), default=Value(1))
    submissions = submissions.order_by(queue_first, "-uploaded_at", "-pk")
    # The month the form is set to (from the link, or as a refused upload had it) may be locked: say so.
    picked = form.data if form.is_bound else form.initial
    period = [str(picked.get(name) or "") for name in ("village", "year", "month")]
    locked = None
    if all(text.isascii() and text.isdigit() and len(text) < 10 for text in period):
        locked = VillageMonth.objects.lock_message(*(int(text) for text in period))
    # The month form of the month the upload form is set to, for a user with one village (a secretary).
    form_village = next((v for v in villages if v.pk == (village_id or access.confined_village_id(user))), None)
    return {
        "form": form,
        "form_village": form_village if not locked else None,
        "form_year": year or default_year,
        "form_month": month or default_month,
        "submissions": submissions[:100],
        "max_mb": _max_mb(),
        "status": status,
        "status_filters": STATUS_FILTERS,
        "filtered": bool(status or village_id or year or month),
        "locked_message": locked,
        # Opened for one locked village-month (a grid cell, a notice): its lock instead of the upload form.
        "locked_month": bool(locked and village_id and year and month and not form.is_bound),
        "pending": rules.submissions_for(user).filter(status=SubmissionStatus.SUBMITTED).count(),
    }


@login_required
@require_GET
def index(request):
    return render(request, "submissions/index.html", _index_context(request))


def _refused(request, form, status):
    """The 月度报表 page again, with the refused form and the list of uploads as they are."""
    return render(request, "submissions/index.html", _index_context(request, form), status=status)


def _too_large(request):
    messages.error(request, f"文件超过{_max_mb()}MB的上限，已拒绝接收。请删除多余内容后重新上传。")
    return _refused(request, UploadForm(villages=list(rules.villages_for(request.user))), 413)


def _authenticated_too_large(request, *args, **kwargs):
    return _too_large(request)


size_limited = limit_upload_size("SUBMISSION_MAX_BYTES", 5 * 1024 * 1024, too_large=_authenticated_too_large)


@login_required
@size_limited
@require_POST
def upload(request):
    user = request.user
    access.check_upload_workbook(user)
    villages = list(rules.villages_for(user))
    form = UploadForm(request.POST, request.FILES, villages=villages)
    village_id = request.POST.get("village")
    if village_id:
        # Another village is not there for this user (404), whatever the form would say.
        rules.village_for_upload(user, village_id)
    if not form.is_valid():
        return _refused(request, form, 400)
    village = rules.village_for_upload(user, form.cleaned_data["village"])
    year, month = form.cleaned_data["year"], form.cleaned_data["month"]
    try:
        submission = services.submission_create(village=village, year=year, month=month,
                                                 uploaded_file=form.cleaned_data["file"], user=user)
    except access.MonthLocked as exc:
        messages.error(request, str(exc))
        return _refused(request, form, 409)
    tasks.queue_preview(submission)
    return redirect("submissions:detail", pk=submission.pk)


@login_required
@require_GET
def template(request):
    user = request.user
    try:
        year, month = rules.parse_period(request.GET.get("year"), request.GET.get("month"))
    except (TypeError, ValueError):
        year, month = _default_period()
    village_id = request.GET.get("village") or user.village_id
    if not village_id:
        messages.error(request, "请选择村。")
        return redirect("submissions:index")
    village = access.get_visible_or_404(user, rules.villages_for(user), pk=village_id)
    content = build_template(village=village, year=year, month=month)
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{village.name}{year}年{month:02d}月月度报表.xlsx")
    return response


def _changed_rows(user, submission):
    """[(sheet, counts, rows)] of the submission's changes; each row's cells as (header, before, after, changed)."""
    by_sheet = {}
    for entry in rules.visible_changes(user, submission):
        before, after = entry.get("before") or {}, entry.get("after") or {}
        headers = list(dict.fromkeys([*before, *after]))
        cells = [(h, before.get(h), after.get(h), entry["action"] == "replace" and before.get(h) != after.get(h))
                 for h in headers]
        by_sheet.setdefault(entry["sheet"], []).append({**entry, "cells": cells})
    summary = submission.change_summary or {}
    return [(sheet, counts, by_sheet.get(sheet, [])) for sheet, counts in summary.items()]


# A submission whose page offers the upload form again for its village and month.
REUPLOAD_STATUSES = (SubmissionStatus.INVALID, SubmissionStatus.FAILED, SubmissionStatus.RETURNED)


@login_required
@require_GET
def detail(request, pk):
    user = request.user
    submission = rules.submission_for(user, pk)
    village_month = VillageMonth.objects.filter(
        village_id=submission.village_id, year=submission.year, month=submission.month).first()
    transitions = MonthTransition.objects.filter(village_month=village_month).select_related("user") \
        if village_month else []
    # Whether it can be confirmed as it stands (never a button a confirm would refuse); whether the user may is
    # asked in the template.
    refusal = None
    if submission.status in (SubmissionStatus.PREVIEW, SubmissionStatus.SUPERSEDED) and not submission.errors:
        refusal = services.confirm_refusal(submission)
    locked = bool(village_month and village_month.is_locked)
    reupload = None
    if not locked and access.can_upload_workbook(user) and (
            submission.status in REUPLOAD_STATUSES or (refusal is not None and refusal.code == "stale")):
        reupload = UploadForm(villages=[submission.village], initial={
            "village": submission.village_id, "year": submission.year, "month": submission.month})
    # Opening the submission is reading the notices about it.
    Notice.objects.filter(user=user, submission=submission, read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "submissions/detail.html", {
        "submission": submission,
        "village_month": village_month,
        "transitions": transitions,
        "confirmable": submission.is_clean_preview and refusal is None,
        "refusal": refusal,
        "newer": services.newer_submission(submission) if submission.status == SubmissionStatus.SUPERSEDED else None,
        "locked": locked,
        "reupload": reupload,
        "max_mb": _max_mb(),
        "changes": _changed_rows(user, submission),
        "refresh": submission.is_busy,
    })


@login_required
@require_GET
def download(request, pk):
    submission = rules.submission_for(request.user, pk)
    if not access.may_download_raw_upload(request.user, submission):
        # The file holds every 身份证号 unmasked: not there for who reads the submission masked.
        raise Http404("文件不存在或无权查看")
    try:
        handle = submission.file.open("rb")
    except OSError:
        raise Http404("文件不存在") from None
    return FileResponse(handle, as_attachment=True, filename=submission.original_name or submission.file.name)


@login_required
@require_POST
def confirm(request, pk):
    user = request.user
    submission = rules.submission_for(user, pk)
    access.check_upload_workbook(user)
    if not tasks.runs_inline():
        refusal = services.confirm_refusal(submission)  # the worker checks again under the month's lock
        if refusal is not None:
            messages.error(request, refusal.message)
        else:
            tasks.queue_confirm(submission, user)
            messages.info(request, "正在提交，请稍候。")
        return redirect("submissions:detail", pk=pk)
    try:
        services.submission_confirm(submission=submission, user=user)
    except services.SubmissionRefused as exc:
        messages.error(request, exc.message)
        return redirect("submissions:detail", pk=pk)
    except Exception:  # the service's transaction has rolled back: nothing was written
        logger.exception("confirm of submission %s failed", pk)
        messages.error(request, "提交时发生意外错误，未保存任何内容，请稍后重试。")
        return redirect("submissions:detail", pk=pk)
    messages.success(request, "报表已确认上报，等待镇党委审核。")
    return redirect("submissions:detail", pk=pk)


REVIEW_ACTIONS = {
    "approve": (services.submission_approve, "已审核通过，该月已锁定。"),
    "return": (services.submission_return, "已退回，村党支部书记会看到退回原因。"),
    "reopen": (services.submission_reopen, "该月已重新开放。"),
}


@login_required
@require_POST
def review(request, pk, action):
    user = request.user
    submission = rules.submission_for(user, pk)
    access.check_review_workbooks(user)
    service, done = REVIEW_ACTIONS[action]
    try:
        service(submission=submission, user=user, reason=request.POST.get("reason", ""))
    except services.SubmissionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("submissions:detail", pk=pk)


@login_required
@require_GET
def completeness(request):
    user = request.user
    today = timezone.localdate()
    try:
        year, _month = rules.parse_period(request.GET.get("year", today.year), 1)
    except (TypeError, ValueError):  # not a number, or a year the grid's dates cannot hold
        year = today.year
    grid = build_grid(villages=rules.villages_for(user), year=year, today=today, links=True)
    # The month a phone shows (one column at a time); on a wide screen it is the highlighted column.
    month = request.GET.get("month", "")
    if month.isdigit() and 1 <= int(month) <= 12:
        month = int(month)
    else:
        last_year, last_month = _default_period()
        month = last_month if year == last_year else (today.month if year == today.year else 12)
    return render(request, "submissions/completeness.html", {
        "grid": grid,
        "year": year,
        "month": month,
        "years": range(today.year - 3, today.year + 1),
        "months": range(1, 13),
        "deadline_day": getattr(settings, "SUBMISSION_DEADLINE_DAY", 10),
    })


@login_required
@require_POST
def notice_read(request, pk):
    notice = get_object_or_404(Notice, pk=pk, user=request.user)
    notice.read_at = timezone.now()
    notice.save(update_fields=["read_at"])
    return redirect_back(request)



# ---------------------------------------------------------------- the month form


def _form_month(user, village_id, year, month):
    """(village, year, month) of a month form `user` may open: 404 when the village is not visible to them
    or the month is not a month."""
    village = access.get_visible_or_404(user, rules.villages_for(user), pk=village_id)
    try:
        year, month = rules.parse_period(year, month)
    except ValueError:
        raise Http404("月份不存在") from None
    return village, year, month


def _form_url(village, year, month):
    return reverse("submissions:month-form", args=[village.pk, year, month])


@login_required
@require_http_methods(["GET", "POST"])
def month_form_page(request, village, year, month):
    """The workbook's four sheets as one web form for a village-month: 保存 keeps a draft, 检查 sends the rows
    through the workbook's check (submissions.services), and a clean check opens the preview to confirm."""
    user = request.user
    village, year, month = _form_month(user, village, year, month)
    lock = VillageMonth.objects.lock_message(village.pk, year, month)
    if request.method == "POST":
        return _month_form_post(request, village, year, month, lock)
    rows, origin = month_form.initial_rows(user=user, village=village, year=year, month=month)
    problems, checked = [], None
    wanted = request.GET.get("submission", "")
    if wanted.isdigit():
        checked = rules.submissions_for(user).filter(pk=int(wanted), village=village, year=year, month=month,
                                                     entry=Entry.ROWS).first()
    stale_check = False
    if checked is not None and checked.errors:
        sent = services.entered_rows(checked)
        if sent == month_form.sheet_rows(user=user, village=village, rows=rows):
            problems = checked.errors
        else:
            stale_check = True
    editable = access.can_upload_workbook(user) and not lock
    draft = MonthDraft.objects.filter(village=village, year=year, month=month).select_related("updated_by").first()
    reported = (rules.submissions_for(user).filter(village=village, year=year, month=month)
                .current().order_by("-pk").first())
    return render(request, "submissions/month_form.html", {
        "village": village, "year": year, "month": month,
        "sections": month_form.sections(rows=rows, problems=problems,
                                        people=month_form.roster(user, village),
                                        masked=not editable and not access.sees_personal_data(user),
                                        editable=editable),
        "problems": problems, "checked": checked if problems else None, "stale_check": stale_check,
        "origin": origin, "draft": draft, "reported": reported, "editable": editable, "lock": lock,
        "draft_url": _form_url(village, year, month) + "draft/",
    })


def _month_form_post(request, village, year, month, lock):
    user = request.user
    access.check_upload_workbook(user)
    if lock:
        messages.error(request, lock)
        return redirect(_form_url(village, year, month))
    rows = month_form.rows_from_post(request.POST)
    add = request.POST.get("add", "")
    remove = request.POST.get("remove", "")
    spec = SHEETS_BY_NAME.get(add)
    if spec is not None:
        section = rows[spec.name]
        if not (len(section) == 1 and not any(section[0].values())):  # not besides the blank row offered
            section.append(month_form.blank_row(spec))
    elif remove:
        name, _sep, index = remove.rpartition(":")
        if name in rows and index.isdigit() and int(index) < len(rows[name]):
            del rows[name][int(index)]
    month_form.save_draft(user=user, village=village, year=year, month=month, rows=rows)
    if request.POST.get("action") != "check" or spec is not None or remove:
        if not (spec is not None or remove):
            messages.success(request, "已保存草稿。")
        anchor = f"#section-{spec.key}" if spec is not None else ""
        return redirect(_form_url(village, year, month) + anchor)
    try:
        submission = services.submission_create(
            village=village, year=year, month=month, user=user, entry=Entry.ROWS,
            uploaded_file=services.entered_rows_file(month_form.sheet_rows(user=user, village=village, rows=rows)))
    except access.MonthLocked as exc:
        messages.error(request, str(exc))
        return redirect(_form_url(village, year, month))
    tasks.queue_preview(submission)
    submission.refresh_from_db()
    if submission.status == SubmissionStatus.INVALID:
        messages.error(request, f"发现 {len(submission.errors)} 个问题，已在对应的行标出，请改正后再检查。")
        return redirect(_form_url(village, year, month) + f"?submission={submission.pk}#problems")
    return redirect("submissions:detail", pk=submission.pk)


@login_required
@require_POST
def month_form_draft(request, village, year, month):
    """Autosave of the month form: the draft now holds the POSTed rows; answers the time it was saved."""
    user = request.user
    village, year, month = _form_month(user, village, year, month)
    access.check_upload_workbook(user)
    lock = VillageMonth.objects.lock_message(village.pk, year, month)
    if lock:
        return JsonResponse({"error": lock}, status=409)
    draft = month_form.save_draft(user=user, village=village, year=year, month=month,
                                  rows=month_form.rows_from_post(request.POST))
    return JsonResponse({"saved_at": timezone.localtime(draft.updated_at).strftime("%H:%M:%S")})
