"""Demo people of 示范镇: the member pipeline, reserve cadres and talent of 2022–2023.

Sized so that the 2023 report reads like the reference: 积极分子31名 on 31 Dec,
吸收预备党员5个 and 转正3名 in the year, 后备干部51名 with 育苗档案12人,
产业带头人59名 and 培养对象71名. Idempotent: a kind already present is left alone.
"""
import datetime
from decimal import Decimal

from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from villages import demo as village_demo
from villages.models import PartyBranch, Township, month_bounds

from .id_numbers import make_id_number
from .models import (
    Appraisal,
    AppraisalGrade,
    DuesCategory,
    MemberDues,
    Person,
    ReserveCadre,
    Stage,
    StageChange,
    Talent,
    TalentKind,
    Transfer,
    TransferKind,
    expected_dues,
    membership_on,
    party_member_on,
)

REGION = "640122"
RESERVE_REGION = "640121"  # another county code, so demo 身份证号 never collide
MEMBER_REGION = "640181"  # the members who joined before the system (a third code)


def members_of(order):
    """How many Party members the demo's village number `order` (1–12) has: 33 to 66, as its roster says."""
    return 30 + order * 3
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = ["建军", "海燕", "志强", "秀兰", "国庆", "丽娟", "文斌", "晓红", "永福", "春梅", "学军", "玉兰", "明亮",
         "桂英", "振华", "淑芬", "红霞", "德胜", "小龙", "佳慧"]

# (how many, birth year range start, steps as (stage, date)) — dated steps of each group.
PIPELINE = [
    # Activists since 2022, still activists on 31 Dec 2023.
    (24, 1988, [(Stage.APPLICANT, datetime.date(2021, 9, 10)), (Stage.ACTIVIST, datetime.date(2022, 4, 15))]),
    # Became activists in 2023.
    (7, 1996, [(Stage.APPLICANT, datetime.date(2022, 10, 8)), (Stage.ACTIVIST, datetime.date(2023, 5, 12))]),
    # Activists in 2022, 发展对象 in 2023.
    (7, 1990, [(Stage.APPLICANT, datetime.date(2021, 3, 2)), (Stage.ACTIVIST, datetime.date(2022, 3, 20)),
               (Stage.CANDIDATE, datetime.date(2023, 6, 18))]),
    # Admitted as probationary members in 2023 (吸收预备党员5个).
    (5, 1987, [(Stage.APPLICANT, datetime.date(2020, 3, 5)), (Stage.ACTIVIST, datetime.date(2021, 4, 1)),
               (Stage.CANDIDATE, datetime.date(2022, 5, 9)), (Stage.PROBATIONARY, datetime.date(2023, 6, 28))]),
    # Probationary in 2022, full members in 2023 (转正3名).
    (3, 1985, [(Stage.APPLICANT, datetime.date(2019, 3, 5)), (Stage.ACTIVIST, datetime.date(2020, 4, 1)),
               (Stage.CANDIDATE, datetime.date(2021, 5, 9)), (Stage.PROBATIONARY, datetime.date(2022, 6, 28)),
               (Stage.MEMBER, datetime.date(2023, 6, 29))]),
    # Probationary in 2021, full members in 2022.
    (2, 1983, [(Stage.APPLICANT, datetime.date(2018, 3, 5)), (Stage.ACTIVIST, datetime.date(2019, 4, 1)),
               (Stage.CANDIDATE, datetime.date(2020, 5, 9)), (Stage.PROBATIONARY, datetime.date(2021, 6, 28)),
               (Stage.MEMBER, datetime.date(2022, 6, 29))]),
    # Admitted as probationary members in 2022, not yet full members.
    (1, 1992, [(Stage.APPLICANT, datetime.date(2020, 3, 5)), (Stage.ACTIVIST, datetime.date(2021, 4, 1)),
               (Stage.CANDIDATE, datetime.date(2022, 4, 9)), (Stage.PROBATIONARY, datetime.date(2022, 7, 1))]),
]

# Reserve cadres per village (51 in all; 幸福村 is short of the target of 3).
RESERVE_PER_VILLAGE = [5, 5, 5, 5, 4, 4, 4, 4, 5, 5, 3, 2]

TALENT = [
    # kind, total on 31 Dec 2023, of which joined in 2023
    (TalentKind.INDUSTRY_LEADER, 59, 11),
    (TalentKind.INDUSTRY_LEADER_TRAINEE, 71, 16),
    (TalentKind.REVITALISATION_GRADUATE, 12, 0),
    (TalentKind.LOCAL_GRADUATE, 2, 2),
    (TalentKind.EXPERT, 4, 1),
    (TalentKind.RETURNEE, 9, 3),
    (TalentKind.PRACTICAL, 15, 4),
]
TALENT_FIELDS = ["设施蔬菜", "青贮饲草", "草莓采摘", "肉牛养殖", "螺丝菜种植", "巨菌草种植", "乡村旅游", "电商"]


def _name(i):
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES) + i) % len(GIVEN)]


def _person(township, village, i, born_year, serial_base, region=REGION):
    born = datetime.date(born_year, 1 + i % 12, 1 + (i * 7) % 28)
    id_number = make_id_number(region, born, serial_base + i, male=i % 3 != 0)
    return Person(
        township=township, village=village, name=_name(serial_base + i), id_number=id_number,
        is_veteran=i % 9 == 0, is_wealth_leader=i % 5 == 0, is_returned_youth=i % 7 == 0,
    ).derive_from_id_number()


def load(township):
    villages = list(township.villages.order_by("order"))
    if not Person.objects.filter(township=township, stage_changes__isnull=False).exists():
        _load_pipeline(township, villages)
    if not Person.objects.filter(township=township, id_number__startswith=MEMBER_REGION).exists():
        _load_members(township, villages)
    if not ReserveCadre.objects.filter(village__township=township).exists():
        _load_reserve_cadres(township, villages)
    if not Talent.objects.filter(township=township).exists():
        _load_talent(township, villages)
    if not Transfer.objects.filter(person__township=township).exists():
        _load_transfers(township, villages)
    neighbour = Township.objects.filter(name=village_demo.NEIGHBOUR_NAME).first()
    if neighbour and not Person.objects.filter(id_number__startswith=NEIGHBOUR_REGION).exists():
        _load_neighbour(township, villages, neighbour)
    if not Appraisal.objects.filter(person__township=township).exists():
        _load_appraisals(township)
    if not MemberDues.objects.filter(village__township=township).exists():
        _load_dues(township)


def _load_pipeline(township, villages):
    persons, steps_of = [], []
    i = 0
    for count, born_from, steps in PIPELINE:
        for n in range(count):
            person = _person(township, villages[i % len(villages)], i, born_from + n % 9, 0)
            persons.append(person)
            steps_of.append(steps)
            i += 1
    bulk_create_with_history(persons, Person)
    saved = dict(Person.objects.filter(township=township).values_list("id_number", "id"))
    changes = [
        StageChange(person_id=saved[person.id_number], stage=stage, date=date)
        for person, steps in zip(persons, steps_of, strict=True)
        for stage, date in steps
    ]
    bulk_create_with_history(changes, StageChange)
    Person.objects.filter(township=township, stage_changes__isnull=False).distinct().refresh_stages()


def _load_reserve_cadres(township, villages):
    people, cadres = [], []
    i = 0
    for village, count in zip(villages, RESERVE_PER_VILLAGE, strict=True):
        for n in range(count):
            person = _person(township, village, i, 1990 + i % 9, 300, region=RESERVE_REGION)
            people.append(person)
            # The first of each village is the 村书记后备人选 with a 育苗档案 (“金种子”工程).
            # The last of each village joined in 2023.
            since = datetime.date(2023, 3, 1 + i % 28) if n == count - 1 else datetime.date(2022, 4, 1 + i % 28)
            cadres.append((person.id_number, village, n == 0, since))
            i += 1
    bulk_create_with_history(people, Person)
    saved = dict(Person.objects.filter(township=township).values_list("id_number", "id"))
    bulk_create_with_history([
        ReserveCadre(person_id=saved[id_number], village=village, has_seedling_file=first,
                     is_secretary_successor=first, since=since)
        for id_number, village, first, since in cadres
    ], ReserveCadre)


def _load_talent(township, villages):
    talents = []
    i = 0
    for kind, total, joined_2023 in TALENT:
        for n in range(total):
            village = villages[n % len(villages)] if kind != TalentKind.EXPERT else None
            if n < joined_2023:
                since = datetime.date(2023, 1 + n % 12, 10)
            else:
                since = datetime.date(2021 + n % 2, 1 + n % 12, 10)
            talents.append(Talent(
                township=township, village=village, name=_name(600 + i), kind=kind,
                field=TALENT_FIELDS[i % len(TALENT_FIELDS)], since=since,
            ))
            i += 1
    bulk_create_with_history(talents, Talent)


def _load_members(township, villages):
    """The members who joined before the system, so that each village's roster holds members_of(order) Party members
    (the pipeline's own probationary and full members count too). Their one recorded step is 正式党员, dated
    before 2022: the report's counts of 2022–2023 (转正, 吸收预备党员, 积极分子) do not change."""
    people, joined = [], []
    i = 0
    for order, village in enumerate(villages, start=1):
        missing = members_of(order) - Person.objects.filter(village=village).party_members().count()
        for _n in range(max(missing, 0)):
            person = _person(township, village, i, 1950 + i % 42, 900, region=MEMBER_REGION)
            people.append(person)
            joined.append(datetime.date(min(person.birth_date.year + 24 + i % 16, 2021), 1 + i % 12, 1))
            i += 1
    _register_members(people, joined)


def _register_members(people, joined):
    """Save `people` (unsaved Person instances), each with one 正式党员 step dated by `joined`, and their stage."""
    bulk_create_with_history(people, Person)
    saved = dict(Person.objects.filter(id_number__in=[person.id_number for person in people])
                 .values_list("id_number", "id"))
    bulk_create_with_history([StageChange(person_id=saved[person.id_number], stage=Stage.MEMBER, date=day)
                              for person, day in zip(people, joined, strict=True)], StageChange)
    Person.objects.filter(pk__in=saved.values()).refresh_stages()


APPRAISAL_DAY = datetime.date(2023, 12, 20)  # each branch's 民主评议党员 of 2023, at its year-end meeting


def _appraisal_grade(i):
    """About 14 % 优秀, 3 % 基本合格, two 不合格 in the township and the rest 合格 (i: the member's place)."""
    if i % 250 == 125:
        return AppraisalGrade.UNQUALIFIED
    if i % 30 == 15:
        return AppraisalGrade.BASICALLY_QUALIFIED
    if i % 7 == 0:
        return AppraisalGrade.EXCELLENT
    return AppraisalGrade.QUALIFIED


def _load_appraisals(township):
    """民主评议党员 of 2023: every Party member on the day (预备党员 and 正式党员), graded by their village's branch."""
    members = (Person.objects.filter(township=township).filter(party_member_on(APPRAISAL_DAY)).on_roster()
               .order_by("village__order", "pk").values_list("pk", "village_id"))
    branches = {}
    for village_id, branch_id in (PartyBranch.objects.filter(village__township=township).order_by("-pk")
                                  .values_list("village_id", "pk")):
        branches[village_id] = branch_id  # the village's first branch
    bulk_create_with_history([
        Appraisal(person_id=person_id, year=2023, grade=_appraisal_grade(i), date=APPRAISAL_DAY,
                  branch_id=branches[village_id])
        for i, (person_id, village_id) in enumerate(members) if village_id in branches
    ], Appraisal)


def _load_dues(township):
    """党费 of 2023, member by member and month: most village members are farmers paying a fixed 0.5 or 1 元; the
    rest pay by their income's bracket; a few owe the last months of the year."""
    rows = []
    ours = set(township.villages.values_list("pk", flat=True))
    for month in range(1, 13):
        _first, last = month_bounds(2023, month)
        # The members of the township's villages on the month's last day, wherever they are now (a member who
        # left for 青山镇 in September paid here until August).
        members = (Person.objects.filter(party_member_on(last))
                   .filter(Q(left_on__isnull=True) | Q(left_on__gt=last))
                   .annotate(village_then=membership_on(last, end="village"))
                   .filter(village_then__in=ours)
                   .order_by("village__order", "pk").values_list("pk", "village_then"))
        for i, (person_id, village_id) in enumerate(members):
            if i % 4:
                dues = MemberDues(category=DuesCategory.FIXED, fixed_amount=Decimal("1.00") if i % 2 else
                                  Decimal("0.50"))
            else:
                dues = MemberDues(category=DuesCategory.INCOME, base=Decimal(2400 + (i * 373) % 7000))
            dues.expected = expected_dues(dues.category, dues.base, dues.fixed_amount)
            owes = i % 45 == 7 and month >= 11
            dues.paid = Decimal("0") if owes else dues.expected
            dues.paid_date = None if owes else datetime.date(2023, month, 25)
            dues.person_id, dues.village_id, dues.year, dues.month = person_id, village_id, 2023, month
            rows.append(dues)
    bulk_create_with_history(rows, MemberDues, batch_size=2000)


# 组织关系转接 of 2023, as a township of 12 villages has them: two pairs of members moving between villages (a
# marriage, a new home in the resettlement area), two members leaving for Party organisations outside the system
# and two arriving from them, in the villages they left, so each village keeps members_of(order) on its roster.
# Between 示范镇 and its neighbour 青山镇 (villages.demo), a member of each goes to the other in 2023: one 转入 and
# one 转出 for each township, the same village keeping its roster.
WITHIN_SWAPS = [  # (village order, village order, date, note): a member of each goes to the other
    (1, 2, datetime.date(2023, 3, 16), "婚后迁居"),
    (6, 4, datetime.date(2023, 7, 11), "移民安置搬迁"),
]
LEAVING = [  # (village order, date, where to)
    (3, datetime.date(2023, 5, 19), "银川市金凤区满城北街街道党工委"),
    (9, datetime.date(2023, 10, 9), "吴忠市利通区金积镇党委"),
]
ARRIVING = [  # (village order, date, joined the Party, where from)
    (3, datetime.date(2023, 8, 6), datetime.date(2012, 7, 1), "固原市原州区三营镇党委"),
    (9, datetime.date(2023, 11, 22), datetime.date(2016, 6, 30), "中卫市沙坡头区宣和镇党委"),
]
ARRIVING_SERIAL = 1900
BETWEEN = [  # (示范镇 village order, 青山镇 village order, date, note, to 青山镇?)
    (5, 2, datetime.date(2023, 4, 20), "投亲落户", False),
    (5, 1, datetime.date(2023, 9, 3), "随子女迁居", True),
]
NEIGHBOUR_REGION = "640302"  # 青山镇's members (a fourth county code)
NEIGHBOUR_MEMBERS = 24  # Party members of each of its villages


def _load_neighbour(township, villages, neighbour):
    """青山镇's members (one 正式党员 step each, before 2022), and the transfers of BETWEEN with 示范镇: the person
    moves with their steps (Transfer.save), registered once."""
    theirs = list(neighbour.villages.order_by("order"))
    people, joined = [], []
    for v, village in enumerate(theirs):
        for n in range(NEIGHBOUR_MEMBERS):
            i = v * NEIGHBOUR_MEMBERS + n
            people.append(_person(neighbour, village, i, 1955 + i % 40, 3000, region=NEIGHBOUR_REGION))
            joined.append(datetime.date(min(people[-1].birth_date.year + 25 + i % 12, 2021), 1 + i % 12, 1))
    _register_members(people, joined)
    ours = dict(enumerate(villages, start=1))
    for our_order, their_order, day, note, outwards in BETWEEN:
        here, there = ours[our_order], theirs[their_order - 1]
        origin = here if outwards else there
        person = (Person.objects.filter(village=origin, stage=Stage.MEMBER, transfers__isnull=True)
                  .order_by("-pk").first())
        Transfer(person=person, kind=TransferKind.BETWEEN, date=day, to_village=there if outwards else here,
                 note=note).save()


def _load_transfers(township, villages):
    """The transfers of 2023 (Transfer.save moves each person): deterministic, from the pre-system members."""
    by_order = dict(enumerate(villages, start=1))
    first_members = {}
    for person in Person.objects.filter(township=township, id_number__startswith=MEMBER_REGION).order_by("pk"):
        first_members.setdefault(person.village_id, []).append(person)
    taken = {}  # village id → how many of its members have been picked

    def pick(order):
        village = by_order[order]
        n = taken.get(village.pk, 0)
        taken[village.pk] = n + 1
        return first_members[village.pk][n]

    for order_a, order_b, day, note in WITHIN_SWAPS:
        one, other = pick(order_a), pick(order_b)
        Transfer(person=one, kind=TransferKind.WITHIN, date=day, to_village=by_order[order_b], note=note).save()
        Transfer(person=other, kind=TransferKind.WITHIN, date=day, to_village=by_order[order_a], note=note).save()
    for order, day, place in LEAVING:
        Transfer(person=pick(order), kind=TransferKind.OUT, date=day, to_place=place).save()
    for n, (order, day, joined, place) in enumerate(ARRIVING):
        person = _person(township, by_order[order], n, 1980 + n * 7, ARRIVING_SERIAL, region=MEMBER_REGION)
        person.save()
        StageChange(person=person, stage=Stage.MEMBER, date=joined).save()
        Transfer(person=person, kind=TransferKind.IN, date=day, to_village=person.village, from_place=place).save()
