"""The township committee's own work: campaigns and their tasks, problems found and rectified,
bulletins, supervision of the villages, the work events it held or issued, and the township's yearly targets."""
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from records.validators import validate_not_future
from township.access import Scope
from villages.models import YEAR_VALIDATORS


class Campaign(models.Model):
    """A special campaign (专项活动), such as the “四强”能力作风建设年."""

    township = models.ForeignKey("villages.Township", verbose_name="所属镇", on_delete=models.PROTECT,
                                 related_name="campaigns")
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    name = models.CharField("活动名称", max_length=200)
    start_date = models.DateField("启动日期", null=True, blank=True)
    description = models.TextField("活动方案", blank=True)

    history = HistoricalRecords()
    SCOPE = Scope(township="township", village=None)

    class Meta:
        verbose_name = "专项活动"
        verbose_name_plural = "专项活动"
        ordering = ["-year", "name"]

    def __str__(self):
        return self.name


class CampaignTask(models.Model):
    """One item of a campaign's task list (任务清单)."""

    campaign = models.ForeignKey(Campaign, verbose_name="专项活动", on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField("任务", max_length=200)
    owner = models.CharField("责任人", max_length=50, blank=True)
    deadline = models.DateField("完成时限", null=True, blank=True)
    done = models.BooleanField("已完成", default=False)

    history = HistoricalRecords()
    SCOPE = Scope(township="campaign__township", village=None)

    class Meta:
        verbose_name = "任务清单"
        verbose_name_plural = "任务清单"
        ordering = ["campaign", "deadline", "pk"]

    def __str__(self):
        return self.title


class ProblemQuerySet(models.QuerySet):
    def found_in(self, year):
        return self.filter(found_date__year=year)

    def open(self):
        return self.filter(rectified=False)


class Problem(models.Model):
    """A problem found (查摆问题) and its rectification (整改)."""

    township = models.ForeignKey("villages.Township", verbose_name="所属镇", on_delete=models.PROTECT,
                                 related_name="problems")
    village = models.ForeignKey("villages.Village", verbose_name="村", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="problems", help_text="留空表示镇级问题")
    campaign = models.ForeignKey(Campaign, verbose_name="专项活动", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="problems")
    found_date = models.DateField("查摆日期", validators=[validate_not_future])
    description = models.TextField("问题描述")
    owner = models.CharField("整改责任人", max_length=50, blank=True)
    deadline = models.DateField("整改时限", null=True, blank=True)
    rectified = models.BooleanField("已整改", default=False)
    rectified_date = models.DateField("整改完成日期", null=True, blank=True, validators=[validate_not_future])
    rectification = models.TextField("整改措施", blank=True)

    objects = ProblemQuerySet.as_manager()
    history = HistoricalRecords()
    SCOPE = Scope(township="township", village="village")

    class Meta:
        verbose_name = "查摆问题"
        verbose_name_plural = "查摆问题"
        ordering = ["-found_date", "pk"]
        indexes = [models.Index(fields=["township", "found_date"])]
        constraints = [
            models.CheckConstraint(condition=Q(rectified=False) | Q(rectified_date__isnull=False),
                                   name="rectified_problem_has_date"),
        ]

    def __str__(self):
        return self.description[:30]

    def clean(self):
        if self.rectified and not self.rectified_date:
            raise ValidationError({"rectified_date": "已整改的问题须填写整改完成日期。"})


class BulletinKind(models.TextChoices):
    SPECIAL_REPORT = "special_report", "工作专报"
    WEEKLY_PREVIEW = "weekly_preview", "一周工作预览"
    WORK_INFO = "work_info", "工作信息"


class Bulletin(models.Model):
    township = models.ForeignKey("villages.Township", verbose_name="所属镇", on_delete=models.PROTECT,
                                 related_name="bulletins")
    kind = models.CharField("类型", max_length=16, choices=BulletinKind.choices)
    date = models.DateField("发布日期", validators=[validate_not_future])
    issue_number = models.PositiveIntegerField("期号", null=True, blank=True)
    title = models.CharField("标题", max_length=200)

    history = HistoricalRecords()
    SCOPE = Scope(township="township", village=None)

    class Meta:
        verbose_name = "工作专报与信息"
        verbose_name_plural = "工作专报与信息"
        ordering = ["-date", "kind"]
        indexes = [models.Index(fields=["township", "date"])]

    def __str__(self):
        return self.title


class SupervisionKind(models.TextChoices):
    MONTHLY = "monthly", "月度指导"
    QUARTERLY = "quarterly", "季度调度"
    HALF_YEAR = "half_year", "半年交叉督查"


class SupervisionVisit(models.Model):
    township = models.ForeignKey("villages.Township", verbose_name="所属镇", on_delete=models.PROTECT,
                                 related_name="supervision_visits")
    village = models.ForeignKey("villages.Village", verbose_name="村", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="supervision_visits")
    date = models.DateField("日期", validators=[validate_not_future])
    kind = models.CharField("类型", max_length=16, choices=SupervisionKind.choices)
    findings = models.TextField("发现的问题", blank=True)
    guidance = models.TextField("指导意见", blank=True)

    history = HistoricalRecords()
    SCOPE = Scope(township="township", village="village")

    class Meta:
        verbose_name = "督查指导"
        verbose_name_plural = "督查指导"
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"


class WorkEventKind(models.TextChoices):
    """What the committee did; the report states each kind with its own verb (组织召开, 印发, 制定 …)."""

    MEETING = "meeting", "会议"
    DOCUMENT = "document", "印发文件"
    RULE = "rule", "制定制度办法"
    MECHANISM = "mechanism", "工作机制"
    ACTIVITY = "activity", "活动"
    INSPECTION = "inspection", "督查"
    TRAINING = "training", "培训"
    GUIDANCE = "guidance", "指导"


class WorkArea(models.TextChoices):
    """The part of the annual report that tells the event (the reference's 一是/二是/三是)."""

    STUDY = "study", "学习教育"
    CAMPAIGN = "campaign", "学用结合（专项活动）"
    DUTY = "duty", "压实党建责任"
    ECONOMY = "economy", "壮大村集体经济"
    TALENT = "talent", "后备力量与人才"


class WorkEventQuerySet(models.QuerySet):
    def in_year(self, year):
        return self.filter(date__year=year)


class WorkEvent(models.Model):
    """A thing the township committee did on a day: a meeting held, a document issued, a mechanism put in
    place, an activity, an inspection, a training, guidance to villages. The annual report cites them by title."""

    township = models.ForeignKey("villages.Township", verbose_name="所属镇", on_delete=models.PROTECT,
                                 related_name="work_events")
    date = models.DateField("日期", validators=[validate_not_future])
    kind = models.CharField("类型", max_length=16, choices=WorkEventKind.choices)
    area = models.CharField("所属工作", max_length=16, choices=WorkArea.choices, default=WorkArea.DUTY,
                            help_text="年度工作总结中写入哪一部分")
    title = models.CharField("名称", max_length=200,
                             help_text="会议、文件、活动的名称，如：2023年基层党建工作安排部署会、"
                                       "《示范镇2023年基层党建工作要点》、“挂图作战”")
    campaign = models.ForeignKey(Campaign, verbose_name="专项活动", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="work_events")
    villages = models.ManyToManyField("villages.Village", verbose_name="涉及的村", blank=True,
                                      related_name="work_events")
    note = models.TextField("说明", blank=True,
                            help_text="写入总结时接在名称之后，如：镇党委书记对全年基层党建工作进行安排")

    objects = WorkEventQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[villages])
    SCOPE = Scope(township="township", village=None)

    class Meta:
        verbose_name = "党委工作事项"
        verbose_name_plural = "党委工作事项"
        ordering = ["-date", "pk"]
        indexes = [models.Index(fields=["township", "date"])]

    def __str__(self):
        return self.title


class TownshipTarget(models.Model):
    """The township's Party-building targets for a year."""

    township = models.ForeignKey("villages.Township", verbose_name="所属镇", on_delete=models.PROTECT,
                                 related_name="targets")
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    star_share_3plus = models.DecimalField("三星级及以上占比目标（%）", max_digits=4, decimal_places=1,
                                           validators=[MinValueValidator(0), MaxValueValidator(100)])
    star_share_4plus = models.DecimalField("四星级及以上占比目标（%）", max_digits=4, decimal_places=1,
                                           validators=[MinValueValidator(0), MaxValueValidator(100)])
    star_share_5 = models.DecimalField("五星级占比目标（%）", max_digits=4, decimal_places=1,
                                       validators=[MinValueValidator(0), MaxValueValidator(100)])
    planned_probationary = models.PositiveIntegerField("计划吸收预备党员（名）", default=0)
    planned_probationary_under_35 = models.PositiveIntegerField("其中35岁以下（名）", default=0)
    reserve_cadres_per_village = models.PositiveSmallIntegerField("每村年轻后备干部（名）", default=3)

    history = HistoricalRecords()
    SCOPE = Scope(township="township", village=None)

    class Meta:
        verbose_name = "年度党建目标"
        verbose_name_plural = "年度党建目标"
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["township", "year"], name="one_target_per_township_year"),
            models.CheckConstraint(condition=Q(planned_probationary_under_35__lte=models.F("planned_probationary")),
                                   name="under_35_within_planned"),
            models.CheckConstraint(
                condition=Q(star_share_3plus__gte=0, star_share_3plus__lte=100)
                & Q(star_share_4plus__gte=0, star_share_4plus__lte=100)
                & Q(star_share_5__gte=0, star_share_5__lte=100),
                name="star_shares_are_percentages",
            ),
        ]

    def __str__(self):
        return f"{self.township} {self.year}年党建目标"

    def clean(self):
        if (self.planned_probationary is not None and self.planned_probationary_under_35 is not None
                and self.planned_probationary_under_35 > self.planned_probationary):
            raise ValidationError({"planned_probationary_under_35": "35岁以下人数不能多于计划吸收人数。"})


# ---------------------------------------------------------------- notices from the township to its villages


class TownshipNoticeQuerySet(models.QuerySet):
    def with_read_at(self, user):
        """Each notice with `read_at`: when `user` marked it read (None: unread)."""
        receipt = NoticeReceipt.objects.filter(notice=models.OuterRef("pk"), user=user)
        return self.annotate(read_at=models.Subquery(receipt.values("read_at")[:1]))

    def inbox(self, user):
        """The notices `user` is sent (already scoped), unread first, then newest first."""
        return self.with_read_at(user).order_by(models.F("read_at").desc(nulls_first=True), "-created_at", "-pk")


class TownshipNotice(models.Model):
    """A notice the township's staff write to some or all of its villages (the secretaries read it)."""

    township = models.ForeignKey("villages.Township", verbose_name="所属镇", on_delete=models.PROTECT,
                                 related_name="notices")
    title = models.CharField("标题", max_length=200)
    text = models.TextField("内容")
    deadline = models.DateField("办理时限", null=True, blank=True)
    villages = models.ManyToManyField("villages.Village", verbose_name="发送到（村）", related_name="township_notices",
                                      help_text="发给全部村请全选")
    created_at = models.DateTimeField("发布时间", auto_now_add=True)

    objects = TownshipNoticeQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[villages])
    SCOPE = Scope(township="township", village="villages")

    class Meta:
        verbose_name = "镇通知"
        verbose_name_plural = "镇通知"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    def mark_read(self, user) -> "NoticeReceipt":
        """The user's read receipt of this notice, made the first time (reading again changes nothing)."""
        receipt, _created = NoticeReceipt.objects.get_or_create(notice=self, user=user,
                                                                defaults={"village_id": user.village_id})
        return receipt

    def read_by_village(self) -> list[tuple]:
        """[(village, [receipts of its readers])] of every village the notice was sent to, in the villages'
        order: two queries."""
        receipts = {}
        for receipt in self.receipts.select_related("user"):
            receipts.setdefault(receipt.village_id, []).append(receipt)
        return [(village, receipts.get(village.pk, [])) for village in self.villages.order_by("order", "name")]


class NoticeReceipt(models.Model):
    """That a village's secretary read a township notice, and when (the read receipt staff see)."""

    notice = models.ForeignKey(TownshipNotice, verbose_name="通知", on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey("township.User", verbose_name="阅读人", on_delete=models.CASCADE, related_name="+")
    village = models.ForeignKey("villages.Village", verbose_name="村", null=True, on_delete=models.SET_NULL,
                                related_name="+")
    read_at = models.DateTimeField("阅读时间", auto_now_add=True)

    class Meta:
        verbose_name = "通知已读回执"
        verbose_name_plural = "通知已读回执"
        ordering = ["read_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="one_receipt_per_notice_and_user")]

    def __str__(self):
        return f"{self.notice} {self.user}"


# ---------------------------------------------------------------- evidence (photos, minutes, sign-in sheets)


class AttachmentKind(models.TextChoices):
    IMAGE = "image", "照片"
    PDF = "pdf", "PDF文件"
    WORD = "word", "Word文件"


class Attachment(models.Model):
    """A file of evidence attached to a record (study activity, meeting, rectified problem, star rating).

    Its scope is its record's: committee.attachments serves it only to who may see the record, and
    takes new ones only from who may attach to it (township.access.check_attach)."""

    content_type = models.ForeignKey(ContentType, verbose_name="记录类型", on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField("记录编号")
    target = GenericForeignKey("content_type", "object_id")
    kind = models.CharField("类型", max_length=8, choices=AttachmentKind.choices)
    name = models.CharField("文件名", max_length=200)
    mime = models.CharField("内容类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    file = models.FileField("文件", upload_to="attachments/%Y/%m/", max_length=300)
    thumbnail = models.FileField("缩略图", upload_to="attachments/thumbs/%Y/%m/", blank=True, max_length=300)
    uploaded_by = models.ForeignKey("township.User", verbose_name="上传人", null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return self.name
