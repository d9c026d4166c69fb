"""Import/export resources of the collective-economy ledgers (集体经济收入台账 and targets)."""
from import_export.fields import Field

from ledgers.cells import ChoiceWidget, DecimalWidget, IntegerWidget, TextWidget
from ledgers.importing import LedgerResource, register
from villages.resources import VillageWidget

from .models import Enterprise, IncomeCategory, IncomeRecord, VillageIncomeTarget


@register("incomes")
class IncomeRecordResource(LedgerResource):
    """集体经济收入台账: matched on 村 + 年度 + 月份 + 收入类别; amounts in yuan as Decimal."""

    ledger_title = "集体经济收入台账"
    key = ("village_id", "year", "month", "category")
    key_label = "村、年度、月份和收入类别"
    create_defaults = {"source": "import"}
    aliases = {"村名": "村", "所属村": "村", "年份": "年度", "月": "月份", "类别": "收入类别",
               "金额": "金额（元）", "收入金额（元）": "金额（元）", "金额（万元）": "金额（万元）"}

    village = Field("village_id", "村", VillageWidget(required=True))
    year = Field("year", "年度", IntegerWidget(min_value=2000, max_value=2100, required=True))
    month = Field("month", "月份", IntegerWidget(min_value=1, max_value=12, required=True))
    category = Field("category", "收入类别", ChoiceWidget(IncomeCategory.choices, "收入类别", required=True))
    amount = Field("amount", "金额（元）", DecimalWidget(places=2, max_digits=14, required=True))
    note = Field("note", "备注", TextWidget(max_length=200))

    class Meta:
        model = IncomeRecord
        fields = ("village", "year", "month", "category", "amount", "note")
        import_id_fields = ("village", "year", "month", "category")


@register("income-targets")
class VillageIncomeTargetResource(LedgerResource):
    ledger_title = "村集体经济目标"
    key = ("village_id", "year")
    key_label = "村和年度"
    aliases = {"村名": "村", "目标收入": "目标收入（元）"}

    village = Field("village_id", "村", VillageWidget(required=True))
    year = Field("year", "年度", IntegerWidget(min_value=2000, max_value=2100, required=True))
    amount = Field("amount", "目标收入（元）", DecimalWidget(places=2, max_digits=14, required=True))
    note = Field("note", "备注", TextWidget(max_length=200))

    class Meta:
        model = VillageIncomeTarget
        fields = ("village", "year", "amount", "note")
        import_id_fields = ("village", "year")


@register("enterprises")
class EnterpriseResource(LedgerResource):
    ledger_title = "企业名录"
    key = ("name",)
    key_label = "企业名称"
    township_attr = "township_id"

    name = Field("name", "企业名称", TextWidget(max_length=100, required=True))
    industry = Field("industry", "行业", TextWidget(max_length=50))
    contact_name = Field("contact_name", "联系人", TextWidget(max_length=50))
    contact_phone = Field("contact_phone", "联系电话", TextWidget(max_length=20))

    class Meta:
        model = Enterprise
        fields = ("name", "industry", "contact_name", "contact_phone")
        import_id_fields = ("name",)
