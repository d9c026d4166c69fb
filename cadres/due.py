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


def _due(people, today) -> list[tuple[int, str, datetime.date]]:
    """(person id, kind, due date) of each due item of `people`: two queries of plain values (no instance per
    step or person), whatever their number. The one rule of what falls due."""
    horizon = today + datetime.timedelta(days=DUE_WITHIN_DAYS)
    waiting = people.filter(stage__in=(Stage.ACTIVIST, Stage.PROBATIONARY))
    steps, extension, stage_now = {}, {}, {}
    rows = (StageChange.objects.filter(person__in=waiting, stage__in=(Stage.ACTIVIST, Stage.PROBATIONARY,
                                                                      Stage.EXTENDED))
            .order_by().values_list("person_id", "stage", "date", "extension_months", "person__stage"))
    for person_id, stage, date, months, person_stage in rows:
        stage_now[person_id] = person_stage
        steps.setdefault(person_id, {})[stage] = date
        if stage == Stage.EXTENDED:
            extension[person_id] = months
    entries = []
    for person_id, own in steps.items():
        if stage_now[person_id] == Stage.PROBATIONARY and Stage.PROBATIONARY in own:
            due = probation_end(own, extension.get(person_id))
            kind = DueKind.EXTENSION_ENDS if Stage.EXTENDED in own else DueKind.PROBATION_ENDS
            if due <= horizon:
                entries.append((person_id, kind, due))
        elif stage_now[person_id] == Stage.ACTIVIST and Stage.ACTIVIST in own:
            due = candidate_from(own[Stage.ACTIVIST])
            if due <= today:
                entries.append((person_id, DueKind.CANDIDATE_DUE, due))
    mobile = people.filter(is_mobile=True, stage__in=PARTY_MEMBER_STAGES).order_by().values_list("pk",
                                                                                                   "last_contacted")
    for person_id, last_contacted in mobile:
        if last_contacted is None:
            entries.append((person_id, DueKind.MOBILE_NEVER_CONTACTED, today))
            continue
        due = months_after(last_contacted, CONTACT_MONTHS)
        if due <= today:
            entries.append((person_id, DueKind.MOBILE_UNCONTACTED, due))
    return entries


def due_items(people, today=None) -> list[DueItem]:
    """The due items of `people` (a queryset, already scoped), by due date: three queries whatever their number
    (the people listed come in one, with their villages)."""
    today = today or timezone.localdate()
    entries = _due(people, today)
    persons = Person.objects.select_related("village").in_bulk({person_id for person_id, _k, _d in entries})
    items = [DueItem(persons[person_id], kind, due, (due - today).days) for person_id, kind, due in entries]
    items.sort(key=lambda item: (item.due, item.person.village.order, item.person.name))
    return items


def due_counts(people, today=None) -> tuple[int, int]:
    """(items, of which past due) of `people`: the dashboard's count, by the same rule without the people."""
    today = today or timezone.localdate()
    entries = _due(people, today)
    return len(entries), sum(due < today for _p, _k, due in entries)


def people_for(user):
    """The people whose due items `user` sees: those they may see (township.access.visible) whose 组织关系 is in
    the system."""
    return access.visible(user, Person.objects.on_roster())


def due_items_for(user, today=None) -> list[DueItem]:
    """The due items of the people `user` may see: the page and the API."""
    return due_items(people_for(user), today=today)
