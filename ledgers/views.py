"""Pages of the ledger import (staff) and the export of any list page (everyone who sees the list)."""
from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from ledgers import exporting, importing
from ledgers.importing import CellProblem
from ledgers.spreadsheets import XLSX_CONTENT_TYPE as XLSX_TYPE
from ledgers.uploads import limit_upload_size
from records import registry as records
from records.filters import filterset_for
from township import access

from . import services
from .models import ImportJob

ERRORS_ON_PAGE = 500


def _record_type(slug):
    try:
        return records.get(slug)
    except KeyError:
        raise Http404("没有这种记录") from None


def _attachment(content, content_type, name):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response


# ---------------------------------------------------------------- export


@login_required
def export(request, slug, fmt):
    """The list page's records under the same filters, as .xlsx or .csv."""
    if fmt not in ("xlsx", "csv"):
        raise Http404("不支持的导出格式")
    record_type = _record_type(slug)
    if not access.can_see_kind(request.user, record_type.model):
        raise Http404("记录不存在或无权查看")
    queryset = record_type.visible_to(request.user, params=request.GET)  # a day past: as its list (as_of)
    filterset = filterset_for(record_type)(request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound and filterset.is_valid():
        queryset = filterset.qs
    model = record_type.model
    queryset = queryset.order_by(*(record_type.ordering or model._meta.ordering or ["-pk"]), "pk")
    table = exporting.build_table(record_type, queryset, request.user)
    if fmt == "csv":
        return _attachment(exporting.to_csv(table), "text/csv; charset=utf-8", exporting.file_name(table, "csv"))
    return _attachment(exporting.to_xlsx(table), XLSX_TYPE, exporting.file_name(table, "xlsx"))


# ---------------------------------------------------------------- import


def _check_importer(user, record_type):
    """A kind the user has no business with is 404; then only staff of a township import (403)."""
    if not access.can_see_kind(user, record_type.model):
        raise Http404("记录不存在或无权查看")
    access.check_import_ledgers(user)


def _job_or_404(request, pk):
    # A job is a township-level record (ImportJob.SCOPE): 404 for secretaries and other townships, then 403
    # for who may see it but not import. The checked rows stay in the database until a confirm needs them.
    jobs = ImportJob.objects.select_related("user", "township").defer("checked_rows")
    job = access.get_visible_or_404(request.user, jobs, pk=pk)
    access.check_import_ledgers(request.user)
    return job


@login_required
def template(request, slug):
    record_type = _record_type(slug)
    _check_importer(request.user, record_type)
    if importing.resource_for(slug) is None:
        raise Http404("该类记录不支持导入")
    return _attachment(exporting.template_xlsx(record_type), XLSX_TYPE, f"{record_type.label_plural}_导入模板.xlsx")


def _size_limited(view):
    """Past LEDGER_IMPORT_MAX_BYTES the view itself answers with its message (request.upload_too_large is set),
    before the CSRF check reads the body; nothing is written on that path."""
    return limit_upload_size("LEDGER_IMPORT_MAX_BYTES", 40 * 1024 * 1024, too_large=view)(view)


@login_required
@_size_limited
def upload(request, slug):
    record_type = _record_type(slug)
    _check_importer(request.user, record_type)
    resource_class = importing.resource_for(slug)
    if resource_class is None:
        raise Http404("该类记录不支持导入")
    error = ""
    if request.method == "POST":
        files = {} if request.upload_too_large else request.FILES
        if request.upload_too_large:
            error = "文件太大，超过了上传上限，已拒绝接收。请分批导入。"
        elif "file" not in files:
            error = "请选择要导入的文件（.xlsx、.xls、.ods 或 .csv）。"
        else:
            job = services.import_job_start(township=request.user.township, user=request.user,
                                            record_slug=slug, upload=files["file"])
            return redirect("ledgers:job", pk=job.pk)
    resource = resource_class()
    jobs = access.visible(request.user, ImportJob.objects.filter(record_slug=slug)).select_related("user").defer(
        "checked_rows", "problems")[:10]
    return render(request, "ledgers/upload.html", {
        "record_type": record_type,
        "resource": resource,
        "columns": resource.import_columns(),
        "error": error,
        "jobs": jobs,
    }, status=413 if getattr(request, "upload_too_large", False) else 400 if error else 200)


def _problems(job):
    return [CellProblem(*problem) for problem in job.problems]


@login_required
def job_detail(request, pk):
    job = _job_or_404(request, pk)
    record_type = _record_type(job.record_slug)
    problems = _problems(job) if not job.is_running else []
    return render(request, "ledgers/job.html", {
        "job": job,
        "record_type": record_type,
        "problems": problems[:ERRORS_ON_PAGE],
        "more_problems": max(0, len(problems) - ERRORS_ON_PAGE),
        "list_url": reverse(f"records:{record_type.slug}-list"),
    })


@login_required
def job_status(request, pk):
    job = _job_or_404(request, pk)
    progress = services.read_progress(job)
    total = progress.get("total")
    done = progress.get("done") or 0
    answer = {
        "status": job.status,
        "status_label": job.get_status_display(),
        "running": job.is_running,
        "stage": progress.get("stage", job.get_status_display()),
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else None,
    }
    if job.previewed_at is not None:
        # What the check found, as the job page states it: rows to add, to update, unchanged, with problems.
        answer.update(new=job.new_rows, updated=job.updated_rows, unchanged=job.unchanged_rows,
                      invalid=job.invalid_rows, problems=job.error_count)
    return JsonResponse(answer)


@login_required
@require_POST
def job_confirm(request, pk):
    job = _job_or_404(request, pk)
    if not services.import_job_confirm(job=job):
        messages.error(request, "该文件不能确认导入：有错误未改正、没有需要导入的内容，或已经确认过。")
    return redirect("ledgers:job", pk=job.pk)


@login_required
def job_errors(request, pk):
    """Every problem of the preview as a CSV the staff can work through in Excel."""
    job = _job_or_404(request, pk)
    if job.previewed_at is None:
        raise Http404("没有检查结果")
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["行号", "列", "列名", "问题"])
    for problem in _problems(job):
        writer.writerow([problem.row, problem.column_letter, problem.header, exporting.neutralise(problem.message)])
    content = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    return _attachment(content, "text/csv; charset=utf-8", f"{job.file_name}_错误清单.csv")
