"""Preview and confirm of an ImportJob (called by the Celery tasks, which take only the job id)."""
from __future__ import annotations

import gc
import io
import json
import logging

from django.core.cache import cache
from django.db import connections, router, transaction
from django.utils import timezone

from ledgers import importing, spreadsheets

from .models import ImportJob, ImportStatus

logger = logging.getLogger(__name__)

PROGRESS_SECONDS = 24 * 60 * 60


def _progress_key(job) -> str:
    # The upload time as well as the id: a restored or recreated database reuses ids, never both.
    return f"ledgers:import-progress:{job.pk}:{job.created_at.timestamp():.6f}"


def write_progress(job, *, stage, done, total=None):
    """Progress goes to Django's cache, not the job row: a confirm's long transaction would hide row updates
    from the status page until it ends. Redis in production (REDIS_URL) is shared by web and worker; the
    embedded eager mode runs the task in the web process, whose memory cache then serves."""
    cache.set(_progress_key(job), {"stage": stage, "done": done, "total": total}, PROGRESS_SECONDS)


def read_progress(job) -> dict:
    """{stage, done, total} of a running job; for a finished one (or a cache the worker does not share),
    what the job row says."""
    progress = cache.get(_progress_key(job))
    if progress:
        return progress
    if job.is_running:
        return {"stage": job.get_status_display(), "done": 0, "total": None}
    total = job.new_rows + job.updated_rows if job.status == ImportStatus.DONE else job.total_rows
    return {"stage": job.get_status_display(), "done": total, "total": total}


def checked_preview(job: ImportJob) -> importing.Preview | None:
    """The Preview the job's check produced, from the database; None when there is none (or no longer)."""
    rows = _checked_rows(job.pk)
    if rows is None:
        return None
    return importing.Preview.from_json(rows, job.problems, _resource(job))


# The long lists of checked_rows (rows_json, format 2): on PostgreSQL each is read an item at a time (a column of
# the new records, an update), by (path, items a fetch), so that neither the whole JSON text nor all of its decoded
# lists are held at once beside the Preview made of them.
PIECEWISE = ((("creates", "columns"), 1), (("updates",), 2000), (("steps", "keys"), 1), (("steps", "columns"), 1))


def _checked_rows(job_id):
    """ImportJob.checked_rows of a job (None when there are none), as the field decodes it; on PostgreSQL its long
    lists (PIECEWISE) are iterators read from the database a piece at a time as they are consumed."""
    connection = connections[router.db_for_read(ImportJob)]
    if connection.vendor != "postgresql":
        return ImportJob.objects.filter(pk=job_id).values_list("checked_rows", flat=True).first()
    quote = connection.ops.quote_name
    table, column = quote(ImportJob._meta.db_table), quote("checked_rows")
    rest = column + "".join(" #- %s" for _path, _size in PIECEWISE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({rest})::text, {column} ->> 'format' FROM {table} WHERE id = %s",
                       [*(list(path) for path, _size in PIECEWISE), job_id])
        found = cursor.fetchone()
    if found is None or found[0] is None:
        return None
    if found[1] != "2":  # kept by a version before (a list per row): read whole
        return ImportJob.objects.filter(pk=job_id).values_list("checked_rows", flat=True).first()
    rows = json.loads(found[0])
    for path, size in PIECEWISE:
        *parents, name = path
        into = rows
        for parent in parents:
            into = into[parent]
        into[name] = _json_items(connection, job_id, path, size)
    return rows


def _json_items(connection, job_id, path, size):
    """The items of the JSON list at `path` of a job's checked_rows, decoded one at a time, fetched `size` at a
    time through a server-side cursor (a column of 100,000 values is a few MB, the whole JSON some 30)."""
    quote = connection.ops.quote_name
    with connection.chunked_cursor() as cursor:
        cursor.cursor.itersize = size
        cursor.execute(f"SELECT item.value::text FROM {quote(ImportJob._meta.db_table)} AS job CROSS JOIN LATERAL "
                       f"jsonb_array_elements(job.{quote('checked_rows')} #> %s) WITH ORDINALITY AS item(value, n) "
                       "WHERE job.id = %s ORDER BY item.n", [list(path), job_id])
        for (text,) in cursor:
            yield json.loads(text)


def _resource(job):
    resource_class = importing.resource_for(job.record_slug)
    resource = resource_class(township=job.township)
    # Who imports, and where, for the refusals a preview logs (a 身份证号 of another township: township.audit).
    resource.importing_user = job.user
    resource.importing_where = f"台账导入：{job.file_name}（导入任务{job.pk}）"
    return resource


def import_job_start(*, township, user, record_slug, upload) -> ImportJob:
    """Store the upload and queue its preview once the request's transaction commits."""
    from .tasks import preview_import

    job = ImportJob.objects.create(township=township, user=user, record_slug=record_slug, file=upload,
                                   file_name=upload.name[:255])
    transaction.on_commit(lambda: preview_import.delay(job.pk))
    return job


def preview_job(*, job_id):
    job = ImportJob.objects.select_related("township", "user").defer("checked_rows").get(pk=job_id)
    if job.status not in (ImportStatus.QUEUED, ImportStatus.PARSING):
        return
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.PARSING)
    write_progress(job, stage="正在检查", done=0)
    try:
        with job.file.open("rb") as stream:
            data = stream.read()
        result = importing.preview(
            _resource(job), data, slug=job.record_slug,
            progress=lambda n: write_progress(job, stage="正在检查", done=n),
        )
    except Exception:
        logger.exception("import preview failed for job %s", job.pk)
        _fail(job, "检查文件时发生意外错误，请稍后重试或联系管理员。")
        return
    job.problems = result.problems_json()
    job.total_rows = result.total_rows
    job.new_rows = len(result.creates)
    job.updated_rows = len(result.updates)
    job.unchanged_rows = result.unchanged
    job.invalid_rows = result.invalid_rows
    job.error_count = len(result.problems)
    job.message = result.file_error or "\n".join(result.notes)
    job.status = ImportStatus.FAILED if result.file_error else ImportStatus.PREVIEW
    job.previewed_at = timezone.now()
    with transaction.atomic():
        # The checked rows are written apart, their JSON in pieces (save_checked_rows); `job` was read without
        # them, so save() writes only the other fields.
        save_checked_rows(job.pk, None if result.file_error else result.rows_json())
        job.save()
    write_progress(job, stage="检查完成", done=result.total_rows, total=result.total_rows)
    del result
    spreadsheets.release_freed_memory()


JSON_PIECE = 5000  # values of a long list encoded at a time (save_checked_rows)
COPY_READ = 256 * 1024  # bytes copy_expert asks for at a time


def save_checked_rows(job_id, rows):
    """ImportJob.checked_rows of one job, the same JSON as the field would write.

    On PostgreSQL the JSON is sent in pieces (COPY from a stream of them into a temporary table, then one UPDATE
    from there): 100,000 checked rows are some 25 MB of JSON, which one UPDATE would hold three times over (the
    text, its quoted form and the statement) beside the rows themselves."""
    connection = connections[router.db_for_write(ImportJob)]
    if rows is None or connection.vendor != "postgresql":
        ImportJob.objects.filter(pk=job_id).update(checked_rows=rows)
        return
    quote = connection.ops.quote_name
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE ledgers_checked_rows (body text) ON COMMIT DROP")
        cursor.cursor.copy_expert("COPY ledgers_checked_rows (body) FROM STDIN WITH (FORMAT csv)",
                                  _PiecesReader(_csv_quoted(_json_pieces(rows))), size=COPY_READ)
        cursor.execute(f"UPDATE {quote(ImportJob._meta.db_table)} SET {quote('checked_rows')} = "
                       "(SELECT body::jsonb FROM ledgers_checked_rows) WHERE id = %s", [job_id])
        # Dropped now, not only at the commit: a caller's transaction may write the rows of another job next.
        cursor.execute("DROP TABLE ledgers_checked_rows")


def _json_pieces(value):
    """The JSON text of `value` (dicts, lists and plain values) as pieces: a list of lists (or dicts) item by
    item, a long list of plain values JSON_PIECE values at a time."""
    if isinstance(value, dict):
        yield "{"
        for index, (name, item) in enumerate(value.items()):
            yield ("," if index else "") + json.dumps(str(name)) + ":"
            yield from _json_pieces(item)
        yield "}"
    elif isinstance(value, list | tuple) and any(issubclass(kind, dict | list | tuple)
                                                 for kind in set(map(type, value))):  # the kinds, not every item
        yield "["
        for index, item in enumerate(value):
            if index:
                yield ","
            yield from _json_pieces(item)
        yield "]"
    elif isinstance(value, list | tuple) and len(value) > JSON_PIECE:
        yield "["
        for start in range(0, len(value), JSON_PIECE):
            yield ("," if start else "") + json.dumps(value[start:start + JSON_PIECE])[1:-1]
        yield "]"
    else:
        yield json.dumps(value)


def _csv_quoted(pieces):
    """The pieces as one quoted field of CSV (COPY's csv format): a quote at each end, every quote inside doubled."""
    yield '"'
    for piece in pieces:
        yield piece.replace('"', '""')
    yield '"\n'


class _PiecesReader(io.RawIOBase):
    """A read()able stream of the UTF-8 bytes of text pieces, for psycopg2's copy_expert: a read gives at most
    what is left of the current piece (copy_expert sends what it is given until a read gives nothing)."""

    def __init__(self, pieces):
        self._pieces = pieces
        self._data = b""
        self._at = 0

    def readable(self):
        return True

    def read(self, size=-1):
        while self._at >= len(self._data):
            piece = next(self._pieces, None)
            if piece is None:
                return b""
            self._data, self._at = piece.encode("utf-8"), 0
        end = len(self._data) if size is None or size < 0 else self._at + size
        out = self._data[self._at:end]
        self._at += len(out)
        return out


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
    job = ImportJob.objects.select_related("township", "user").defer("checked_rows").get(pk=job_id)
    if job.status != ImportStatus.CONFIRMING:
        return
    # What a preview in this process left (its garbage, the memory calamine freed) goes before the rows come.
    gc.collect()
    spreadsheets.release_freed_memory()
    result = checked_preview(job)
    if result is None:
        _fail(job, "预览数据已丢失，请重新上传文件。")
        return
    total = len(result.creates) + len(result.updates)
    write_progress(job, stage="正在写入", done=0, total=total)
    try:
        importing.confirm(_resource(job), result, user=job.user,
                          progress=lambda done, total: write_progress(job, stage="正在写入", done=done, total=total))
    except importing.ImportChanged as exc:
        _fail(job, f"没有导入任何记录：{exc}")
        return
    except Exception:
        logger.exception("import confirm failed for job %s", job.pk)
        _fail(job, "写入时发生错误，没有导入任何记录。可能是预览后数据已被他人修改，请重新上传文件。")
        return
    # The checked rows have been written: the uploaded file stays, the copy of its rows goes.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, confirmed_at=timezone.now(),
                                               checked_rows=None)
    write_progress(job, stage="导入完成", done=total, total=total)
    del result
    spreadsheets.release_freed_memory()


def _fail(job, message):
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, message=message, checked_rows=None)
    write_progress(job, stage="无法导入", done=0)
