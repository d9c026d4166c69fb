"""What falls due in a member's development (《中国共产党发展党员工作细则》): the probations ending (转正 to
discuss), the extended probations ending, the activists of a year (发展对象 to decide).

The one list of due items: the page and GET /api/members/due/ show it, for the people the user may see
(township.access.visible), and the 流动党员 not contacted for three months (or never)."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils import timezone

from township import access

from .models import PARTY_MEMBER_STAGES, Person, Stage, StageChange, candidate_from, months_after, probation_end

DUE_WITHIN_DAYS = 30  # a probation ending within this many days is listed (and any that has ended)
CONTACT_MONTHS = 3  # a 流动党员 is contacted at least once in this many months


class DueKind(models.TextChoices):
    PROBATION_ENDS = "probation_ends", "预备期满，讨论转正"
    EXTENSION_ENDS = "extension_ends", "延长预备期届满，讨论转正"
    CANDIDATE_DUE = "candidate_due", "培养考察满一年，可确定为发展对象"
    MOBILE_UNCONTACTED = "mobile_uncontacted", "流动党员超过三个月未联系"
    MOBILE_NEVER_CONTACTED = "mobile_never_contacted", "流动党员尚无联系记录"


@dataclass(frozen=True)
class DueItem:
    person: Person
    kind: str
    due: datetime.date
    days_left: int  # negative: past due

    @property
    def kind_label(self):
        return DueKind(self.kind).label

    @property
    def overdue(self):
        return self.days_left < 0


def due_items(people, today=None) -> list[DueItem]:
    """The due items of `people` (a queryset, already scoped), by due date: two queries whatever their number."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=DUE_WITHIN_DAYS)
    waiting = people.filter(stage__in=(Stage.ACTIVIST, Stage.PROBATIONARY))
    steps, extension, persons = {}, {}, {}
    rows = (StageChange.objects.filter(person__in=waiting, stage__in=(Stage.ACTIVIST, Stage.PROBATIONARY,
                                                                      Stage.EXTENDED))
            .select_related("person__village").order_by())
    for step in rows:
        persons[step.person_id] = step.person
        steps.setdefault(step.person_id, {})[step.stage] = step.date
        if step.stage == Stage.EXTENDED:
            extension[step.person_id] = step.extension_months
    items = []
    for person_id, person in persons.items():
        own = steps.get(person_id, {})
        if person.stage == Stage.PROBATIONARY and Stage.PROBATIONARY in own:
            due = probation_end(own, extension.get(person_id))
            kind = DueKind.EXTENSION_ENDS if Stage.EXTENDED in own else DueKind.PROBATION_ENDS
            if due <= horizon:
                items.append(DueItem(person, kind, due, (due - today).days))
        elif person.stage == Stage.ACTIVIST and Stage.ACTIVIST in own:
            due = candidate_from(own[Stage.ACTIVIST])
            if due <= today:
                items.append(DueItem(person, DueKind.CANDIDATE_DUE, due, (due - today).days))
    mobile = people.filter(is_mobile=True, stage__in=PARTY_MEMBER_STAGES).select_related("village")
    for person in mobile:
        if person.last_contacted is None:
            items.append(DueItem(person, DueKind.MOBILE_NEVER_CONTACTED, today, 0))
            continue
        due = months_after(person.last_contacted, CONTACT_MONTHS)
        if due <= today:
            items.append(DueItem(person, DueKind.MOBILE_UNCONTACTED, due, (due - today).days))
    items.sort(key=lambda item: (item.due, item.person.village.order, item.person.name))
    return items


def due_items_for(user, today=None) -> list[DueItem]:
    """The due items of the people `user` may see (township.access.visible) whose 组织关系 is in the system: the
    page, the API and the dashboard's count."""
    return due_items(access.visible(user, Person.objects.on_roster()), today=today)
