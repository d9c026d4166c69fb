"""Import/export resources of study and organisational-life ledgers."""
from import_export.fields import Field

from ledgers.cells import ChoiceWidget, CountWidget, DateWidget, TextWidget
from ledgers.importing import LedgerResource, register
from villages.resources import BranchWidget, VillageWidget

from .models import OrgLifeEvent, OrgLifeKind, StudyActivity, StudyKind


class _BranchVillage:
    """Branch-scoped records: the village-month lock is the branch's village's."""

    def village_of(self, values):
        return self._branch_villages().get(values.get("branch_id"))

    def _branch_villages(self):
        if not hasattr(self, "_villages_by_branch"):
            from villages.models import PartyBranch

            self._villages_by_branch = dict(
                PartyBranch.objects.filter(village__township=self.township).values_list("pk", "village_id"))
        return self._villages_by_branch


@register("study-activities")
class StudyActivityResource(LedgerResource):
    """学习活动台账: matched on 日期 + 形式 + 主题 + 组织单位."""

    ledger_title = "学习活动台账"
    key = ("date", "kind", "topic", "village_id")
    key_label = "日期、形式、主题和组织单位"
    township_attr = "township_id"
    create_defaults = {"source": "import"}
    aliases = {"村": "组织单位（村）", "组织单位": "组织单位（村）", "心得体会": "心得体会篇数"}

    date = Field("date", "日期", DateWidget(required=True))
    kind = Field("kind", "形式", ChoiceWidget(StudyKind.choices, "形式", required=True))
    topic = Field("topic", "主题", TextWidget(max_length=200, required=True))
    village = Field("village_id", "组织单位（村）", VillageWidget())
    attendance = Field("attendance", "参加人数", CountWidget())
    essays = Field("essays", "心得体会篇数", CountWidget())
    note = Field("note", "备注", TextWidget(max_length=200))

    class Meta:
        model = StudyActivity
        fields = ("date", "kind", "topic", "village", "attendance", "essays", "note")
        import_id_fields = ("date", "kind", "topic", "village")


@register("org-life")
class OrgLifeEventResource(_BranchVillage, LedgerResource):
    ledger_title = "组织生活台账"
    key = ("branch_id", "date", "kind")
    key_label = "党支部、日期和类型"
    create_defaults = {"source": "import"}

    branch = Field("branch_id", "党支部", BranchWidget())
    date = Field("date", "日期", DateWidget(required=True))
    kind = Field("kind", "类型", ChoiceWidget(OrgLifeKind.choices, "类型", required=True))
    topic = Field("topic", "主题", TextWidget(max_length=200, required=True))
    attendance = Field("attendance", "参加人数", CountWidget())

    class Meta:
        model = OrgLifeEvent
        fields = ("branch", "date", "kind", "topic", "attendance")
        import_id_fields = ("branch", "date", "kind")
