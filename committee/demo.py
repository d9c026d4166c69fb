"""Demo township work of 示范镇, 2022–2023: campaign, problems, bulletins, supervision, work events, targets,
village-months.

2023 reads like the reference: the “四强”能力作风建设年 with 174 problems found
(“170余条”), 13期工作专报, 12次一周工作预览, 207条工作信息 (“200余条”), and the
targets the reference names (三星级及以上90%, 四星级及以上75%, 五星级25%; 预计吸收
12名预备党员，其中35岁以下9人; 每村3名后备干部). Most 2023 village-months are reported.
Idempotent: a kind already present is left alone.
"""
import datetime
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from villages.models import VillageMonth, VillageMonthStatus

from .models import (
    Bulletin,
    BulletinKind,
    Campaign,
    CampaignTask,
    Problem,
    SupervisionKind,
    SupervisionVisit,
    TownshipNotice,
    TownshipTarget,
    WorkArea,
    WorkEvent,
    WorkEventKind,
)

PROBLEMS = {2022: (152, 149), 2023: (174, 160)}  # year: (found, rectified)
BULLETINS = {
    2022: {BulletinKind.SPECIAL_REPORT: 11, BulletinKind.WEEKLY_PREVIEW: 10, BulletinKind.WORK_INFO: 183},
    2023: {BulletinKind.SPECIAL_REPORT: 13, BulletinKind.WEEKLY_PREVIEW: 12, BulletinKind.WORK_INFO: 207},
}
BULLETIN_TITLES = {
    BulletinKind.SPECIAL_REPORT: "“四强”能力作风建设工作专报",
    BulletinKind.WEEKLY_PREVIEW: "一周工作预览",
    BulletinKind.WORK_INFO: "党建工作信息",
}
TARGETS = {  # year: (3+, 4+, 5 star shares %, planned probationary, of which under 35, reserve cadres per village)
    2022: ("85.0", "60.0", "15.0", 6, 4, 3),
    2023: ("90.0", "75.0", "25.0", 12, 9, 3),
    2024: ("90.0", "75.0", "25.0", 12, 9, 3),
}
PROBLEM_AREAS = ["产业发展", "项目建设", "农业生产", "村级集体经济", "党建基础工作", "三会一课落实"]
CAMPAIGN_TASKS = ["召开“四强”能力作风建设年活动启动会", "细化产业发展任务清单", "细化项目建设任务清单",
                  "细化农业生产任务清单", "开展观摩评比活动", "推送工作专报与工作信息"]
# What the committee did in 2023, as the reference tells it: (date, kind, area, title, of the campaign, villages, note).
WORK_EVENTS = [
    ("2023-02-08", WorkEventKind.MEETING, WorkArea.DUTY, "2023年基层党建工作安排部署会", False, [],
     "镇党委书记对全年基层党建工作进行安排"),
    ("2023-02-10", WorkEventKind.DOCUMENT, WorkArea.DUTY, "《{name}2023年基层党建工作要点》", False, [], ""),
    ("2023-02-10", WorkEventKind.DOCUMENT, WorkArea.DUTY, "《{name}2023年组织工作任务清单》", False, [], ""),
    ("2023-02-10", WorkEventKind.DOCUMENT, WorkArea.DUTY, "《{name}实施基层党建提质增效任务清单》", False, [], ""),
    ("2023-02-15", WorkEventKind.DOCUMENT, WorkArea.ECONOMY, "《{name}2023年村级集体经济工作任务》", False, [],
     "明确各村全年村级集体经济目标任务"),
    ("2023-02-20", WorkEventKind.MEETING, WorkArea.CAMPAIGN, "“四强”能力作风建设年活动启动会", True, [], ""),
    ("2023-02-25", WorkEventKind.RULE, WorkArea.CAMPAIGN,
     "《{name}“强素质强服务强担当强斗志”能力作风建设年活动方案》", True, [],
     "对标市县“四强”能力作风建设年活动实施方案，就产业发展、项目建设、农业生产等工作，细化任务清单"),
    ("2023-03-10", WorkEventKind.MECHANISM, WorkArea.CAMPAIGN, "“挂图作战”", True, [],
     "让镇村干部抓有方向、干有抓手"),
    ("2023-04-10", WorkEventKind.GUIDANCE, WorkArea.TALENT, "补选支部委员1名", False, ["新华村", "永宁村"], ""),
    ("2023-05-06", WorkEventKind.RULE, WorkArea.TALENT, "《{name}村级“金种子”工程实施办法（试行）》", False, [],
     "完成村书记后备人才储备工作"),
    ("2023-06-15", WorkEventKind.TRAINING, WorkArea.TALENT, "镇村干部能力素质提升培训班", False, [],
     "采取理论学习、集中观摩、外出学习的形式，让后备干部长知识开眼界"),
    ("2023-09-20", WorkEventKind.ACTIVITY, WorkArea.CAMPAIGN, "“四强”能力作风建设年观摩评比活动", True, [],
     "就全镇项目建设、产业发展、村级集体经济等重点工作进行督察，在互观互学中找准差距补短板"),
    ("2023-04-23", WorkEventKind.MECHANISM, WorkArea.STUDY, "“二维码+”教育模式", False, [],
     "设立“码上学习”，构建“码上”学习、“码上”教育的政策宣传“云阵地”，将码上学习设置在集市、商超、村部等地点，"
     "拓宽干部群众线上学习维度"),
    ("2022-02-12", WorkEventKind.MEETING, WorkArea.DUTY, "2022年基层党建工作安排部署会", False, [], ""),
]
# 2023 village-months that were not reported (village order, month) and that were returned.
NOT_REPORTED_2023 = {(3, 2), (10, 5), (10, 6), (12, 11)}
RETURNED_2023 = {(10, 7), (12, 12)}


def load(township):
    villages = list(township.villages.order_by("order"))
    campaign, _ = Campaign.objects.get_or_create(
        township=township, year=2023, name="“四强”能力作风建设年",
        defaults={"start_date": datetime.date(2023, 2, 20),
                  "description": "强素质强服务强担当强斗志能力作风建设年活动方案"},
    )
    if not campaign.tasks.exists():
        bulk_create_with_history([
            CampaignTask(campaign=campaign, title=title, owner="镇党委", deadline=datetime.date(2023, 3 + n, 30),
                         done=True)
            for n, title in enumerate(CAMPAIGN_TASKS)
        ], CampaignTask)
    if not Problem.objects.filter(township=township).exists():
        problems = []
        for year, (found, rectified) in PROBLEMS.items():
            for n in range(found):
                found_date = datetime.date(year, 1 + n % 12, 1 + n % 28)
                done = n < rectified
                problems.append(Problem(
                    township=township, village=villages[n % len(villages)] if villages and n % 4 else None,
                    campaign=campaign if year == 2023 else None, found_date=found_date,
                    description=f"{PROBLEM_AREAS[n % len(PROBLEM_AREAS)]}方面存在短板（第{n + 1}条）",
                    owner="包村干部", deadline=found_date + datetime.timedelta(days=60),
                    rectified=done, rectified_date=found_date + datetime.timedelta(days=30) if done else None,
                ))
        bulk_create_with_history(problems, Problem)
    if not Bulletin.objects.filter(township=township).exists():
        bulletins = []
        for year, kinds in BULLETINS.items():
            for kind, count in kinds.items():
                for n in range(count):
                    bulletins.append(Bulletin(
                        township=township, kind=kind, date=datetime.date(year, 1 + n % 12, 1 + (n * 2) % 28),
                        issue_number=n + 1 if kind != BulletinKind.WORK_INFO else None,
                        title=f"{BULLETIN_TITLES[kind]}（{year}年第{n + 1}期）",
                    ))
        bulk_create_with_history(bulletins, Bulletin)
    if not SupervisionVisit.objects.filter(township=township).exists():
        visits = [
            SupervisionVisit(township=township, village=village, kind=SupervisionKind.MONTHLY,
                             date=datetime.date(2023, month, 10 + i % 15),
                             findings="三会一课记录不够规范" if (i + month) % 5 == 0 else "",
                             guidance="现场指出问题，点对点指导改正")
            for month in range(1, 13) for i, village in enumerate(villages)
        ]
        visits += [
            SupervisionVisit(township=township, kind=SupervisionKind.QUARTERLY,
                             date=datetime.date(2023, 3 * q, 25), guidance="季度调度党建重点工作")
            for q in range(1, 5)
        ]
        visits += [SupervisionVisit(township=township, kind=SupervisionKind.HALF_YEAR,
                                    date=datetime.date(2023, 7, 15), guidance="半年交叉督查")]
        bulk_create_with_history(visits, SupervisionVisit)
    if not WorkEvent.objects.filter(township=township).exists():
        by_name = {village.name: village for village in villages}
        for day, kind, area, title, of_campaign, village_names, note in WORK_EVENTS:
            event = WorkEvent.objects.create(
                township=township, date=datetime.date.fromisoformat(day), kind=kind, area=area,
                title=title.format(name=township.name), campaign=campaign if of_campaign else None, note=note)
            event.villages.set([by_name[name] for name in village_names if name in by_name])
    for year, (s3, s4, s5, planned, under_35, reserve) in TARGETS.items():
        TownshipTarget.objects.get_or_create(township=township, year=year, defaults={
            "star_share_3plus": Decimal(s3), "star_share_4plus": Decimal(s4), "star_share_5": Decimal(s5),
            "planned_probationary": planned, "planned_probationary_under_35": under_35,
            "reserve_cadres_per_village": reserve,
        })
    _load_village_months(villages)
    _load_notices(township, villages)


def _load_village_months(villages):
    """2022 all approved; 2023 mostly approved, a few missing or returned (existing rows are kept)."""
    rows = []
    for order, village in enumerate(villages, start=1):
        for month in range(1, 13):
            rows.append(VillageMonth(village=village, year=2022, month=month, status=VillageMonthStatus.APPROVED))
            if (order, month) in NOT_REPORTED_2023:
                status = VillageMonthStatus.NOT_SUBMITTED
            elif (order, month) in RETURNED_2023:
                status = VillageMonthStatus.RETURNED
            elif month == 12:
                status = VillageMonthStatus.SUBMITTED
            else:
                status = VillageMonthStatus.APPROVED
            rows.append(VillageMonth(village=village, year=2023, month=month, status=status))
    VillageMonth.objects.bulk_create(rows, ignore_conflicts=True)


# Notices of the township to its villages: (title, text, deadline, the villages' places in the township's order,
# None for all). The second goes to the branches the demo's organisational life has missing meetings
# (submissions.demo.ORG_LIFE_MISSED). Unread at first.
NOTICES = [
    ("关于召开2023年度基层党组织组织生活会的通知",
     "请各村党支部于12月底前召开2023年度组织生活会，会后报送会议记录和照片。", datetime.date(2023, 12, 31), None),
    ("关于补开支委会和主题党日的提醒",
     "部分党支部有月份未按要求召开支委会、主题党日或党课，请对照“三会一课”落实情况及时补课。",
     datetime.date(2023, 11, 30), (2, 6, 9)),
]


def _load_notices(township, villages):
    """The township's notices to its villages (none when it has any)."""
    if TownshipNotice.objects.filter(township=township).exists() or not villages:
        return
    for title, text, deadline, places in NOTICES:
        notice = TownshipNotice.objects.create(township=township, title=title, text=text, deadline=deadline)
        notice.villages.set(villages if places is None else [villages[i] for i in places if i < len(villages)])
