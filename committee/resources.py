"""Import/export resources of the township's own work records."""
from import_export.fields import Field

from ledgers.cells import ChoiceWidget, DateWidget, IntegerWidget, TextWidget
from ledgers.importing import LedgerResource, register

from .models import Bulletin, BulletinKind, WorkArea, WorkEvent, WorkEventKind


@register("bulletins")
class BulletinResource(LedgerResource):
    """工作专报与信息: matched on 类型 + 发布日期 + 标题."""

    ledger_title = "工作专报与信息"
    key = ("kind", "date", "title")
    key_label = "类型、发布日期和标题"
    township_attr = "township_id"

    kind = Field("kind", "类型", ChoiceWidget(BulletinKind.choices, "类型", required=True))
    date = Field("date", "发布日期", DateWidget(required=True))
    issue_number = Field("issue_number", "期号", IntegerWidget(min_value=1))
    title = Field("title", "标题", TextWidget(max_length=200, required=True))

    class Meta:
        model = Bulletin
        fields = ("kind", "date", "issue_number", "title")
        import_id_fields = ("kind", "date", "title")


@register("work-events")
class WorkEventResource(LedgerResource):
    """党委工作事项: matched on 类型 + 日期 + 名称 (the villages it names are kept on the record page)."""

    ledger_title = "党委工作事项"
    key = ("kind", "date", "title")
    key_label = "类型、日期和名称"
    township_attr = "township_id"

    kind = Field("kind", "类型", ChoiceWidget(WorkEventKind.choices, "类型", required=True))
    date = Field("date", "日期", DateWidget(required=True))
    area = Field("area", "所属工作", ChoiceWidget(WorkArea.choices, "所属工作", required=True))
    title = Field("title", "名称", TextWidget(max_length=200, required=True))
    note = Field("note", "说明", TextWidget(max_length=2000))

    class Meta:
        model = WorkEvent
        fields = ("kind", "date", "area", "title", "note")
        import_id_fields = ("kind", "date", "title")
