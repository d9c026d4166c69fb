"""Import/export resources of the cadres ledgers: 党员花名册, 后备干部台账, 人才台账."""
from import_export.fields import Field

from ledgers.cells import BooleanWidget, ChoiceWidget, DateWidget, NameLookupWidget, TextWidget, as_text
from ledgers.importing import LedgerResource, register
from villages.resources import VillageWidget

from .id_numbers import id_number_problem
from .models import Gender, Person, ReserveCadre, Stage, Talent, TalentKind


class IdNumberWidget(TextWidget):
    """身份证号: text only. A number cell has already lost digits (Excel keeps 15)."""

    text_only = True

    def __init__(self, **kwargs):
        kwargs.setdefault("required", True)
        super().__init__(max_length=18, **kwargs)

    def parse(self, value):
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise ValueError(
                f"身份证号被保存成了数字（读到 {value:.0f}），Excel 只保留15位有效数字，末尾可能已变成0。"
                "请把该列设为“文本”格式后重新填写"
            )
        text = as_text(value).upper()
        if "*" in text:
            raise ValueError("身份证号已打码（打码的导出文件只供查看），不能用于导入")
        problem = id_number_problem(text)
        if problem:
            raise ValueError(problem)
        return text


class PersonWidget(NameLookupWidget):
    """A person of the township by 身份证号."""

    text_only = True

    def __init__(self, **kwargs):
        kwargs.setdefault("required", True)
        super().__init__(Person, "人员", name_field="id_number", **kwargs)
        self.id_number = IdNumberWidget()

    def parse(self, value):
        text = self.id_number.parse(value)
        self._load()
        try:
            return self.by_name[text]
        except KeyError:
            raise ValueError("本镇尚未登记该身份证号的人员，请先在党员花名册中导入或新增该人员") from None


@register("persons")
class PersonResource(LedgerResource):
    """党员花名册: one row per person, matched on 身份证号 (unique in the whole deployment)."""

    ledger_title = "党员花名册"
    key = ("id_number",)
    key_label = "身份证号"
    township_attr = "township_id"
    global_key = True
    aliases = {"身份证号码": "身份证号", "公民身份号码": "身份证号", "村": "所属村", "村名": "所属村",
               "电话": "联系电话", "手机号码": "联系电话"}

    name = Field("name", "姓名", TextWidget(max_length=50, required=True))
    id_number = Field("id_number", "身份证号", IdNumberWidget())
    village = Field("village_id", "所属村", VillageWidget())
    gender = Field("gender", "性别", ChoiceWidget(Gender.choices, "性别"), readonly=True)
    birth_date = Field("birth_date", "出生日期", DateWidget(), readonly=True)
    phone = Field("phone", "联系电话", TextWidget(max_length=20))
    stage = Field("stage", "发展阶段", ChoiceWidget(Stage.choices, "发展阶段"))
    is_mobile = Field("is_mobile", "流动党员", BooleanWidget())
    is_veteran = Field("is_veteran", "退役军人", BooleanWidget())
    is_wealth_leader = Field("is_wealth_leader", "致富带头人", BooleanWidget())
    is_returned_youth = Field("is_returned_youth", "返乡创业青年", BooleanWidget())
    note = Field("note", "备注", TextWidget(max_length=200))

    class Meta:
        model = Person
        fields = ("name", "id_number", "village", "gender", "birth_date", "phone", "stage", "is_mobile",
                  "is_veteran", "is_wealth_leader", "is_returned_youth", "note")
        import_id_fields = ("id_number",)

    def derive(self, values):
        # The import writes in bulk, which skips Person.save().
        values.update(Person.derived_from_id_number(values["id_number"]))
        return []


@register("reserve-cadres")
class ReserveCadreResource(LedgerResource):
    """后备干部台账: one row per reserve cadre, matched on the person's 身份证号."""

    ledger_title = "后备干部台账"
    key = ("person_id",)
    key_label = "身份证号"
    global_key = True
    aliases = {"身份证号码": "身份证号", "村": "所属村", "村名": "所属村", "育苗档案": "已建立育苗档案"}

    person_name = Field("person__name", "姓名", TextWidget(), readonly=True)
    person = Field("person_id", "身份证号", PersonWidget())
    village = Field("village_id", "所属村", VillageWidget(required=True))
    has_seedling_file = Field("has_seedling_file", "已建立育苗档案", BooleanWidget())
    is_secretary_successor = Field("is_secretary_successor", "村书记后备人选", BooleanWidget())
    since = Field("since", "纳入日期", DateWidget(required=True))
    until = Field("until", "退出日期", DateWidget())
    note = Field("note", "备注", TextWidget(max_length=200))

    class Meta:
        model = ReserveCadre
        fields = ("person_name", "person", "village", "has_seedling_file", "is_secretary_successor", "since",
                  "until", "note")
        import_id_fields = ("person",)

    def derive(self, values):
        if values.get("until") and values.get("since") and values["until"] < values["since"]:
            return [("until", "退出日期不能早于纳入日期")]
        return []


@register("talents")
class TalentResource(LedgerResource):
    """人才台账: matched on 村 + 姓名 + 人才类别 (a talent has no 身份证号 on record)."""

    ledger_title = "人才台账"
    key = ("village_id", "name", "kind")
    key_label = "村、姓名和人才类别"
    township_attr = "township_id"
    aliases = {"村": "所属村", "村名": "所属村", "类别": "人才类别", "电话": "联系电话"}

    name = Field("name", "姓名", TextWidget(max_length=50, required=True))
    kind = Field("kind", "人才类别", ChoiceWidget(TalentKind.choices, "人才类别", required=True))
    village = Field("village_id", "所属村", VillageWidget())
    field = Field("field", "产业或专业", TextWidget(max_length=100))
    phone = Field("phone", "联系电话", TextWidget(max_length=20))
    since = Field("since", "纳入日期", DateWidget(required=True))
    until = Field("until", "退出日期", DateWidget())
    note = Field("note", "备注", TextWidget(max_length=200))

    class Meta:
        model = Talent
        fields = ("name", "kind", "village", "field", "phone", "since", "until", "note")
        import_id_fields = ("village", "name", "kind")

    def derive(self, values):
        if values.get("until") and values.get("since") and values["until"] < values["since"]:
            return [("until", "退出日期不能早于纳入日期")]
        return []
