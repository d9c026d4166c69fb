from django.db.models import F, Q
from django.urls import reverse

from records.filters import INT_RANGE, BooleanFilter, ChoiceFilter, DateFilter, IntegerFilter, on_record
from records.registry import DetailTable, RecordType, register
from township.masking import BIRTH_DATE

from .forms import PersonForm, PersonSerializer, TransferForm, TransferSerializer
from .models import (
    PARTY_MEMBER_STAGES,
    REPORTED_STAGES,
    STAGE_RANK,
    Appraisal,
    CadreTraining,
    MemberDues,
    Person,
    ReserveCadre,
    StageChange,
    Talent,
    Transfer,
    at_stage_on,
    in_system_on,
    membership_on,
)

GROUP = "党员与干部"


def _stage(stage, others):
    """发展阶段: the stage now, or on 阶段截至日期 when one is given (the year-end counts: of the people who
    belonged to a township of the system on that day, not those transferred in later or out of the system by
    then; the list holds them by where they were that day: as_of)."""
    if others.get("on"):
        return at_stage_on(others["on"], stage) & in_system_on(others["on"])
    return Q(stage=stage)


def _where_then(day):
    """(township id, village id) of each person on `day` (membership_on): the lists of a day past."""
    return membership_on(day), membership_on(day, "village")


def _left(yes, others):
    """已转出: transferred out of the system (by 阶段截至日期 when one is given, else by now)."""
    day = others.get("on")
    gone = Q(left_on__isnull=False) & (Q(left_on__lte=day) if day else Q())
    return gone if yes else ~gone


def born_after(path):
    """出生晚于: younger than a given age on a day (35岁以下 on 31 December: born after 31 December 35 years before)."""
    return DateFilter(label="出生晚于", personal=BIRTH_DATE,
                      condition=lambda day, _others: Q(**{f"{path}__gt": day}))

def timeline(person, _user):
    """The person's dated steps and 组织关系转接, in order, with who recorded each (its first history entry):
    four queries."""
    return [_steps_table(person), _transfers_table(person)]


def _recorded(model, records):
    """{record id: its first history entry (who recorded it, when)}: one query."""
    created = model.history.filter(id__in=[record.pk for record in records], history_type="+").select_related(
        "history_user").order_by("history_date")
    recorded = {}
    for entry in created:
        recorded.setdefault(entry.id, entry)
    return recorded


def _by_and_when(entry):
    by = entry.history_user.username if entry and entry.history_user else "系统"
    return (by, ""), (f"{entry.history_date:%Y-%m-%d %H:%M}" if entry else "", "")


def _transfers_table(person):
    transfers = list(person.transfers.select_related("from_village", "to_village", "from_township", "to_township")
                     .order_by("date", "pk"))
    recorded = _recorded(Transfer, transfers)
    rows = []
    for transfer in transfers:
        came_from = (f"{transfer.from_township}{transfer.from_village}" if transfer.from_village_id
                     else transfer.from_place or "系统外")
        went_to = (f"{transfer.to_township}{transfer.to_village}" if transfer.to_village_id
                   else transfer.to_place or "系统外")
        rows.append([(f"{transfer.date:%Y-%m-%d}", reverse("records:transfers-detail", args=[transfer.pk])),
                     (transfer.get_kind_display(), ""), (came_from, ""), (went_to, ""),
                     *_by_and_when(recorded.get(transfer.pk)), (transfer.note, "")])
    return DetailTable("组织关系转接", ["日期", "转接类型", "转出", "转入", "登记人", "登记时间", "备注"], rows,
                       empty="暂无组织关系转接记录。")


def _steps_table(person):
    steps = sorted(person.stage_changes.select_related("village"),
                   key=lambda step: (step.date, STAGE_RANK[step.stage]))
    recorded = _recorded(StageChange, steps)
    rows = []
    for step in steps:
        label = step.get_stage_display()
        if step.extension_months:
            label += f"（{step.extension_months}个月）"
        rows.append([(f"{step.date:%Y-%m-%d}", reverse("records:stage-changes-detail", args=[step.pk])),
                     (label, ""), (str(step.village), ""), (step.get_source_display(), ""),
                     *_by_and_when(recorded.get(step.pk)), (step.note, "")])
    return DetailTable("发展历程", ["日期", "发展阶段", "登记村", "来源", "登记人", "登记时间", "备注"], rows,
                       empty="暂无发展阶段记录。")


register(RecordType(
    model=Person, slug="persons", group=GROUP,
    list_fields=["name", "village", "gender", "birth_date", "id_number", "stage", "is_mobile", "left_on"],
    filter_fields=["stage", "is_mobile", "is_veteran", "is_wealth_leader", "is_returned_youth"],
    search_fields=["name", "id_number"],
    # The birth date is read from the 身份证号: with its last four it gives the number back.
    masked_fields=["id_number", "phone", "birth_date", "mobile_phone"],
    # 发展阶段 follows the dated stage changes; 性别 and 出生日期 are read from the 身份证号.
    # 所属村 is chosen when a person is registered; they move by 组织关系转接 (Person.clean refuses an edit).
    form_fields=["township", "village", "name", "id_number", "phone", "is_mobile", "mobile_place", "mobile_origin",
                 "mobile_phone", "last_contacted", "is_veteran", "is_wealth_leader", "is_returned_youth", "note"],
    form_class=PersonForm,
    serializer_class=PersonSerializer,
    detail_tables=timeline,
    api_fields=["id", "village", "township", "name", "id_number", "gender", "birth_date", "phone", "stage",
                "is_mobile", "mobile_place", "mobile_origin", "mobile_phone", "last_contacted", "is_veteran",
                "is_wealth_leader", "is_returned_youth", "left_on", "note"],
    extra_filters={
        # A person's stage is never 延长预备期 (they stay 预备党员): the steps' kinds without it.
        "stage": ChoiceFilter(label="发展阶段", choices=REPORTED_STAGES, condition=_stage),
        "on": DateFilter(label="阶段截至日期", condition=lambda _day, _others: Q()),
        "party_member": BooleanFilter(label="党员（含预备党员）", condition=lambda yes, _others: (
            Q(stage__in=PARTY_MEMBER_STAGES) if yes else ~Q(stage__in=PARTY_MEMBER_STAGES))),
        "dues_arrears": IntegerFilter(label="欠交党费年度", condition=lambda year, _others: Q(
            pk__in=MemberDues.objects.filter(year=year).in_arrears().values("person_id"))),
        "left": BooleanFilter(label="已转出系统外", condition=_left),
    },
    # The roster: the people whose 组织关系 is in the system, unless 已转出 is asked for.
    default_filters={"left": "false"},
    # 阶段截至日期 (the year-end lists behind the figures): the people by where they belonged that day, so that
    # one transferred to another township since is listed where the figure counts them.
    as_of=("on", _where_then),
))
register(RecordType(
    model=StageChange, slug="stage-changes", group=GROUP,
    list_fields=["date", "person", "stage", "source"],
    filter_fields=["stage", "source"], year_field="date",
    search_fields=["person__name"],
    select_related=["person__village"],
    extra_filters={"born_after": born_after("person__birth_date")},
))
register(RecordType(
    model=Transfer, slug="transfers", group=GROUP,
    list_fields=["date", "person", "kind", "from_village", "to_village", "from_place", "to_place"],
    form_fields=["person", "kind", "date", "to_village", "from_place", "to_place", "note"],
    form_class=TransferForm,
    serializer_class=TransferSerializer,
    api_fields=["id", "person", "kind", "date", "from_township", "from_village", "from_place", "to_township",
                "to_village", "to_place", "note", "source"],
    filter_fields=["kind"], year_field="date",
    search_fields=["person__name", "from_place", "to_place"],
    select_related=["person__village", "from_township", "to_township"],
    extra_filters={
        # What members.transferred_in and members.transferred_out count: transfers into (out of) a township from
        # (to) anywhere else, in the system or outside it.
        "into_township": IntegerFilter(label="转入镇（编号）", **INT_RANGE, condition=lambda township, _others: (
            Q(to_township_id=township) & ~Q(from_township_id=township))),
        "out_of_township": IntegerFilter(label="转出镇（编号）", **INT_RANGE, condition=lambda township, _others: (
            Q(from_township_id=township) & ~Q(to_township_id=township))),
    },
))
register(RecordType(
    model=ReserveCadre, slug="reserve-cadres", group=GROUP,
    list_fields=["person", "village", "has_seedling_file", "is_secretary_successor", "since", "until"],
    filter_fields=["has_seedling_file", "is_secretary_successor"], year_field="since",
    search_fields=["person__name"],
    extra_filters={"on_record": on_record(),
                   "born_after": born_after("person__birth_date")},
))
register(RecordType(
    model=CadreTraining, slug="cadre-trainings", group=GROUP,
    list_fields=["date", "title", "reserve_cadre", "form", "hours"],
    filter_fields=["form"], year_field="date",
    search_fields=["title", "reserve_cadre__person__name"],
    select_related=["reserve_cadre__person", "reserve_cadre__village"],
))
register(RecordType(
    model=Talent, slug="talents", group=GROUP,
    list_fields=["name", "kind", "village", "field", "since", "until"],
    filter_fields=["kind"], year_field="since",
    search_fields=["name", "field"],
    masked_fields=["phone"],
    extra_filters={"on_record": on_record()},
))
register(RecordType(
    model=Appraisal, slug="appraisals", group=GROUP,
    list_fields=["year", "person", "branch", "grade", "date"],
    filter_fields=["grade", "branch"], year_field="year",
    search_fields=["person__name"],
    select_related=["person__village", "branch__village"],
))
register(RecordType(
    model=MemberDues, slug="member-dues", group=GROUP,
    list_fields=["year", "month", "person", "category", "base", "expected", "paid", "paid_date"],
    form_fields=["person", "year", "month", "category", "base", "fixed_amount", "paid", "paid_date"],
    api_fields=["id", "person", "year", "month", "category", "base", "fixed_amount", "expected", "paid", "paid_date"],
    filter_fields=["category", "month"], year_field="year",
    search_fields=["person__name"],
    select_related=["person__village"],
    sum_fields={"expected": "元", "paid": "元"},
    extra_filters={"arrears": BooleanFilter(label="欠交", condition=lambda yes, _others: (
        Q(paid__lt=F("expected")) if yes else Q(paid__gte=F("expected"))))},
))
