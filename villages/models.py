"""Townships, villages, their Party branches and star ratings, and the village-month.

The village-month carries the reporting status and the lock of one village's
month; every app that writes a village's monthly records must respect it
(MonthlyRecord). The enums and month helpers every domain app shares live here,
in the lowest domain app.
"""
import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from township import access
from township.access import Scope

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


class Source(models.TextChoices):
    """How a record came in: typed in a form, from a monthly workbook, or from a ledger import."""

    FORM = "form", "表单录入"
    WORKBOOK = "workbook", "月度报表"
    IMPORT = "import", "台账导入"


def month_bounds(year, month):
    """(first day, last day) of a month."""
    first = datetime.date(year, month, 1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return first, last


class Township(models.Model):
    name = models.CharField("镇名称", max_length=50, unique=True)

    SCOPE = Scope(township="pk", village=None)

    class Meta:
        verbose_name = "镇"
        verbose_name_plural = "镇"
        ordering = ["name"]

    def __str__(self):
        return self.name


class VillageQuerySet(models.QuerySet):
    def with_current_rating(self):
        """Annotate each village with its latest star rating (stars, target, year)."""
        latest = StarRating.objects.filter(branch__village=models.OuterRef("pk")).order_by("-year", "-stars")
        return self.annotate(
            current_stars=models.Subquery(latest.values("stars")[:1]),
            current_target_stars=models.Subquery(latest.values("target_stars")[:1]),
            current_rating_year=models.Subquery(latest.values("year")[:1]),
        )


class Village(models.Model):
    township = models.ForeignKey(Township, verbose_name="所属镇", on_delete=models.PROTECT, related_name="villages")
    name = models.CharField("村名称", max_length=50)
    order = models.PositiveSmallIntegerField("排序", default=0)

    objects = VillageQuerySet.as_manager()
    SCOPE = Scope(township="township", village="pk")

    class Meta:
        verbose_name = "村"
        verbose_name_plural = "村"
        ordering = ["township_id", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["township", "name"], name="village_name_unique_in_township"),
        ]

    def __str__(self):
        return self.name


class PartyBranch(models.Model):
    village = models.ForeignKey(Village, verbose_name="所属村", on_delete=models.PROTECT, related_name="branches")
    name = models.CharField("党组织名称", max_length=100)
    secretary_name = models.CharField("支部书记", max_length=50, blank=True)
    # Retired: how many Party members a village has is counted from its people
    # (cadres.models.PersonQuerySet.party_members), so the village page and the member list agree.
    # The numbers typed so far stay in the database for one release (nothing typed is lost); nothing
    # reads or writes them, and a later migration drops the column.
    member_count = models.PositiveIntegerField("原登记党员人数（已停用）", default=0, editable=False)

    history = HistoricalRecords()
    SCOPE = Scope(township="village__township", village="village")

    class Meta:
        verbose_name = "党支部"
        verbose_name_plural = "党支部"
        ordering = ["village__order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["village", "name"], name="branch_name_unique_in_village"),
        ]

    def __str__(self):
        return self.name


class StarRatingQuerySet(models.QuerySet):
    def for_year(self, year):
        return self.filter(year=year)


class StarRating(models.Model):
    branch = models.ForeignKey(PartyBranch, verbose_name="党支部", on_delete=models.PROTECT, related_name="ratings")
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    stars = models.PositiveSmallIntegerField(
        "评定星级", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    target_stars = models.PositiveSmallIntegerField(
        "目标星级", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    note = models.CharField("备注", max_length=200, blank=True)

    objects = StarRatingQuerySet.as_manager()
    history = HistoricalRecords()
    SCOPE = Scope(township="branch__village__township", village="branch__village")

    class Meta:
        verbose_name = "星级党组织评定"
        verbose_name_plural = "星级党组织评定"
        ordering = ["-year", "branch__village__order"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="one_rating_per_branch_year"),
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="stars_between_1_and_5"),
            models.CheckConstraint(
                condition=Q(target_stars__isnull=True) | Q(target_stars__gte=1, target_stars__lte=5),
                name="target_stars_between_1_and_5",
            ),
        ]

    def __str__(self):
        return f"{self.branch} {self.year}年 {self.stars}星"


class VillageMonthStatus(models.TextChoices):
    NOT_SUBMITTED = "not_submitted", "未上报"
    SUBMITTED = "submitted", "已上报"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已审核"


REPORTED_STATUSES = (VillageMonthStatus.SUBMITTED, VillageMonthStatus.APPROVED)


class VillageMonthQuerySet(models.QuerySet):
    def locked(self):
        return self.filter(status=VillageMonthStatus.APPROVED)

    def is_locked(self, village_id, year, month):
        return self.locked().filter(village_id=village_id, year=year, month=month).exists()

    def lock_message(self, village_id, year, month) -> str | None:
        """The Chinese lock message when the village-month is approved, else None."""
        if village_id is None or not self.is_locked(village_id, year, month):
            return None
        return lock_message(village_id, year, month)

    def reported(self):
        """Village-months that count as reported (the reporting rate): submitted or approved."""
        return self.filter(status__in=REPORTED_STATUSES)

    def reported_counts(self, *, years, township_ids=None, village_ids=None):
        """[{village__township_id, year, month, n}]: reported villages per month, by township.

        The reporting rate is these counts over the months that have ended (township.numbers.months_ended)
        divided by those months × villages; the annual report's figure and the completeness page both
        count this way."""
        rows = self.order_by().reported().filter(year__in=years)
        if township_ids is not None:
            rows = rows.filter(village__township_id__in=township_ids)
        if village_ids is not None:
            rows = rows.filter(village_id__in=village_ids)
        return rows.values("village__township_id", "year", "month").annotate(n=models.Count("pk"))


class VillageMonth(models.Model):
    """One village's month: its reporting status; approved means locked."""

    village = models.ForeignKey(Village, verbose_name="村", on_delete=models.PROTECT, related_name="months")
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份", validators=[MinValueValidator(1), MaxValueValidator(12)])
    status = models.CharField(
        "上报状态", max_length=20, choices=VillageMonthStatus.choices, default=VillageMonthStatus.NOT_SUBMITTED
    )
    submitted_at = models.DateTimeField("上报时间", null=True, blank=True)
    # The first confirmation decides whether the month was on time; later corrections do not.
    first_submitted_at = models.DateTimeField("首次上报时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        "township.User", verbose_name="审核人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField("审核时间", null=True, blank=True)
    return_reason = models.TextField("退回原因", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = VillageMonthQuerySet.as_manager()
    history = HistoricalRecords()
    SCOPE = Scope(township="village__township", village="village")

    class Meta:
        verbose_name = "村月度上报"
        verbose_name_plural = "村月度上报"
        ordering = ["-year", "-month", "village__order"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year", "month"], name="one_village_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="village_month_1_to_12"),
        ]

    def __str__(self):
        return f"{self.village} {self.year}年{self.month}月"

    @property
    def is_locked(self):
        return self.status == VillageMonthStatus.APPROVED

    @property
    def is_reported(self):
        return self.status in REPORTED_STATUSES


def lock_message(village_id, year, month) -> str:
    """What a user reads when a record of an approved (locked) village-month cannot change."""
    name = Village.objects.filter(pk=village_id).values_list("name", flat=True).first() or "该村"
    return (
        f"{name}{year}年{month}月的月报已审核通过并锁定，不能修改。"
        "如需更正，请联系镇党委工作人员重新开放该月。"
    )


class MonthlyRecord(models.Model):
    """A record of one village-month (its SCOPE names the month): locked once staff approve the month.

    township.access asks `month_lock_message()` before any write, so the lock rule lives
    here, beside the village-month, and access.py needs no import of this app.
    """

    class Meta:
        abstract = True

    def month_lock_message(self) -> str | None:
        period = access.month_of(self)
        if period is None:
            return None
        return VillageMonth.objects.lock_message(access.village_id_of(self), *period)

    @classmethod
    def locked_months(cls, *, township_id) -> set[tuple]:
        """{(village_id, year, month)} of the township's approved months: what imports may not write into."""
        return set(VillageMonth.objects.locked().filter(village__township_id=township_id)
                   .values_list("village_id", "year", "month"))
