"""Import/export resources of branches and star ratings."""
from import_export.fields import Field

from ledgers.cells import CountWidget, IntegerWidget, NameLookupWidget, TextWidget
from ledgers.importing import LedgerResource, register

from .models import PartyBranch, StarRating, Village


class VillageWidget(NameLookupWidget):
    def __init__(self, **kwargs):
        super().__init__(Village, "村", **kwargs)


class BranchWidget(NameLookupWidget):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", True)
        super().__init__(PartyBranch, "党支部", township_path="village__township", **kwargs)


@register("branches")
class PartyBranchResource(LedgerResource):
    ledger_title = "党支部名册"
    key = ("village_id", "name")
    key_label = "村和党组织名称"

    village = Field("village_id", "所属村", VillageWidget(required=True))
    name = Field("name", "党组织名称", TextWidget(max_length=100, required=True))
    secretary_name = Field("secretary_name", "支部书记", TextWidget(max_length=50))
    member_count = Field("member_count", "党员人数", CountWidget())

    class Meta:
        model = PartyBranch
        fields = ("village", "name", "secretary_name", "member_count")
        import_id_fields = ("village", "name")


@register("star-ratings")
class StarRatingResource(LedgerResource):
    ledger_title = "星级党组织评定"
    key = ("branch_id", "year")
    key_label = "党支部和年度"

    branch = Field("branch_id", "党支部", BranchWidget())
    year = Field("year", "年度", IntegerWidget(min_value=2000, max_value=2100, required=True))
    stars = Field("stars", "评定星级", IntegerWidget(min_value=1, max_value=5, required=True))
    target_stars = Field("target_stars", "目标星级", IntegerWidget(min_value=1, max_value=5))
    note = Field("note", "备注", TextWidget(max_length=200))

    class Meta:
        model = StarRating
        fields = ("branch", "year", "stars", "target_stars", "note")
        import_id_fields = ("branch", "year")
