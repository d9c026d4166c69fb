"""Preview and confirm of an ImportJob (called by the Celery tasks, which take only the job id)."""
from __future__ import annotations

import json
import logging
import pickle
import secrets
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ledgers import importing

from .models import ImportJob, ImportStatus

logger = logging.getLogger(__name__)


def _work_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports" / "work"
    path.mkdir(parents=True, exist_ok=True)
    return path


def progress_path(job_id) -> Path:
    return _work_dir() / f"job-{job_id}.progress.json"


def write_progress(job_id, *, stage, done, total=None):
    """Progress goes to a small file, not the job row: the confirm's transaction would hide row updates."""
    path = progress_path(job_id)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"stage": stage, "done": done, "total": total}), encoding="utf-8")
    tmp.replace(path)


def read_progress(job_id) -> dict:
    try:
        return json.loads(progress_path(job_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def load_preview(job: ImportJob) -> importing.Preview | None:
    if not job.payload_name:
        return None
    try:
        with open(_work_dir() / job.payload_name, "rb") as stream:
            # Our own file, written by preview_job under MEDIA_ROOT with a random name.
            return pickle.load(stream)  # noqa: S301
    except OSError:
        return None


def _resource(job):
    resource_class = importing.resource_for(job.record_slug)
    return resource_class(township=job.township)


def import_job_start(*, township, user, record_slug, upload) -> ImportJob:
    """Store the upload and queue its preview once the request's transaction commits."""
    from .tasks import preview_import

    job = ImportJob.objects.create(township=township, user=user, record_slug=record_slug, file=upload,
                                   file_name=upload.name[:255])
    transaction.on_commit(lambda: preview_import.delay(job.pk))
    return job


def preview_job(*, job_id):
    job = ImportJob.objects.select_related("township", "user").get(pk=job_id)
    if job.status not in (ImportStatus.QUEUED, ImportStatus.PARSING):
        return
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.PARSING)
    write_progress(job.pk, stage="正在检查", done=0)
    try:
        with job.file.open("rb") as stream:
            data = stream.read()
        result = importing.preview(
            _resource(job), data, slug=job.record_slug,
            progress=lambda n: write_progress(job.pk, stage="正在检查", done=n),
        )
    except Exception:
        logger.exception("import preview failed for job %s", job.pk)
        _fail(job, "检查文件时发生意外错误，请稍后重试或联系管理员。")
        return
    name = f"job-{job.pk}-{secrets.token_hex(8)}.pickle"
    with open(_work_dir() / name, "wb") as stream:
        pickle.dump(result, stream, protocol=pickle.HIGHEST_PROTOCOL)
    job.payload_name = name
    job.total_rows = result.total_rows
    job.new_rows = len(result.creates)
    job.updated_rows = len(result.updates)
    job.unchanged_rows = result.unchanged
    job.invalid_rows = result.invalid_rows
    job.error_count = len(result.problems)
    job.message = result.file_error or "\n".join(result.notes)
    job.status = ImportStatus.FAILED if result.file_error else ImportStatus.PREVIEW
    job.previewed_at = timezone.now()
    job.save()
    write_progress(job.pk, stage="检查完成", done=result.total_rows, total=result.total_rows)


def import_job_confirm(*, job: ImportJob) -> bool:
    """Mark the job as confirming (once) and queue the write; False when it cannot be confirmed."""
    from .tasks import confirm_import

    if not job.can_confirm:
        return False
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PREVIEW).update(
        status=ImportStatus.CONFIRMING)
    if not claimed:
        return False
    transaction.on_commit(lambda: confirm_import.delay(job.pk))
    return True


def confirm_job(*, job_id):
    job = ImportJob.objects.select_related("township", "user").get(pk=job_id)
    if job.status != ImportStatus.CONFIRMING:
        return
    result = load_preview(job)
    if result is None:
        _fail(job, "预览数据已丢失，请重新上传文件。")
        return
    total = len(result.creates) + len(result.updates)
    write_progress(job.pk, stage="正在写入", done=0, total=total)
    try:
        importing.confirm(_resource(job), result, user=job.user,
                          progress=lambda done, total: write_progress(job.pk, stage="正在写入", done=done,
                                                                      total=total))
    except importing.ImportChanged as exc:
        _fail(job, f"没有导入任何记录：{exc}")
        return
    except Exception:
        logger.exception("import confirm failed for job %s", job.pk)
        _fail(job, "写入时发生错误，没有导入任何记录。可能是预览后数据已被他人修改，请重新上传文件。")
        return
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, confirmed_at=timezone.now())
    write_progress(job.pk, stage="导入完成", done=total, total=total)


def _fail(job, message):
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, message=message)
    write_progress(job.pk, stage="无法导入", done=0)
