"""Demo monthly reporting of 示范镇: when each reported village-month was submitted (and approved), and the
2023 organisational life of each branch (its dues are its members', cadres.demo). Idempotent: what is
already there is left alone.

The demo's village-months (committee.demo) carry a status but were never submitted through the product,
so they had no submission time and the on-time rate read 0.0 % beside a 95.8 % reporting rate. Here
most months are first submitted before the deadline day of the next month (about 85 %), some after it.
"""
from __future__ import annotations

import datetime

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cadres.models import Person
from study.models import OrgLifeEvent, OrgLifeKind
from township.models import Role, User
from villages.models import VillageMonth, VillageMonthStatus

from .services import deadline_for

# Each branch's organisational life in 2023, as the rules ask (domain.md): 支委会, 党小组会 and 主题党日 every
# month, 支部党员大会 and 党课 every quarter, 组织生活会 once a year: (kind, months, day of the month, topic).
ORG_LIFE = [
    (OrgLifeKind.COMMITTEE_MEETING, range(1, 13), 5, "研究部署本月党建工作"),
    (OrgLifeKind.GROUP_MEETING, range(1, 13), 8, "学习党的二十大精神"),
    (OrgLifeKind.THEME_DAY, range(1, 13), 15, "重温入党誓词"),
    (OrgLifeKind.GENERAL_MEETING, (3, 6, 9, 12), 20, "支部党员大会"),
    (OrgLifeKind.PARTY_LECTURE, (3, 6, 9, 12), 22, "支部书记讲党课"),
    (OrgLifeKind.LIFE_MEETING, (12,), 26, "2023年度组织生活会"),
]
# Not every branch keeps to the rules: (village's place in the township's order, kind, month) never held,
# so the 三会一课 compliance grid, its rate and the report's suggestion have something to show.
ORG_LIFE_MISSED = {
    (2, OrgLifeKind.COMMITTEE_MEETING, 3), (2, OrgLifeKind.COMMITTEE_MEETING, 4),
    (6, OrgLifeKind.THEME_DAY, 8),
    (9, OrgLifeKind.PARTY_LECTURE, 6),
}
LATE_ONE_IN = 7  # about one village-month in seven is first submitted after its deadline


def load(township):
    villages = list(township.villages.order_by("order"))
    _submission_times(villages)
    _org_life(villages)


def submitted_on(order, year, month) -> datetime.datetime:
    """When the demo's village number `order` first submitted a month: a working morning before the deadline
    day of the next month, or, one month in about seven, a few days after it."""
    deadline = deadline_for(year, month)
    spread = (order * 7 + month * 5 + year) % LATE_ONE_IN
    if spread == 0:
        day = deadline + datetime.timedelta(days=2 + (order + month) % 6)
    else:
        day = deadline - datetime.timedelta(days=1 + (order * 3 + month) % (deadline.day - 1))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9 + (order + month) % 8, 30)))


def _submission_times(villages):
    """First submission, last submission and approval times of the reported (or returned) months that have none."""
    approver = User.objects.filter(role=Role.STAFF, township_id=villages[0].township_id).first() if villages else None
    order_of = {village.pk: order for order, village in enumerate(villages, start=1)}
    months = list(VillageMonth.objects.filter(
        village__in=villages, first_submitted_at__isnull=True,
        status__in=[VillageMonthStatus.SUBMITTED, VillageMonthStatus.APPROVED, VillageMonthStatus.RETURNED]))
    for village_month in months:
        first = submitted_on(order_of[village_month.village_id], village_month.year, village_month.month)
        village_month.first_submitted_at = village_month.submitted_at = first
        if village_month.status == VillageMonthStatus.APPROVED:
            village_month.approved_at = first + datetime.timedelta(days=3)
            village_month.approved_by = approver
    VillageMonth.objects.bulk_update(months, ["first_submitted_at", "submitted_at", "approved_at", "approved_by"])


def _org_life(villages):
    """2023's organisational life of each village's branch (a branch that has any is left alone).

    Attendance follows the village's Party members as its roster has them."""
    events = []
    for order, village in enumerate(villages):
        branch = village.branches.order_by("pk").first()
        if branch is None or branch.org_life_events.exists():
            continue
        members = Person.objects.filter(village=village).party_members().count()
        for kind, months, day, topic in ORG_LIFE:
            for month in months:
                if (order, kind, month) in ORG_LIFE_MISSED:
                    continue
                events.append(OrgLifeEvent(branch=branch, date=datetime.date(2023, month, day), kind=kind,
                                           topic=topic, attendance=max(members - (order + month) % 4, 0)))
    bulk_create_with_history(events, OrgLifeEvent)
