"""Demo study plans and activities of 示范镇, 2022–2023.

2023 reads like the reference: 理论学习中心组5次, 研讨交流2次, 集中学习263次
(“260余次”), 专题研讨23次 (“20余次”), 心得体会83篇 (“80余篇”), 警示教育参观406人
(“400余人”), 送学24人次 (“20多人次”), a 知识竞赛 and a 朗诵比赛, through 夜校, 干部晨会,
“8090”课堂, 三会一课 and 主题党日, with 支部书记讲党课, 千场党课下基层 and 微党课视频.
Idempotent: nothing is added when the township already has study activities.
"""
import datetime

from simple_history.utils import bulk_create_with_history

from .models import StudyActivity, StudyKind, StudyPlan

# year: kind → (count, attendance per event or list, essays per event or list)
ACTIVITIES = {
    2023: {
        StudyKind.CENTRAL_GROUP: (5, 18, [10, 10, 10, 10, 10]),
        StudyKind.SEMINAR_EXCHANGE: (2, 20, 0),
        StudyKind.CONCENTRATED: (263, 25, 0),
        StudyKind.TOPIC_SEMINAR: (23, 16, [2] * 10 + [1] * 13),
        StudyKind.WARNING_VISIT: (4, [98, 112, 95, 101], 0),
        StudyKind.DELIVERED_STUDY: (6, 4, 0),
        StudyKind.NIGHT_SCHOOL: (12, 30, 0),
        StudyKind.MORNING_MEETING: (40, 22, 0),
        StudyKind.CLASS_8090: (8, 26, 0),
        StudyKind.THREE_MEETINGS: (36, 24, 0),
        StudyKind.THEME_DAY: (48, 27, 0),
        StudyKind.SECRETARY_LECTURE: (12, 28, 0),
        StudyKind.THOUSAND_LECTURES: (24, 30, 0),
        StudyKind.MICRO_LECTURE: (6, 0, 0),
        StudyKind.QUIZ: (1, 120, 0),
        StudyKind.RECITATION: (1, 80, 0),
    },
    2022: {
        StudyKind.CENTRAL_GROUP: (4, 18, [9, 9, 9, 9]),
        StudyKind.SEMINAR_EXCHANGE: (2, 20, 0),
        StudyKind.CONCENTRATED: (231, 24, 0),
        StudyKind.TOPIC_SEMINAR: (19, 15, [2] * 16 + [1] * 3),
        StudyKind.WARNING_VISIT: (3, [110, 121, 119], 0),
        StudyKind.DELIVERED_STUDY: (6, 3, 0),
        StudyKind.NIGHT_SCHOOL: (10, 28, 0),
        StudyKind.MORNING_MEETING: (36, 20, 0),
        StudyKind.QUIZ: (1, 100, 0),
    },
}

TOPICS = {
    StudyKind.CENTRAL_GROUP: "学习贯彻习近平新时代中国特色社会主义思想",
    StudyKind.SEMINAR_EXCHANGE: "学习二十大精神研讨交流",
    StudyKind.CONCENTRATED: "集中学习党的二十大精神",
    StudyKind.TOPIC_SEMINAR: "“四强”能力作风建设专题研讨",
    StudyKind.WARNING_VISIT: "廉政警示教育基地参观学习",
    StudyKind.DELIVERED_STUDY: "“送学”到流动党员身边",
    StudyKind.NIGHT_SCHOOL: "夜校学习",
    StudyKind.MORNING_MEETING: "干部晨会学习",
    StudyKind.CLASS_8090: "“8090”课堂",
    StudyKind.THREE_MEETINGS: "三会一课：学习党章党规",
    StudyKind.THEME_DAY: "主题党日：重温入党誓词",
    StudyKind.SECRETARY_LECTURE: "支部书记讲党课",
    StudyKind.THOUSAND_LECTURES: "千场党课下基层",
    StudyKind.MICRO_LECTURE: "微党课视频制作",
    StudyKind.QUIZ: "“学习二十大 奋进新征程”知识竞赛",
    StudyKind.RECITATION: "“学习二十大 奋进新征程”朗诵比赛",
}

# Organised by the township itself rather than by a village.
TOWNSHIP_KINDS = {StudyKind.CENTRAL_GROUP, StudyKind.SEMINAR_EXCHANGE, StudyKind.TOPIC_SEMINAR,
                  StudyKind.WARNING_VISIT, StudyKind.MORNING_MEETING, StudyKind.QUIZ, StudyKind.RECITATION}


def _pick(value, n):
    return value[n] if isinstance(value, list) else value


def load(township):
    villages = list(township.villages.order_by("order"))
    if not StudyPlan.objects.filter(township=township).exists():
        bulk_create_with_history([
            StudyPlan(township=township, year=year, kind=kind, title=title.format(name=township.name, year=year))
            for year in (2022, 2023)
            for kind, title in [("central_group", "《{name}{year}年党委理论学习中心组学习计划》"),
                                ("cadre", "《{name}{year}年干部理论学习计划》")]
        ], StudyPlan)
    if StudyActivity.objects.filter(township=township).exists():
        return
    activities = []
    for year, kinds in ACTIVITIES.items():
        for kind, (count, attendance, essays) in kinds.items():
            for n in range(count):
                # Spread evenly over the year, one day per event of a kind: the ledger's key (日期、形式、主题、
                # 组织单位) never repeats, as it would not in a real ledger.
                date = datetime.date(year, 1, 1) + datetime.timedelta(days=n * 365 // count)
                village = None if kind in TOWNSHIP_KINDS or not villages else villages[n % len(villages)]
                activities.append(StudyActivity(
                    township=township, village=village, date=date, kind=kind, topic=TOPICS[kind],
                    attendance=_pick(attendance, n), essays=_pick(essays, n),
                ))
    bulk_create_with_history(activities, StudyActivity)
