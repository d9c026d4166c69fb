"""The monthly workbook: each uploaded file, the transitions of the village-month, and in-app notices."""
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from township.access import Scope
from villages.models import MonthlyRecord, VillageMonthStatus


class SubmissionStatus(models.TextChoices):
    PROCESSING = "processing", "正在检查"
    PREVIEW = "preview", "待确认"
    INVALID = "invalid", "有错误"
    CONFIRMING = "confirming", "正在提交"
    SUBMITTED = "submitted", "已上报"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已审核"
    # A newer upload of the month superseded this one (a preview), or a newer confirm replaced it.
    SUPERSEDED = "superseded", "已被新文件取代"
    FAILED = "failed", "处理失败"


# Statuses of the submission whose rows are the village-month's workbook rows now.
CURRENT_STATUSES = (SubmissionStatus.SUBMITTED, SubmissionStatus.RETURNED, SubmissionStatus.APPROVED)
# Statuses of an upload not (yet) confirmed: a newer upload of the month supersedes them.
PREVIEW_STATUSES = (SubmissionStatus.PROCESSING, SubmissionStatus.PREVIEW, SubmissionStatus.INVALID,
                    SubmissionStatus.CONFIRMING, SubmissionStatus.FAILED)


class Entry(models.TextChoices):
    """How a submission's rows came: an uploaded workbook, or rows typed in the month form or sent as JSON."""

    WORKBOOK = "workbook", "上传工作簿"
    ROWS = "rows", "网页填报"


def _upload_to(instance, filename):
    # The original name is kept on the row; the stored name never carries user text.
    from django.utils import timezone

    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    if suffix not in {"xlsx", "xls", "csv", "json"}:
        suffix = "bin"
    return f"submissions/{instance.year}/{instance.month:02d}/village{instance.village_id}/{stamp}.{suffix}"


class SubmissionQuerySet(models.QuerySet):
    def for_month(self, village_id, year, month):
        return self.filter(village_id=village_id, year=year, month=month)

    def current(self):
        return self.filter(status__in=CURRENT_STATUSES)


class Submission(MonthlyRecord):
    """One uploaded workbook for one village-month. The file is kept for good, whatever happens to it."""

    village = models.ForeignKey("villages.Village", verbose_name="村", on_delete=models.PROTECT,
                                related_name="submissions")
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    month = models.PositiveSmallIntegerField("月份", validators=[MinValueValidator(1), MaxValueValidator(12)])
    # The uploaded workbook, or for rows entered in the month form or through the API their JSON as sent.
    file = models.FileField("上传文件", upload_to=_upload_to, max_length=255)
    entry = models.CharField("填报方式", max_length=16, choices=Entry.choices, default=Entry.WORKBOOK)
    original_name = models.CharField("原文件名", max_length=255, blank=True)
    file_size = models.PositiveIntegerField("文件大小（字节）", default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    status = models.CharField("状态", max_length=16, choices=SubmissionStatus.choices,
                              default=SubmissionStatus.PROCESSING)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    errors = models.JSONField("问题", default=list, blank=True)
    # One entry per row a confirm adds, replaces or removes, with its values before and after
    # (submissions.services.MonthChanges.entries), and the counts per sheet.
    changes = models.JSONField("变更明细", default=list, blank=True)
    change_summary = models.JSONField("变更汇总", default=dict, blank=True)
    # Of the month's records the preview was computed from: a confirm refuses when they changed since.
    fingerprint = models.CharField("预览时的记录指纹", max_length=64, blank=True, editable=False)
    parsed = models.JSONField("解析结果", default=dict, blank=True)
    message = models.TextField("说明", blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()
    SCOPE = Scope(township="village__township", village="village", month=("year", "month"), secretary_edits=True)

    class Meta:
        verbose_name = "月度报表"
        verbose_name_plural = "月度报表"
        ordering = ["-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["village", "year", "month"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="submission_month_1_to_12"),
        ]

    def __str__(self):
        return f"{self.village} {self.year}年{self.month}月报表（{self.get_status_display()}）"

    @property
    def is_clean_preview(self):
        return self.status == SubmissionStatus.PREVIEW and not self.errors

    @property
    def is_busy(self):
        return self.status in (SubmissionStatus.PROCESSING, SubmissionStatus.CONFIRMING)


class MonthTransition(models.Model):
    """A logged change of a village-month's status: who, when, from, to, why."""

    village_month = models.ForeignKey("villages.VillageMonth", verbose_name="村月度上报", on_delete=models.PROTECT,
                                      related_name="transitions")
    submission = models.ForeignKey(Submission, verbose_name="报表", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="transitions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True,
                             on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)
    from_status = models.CharField("原状态", max_length=20)
    to_status = models.CharField("新状态", max_length=20)
    action = models.CharField("操作", max_length=16)
    reason = models.TextField("原因", blank=True)

    SCOPE = Scope(township="village_month__village__township", village="village_month__village")

    class Meta:
        verbose_name = "上报状态变更"
        verbose_name_plural = "上报状态变更"
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.village_month} {self.from_status} → {self.to_status}"

    @property
    def action_label(self):
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def from_status_label(self):
        return _status_label(self.from_status)

    @property
    def to_status_label(self):
        return _status_label(self.to_status)


def _status_label(status):
    """The Chinese label of a village-month status code (the code itself if it is not one)."""
    return dict(VillageMonthStatus.choices).get(status, status)


ACTION_LABELS = {"confirm": "确认上报", "approve": "审核通过", "return": "退回", "reopen": "重新开放"}


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", "上报提醒"
    MISSING_SUMMARY = "missing_summary", "未上报汇总"
    RETURNED = "returned", "报表被退回"
    APPROVED = "approved", "报表已审核"
    REOPENED = "reopened", "月份已重新开放"
    SUBMITTED = "submitted", "新报表待审核"
    MEMBERS_DUE = "members_due", "党员发展到期事项"


class Notice(models.Model):
    """An in-app message for one user (reminders, returns with their reason, approvals)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE,
                             related_name="notices")
    village = models.ForeignKey("villages.Village", verbose_name="村", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")
    submission = models.ForeignKey(Submission, verbose_name="报表", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="notices")
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    kind = models.CharField("类型", max_length=20, choices=NoticeKind.choices)
    message = models.TextField("内容")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            # A user has one unread notice per kind and village-month: a new event updates it (services._notify).
            models.UniqueConstraint(fields=["user", "kind", "village", "year", "month"],
                                    condition=models.Q(read_at__isnull=True), name="one_unread_notice_per_month"),
        ]

    def __str__(self):
        return self.message[:40]


class MonthDraft(MonthlyRecord):
    """The month form's rows of one village-month as last saved, not yet checked or reported: one per month.

    `rows` has the shape of the API's JSON ({sheet name: [{column header: value}]}); a 党员发展 row chosen
    from the roster holds the person's id under "人员" instead of a typed 身份证号 (submissions.month_form)."""

    village = models.ForeignKey("villages.Village", verbose_name="村", on_delete=models.CASCADE,
                                related_name="month_drafts")
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    month = models.PositiveSmallIntegerField("月份", validators=[MinValueValidator(1), MaxValueValidator(12)])
    rows = models.JSONField("填写内容", default=dict, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="保存人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("保存时间", auto_now=True)

    SCOPE = Scope(township="village__township", village="village", month=("year", "month"), secretary_edits=True)

    class Meta:
        verbose_name = "月度报表草稿"
        verbose_name_plural = "月度报表草稿"
        constraints = [
            models.UniqueConstraint(fields=["village", "year", "month"], name="one_month_draft_per_village_month"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="month_draft_month_1_to_12"),
        ]

    def __str__(self):
        return f"{self.village} {self.year}年{self.month}月草稿"
