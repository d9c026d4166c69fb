"""Import/export resources of the cadres ledgers: 党员花名册, 后备干部台账, 人才台账."""
import copy
import datetime
import re
from collections import defaultdict

from django.db.models import F, Max, OuterRef, Q, Subquery
from django.utils import timezone
from import_export.fields import Field

from ledgers import bulk
from ledgers.cells import (
    BooleanWidget,
    ChoiceWidget,
    DateWidget,
    DecimalWidget,
    IntegerWidget,
    LedgerWidget,
    NameLookupWidget,
    TextWidget,
    as_text,
)
from ledgers.importing import CHANGE_REASON, LOOKUP_CHUNK, WRITE_BATCH, ImportChanged, LedgerResource, register
from ledgers.spreadsheets import SpreadsheetError
from records.validators import future_date_problem
from township import access, audit
from villages.models import PartyBranch, Source, Village, month_bounds
from villages.resources import BranchWidget, VillageWidget

from .id_numbers import id_number_problem, validate_id_number
from .models import (
    MOVE_BY_TRANSFER,
    REPORTED_STAGES,
    STAGE_RANK,
    Appraisal,
    AppraisalGrade,
    DuesCategory,
    Gender,
    MemberDues,
    Person,
    Place,
    ReserveCadre,
    Stage,
    StageChange,
    Talent,
    TalentKind,
    Transfer,
    TransferKind,
    appraisal_problems,
    development_problem,
    dues_problems,
    expected_dues,
    immutable_transfer_problem,
    membership_on,
    party_member_on,
    place_after,
    stage_from_steps,
    transfer_ends,
    transfer_problem,
    transfer_reason,
)


class IdNumberWidget(TextWidget):
    """身份证号: text only. A number cell has already lost digits (Excel keeps 15)."""

    text_only = True
    covers = (validate_id_number,)  # parse() asks id_number_problem, as the model field's validator does

    def __init__(self, **kwargs):
        kwargs.setdefault("required", True)
        super().__init__(max_length=18, **kwargs)

    def parse(self, value):
        if isinstance(value, int | float) and not isinstance(value, bool):
            # The number read is not echoed: its first digits are the region and the birth date.
            raise ValueError(
                "身份证号被保存成了数字，Excel 只保留15位有效数字，末尾可能已变成0。"
                "请把该列设为“文本”格式后重新填写"
            )
        text = (value.strip() if value.__class__ is str else as_text(value)).upper()  # as_text() of a text: stripped
        if "*" in text:
            raise ValueError("身份证号已打码（打码的导出文件只供查看），不能用于导入")
        problem = id_number_problem(text)
        if problem:
            raise ValueError(problem)
        return text


MASKED_ID_NUMBER = re.compile(r"\*{14}([0-9]{3}[0-9X])")


class MemberIdWidget(TextWidget):
    """身份证号 of a member already on the village's roster: the whole number, or as the template prefills it for
    whoever may not see it whole, masked to its last four characters (**************1234). Returns the whole
    number, or the masked text (matched with the 姓名 by cadres.services.plan_month_dues)."""

    text_only = True

    def __init__(self, **kwargs):
        kwargs.setdefault("required", True)
        super().__init__(max_length=18, **kwargs)

    def parse(self, value):
        text = as_text(value).upper() if isinstance(value, str) else value
        if isinstance(text, str) and MASKED_ID_NUMBER.fullmatch(text):
            return text
        if isinstance(text, str) and "*" in text:
            raise ValueError("身份证号应填写完整的18位，或保留模板中的打码格式（14个*加后四位）")
        return IdNumberWidget().parse(value)


class PersonWidget(NameLookupWidget):
    """A person by 身份证号: of the township, or one whose transfer touches it. A member transferred to another
    township keeps here the months of dues, the appraisals and the transfer recorded while they were this
    township's, so an exported ledger imports back unchanged; which village a row belongs to is the row's rules'
    (the member's village on its date)."""

    text_only = True

    def __init__(self, **kwargs):
        kwargs.setdefault("required", True)
        super().__init__(Person, "人员", name_field="id_number", **kwargs)
        self.id_number = IdNumberWidget()

    def candidates(self):
        people = Person.objects.all()
        township = self.resource.township
        if township is not None:
            touching = Transfer.objects.filter(Q(from_township=township) | Q(to_township=township))
            people = people.filter(Q(township=township) | Q(pk__in=touching.values("person_id")))
        return people

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
    step_attrs = ("stage", "stage_date")
    step_unchanged_when = ("stage", "_stage")  # step_of(): no step for a blank 发展阶段 or the current one

    name = Field("name", "姓名", TextWidget(max_length=50, required=True))
    id_number = Field("id_number", "身份证号", IdNumberWidget())
    village = Field("village_id", "所属村", VillageWidget(required=True))
    gender = Field("gender", "性别", ChoiceWidget(Gender.choices, "性别"), readonly=True)
    birth_date = Field("birth_date", "出生日期", DateWidget(), readonly=True)
    phone = Field("phone", "联系电话", TextWidget(max_length=20))
    # Not written to the person: a 发展阶段 other than the current one becomes a dated step (StageChange).
    stage = Field("stage", "发展阶段", ChoiceWidget(REPORTED_STAGES, "发展阶段"))
    stage_date = Field("stage_date", "阶段日期", DateWidget())
    is_mobile = Field("is_mobile", "流动党员", BooleanWidget())
    mobile_place = Field("mobile_place", "流入地", TextWidget(max_length=100))
    mobile_origin = Field("mobile_origin", "流出地", TextWidget(max_length=100))
    is_veteran = Field("is_veteran", "退役军人", BooleanWidget())
    is_wealth_leader = Field("is_wealth_leader", "致富带头人", BooleanWidget())
    is_returned_youth = Field("is_returned_youth", "返乡创业青年", BooleanWidget())
    note = Field("note", "备注", TextWidget(max_length=200))

    class Meta:
        model = Person
        fields = ("name", "id_number", "village", "gender", "birth_date", "phone", "stage", "stage_date", "is_mobile",
                  "mobile_place", "mobile_origin", "is_veteran", "is_wealth_leader", "is_returned_youth", "note")
        import_id_fields = ("id_number",)

    def derive(self, values):
        # The import writes in bulk, which skips Person.save().
        values.update(Person.derived_from_id_number(values["id_number"]))
        return []

    def existing(self, keys, attrs):
        # Past the day's limit of refused 身份证号 nothing is looked up: which rows are new would tell.
        if self._importer() is not None and audit.is_throttled(self._importer()):
            raise SpreadsheetError(audit.throttle_message())
        return super().existing(keys, attrs)

    def refused_elsewhere(self, key, current):
        """Another township's person: the neutral answer, logged and notified to that township's staff."""
        user = self._importer()
        if user is None:
            return access.ID_NUMBER_REFUSED
        try:
            return audit.registered_answer(user, id_number=key[0], holder_township_id=current["_township"],
                                           holder_village_id=current.get("_village"),
                                           where=getattr(self, "importing_where", ""))
        except audit.IdNumberThrottled as exc:
            raise SpreadsheetError(exc.message) from None

    def _importer(self):
        return getattr(self, "importing_user", None)

    def _steps_of_people(self):
        """{person id: ({stage: date}, months of their 延长预备期)} of the township's people (one query, once per
        preview, and only once a row asks for a new step): what the development rules read beside the roster's
        new step. Beside it, self._step_bounds: {person id: (date of the latest step, rank of the furthest)}."""
        if getattr(self, "_steps", None) is None:
            self._steps, self._step_bounds = {}, {}
            rows = StageChange.objects.filter(person__township=self.township).values_list(
                "person_id", "stage", "date", "extension_months")
            for person_id, stage, day, months in rows:
                steps, extension = self._steps.setdefault(person_id, ({}, None))
                steps[stage] = day
                if stage == Stage.EXTENDED:
                    self._steps[person_id] = (steps, months)
                latest, top_rank = self._step_bounds.get(person_id, (day, STAGE_RANK[stage]))
                self._step_bounds[person_id] = (max(latest, day), max(top_rank, STAGE_RANK[stage]))
        return self._steps

    def export_queryset(self, queryset):
        return queryset.annotate(stage_date=_latest_step_date())

    def stored_annotations(self):
        # Not the latest step and the furthest stage as subqueries per person: an unchanged row never needs them,
        # and a changed one finds them in the township's steps, read once (_steps_of_people).
        return {"_stage": F("stage"), "_village": F("village_id")}

    def locked_months(self):
        # A person has no month; the steps the import records do.
        return StageChange.locked_months(township_id=self.township.pk)

    _villages_then = {}

    def prepare_steps(self, names, rows):
        """The village each transferred person belonged to on the date of a new step (Person.villages_on: a batch
        of queries for the chunk), for step_of's month lock; a person who never moved is where they are now. The
        rows come without those whose stage is blank or the stored one (step_unchanged_when), so an unchanged
        re-import reads no transfer."""
        at_pk, at_date = names.index("pk"), self.step_attrs.index("stage_date")
        asked = [(row[at_pk], step[at_date]) for row, step in rows if isinstance(step[at_date], datetime.date)]
        if asked and getattr(self, "_moved", None) is None:
            self._moved = set(Transfer.objects.filter(person__township=self.township).values_list("person_id",
                                                                                                     flat=True))
        pairs = [(pk, day) for pk, day in asked if pk in self._moved]
        self._villages_then = Person.villages_on(pairs) if pairs else {}

    def step_of(self, values, step_values, current, locked):
        if current is not None and "village_id" in values and values["village_id"] != current["_village"]:
            return None, [("village_id", MOVE_BY_TRANSFER)]  # as the form and the API refuse it (Person.clean)
        stage, day = step_values.get("stage") or "", step_values.get("stage_date")
        if not stage or stage == (current["_stage"] if current else ""):
            return None, []  # the same stage as now, or none: nothing to record
        if day is None:
            return None, [("stage_date", "发展阶段与系统中的当前阶段不同，须填写阶段日期（进入该阶段的日期）")]
        if getattr(self, "_today", None) is None:
            self._today = timezone.localdate()  # once per import, not once per row
        future = future_date_problem(day, self._today)
        if future:
            return None, [("stage_date", future)]
        steps, extension = self._steps_of_people().get(current["pk"], ({}, None)) if current else ({}, None)
        latest, top_rank = self._step_bounds.get(current["pk"], (None, None)) if current else (None, None)
        if top_rank is not None and STAGE_RANK[stage] <= top_rank:
            reached = Stage(Stage.values[top_rank]).label
            return None, [("stage", f"该人员已有“{reached}”阶段记录，发展阶段只能向后推进，"
                                    f"不能登记为“{Stage(stage).label}”")]
        if latest is not None and day < latest:
            return None, [("stage_date", f"阶段日期不能早于该人员最近一次发展阶段记录的日期（{latest:%Y-%m-%d}）")]
        birth_date = values.get("birth_date") or (Person.derived_from_id_number(values["id_number"])["birth_date"]
                                                  if values.get("id_number") else None)
        broken = development_problem({**steps, stage: day}, birth_date=birth_date, extension_months=extension)
        if broken:
            field, message = broken
            return None, [("stage_date" if field == "date" else "stage", message)]
        if current is None:
            village_id = values.get("village_id")
        else:  # where they were on the step's date (write_steps records it there, as StageChange.fill_derived)
            village_id = self._villages_then.get((current["pk"], day), current["_village"])
        if (village_id, day.year, day.month) in locked:
            return None, [("stage_date", f"{day.year}年{day.month}月的月报已审核锁定，不能导入该月的发展阶段记录")]
        return {"stage": stage, "date": day, "village_id": village_id}, []

    def decode_step(self, step):
        return {"stage": step["stage"], "date": StageChange._meta.get_field("date").to_python(step["date"]),
                "village_id": Person._meta.get_field("village_id").to_python(step["village_id"])}

    def created_with_step(self, step):
        return {"stage": stage_from_steps([(step["date"], step["stage"])])}

    def write_steps(self, steps, *, pks, user, locked, created=frozenset()):
        """Each step as a StageChange (source: import, with history), then the stage of the people who had steps
        before (a new person was written with the stage of their one step: created_with_step)."""
        from simple_history.utils import bulk_create_with_history

        unknown = [key[0] for row, key, _step in steps if row not in pks]
        person_ids = {}
        for start in range(0, len(unknown), WRITE_BATCH):
            chunk = unknown[start:start + WRITE_BATCH]
            person_ids.update(Person.objects.filter(id_number__in=chunk).values_list("id_number", "pk"))
        # A person already registered made the step in the village they belonged to on its date (Person.villages_on,
        # as StageChange.fill_derived asks Person.village_on), not where a later transfer took them.
        registered = [(pks[row] if row in pks else person_ids[key[0]], step["date"])
                      for row, key, step in steps if row not in created]
        villages_then = Person.villages_on(registered) if registered else {}
        changes, touched = [], set()
        for row, key, step in steps:
            day = step["date"]
            person_id = pks[row] if row in pks else person_ids[key[0]]
            village_id = villages_then.get((person_id, day), step["village_id"])
            if (village_id, day.year, day.month) in locked:
                raise ImportChanged(f"{day.year}年{day.month}月的月报已审核锁定，不能导入该月的发展阶段记录，"
                                    "请改正后重新上传文件。")
            changes.append({"person_id": person_id, "village_id": village_id, "stage": step["stage"], "date": day})
            if row not in created:
                touched.add(person_id)
        if bulk.supports(StageChange):  # without an instance per step and per history row (COPY on PostgreSQL)
            for start in range(0, len(changes), WRITE_BATCH):
                bulk.insert_with_history(StageChange, changes[start:start + WRITE_BATCH],
                                         defaults={"source": Source.IMPORT}, user=user, reason=CHANGE_REASON)
        else:
            bulk_create_with_history([StageChange(**change, source=Source.IMPORT) for change in changes],
                                     StageChange, batch_size=WRITE_BATCH, default_user=user,
                                     default_change_reason=CHANGE_REASON)
        touched = sorted(touched)
        for start in range(0, len(touched), WRITE_BATCH):
            Person.objects.filter(pk__in=touched[start:start + WRITE_BATCH]).refresh_stages(
                user=user, reason=CHANGE_REASON)


def _latest_step_date():
    """The date of the person's latest dated step (what 阶段日期 exports), as a subquery."""
    steps = StageChange.objects.filter(person=OuterRef("pk")).order_by("-date")
    return Subquery(steps.values("date")[:1])


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


@register("appraisals")
class AppraisalResource(LedgerResource):
    """民主评议党员台账: one row per member and year, matched on 身份证号 and 评议年度."""

    ledger_title = "民主评议党员台账"
    key = ("person_id", "year")
    key_label = "身份证号和评议年度"
    aliases = {"身份证号码": "身份证号", "年度": "评议年度", "等次": "评定等次", "日期": "评议日期",
               "支部": "党支部"}

    person_name = Field("person__name", "姓名", TextWidget(), readonly=True)
    person = Field("person_id", "身份证号", PersonWidget())
    year = Field("year", "评议年度", IntegerWidget(min_value=2000, max_value=2100, required=True))
    grade = Field("grade", "评定等次", ChoiceWidget(AppraisalGrade.choices, "评定等次", required=True))
    date = Field("date", "评议日期", DateWidget(required=True))
    branch = Field("branch_id", "党支部", BranchWidget())
    note = Field("note", "备注", TextWidget(max_length=200))

    class Meta:
        model = Appraisal
        fields = ("person_name", "person", "year", "grade", "date", "branch", "note")
        import_id_fields = ("person", "year")

    def village_of(self, values):
        return self._villages()[0].get(values.get("person_id"))

    def derive(self, values):
        people, branches = self._villages()
        day = values.get("date")
        problems = appraisal_problems(
            year=values.get("year"), day=day, person_village_id=people.get(values.get("person_id")),
            branch_village_id=branches.get(values.get("branch_id")),
            member_on_day=values.get("person_id") in self._members_on(day) if day else None)
        return list(problems.items())

    def _villages(self):
        """({person id: village id}, {branch id: village id}) of the township: two queries, once per import."""
        if getattr(self, "_village_maps", None) is None:
            self._village_maps = (
                dict(Person.objects.filter(township=self.township).values_list("pk", "village_id")),
                dict(PartyBranch.objects.filter(village__township=self.township).values_list("pk", "village_id")))
        return self._village_maps

    def _members_on(self, day):
        """The ids of the township's Party members on `day`: one query per distinct date of the file."""
        cache = self.__dict__.setdefault("_members_by_day", {})
        if day not in cache:
            cache[day] = set(Person.objects.filter(township=self.township).filter(party_member_on(day))
                             .values_list("pk", flat=True))
        return cache[day]


@register("member-dues")
class MemberDuesResource(LedgerResource):
    """党员党费台账: one row per member and month, matched on 身份证号, 年度 and 月份; 应交 is computed."""

    ledger_title = "党员党费台账"
    key = ("person_id", "year", "month")
    key_label = "身份证号、年度和月份"
    create_defaults = {"source": "import"}
    aliases = {"身份证号码": "身份证号", "收入基数": "月收入基数（元）", "定额": "定额（元）", "实交": "实交（元）",
               "实缴（元）": "实交（元）"}

    person_name = Field("person__name", "姓名", TextWidget(), readonly=True)
    person = Field("person_id", "身份证号", PersonWidget())
    year = Field("year", "年度", IntegerWidget(min_value=2000, max_value=2100, required=True))
    month = Field("month", "月份", IntegerWidget(min_value=1, max_value=12, required=True))
    category = Field("category", "交纳方式", ChoiceWidget(DuesCategory.choices, "交纳方式", required=True))
    base = Field("base", "月收入基数（元）", DecimalWidget(places=2, max_digits=12))
    fixed_amount = Field("fixed_amount", "定额（元）", DecimalWidget(places=2, max_digits=4))
    expected = Field("expected", "应交（元）", DecimalWidget(), readonly=True)
    paid = Field("paid", "实交（元）", DecimalWidget(places=2, max_digits=10))
    paid_date = Field("paid_date", "交纳日期", DateWidget())

    class Meta:
        model = MemberDues
        fields = ("person_name", "person", "year", "month", "category", "base", "fixed_amount", "expected", "paid",
                  "paid_date")
        import_id_fields = ("person", "year", "month")

    def village_of(self, values):
        """The village whose month it is: as check_rows set it (the member's at the month's end), else the
        member's now (a stored row's month, for the lock)."""
        if values.get("village_id"):
            return values["village_id"]
        if getattr(self, "_person_villages", None) is None:
            self._person_villages = dict(Person.objects.filter(township=self.township).values_list("pk", "village_id"))
        return self._person_villages.get(values.get("person_id"))

    def check_rows(self, rows):
        """Each row's village: the member's at the month's end (Person.villages_on, as MemberDues.fill_derived
        asks Person.village_on), not where they are now."""
        month_end = {}
        for _number, values, _current in rows:
            month_end[(values["year"], values["month"])] = month_bounds(values["year"], values["month"])[1]
        villages = Person.villages_on([(values["person_id"], month_end[(values["year"], values["month"])])
                                       for _number, values, _current in rows])
        for _number, values, _current in rows:
            values["village_id"] = villages[(values["person_id"], month_end[(values["year"], values["month"])])]
        return {}

    def derive(self, values):
        year, month = values.get("year"), values.get("month")
        member = None
        if year and month and values.get("person_id"):
            member = values["person_id"] in self._members_at_end_of(year, month)
        problems = dues_problems(category=values.get("category"), base=values.get("base"),
                                 fixed_amount=values.get("fixed_amount"), year=year, month=month,
                                 member_at_month_end=member)
        values["expected"] = expected_dues(values.get("category"), values.get("base"),
                                           values.get("fixed_amount")) or 0
        values["village_id"] = None  # the village whose month it is (MemberDues.village): check_rows sets it
        if values.get("paid") is None:
            values["paid"] = 0
        return list(problems.items())

    def _members_at_end_of(self, year, month):
        """The ids of the township's Party members at the month's end, where they were that day (a member
        transferred away later paid here until then): one query per month of the file."""
        cache = self.__dict__.setdefault("_members_by_month", {})
        if (year, month) not in cache:
            _first, last = month_bounds(year, month)
            members = Person.objects.filter(party_member_on(last))
            if self.township is not None:
                members = members.annotate(township_then=membership_on(last)).filter(township_then=self.township.pk)
            cache[(year, month)] = set(members.values_list("pk", flat=True))
        return cache[(year, month)]


# ---------------------------------------------------------------- 组织关系转接 (issue 16)

# The model's field names in transfer_problem's answers, as the ledger's attributes.
_TRANSFER_ATTRS = {"person": "person_id", "to_village": "to_village_id"}


class TransferVillageWidget(LedgerWidget):
    """转入村 (and, exported, 转出村): a village of the importing township by its name, or of another township by
    the township's and the village's names, as the form lists them (示范镇江南村). Which villages a transfer may
    reach is township.access.transfer_destinations's decision."""

    def bind(self, resource):
        self.resource = resource

    def parse(self, value):
        own, anywhere, _names = self.resource.transfer_villages()
        text = value.strip() if value.__class__ is str else as_text(value)
        found = own.get(text) or anywhere.get(text)
        if found is None:
            raise ValueError(f"没有可转入的“{text}”：本镇的村填写村名，其他镇的村填写镇名加村名（如“某某镇某某村”）")
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.resource.transfer_villages()[2].get(value, "")


@register("transfers")
class TransferResource(LedgerResource):
    """组织关系转接台账: one row per transfer, matched on 身份证号, 转接日期 and 转接类型. A transfer is not changed
    once recorded (only its places and note); each new row goes through the form's rule (transfer_problem) where
    the person is after the file's earlier rows of them, in date order, and confirming moves the person."""

    ledger_title = "组织关系转接台账"
    key = ("person_id", "date", "kind")
    key_label = "身份证号、转接日期和转接类型"
    create_defaults = {"source": Source.IMPORT}
    aliases = {"身份证号码": "身份证号", "日期": "转接日期", "类型": "转接类型", "转入村（镇）": "转入村",
               "原所在党组织": "原所在党组织（系统外）", "转往党组织": "转往党组织（系统外）"}

    person_name = Field("person__name", "姓名", TextWidget(), readonly=True)
    person = Field("person_id", "身份证号", PersonWidget())
    date = Field("date", "转接日期", DateWidget(required=True))
    kind = Field("kind", "转接类型", ChoiceWidget(TransferKind.choices, "转接类型", required=True))
    from_village = Field("from_village_id", "转出村", TransferVillageWidget(), readonly=True)
    to_village = Field("to_village_id", "转入村", TransferVillageWidget())
    from_place = Field("from_place", "原所在党组织（系统外）", TextWidget(max_length=100))
    to_place = Field("to_place", "转往党组织（系统外）", TextWidget(max_length=100))
    note = Field("note", "备注", TextWidget(max_length=200))

    class Meta:
        model = Transfer
        fields = ("person_name", "person", "date", "kind", "from_village", "to_village", "from_place", "to_place",
                  "note")
        import_id_fields = ("person", "date", "kind")

    def transfer_villages(self):
        """({name: id} of the township's villages, {township and village name: id} of the villages a transfer may
        reach, {id: name as the export writes it}): one query, once per import."""
        if getattr(self, "_transfer_villages", None) is None:
            villages = Village.objects.select_related("township").order_by("pk")
            user = getattr(self, "importing_user", None)
            reachable = set(access.transfer_destinations(user, villages).values_list("pk", flat=True)) \
                if user is not None else None
            own, anywhere, names, self._village_townships = {}, {}, {}, {}
            township_id = self.township.pk if self.township is not None else None
            for village in villages:
                self._village_townships[village.pk] = village.township_id
                full = f"{village.township.name}{village.name}"
                names[village.pk] = village.name if village.township_id == township_id else full
                if reachable is None or village.pk in reachable:
                    anywhere[full] = village.pk
                    if village.township_id == township_id:
                        own[village.name] = village.pk
            self._transfer_villages = (own, anywhere, names)
        return self._transfer_villages

    def existing(self, keys, attrs):
        """The stored transfers of the file's people, whichever townships they run between: one query per 500
        people. A transfer touching the township (either end) is the township's."""
        names = self.stored_names(attrs)
        fetch = [*(name for name in names if name != "_township"), "from_township_id", "to_township_id"]
        people = sorted({key[0] for key in keys})
        found = {}
        for start in range(0, len(people), LOOKUP_CHUNK):
            rows = Transfer.objects.filter(person_id__in=people[start:start + LOOKUP_CHUNK]).order_by().values(*fetch)
            for row in rows:
                ends = (row["from_township_id"], row["to_township_id"])
                row["_township"] = self.township.pk if self.township.pk in ends else next(e for e in ends if e)
                found[(row["person_id"], row["date"], row["kind"])] = tuple(row[name] for name in names)
        return names, found

    def check_rows(self, rows):
        problems = {}
        new = []
        for number, values, current in rows:
            if current is None:
                new.append((number, values))
                continue
            broken = immutable_transfer_problem(current, values)
            if broken:
                problems[number] = [(_TRANSFER_ATTRS.get(broken[0], broken[0]), broken[1])]
        if new:
            planned, _ends, _moves = self._plan(new, self._facts({values["person_id"] for _n, values in new}))
            problems.update(planned)
        return problems

    def prepare_creates(self, rows, *, user):
        """Check the new transfers again against what is stored now (the people locked), fill their ends and move
        their people, with a history row per transfer as a form's save() writes it."""
        planned, ends, moves = self._plan(list(enumerate(rows)),
                                          self._facts({row["person_id"] for row in rows}, lock=True))
        if planned:
            message = planned[min(planned)][0][1]
            raise ImportChanged(f"预览后该人员的组织关系或转接记录已有变动（{message}），请重新上传文件。")
        for index, row in enumerate(rows):
            row.update(ends[index])
        self._move_people(moves, user=user)

    def _facts(self, person_ids, *, lock=False):
        """({person id: Place}, {person id: date of their latest transfer}, {person id: date of their latest step}):
        three queries per 500 people."""
        places, latest, steps = {}, {}, {}
        people = sorted(person_ids)
        for start in range(0, len(people), LOOKUP_CHUNK):
            chunk = people[start:start + LOOKUP_CHUNK]
            found = Person.objects.filter(pk__in=chunk).order_by()
            if lock:
                found = found.select_for_update()
            for pk, township_id, village_id, left_on in found.values_list("pk", "township_id", "village_id",
                                                                          "left_on"):
                places[pk] = Place(township_id, village_id, left_on)
            for model, into in ((Transfer, latest), (StageChange, steps)):
                into.update(model.objects.filter(person_id__in=chunk).order_by().values("person_id")
                            .annotate(last=Max("date")).values_list("person_id", "last"))
        return places, latest, steps

    def _plan(self, rows, facts):
        """The new transfers [(number, values)] applied person by person in date order (then file order):
        ({number: [(attribute, message)]} of the rows that break a rule, {number: the transfer's ends},
        [(person id, kind, Place after the transfer)] in the order they apply)."""
        places, latest, steps = facts
        _own, _anywhere, names = self.transfer_villages()
        townships = self._village_townships
        by_person = defaultdict(list)
        for number, values in rows:
            by_person[values["person_id"]].append((values["date"], number, values))
        problems, ends, moves = {}, {}, []
        for person_id, items in by_person.items():
            place, last_transfer = places.get(person_id), latest.get(person_id)
            failed = None
            for day, number, values in sorted(items, key=lambda item: item[:2]):
                if place is None or place.township_id != self.township.pk:
                    problems[number] = [("person_id", "该人员的组织关系不在本镇，其转接由所在镇登记")]
                    continue
                if failed is not None:
                    problems[number] = [("date", f"该人员在本文件中较早的转接（第{failed}行）有错误，"
                                                 "本行须按日期顺序在其后登记，请先改正该行")]
                    continue
                kind, to_village_id = values["kind"], values.get("to_village_id")
                to_township_id = townships.get(to_village_id)
                broken = transfer_problem(
                    kind=kind, day=day, to_village_id=to_village_id, to_township_id=to_township_id,
                    from_place=values.get("from_place", ""), to_place=values.get("to_place", ""), place=place,
                    village_name=lambda village_id=place.village_id: names.get(village_id, ""),
                    latest_transfer=last_transfer, last_step=steps.get(person_id))
                ends[number] = transfer_ends(kind, place, to_township_id=to_township_id)
                if broken is None and not access.touches(Transfer(**ends[number]), township_id=self.township.pk):
                    broken = ("person", "该转接的转出镇和转入镇都不是本镇，只能由相关镇登记")
                if broken:
                    field, message = broken
                    problems[number] = [(_TRANSFER_ATTRS.get(field, field), message)]
                    failed = number
                    continue
                place = place_after(kind, day, place, to_township_id=to_township_id, to_village_id=to_village_id)
                moves.append((person_id, kind, place))
                last_transfer = day
        return problems, ends, moves

    def _move_people(self, moves, *, user):
        """Each person where their transfers leave them (one UPDATE per 2,000 people), and a history row of the
        person per transfer, with its reason (transfer_reason), in the order they apply."""
        ids = sorted({person_id for person_id, _kind, _place in moves})
        people = {}
        for start in range(0, len(ids), WRITE_BATCH):
            people.update(Person.objects.in_bulk(ids[start:start + WRITE_BATCH]))
        snapshots = []
        for person_id, kind, place in moves:
            person = people[person_id]
            person.township_id, person.village_id, person.left_on = place.township_id, place.village_id, place.left_on
            snapshot = copy.copy(person)
            snapshot._change_reason = transfer_reason(kind)
            snapshots.append(snapshot)
        Person.objects.bulk_update(list(people.values()), ["township", "village", "left_on"], batch_size=WRITE_BATCH)
        Person.history.bulk_history_create(snapshots, update=True, batch_size=WRITE_BATCH, default_user=user)
