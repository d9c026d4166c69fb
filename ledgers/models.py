"""An import of a ledger file: uploaded, previewed, then confirmed (or abandoned)."""
from django.conf import settings
from django.db import models

from township.access import Scope


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    PARSING = "parsing", "正在检查"
    PREVIEW = "preview", "待确认"
    FAILED = "failed", "无法导入"
    CONFIRMING = "confirming", "正在写入"
    DONE = "done", "已导入"


class ImportJob(models.Model):
    """One uploaded ledger file and what became of it.

    The preview keeps the checked rows (what a confirm writes) and the problems in the
    database, as JSON that the model fields decode back to the same values
    (importing.Preview.rows_json / from_json): confirming writes exactly what was
    previewed without reading the spreadsheet again, on whichever machine runs it, and a
    deploy between preview and confirm changes nothing. Progress is not kept here: a
    confirm's transaction would hide it (see services.write_progress).
    """

    township = models.ForeignKey("villages.Township", verbose_name="所属镇", on_delete=models.PROTECT,
                                 related_name="import_jobs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT,
                             related_name="import_jobs")
    record_slug = models.CharField("记录类型", max_length=50)
    file = models.FileField("上传文件", upload_to="imports/%Y/%m/")
    file_name = models.CharField("文件名", max_length=255)
    checked_rows = models.JSONField("检查后的数据", null=True, blank=True, editable=False,
                                    help_text="确认导入时写入的内容；导入完成后清空")
    problems = models.JSONField("错误清单", default=list, blank=True, editable=False,
                                help_text="[行, 列序号, 列名, 问题]")
    status = models.CharField("状态", max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    message = models.TextField("说明", blank=True)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    new_rows = models.PositiveIntegerField("新增", default=0)
    updated_rows = models.PositiveIntegerField("更新", default=0)
    unchanged_rows = models.PositiveIntegerField("无变化", default=0)
    invalid_rows = models.PositiveIntegerField("有错误", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    previewed_at = models.DateTimeField("检查完成时间", null=True, blank=True)
    confirmed_at = models.DateTimeField("导入完成时间", null=True, blank=True)

    SCOPE = Scope(township="township", village=None)

    class Meta:
        verbose_name = "台账导入"
        verbose_name_plural = "台账导入"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["township", "created_at"])]

    def __str__(self):
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def can_confirm(self):
        return (self.status == ImportStatus.PREVIEW and self.invalid_rows == 0 and self.error_count == 0
                and (self.new_rows or self.updated_rows))

    @property
    def is_running(self):
        return self.status in (ImportStatus.QUEUED, ImportStatus.PARSING, ImportStatus.CONFIRMING)
