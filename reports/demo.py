"""The demo 2023 report of 示范镇 as staff would have finished it: the reference's own items added.

Data suggestions the reference states (the income gap, land-based income) are
accepted; the problems and highlights only people can write are staff items.
Idempotent: a report that already has items is left alone.
"""
from .models import ItemSection, ItemStatus, Report, ReportItem

STAFF_ITEMS = [
    # The reference's first highlight: first among the highlights (the alliances and the talent base follow it).
    (ItemSection.HIGHLIGHTS, 1, "打造抓党建促乡村振兴示范基地。打造红星村党建引领群众共同致富示范村，"
     "提升集体经济示范园、党员致富示范基地、蔬菜产业补链强链基地水平；打造幸福村党建引领美丽乡村示范村，"
     "发展党员一带五机制，设立党员示范岗、责任区、党员示范家庭，带动群众共建美丽村庄。"),
    (ItemSection.PROBLEMS, 1, "党员教育管理有待加强。对党员干部日常教育管理刚性约束不够，"
     "党员干部违纪违规违法事件还时有发生；对农村流动党员教育管理还存在薄弱环节。"),
    (ItemSection.PROBLEMS, 4, "基层干部素质有待提高。部分村干部综合素质不高，"
     "理解和落实党的方针政策不到位，发展思路不清晰，带领群众致富思想陈旧、办法少。"),
]
# Suggestion key → (status, order among the problems).
DECISIONS = {
    "income_gap": (ItemStatus.ACCEPTED, 2),
    "land_share": (ItemStatus.ACCEPTED, 3),
    "months_not_reported": (ItemStatus.DISMISSED, 9),
}


def load(township):
    from .services import decide_suggestion

    report, _ = Report.objects.get_or_create(township=township, year=2023)
    if report.items.exists():
        return
    ReportItem.objects.bulk_create([
        ReportItem(report=report, section=section, order=order, text=text) for section, order, text in STAFF_ITEMS
    ])
    for key, (status, order) in DECISIONS.items():
        item = decide_suggestion(report=report, key=key, accept=status == ItemStatus.ACCEPTED, user=None)
        if item is not None:
            ReportItem.objects.filter(pk=item.pk).update(order=order)
