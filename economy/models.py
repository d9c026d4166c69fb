"""Collective-economy income, its targets, industry projects, enterprises and alliances."""
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from simple_history.models import HistoricalRecords

from records.validators import validate_phone
from township.access import Scope
from villages.models import MonthlyRecord, Source

MONEY = {"max_digits": 14, "decimal_places": 2}


class IncomeCategory(models.TextChoices):
    LAND_TRANSFER = "land_transfer", "土地流转"
    LAND_MANAGEMENT = "land_management", "土地管理"
    FARMING = "farming", "农业种植"
    FACILITY_RENT = "facility_rent", "设施租赁"
    SERVICES = "services", "服务收入"
    INVESTMENT = "investment", "投资收益"
    OTHER = "other", "其他"


# Income that rests on land rather than on an industry (a problem the report names).
LAND_CATEGORIES = (IncomeCategory.LAND_TRANSFER, IncomeCategory.LAND_MANAGEMENT, IncomeCategory.FARMING)


class IncomeQuerySet(models.QuerySet):
    def for_year(self, year):
        return self.filter(year=year)

    def totals_by_village(self):
        """[{village_id, total}] of the rows in the queryset."""
        return self.values("village_id").annotate(total=Sum("amount")).order_by("village_id")


class IncomeRecord(MonthlyRecord):
    """One village's collective-economy income of one month and one category, in yuan."""

    village = models.ForeignKey("villages.Village", verbose_name="村", on_delete=models.PROTECT, related_name="incomes")
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    month = models.PositiveSmallIntegerField("月份", validators=[MinValueValidator(1), MaxValueValidator(12)])
    category = models.CharField("收入类别", max_length=20, choices=IncomeCategory.choices)
    amount = models.DecimalField("金额（元）", **MONEY, validators=[MinValueValidator(Decimal("0"))])
    note = models.CharField("备注", max_length=200, blank=True)
    source = models.CharField("来源", max_length=16, choices=Source.choices, default=Source.FORM, editable=False)

    objects = IncomeQuerySet.as_manager()
    history = HistoricalRecords()
    SCOPE = Scope(township="village__township", village="village", month=("year", "month"), secretary_edits=True)

    class Meta:
        verbose_name = "村集体经济收入"
        verbose_name_plural = "村集体经济收入"
        ordering = ["-year", "-month", "village__order", "category"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year", "month", "category"], name="one_income_per_category"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="income_amount_non_negative"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="income_month_1_to_12"),
        ]
        indexes = [models.Index(fields=["year", "village"])]

    def __str__(self):
        return f"{self.village} {self.year}年{self.month}月 {self.get_category_display()}"


class VillageIncomeTarget(models.Model):
    village = models.ForeignKey("villages.Village", verbose_name="村", on_delete=models.PROTECT,
                                related_name="income_targets")
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    amount = models.DecimalField("目标收入（元）", **MONEY, validators=[MinValueValidator(Decimal("0"))])
    note = models.CharField("备注", max_length=200, blank=True)

    history = HistoricalRecords()
    SCOPE = Scope(township="village__township", village="village")

    class Meta:
        verbose_name = "村集体经济目标"
        verbose_name_plural = "村集体经济目标"
        ordering = ["-year", "village__order"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="one_income_target_per_village_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="income_target_non_negative"),
        ]

    def __str__(self):
        return f"{self.village} {self.year}年目标"


class TownshipEconomyTarget(models.Model):
    township = models.ForeignKey("villages.Township", verbose_name="镇", on_delete=models.PROTECT,
                                 related_name="economy_targets")
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    income_total = models.DecimalField("村集体经济总收入目标（元）", **MONEY, validators=[MinValueValidator(0)])
    villages_over_1m = models.PositiveSmallIntegerField("百万村目标（个）", default=0)
    villages_over_2m = models.PositiveSmallIntegerField("两百万元村目标（个）", default=0)

    history = HistoricalRecords()
    SCOPE = Scope(township="township", village=None)

    class Meta:
        verbose_name = "全镇集体经济目标"
        verbose_name_plural = "全镇集体经济目标"
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["township", "year"], name="one_economy_target_per_township_year"),
            models.CheckConstraint(condition=Q(income_total__gte=0), name="economy_target_non_negative"),
        ]

    def __str__(self):
        return f"{self.township} {self.year}年集体经济目标"


class ScaleUnit(models.TextChoices):
    MU = "mu", "亩"
    DONG = "dong", "栋"
    SQUARE_METRE = "m2", "平方米"
    ITEM = "item", "个"


class ProjectOperator(models.TextChoices):
    """Who runs a project: the subject of its sentence in the report (联星村党支部带领党员种植螺丝菜140亩)."""

    VILLAGE = "village", "村集体"
    BRANCH = "branch", "村党支部"
    BRANCH_WITH_MEMBERS = "branch_members", "村党支部带领党员"
    TOWNSHIP = "township", "镇党委"


class ProjectAction(models.TextChoices):
    """The verb of a project's sentence."""

    DEVELOP = "develop", "发展"
    PLANT = "plant", "种植"
    BREED = "breed", "养殖"
    OPERATE = "operate", "经营"
    BUILD = "build", "建设"


# Units counted before the thing (31栋设施温棚); the others follow it (螺丝菜140亩).
COUNTED_UNITS = ("dong", "item")


class IndustryProject(models.Model):
    township = models.ForeignKey("villages.Township", verbose_name="所属镇", on_delete=models.PROTECT,
                                 related_name="industry_projects")
    village = models.ForeignKey("villages.Village", verbose_name="村", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="industry_projects")
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    name = models.CharField("项目名称", max_length=100)
    scale = models.DecimalField("规模", max_digits=10, decimal_places=1, default=0, validators=[MinValueValidator(0)])
    scale_unit = models.CharField("规模单位", max_length=8, choices=ScaleUnit.choices, default=ScaleUnit.MU)
    jobs_created = models.PositiveIntegerField("带动就业（人）", default=0)
    income_added = models.DecimalField("增加村集体经济（元）", **MONEY, default=0, validators=[MinValueValidator(0)])
    farmer_income_added = models.DecimalField("促进群众增收（元/户）", **MONEY, default=0,
                                              validators=[MinValueValidator(0)])
    operator = models.CharField("实施主体", max_length=16, choices=ProjectOperator.choices,
                                default=ProjectOperator.VILLAGE)
    action = models.CharField("实施方式", max_length=16, choices=ProjectAction.choices, default=ProjectAction.DEVELOP)
    industry = models.CharField("产业类别", max_length=30, blank=True,
                                help_text="如：设施蔬菜、青贮饲草、草莓采摘；总结中按产业归并各村")
    jobs_for = models.CharField("带动就业人群", max_length=20, blank=True, help_text="如：移民；留空写作“群众”")
    investment = models.DecimalField("投入资金（元）", **MONEY, default=0, validators=[MinValueValidator(0)])
    description = models.TextField("说明", blank=True, help_text="总结中接在项目之后")

    history = HistoricalRecords()
    SCOPE = Scope(township="township", village="village")

    class Meta:
        verbose_name = "产业项目"
        verbose_name_plural = "产业项目"
        ordering = ["-year", "village__order", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(scale__gte=0) & Q(income_added__gte=0) & Q(farmer_income_added__gte=0),
                                   name="industry_project_non_negative"),
            models.CheckConstraint(condition=Q(investment__gte=0), name="industry_project_investment_non_negative"),
        ]

    def __str__(self):
        return self.name


class Enterprise(models.Model):
    township = models.ForeignKey("villages.Township", verbose_name="所属镇", on_delete=models.PROTECT,
                                 related_name="enterprises")
    name = models.CharField("企业名称", max_length=100)
    industry = models.CharField("行业", max_length=50, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True, validators=[validate_phone])

    history = HistoricalRecords()
    SCOPE = Scope(township="township", village=None)

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["township", "name"], name="enterprise_name_unique")]

    def __str__(self):
        return self.name


class AllianceKind(models.TextChoices):
    COMMUNITY = "community", "党建共同体"
    INDUSTRY = "industry", "产业发展联盟"


class Alliance(models.Model):
    township = models.ForeignKey("villages.Township", verbose_name="所属镇", on_delete=models.PROTECT,
                                 related_name="alliances")
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=AllianceKind.choices)
    year = models.PositiveSmallIntegerField("成立年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    model = models.CharField("模式", max_length=100, blank=True, help_text="如：支部+合作社+企业+基地+农户")
    brands = models.CharField("挖掘的品牌", max_length=200, blank=True,
                              help_text="以顿号分隔，如：江南大集、牡丹花乡、江南堡老街；总结写作“深入挖掘……等品牌价值”")
    relies_on = models.CharField("依托", max_length=200, blank=True,
                                 help_text="如：乡村振兴产业园31栋温棚、便民市场等产业；总结写作“依托……”")
    villages = models.ManyToManyField("villages.Village", verbose_name="成员村", related_name="alliances")
    enterprises = models.ManyToManyField(Enterprise, verbose_name="合作企业", blank=True, related_name="alliances")
    description = models.TextField(
        "说明", blank=True, help_text="总结中接在模式之后，如：做大文旅产业，实现村集体经济与企业发展、农户增收共赢")

    history = HistoricalRecords(m2m_fields=[villages, enterprises])
    SCOPE = Scope(township="township", village="villages")

    class Meta:
        verbose_name = "党建共同体与产业联盟"
        verbose_name_plural = "党建共同体与产业联盟"
        ordering = ["-year", "name"]

    def __str__(self):
        return self.name
