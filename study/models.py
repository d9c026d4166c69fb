"""Study plans, study activities and organisational life (a branch's dues are its members', cadres.MemberDues)."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from records.validators import validate_not_future
from township.access import Scope
from villages.models import MonthlyRecord, Source


class StudyPlanKind(models.TextChoices):
    CENTRAL_GROUP = "central_group", "党委理论学习中心组学习计划"
    CADRE = "cadre", "干部理论学习计划"
    OTHER = "other", "其他学习计划"


class StudyPlan(models.Model):
    township = models.ForeignKey("villages.Township", verbose_name="所属镇", on_delete=models.PROTECT,
                                 related_name="study_plans")
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    kind = models.CharField("类型", max_length=16, choices=StudyPlanKind.choices)
    title = models.CharField("标题", max_length=200)
    content = models.TextField("内容", blank=True)

    history = HistoricalRecords()
    SCOPE = Scope(township="township", village=None)

    class Meta:
        verbose_name = "学习计划"
        verbose_name_plural = "学习计划"
        ordering = ["-year", "kind"]

    def __str__(self):
        return self.title


class StudyKind(models.TextChoices):
    """The kinds of study activity the reference names (the workbook's 形式)."""

    CENTRAL_GROUP = "central_group", "理论学习中心组学习"
    SEMINAR_EXCHANGE = "seminar_exchange", "研讨交流"
    CONCENTRATED = "concentrated", "集中学习"
    TOPIC_SEMINAR = "topic_seminar", "专题研讨"
    NIGHT_SCHOOL = "night_school", "夜校"
    MORNING_MEETING = "morning_meeting", "干部晨会"
    CLASS_8090 = "class_8090", "“8090”课堂"
    THREE_MEETINGS = "three_meetings", "三会一课"
    THEME_DAY = "theme_day", "主题党日"
    PARTY_LECTURE = "party_lecture", "党课"
    SECRETARY_LECTURE = "secretary_lecture", "支部书记讲党课"
    THOUSAND_LECTURES = "thousand_lectures", "千场党课下基层"
    MICRO_LECTURE = "micro_lecture", "微党课视频"
    WARNING_VISIT = "warning_visit", "警示教育参观"
    DELIVERED_STUDY = "delivered_study", "送学"
    QUIZ = "quiz", "知识竞赛"
    RECITATION = "recitation", "朗诵比赛"
    OTHER = "other", "其他"


class StudyActivityQuerySet(models.QuerySet):
    def in_year(self, year):
        return self.filter(date__year=year)


class StudyActivity(MonthlyRecord):
    """A study activity organised by the township (no village) or by a village."""

    township = models.ForeignKey("villages.Township", verbose_name="所属镇", on_delete=models.PROTECT,
                                 related_name="study_activities")
    village = models.ForeignKey("villages.Village", verbose_name="组织单位（村）", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="study_activities",
                                help_text="留空表示由镇党委组织")
    date = models.DateField("日期", validators=[validate_not_future])
    kind = models.CharField("形式", max_length=24, choices=StudyKind.choices)
    topic = models.CharField("主题", max_length=200)
    attendance = models.PositiveIntegerField("参加人数", default=0)
    essays = models.PositiveIntegerField("心得体会篇数", default=0)
    note = models.CharField("备注", max_length=200, blank=True)
    source = models.CharField("来源", max_length=16, choices=Source.choices, default=Source.FORM, editable=False)

    objects = StudyActivityQuerySet.as_manager()
    history = HistoricalRecords()
    SCOPE = Scope(township="township", village="village", month="date", secretary_edits=True)

    class Meta:
        verbose_name = "学习活动"
        verbose_name_plural = "学习活动"
        ordering = ["-date", "kind"]
        indexes = [models.Index(fields=["township", "date"]), models.Index(fields=["village", "date"])]
        constraints = [
            models.CheckConstraint(condition=Q(attendance__gte=0) & Q(essays__gte=0),
                                   name="study_activity_counts_non_negative"),
        ]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}：{self.topic}"

    def clean(self):
        if self.village_id and self.township_id and self.village.township_id != self.township_id:
            raise ValidationError({"village": "该村不属于本镇。"})

    @property
    def organiser(self):
        return self.village.name if self.village_id else "镇党委"


class OrgLifeKind(models.TextChoices):
    GENERAL_MEETING = "general_meeting", "支部党员大会"
    COMMITTEE_MEETING = "committee_meeting", "支委会"
    GROUP_MEETING = "group_meeting", "党小组会"
    PARTY_LECTURE = "party_lecture", "党课"
    THEME_DAY = "theme_day", "主题党日"
    LIFE_MEETING = "life_meeting", "组织生活会"


class RequirementFrequency(models.TextChoices):
    MONTHLY = "monthly", "每月至少1次"
    QUARTERLY = "quarterly", "每季度至少1次"
    YEARLY = "yearly", "每年至少1次"
    NONE = "none", "不作要求"


# How often each branch must hold each kind (三会一课 and 主题党日) unless its township decided otherwise
# (OrgLifeRequirement). 党小组会 is owed only by branches that have Party groups, and a branch records no
# groups (villages.PartyBranch has no such flag), so it is not required by default: a township whose
# branches all have groups sets it to monthly.
DEFAULT_REQUIREMENTS = {
    OrgLifeKind.GENERAL_MEETING: RequirementFrequency.QUARTERLY,
    OrgLifeKind.COMMITTEE_MEETING: RequirementFrequency.MONTHLY,
    OrgLifeKind.GROUP_MEETING: RequirementFrequency.NONE,
    OrgLifeKind.PARTY_LECTURE: RequirementFrequency.QUARTERLY,
    OrgLifeKind.THEME_DAY: RequirementFrequency.MONTHLY,
    OrgLifeKind.LIFE_MEETING: RequirementFrequency.YEARLY,
}


class OrgLifeRequirementQuerySet(models.QuerySet):
    def effective(self, township_ids, years) -> dict:
        """{(township id, year): {kind: frequency}} for every kind: the township's latest decision taking
        effect by that year, else the default."""
        years = list(years)
        chosen = {(tid, year): dict(DEFAULT_REQUIREMENTS) for tid in township_ids for year in years}
        rows = self.filter(township_id__in=list(township_ids), since_year__lte=max(years, default=0))
        for tid, kind, frequency, since in rows.order_by("since_year").values_list(
                "township_id", "kind", "frequency", "since_year"):
            for year in years:
                if since <= year:
                    chosen[(tid, year)][OrgLifeKind(kind)] = RequirementFrequency(frequency)
        return chosen


class OrgLifeRequirement(models.Model):
    """A township's own requirement for one kind of organisational life from a year on, replacing the
    default (DEFAULT_REQUIREMENTS) or its earlier decision: a year's compliance keeps that year's rules."""

    township = models.ForeignKey("villages.Township", verbose_name="所属镇", on_delete=models.PROTECT,
                                 related_name="org_life_requirements")
    kind = models.CharField("类型", max_length=24, choices=OrgLifeKind.choices)
    frequency = models.CharField("要求", max_length=16, choices=RequirementFrequency.choices)
    since_year = models.PositiveSmallIntegerField("自年度起执行", validators=[MinValueValidator(2000),
                                                                         MaxValueValidator(2100)])
    note = models.CharField("备注", max_length=200, blank=True)

    objects = OrgLifeRequirementQuerySet.as_manager()
    history = HistoricalRecords()
    SCOPE = Scope(township="township", village=None)

    class Meta:
        verbose_name = "组织生活要求"
        verbose_name_plural = "组织生活要求"
        ordering = ["township", "-since_year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["township", "kind", "since_year"],
                                    name="one_org_life_requirement_per_kind_and_year"),
        ]

    def __str__(self):
        return f"{self.since_year}年起{self.get_kind_display()}：{self.get_frequency_display()}"


class OrgLifeEvent(MonthlyRecord):
    """One meeting of a branch's organisational life (组织生活)."""

    branch = models.ForeignKey("villages.PartyBranch", verbose_name="党支部", on_delete=models.PROTECT,
                               related_name="org_life_events")
    date = models.DateField("日期", validators=[validate_not_future])
    kind = models.CharField("类型", max_length=24, choices=OrgLifeKind.choices)
    topic = models.CharField("主题", max_length=200)
    attendance = models.PositiveIntegerField("参加人数", default=0)
    source = models.CharField("来源", max_length=16, choices=Source.choices, default=Source.FORM, editable=False)

    history = HistoricalRecords()
    SCOPE = Scope(township="branch__village__township", village="branch__village", month="date",
                  secretary_edits=True)

    class Meta:
        verbose_name = "组织生活"
        verbose_name_plural = "组织生活"
        ordering = ["-date", "branch__village__order"]
        indexes = [models.Index(fields=["branch", "date"])]

    def __str__(self):
        return f"{self.branch} {self.date} {self.get_kind_display()}"
