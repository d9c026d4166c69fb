"""One declaration per registered record type: how to make one, a valid create payload, and an edit.

The generic walk in test_walk.py runs every check over every spec; test_every_type_has_a_spec
fails when a record type is registered without one."""
from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from committee.models import TownshipNotice
from study.models import OrgLifeRequirement
from tests.cadres.factories import (
    AppraisalFactory,
    CadreTrainingFactory,
    MemberDuesFactory,
    PersonFactory,
    ReserveCadreFactory,
    StageChangeFactory,
    TalentFactory,
    TransferFactory,
    id_number_for,
    party_member,
)
from tests.economy.factories import (
    AllianceFactory,
    EnterpriseFactory,
    IncomeRecordFactory,
    IndustryProjectFactory,
    TownshipEconomyTargetFactory,
    VillageIncomeTargetFactory,
)
from tests.records.factories import (
    BulletinFactory,
    CampaignFactory,
    CampaignTaskFactory,
    ProblemFactory,
    SupervisionVisitFactory,
    TownshipTargetFactory,
    WorkEventFactory,
)
from tests.study.factories import OrgLifeEventFactory, StudyActivityFactory, StudyPlanFactory
from tests.villages.factories import PartyBranchFactory, StarRatingFactory


@dataclass
class Ctx:
    """The organisation a walk runs in: 示范镇 with 江南村 (village) and its branch."""

    township: Any
    village: Any

    @property
    def branch(self):
        return self.village.branches.first()


@dataclass
class Spec:
    slug: str
    make: Callable[[Ctx, int], Any]  # the n-th record of 江南村 (or of the township)
    payload: Callable[[Ctx], dict]  # valid data to create one through the form and the API
    edit: tuple[str, Any]  # a field and a new value for it
    village_level: bool = True  # a secretary of 江南村 sees it
    secretary_edits: bool = False
    month: Callable[[dict], tuple[int, int]] | None = None  # the (year, month) a payload belongs to
    extra: dict = field(default_factory=dict)


def _iso_month(key):
    def month(payload):
        day = datetime.date.fromisoformat(payload[key])
        return day.year, day.month

    return month


def _notice(c, n):
    notice = TownshipNotice.objects.create(township=c.township, title=f"镇党委通知（{n}）", text="请各村按时完成。")
    notice.villages.set([c.village])
    return notice


def _third_village(c):
    """A village of the township that is neither 江南村 nor 联星村 (whose secretary must not see the transfer)."""
    from villages.models import Village

    return Village.objects.get_or_create(township=c.township, name="通昌村", defaults={"order": 3})[0]


SPECS = [
    Spec(
        "persons",
        make=lambda c, n: PersonFactory(village=c.village, township=c.township),
        payload=lambda c: {"village": c.village.pk, "name": "张建国", "id_number": id_number_for(900),
                           "phone": "13912345678", "is_mobile": True},
        edit=("name", "张建军"), secretary_edits=True,
    ),
    Spec(
        "stage-changes",
        make=lambda c, n: StageChangeFactory(person__village=c.village, person__township=c.township),
        payload=lambda c: {"person": PersonFactory(village=c.village, township=c.township).pk,
                           "stage": "activist", "date": "2023-03-15"},
        edit=("date", "2023-03-20"), secretary_edits=True, month=_iso_month("date"),
    ),
    Spec(
        "transfers",
        make=lambda c, n: TransferFactory(person=PersonFactory(village=c.village, township=c.township),
                                          to_village=_third_village(c)),
        payload=lambda c: {"person": PersonFactory(village=c.village, township=c.township).pk, "kind": "within",
                           "date": "2023-03-15", "to_village": _third_village(c).pk},
        edit=("note", "凭组织关系介绍信办理"),
    ),
    Spec(
        "appraisals",
        make=lambda c, n: AppraisalFactory(person=party_member(c.village), branch=c.branch),
        payload=lambda c: {"person": party_member(c.village).pk, "year": 2023, "grade": "excellent",
                           "date": "2023-12-20", "branch": c.branch.pk},
        edit=("grade", "qualified"), secretary_edits=True,
    ),
    Spec(
        "member-dues",
        make=lambda c, n: MemberDuesFactory(person=party_member(c.village), month=n % 12 + 1),
        payload=lambda c: {"person": party_member(c.village).pk, "year": 2023, "month": 3, "category": "income",
                           "base": "4500.00", "paid": "45.00", "paid_date": "2023-03-25"},
        edit=("paid", "40.00"), secretary_edits=True, month=lambda p: (p["year"], p["month"]),
    ),
    Spec(
        "reserve-cadres",
        make=lambda c, n: ReserveCadreFactory(person__village=c.village, person__township=c.township),
        payload=lambda c: {"village": c.village.pk,
                           "person": PersonFactory(village=c.village, township=c.township).pk,
                           "since": "2023-02-01", "has_seedling_file": True},
        edit=("is_secretary_successor", True),
    ),
    Spec(
        "cadre-trainings",
        make=lambda c, n: CadreTrainingFactory(reserve_cadre__person__village=c.village,
                                               reserve_cadre__person__township=c.township),
        payload=lambda c: {"reserve_cadre": ReserveCadreFactory(person__village=c.village,
                                                                person__township=c.township).pk,
                           "date": "2023-05-10", "title": "村级后备干部能力提升培训", "form": "course",
                           "hours": "4.0"},
        edit=("hours", "6.5"),
    ),
    Spec(
        "talents",
        make=lambda c, n: TalentFactory(village=c.village, township=c.township),
        payload=lambda c: {"village": c.village.pk, "name": "马致富", "kind": "industry_leader",
                           "field": "设施温棚", "phone": "13700001111", "since": "2023-01-01"},
        edit=("field", "螺丝菜种植"),
    ),
    Spec(
        "incomes",
        make=lambda c, n: IncomeRecordFactory(village=c.village),
        payload=lambda c: {"village": c.village.pk, "year": 2023, "month": 3, "category": "land_transfer",
                           "amount": "150000.50", "note": "土地流转费"},
        edit=("amount", "160000.25"), secretary_edits=True, month=lambda p: (p["year"], p["month"]),
    ),
    Spec(
        "income-targets",
        make=lambda c, n: VillageIncomeTargetFactory(village=c.village),
        payload=lambda c: {"village": c.village.pk, "year": 2023, "amount": "1000000.00"},
        edit=("amount", "1200000.00"),
    ),
    Spec(
        "economy-targets",
        make=lambda c, n: TownshipEconomyTargetFactory(township=c.township),
        payload=lambda c: {"year": 2023, "income_total": "13000000.00", "villages_over_1m": 7,
                           "villages_over_2m": 2},
        edit=("villages_over_1m", 8), village_level=False,
    ),
    Spec(
        "industry-projects",
        make=lambda c, n: IndustryProjectFactory(village=c.village, township=c.township),
        payload=lambda c: {"village": c.village.pk, "year": 2023, "name": "螺丝菜种植基地", "scale": "140.0",
                           "scale_unit": "mu", "jobs_created": 40, "income_added": "300000.00",
                           "farmer_income_added": "0.00", "operator": "branch_members", "action": "plant",
                           "investment": "0.00"},
        edit=("jobs_created", 45),
    ),
    Spec(
        "enterprises",
        make=lambda c, n: EnterpriseFactory(township=c.township),
        payload=lambda c: {"name": "示范镇巨菌草合作社", "industry": "农业", "contact_name": "王经理",
                           "contact_phone": "13800001234"},
        edit=("industry", "食品加工"), village_level=False,
    ),
    Spec(
        "alliances",
        make=lambda c, n: AllianceFactory(township=c.township, villages=[c.village]),
        payload=lambda c: {"name": "江南片区党建共同体", "kind": "community", "year": 2023,
                           "model": "支部+合作社+企业+基地+农户", "villages": [c.village.pk],
                           "enterprises": [EnterpriseFactory(township=c.township).pk]},
        edit=("model", "支部+企业+农户"),
    ),
    Spec(
        "township-notices",
        make=lambda c, n: _notice(c, n),
        payload=lambda c: {"title": "关于报送2023年组织生活会情况的通知", "text": "请各村于月底前报送。",
                           "deadline": "2023-12-31", "villages": [c.village.pk]},
        edit=("title", "关于报送组织生活会情况的补充通知"),
    ),
    Spec(
        "study-plans",
        make=lambda c, n: StudyPlanFactory(township=c.township),
        payload=lambda c: {"year": 2023, "kind": "central_group", "title": "2023年党委理论学习中心组学习计划"},
        edit=("title", "2023年干部理论学习计划"), village_level=False,
    ),
    Spec(
        "org-life-requirements",
        make=lambda c, n: OrgLifeRequirement.objects.create(
            township=c.township, kind=["group_meeting", "committee_meeting", "theme_day", "party_lecture",
                                       "general_meeting"][n % 5], frequency="monthly", since_year=2020 + n // 5),
        payload=lambda c: {"kind": "life_meeting", "frequency": "yearly", "since_year": 2023, "note": "每年召开一次"},
        edit=("frequency", "quarterly"), village_level=False,
    ),
    Spec(
        "study-activities",
        make=lambda c, n: StudyActivityFactory(village=c.village, township=c.township),
        payload=lambda c: {"village": c.village.pk, "date": "2023-04-12", "kind": "concentrated",
                           "topic": "学习贯彻党的二十大精神", "attendance": 20, "essays": 3},
        edit=("essays", 5), secretary_edits=True, month=_iso_month("date"),
    ),
    Spec(
        "org-life",
        make=lambda c, n: OrgLifeEventFactory(branch=c.branch),
        payload=lambda c: {"branch": c.branch.pk, "date": "2023-04-05", "kind": "theme_day",
                           "topic": "主题党日：重温入党誓词", "attendance": 25},
        edit=("attendance", 30), secretary_edits=True, month=_iso_month("date"),
    ),
    Spec(
        "campaigns",
        make=lambda c, n: CampaignFactory(township=c.township),
        payload=lambda c: {"year": 2023, "name": "“四强”能力作风建设年", "start_date": "2023-02-01"},
        edit=("name", "“四强”能力作风建设年活动"), village_level=False,
    ),
    Spec(
        "campaign-tasks",
        make=lambda c, n: CampaignTaskFactory(campaign__township=c.township),
        payload=lambda c: {"campaign": CampaignFactory(township=c.township).pk, "title": "开展大讨论",
                           "owner": "张三", "deadline": "2023-06-30", "done": False},
        edit=("done", True), village_level=False,
    ),
    Spec(
        "problems",
        make=lambda c, n: ProblemFactory(township=c.township, village=c.village),
        payload=lambda c: {"village": c.village.pk, "found_date": "2023-03-01", "description": "学习教育不够深入",
                           "owner": "李四", "deadline": "2023-06-30", "rectified": False},
        edit=("owner", "赵六"),
    ),
    Spec(
        "bulletins",
        make=lambda c, n: BulletinFactory(township=c.township),
        payload=lambda c: {"kind": "special_report", "date": "2023-05-01", "issue_number": 1,
                           "title": "工作专报第1期"},
        edit=("title", "工作专报第1期（修订）"), village_level=False,
    ),
    Spec(
        "supervision-visits",
        make=lambda c, n: SupervisionVisitFactory(township=c.township, village=c.village),
        payload=lambda c: {"village": c.village.pk, "date": "2023-07-01", "kind": "half_year",
                           "findings": "三会一课记录不全"},
        edit=("findings", "党费收缴台账不全"),
    ),
    Spec(
        "work-events",
        make=lambda c, n: WorkEventFactory(township=c.township),
        payload=lambda c: {"date": "2023-02-10", "kind": "document", "area": "duty",
                           "title": "《示范镇2023年基层党建工作要点》", "villages": [c.village.pk]},
        edit=("title", "《示范镇2023年组织工作任务清单》"), village_level=False,
    ),
    Spec(
        "township-targets",
        make=lambda c, n: TownshipTargetFactory(township=c.township),
        payload=lambda c: {"year": 2023, "star_share_3plus": "90.0", "star_share_4plus": "75.0",
                           "star_share_5": "25.0", "planned_probationary": 12,
                           "planned_probationary_under_35": 9, "reserve_cadres_per_village": 3},
        edit=("planned_probationary", 13), village_level=False,
    ),
    Spec(
        "branches",
        make=lambda c, n: PartyBranchFactory(village=c.village, name=f"江南村第{n}党小组"),
        payload=lambda c: {"village": c.village.pk, "name": "江南村第二党支部", "secretary_name": "钱七"},
        edit=("secretary_name", "孙八"),
    ),
    Spec(
        "star-ratings",
        make=lambda c, n: StarRatingFactory(branch=c.branch, year=2000 + n),
        payload=lambda c: {"branch": c.branch.pk, "year": 2022, "stars": 4},
        edit=("stars", 5),
    ),
]

BY_SLUG = {spec.slug: spec for spec in SPECS}
