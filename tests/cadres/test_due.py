"""A person's timeline, and what falls due in the development (cadres.due): the API, the page, the dashboard."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cadres.due import due_counts, due_items
from cadres.models import Person
from tests.cadres.factories import PersonFactory, StageChangeFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _year_before(day):
    return day.replace(year=day.year - 1) if (day.month, day.day) != (2, 29) else day.replace(year=day.year - 1,
                                                                                             day=28)


def person_with(village, *steps, name=None, **extra):
    person = PersonFactory(village=village, township=village.township, **({"name": name} if name else {}))
    for stage, day in steps:
        StageChangeFactory(person=person, stage=stage, date=day, **(extra if stage == "extended" else {}))
    person.refresh_from_db()
    return person


@pytest.fixture
def world(village_a, village_b):
    ended = TODAY - datetime.timedelta(days=7)  # the year of probation ended last week
    ending = TODAY + datetime.timedelta(days=21)  # ends in three weeks
    later = TODAY + datetime.timedelta(days=45)  # beyond the 30 days: not yet listed
    return {
        "ended": person_with(village_a, ("probationary", _year_before(ended)), name="上周期满"),
        "ending": person_with(village_a, ("probationary", _year_before(ending)), name="三周后期满"),
        "later": person_with(village_a, ("probationary", _year_before(later)), name="尚早"),
        "converted": person_with(village_a, ("probationary", _year_before(ended) - datetime.timedelta(days=40)),
                                 ("member", TODAY - datetime.timedelta(days=3)), name="已转正"),
        "activist": person_with(village_a, ("activist", _year_before(TODAY) - datetime.timedelta(days=2)),
                                name="积极分子满一年"),
        "new_activist": person_with(village_a, ("activist", TODAY - datetime.timedelta(days=100)), name="新积极分子"),
        "extended": person_with(village_b, ("probationary", _year_before(TODAY - datetime.timedelta(days=170))),
                                ("extended", TODAY - datetime.timedelta(days=170)), extension_months=6,
                                name="延长预备期"),
    }


def test_the_api_lists_probations_ended_and_ending_with_kinds_and_due_dates(world, api_for, staff):
    response = api_for(staff).get("/api/members/due/")
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()["results"]}
    assert set(rows) == {"上周期满", "三周后期满", "积极分子满一年", "延长预备期"}
    ended, ending = rows["上周期满"], rows["三周后期满"]
    assert (ended["kind"], ended["kind_label"]) == ("probation_ends", "预备期满，讨论转正")
    assert ended["due_date"] == (TODAY - datetime.timedelta(days=7)).isoformat()
    assert (ended["days_left"], ended["overdue"]) == (-7, True)
    assert ending["kind"] == "probation_ends"
    assert ending["due_date"] == (TODAY + datetime.timedelta(days=21)).isoformat()
    assert (ending["days_left"], ending["overdue"]) == (21, False)
    assert rows["积极分子满一年"]["kind"] == "candidate_due"
    assert rows["积极分子满一年"]["due_date"] == (TODAY - datetime.timedelta(days=2)).isoformat()
    extended = rows["延长预备期"]
    assert extended["kind"] == "extension_ends" and extended["kind_label"] == "延长预备期届满，讨论转正"
    assert datetime.date.fromisoformat(extended["due_date"]) > TODAY  # six months after the year's end
    # by due date
    assert [row["due_date"] for row in response.json()["results"]] == sorted(rows[n]["due_date"] for n in rows)


def test_a_secretary_sees_their_own_village_and_other_townships_see_nothing(world, api_for, secretary_a, secretary_b,
                                                                            other_staff):
    mine = {row["name"] for row in api_for(secretary_a).get("/api/members/due/").json()["results"]}
    assert mine == {"上周期满", "三周后期满", "积极分子满一年"}
    theirs = {row["name"] for row in api_for(secretary_b).get("/api/members/due/").json()["results"]}
    assert theirs == {"延长预备期"}
    assert api_for(other_staff).get("/api/members/due/").json() == {"count": 0, "results": []}


def test_the_page_and_the_dashboard_show_the_items(world, client_for, staff, django_assert_max_num_queries):
    client = client_for(staff)
    page = client.get(reverse("members:due")).content.decode()
    assert "上周期满" in page and "已逾期7天" in page and "三周后期满" in page and "21天后到期" in page
    assert "尚早" not in page and "已转正" not in page
    home = client.get(reverse("home")).content.decode()
    assert 'id="members-due"' in home and "待办 <strong>4</strong> 项，其中已逾期 2 项" in home
    # three queries (the steps, the 流动党员, the people listed) whatever the number of people; the dashboard's
    # count two, and the same
    for n in range(20):
        person_with(world["ended"].village, ("probationary", _year_before(TODAY)), name=f"批量{n}")
    with django_assert_max_num_queries(3):
        items = due_items(Person.objects.all())
    assert len(items) == 24
    with django_assert_max_num_queries(2):
        assert due_counts(Person.objects.all()) == (24, sum(item.overdue for item in items))


def test_the_person_page_lists_every_step_with_who_recorded_it(client_for, api_for, staff, village_a):
    person = PersonFactory(village=village_a, township=village_a.township)
    api_for(staff).post("/api/stage-changes/", {"person": person.pk, "stage": "applicant", "date": "2021-03-01"},
                        format="json")
    client_for(staff).post(reverse("records:stage-changes-create"),
                           {"person": person.pk, "stage": "activist", "date": "2021-09-01", "note": "支委会研究"})
    page = client_for(staff).get(reverse("records:persons-detail", args=[person.pk])).content.decode()
    timeline = page[page.index("发展历程"):]
    assert timeline.index("2021-03-01") < timeline.index("2021-09-01")
    assert "入党申请人" in timeline and "入党积极分子" in timeline and "支委会研究" in timeline
    assert timeline.count(f"<td>{staff.username}</td>") == 2


def test_mobile_members_not_contacted_for_three_months(api_for, client_for, staff, village_a):
    from cadres.models import months_after

    def mobile(name, last_contacted, stage="member"):
        person = person_with(village_a, (stage, datetime.date(2015, 7, 1)), name=name)
        Person.objects.filter(pk=person.pk).update(is_mobile=True, mobile_place="宁波市", last_contacted=last_contacted)

    four_months = months_after(TODAY, -4)
    mobile("四个月未联系", four_months)
    mobile("上月联系过", months_after(TODAY, -1))
    mobile("从未联系", None)
    mobile("外出的申请人", None, stage="applicant")  # not a Party member: not followed as 流动党员
    rows = {row["name"]: row for row in api_for(staff).get("/api/members/due/").json()["results"]}
    assert set(rows) == {"四个月未联系", "从未联系"}
    assert rows["四个月未联系"]["kind_label"] == "流动党员超过三个月未联系"
    assert rows["四个月未联系"]["due_date"] == months_after(four_months, 3).isoformat()
    assert rows["四个月未联系"]["overdue"] is True
    assert (rows["从未联系"]["kind"], rows["从未联系"]["due_date"]) == ("mobile_never_contacted", TODAY.isoformat())
    person = Person.objects.get(name="四个月未联系")
    response = client_for(staff).post(reverse("records:persons-update", args=[person.pk]), {
        "village": village_a.pk, "name": person.name, "id_number": person.id_number, "is_mobile": "on",
        "mobile_place": "宁波市", "mobile_phone": "13800001111", "last_contacted": TODAY.isoformat()})
    assert response.status_code == 302, response.content.decode()
    names = {row["name"] for row in api_for(staff).get("/api/members/due/").json()["results"]}
    assert names == {"从未联系"}


def test_the_monthly_reminder_lists_each_secretarys_due_items_once(world, secretary_a, secretary_b, village_a):
    from submissions.models import Notice, NoticeKind
    from submissions.services import send_reminders

    result = send_reminders(today=TODAY)
    notices = {n.user_id: n for n in Notice.objects.filter(kind=NoticeKind.MEMBERS_DUE)}
    assert set(notices) == {secretary_a.pk, secretary_b.pk} and result["members_due"] == 2
    message = notices[secretary_a.pk].message
    ended = TODAY - datetime.timedelta(days=7)
    assert f"上周期满（预备期满，讨论转正，{ended:%Y年%m月%d日}）" in message
    assert "三周后期满" in message and "积极分子满一年" in message and "共3项" in message
    assert "尚早" not in message and "已转正" not in message and "延长预备期" not in message
    assert "延长预备期届满" in notices[secretary_b.pk].message
    assert send_reminders(today=TODAY)["members_due"] == 0  # one notice a month
    assert Notice.objects.filter(kind=NoticeKind.MEMBERS_DUE).count() == 2
