"""Pages of the monthly workbook: upload, preview, confirm, review, completeness, notices."""
import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from ledgers.spreadsheets import XLSX_CONTENT_TYPE as XLSX_TYPE
from ledgers.uploads import limit_upload_size
from township import access
from villages.models import VillageMonth

from . import rules, services, tasks
from .completeness import build_grid
from .models import MonthTransition, Notice
from .workbook import build_template

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
        return upload


def _default_period():
    return services.previous_month(timezone.localdate())


@login_required
@require_GET
def index(request):
    user = request.user
    villages = list(rules.villages_for(user))
    year, month = _default_period()
    form = UploadForm(villages=villages, initial={"year": year, "month": month,
                                                  "village": access.confined_village_id(user)})
    submissions = rules.submissions_for(user).order_by("-uploaded_at", "-pk")
    selected_year = request.GET.get("year")
    if selected_year and selected_year.isdigit():
        submissions = submissions.filter(year=int(selected_year))
    return render(request, "submissions/index.html", {
        "form": form,
        "submissions": submissions[:100],
        "max_mb": _max_mb(),
        "year": year,
    })


def _too_large(request):
    messages.error(request, f"文件超过{_max_mb()}MB的上限，已拒绝接收。请删除多余内容后重新上传。")
    villages = list(rules.villages_for(request.user))
    return render(request, "submissions/index.html", {
        "form": UploadForm(villages=villages), "submissions": [], "max_mb": _max_mb(),
    }, status=413)


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
        return render(request, "submissions/index.html", {
            "form": form, "submissions": [], "max_mb": _max_mb(),
        }, status=400)
    village = rules.village_for_upload(user, form.cleaned_data["village"])
    year, month = form.cleaned_data["year"], form.cleaned_data["month"]
    try:
        submission = services.submission_create(village=village, year=year, month=month,
                                                 uploaded_file=form.cleaned_data["file"], user=user)
    except access.MonthLocked as exc:
        messages.error(request, str(exc))
        return render(request, "submissions/index.html", {
            "form": form, "submissions": [], "max_mb": _max_mb(),
        }, status=409)
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


@login_required
@require_GET
def detail(request, pk):
    user = request.user
    submission = rules.submission_for(user, pk)
    village_month = VillageMonth.objects.filter(
        village_id=submission.village_id, year=submission.year, month=submission.month).first()
    transitions = MonthTransition.objects.filter(village_month=village_month).select_related("user") \
        if village_month else []
    return render(request, "submissions/detail.html", {
        "submission": submission,
        "village_month": village_month,
        "transitions": transitions,
        # Whether the submission can be confirmed as it stands; whether the user may is asked in the template.
        "confirmable": submission.is_clean_preview and not (village_month and village_month.is_locked),
        "changes": list(submission.changes.items()) if submission.changes else [],
        "refresh": submission.is_busy,
    })


@login_required
@require_GET
def download(request, pk):
    submission = rules.submission_for(request.user, pk)
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
        if not submission.is_clean_preview:
            messages.error(request, "只有检查无误、尚未上报的报表才能确认上报。")
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
    grid = build_grid(villages=rules.villages_for(user), year=year, today=today)
    return render(request, "submissions/completeness.html", {
        "grid": grid,
        "year": year,
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
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = access.home_url_for(request.user)
    return redirect(target)

