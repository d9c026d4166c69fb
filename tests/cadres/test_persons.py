"""People: the 身份证号 (check digit, birth date, gender, uniqueness, masking) and the pipeline stage."""
import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from cadres.id_numbers import id_number_problem
from cadres.models import Person, StageChange
from tests.cadres.factories import PersonFactory, ReserveCadreFactory, StageChangeFactory, id_number_for

pytestmark = pytest.mark.django_db

VALID_ID = "11010519491231002X"  # the GB 11643 example: born 1949-12-31, female


def person_payload(village, **overrides):
    return {"village": village.pk, "name": "张建国", "id_number": VALID_ID, **overrides}


def test_the_standard_example_is_valid_and_gives_birth_date_and_gender(client_for, staff, village_a):
    assert id_number_problem(VALID_ID) is None
    response = client_for(staff).post(reverse("records:persons-create"),
                                      person_payload(village_a, id_number=VALID_ID.lower() + " "))
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.id_number == VALID_ID
    assert (person.birth_date, person.gender) == (datetime.date(1949, 12, 31), "female")
    assert person.township == village_a.township
    body = client_for(staff).get(reverse("records:persons-detail", args=[person.pk])).content.decode()
    assert "1949-12-31" in body and "女" in body


@pytest.mark.parametrize("bad,message", [
    ("110105194912310021", "身份证号校验位不正确"),
    ("11010519491231002", "身份证号应为18位，当前为17位"),
    ("1101051949123100A1", "前17位应为数字"),
    ("110105194913310023", "出生日期无效"),
    ("", "该字段是必填项"),
])
def test_invalid_id_number_gets_chinese_error_and_saves_nothing(bad, message, client_for, api_for, staff, village_a):
    response = client_for(staff).post(reverse("records:persons-create"), person_payload(village_a, id_number=bad))
    assert response.status_code == 400
    assert message in response.content.decode()
    response = api_for(staff).post("/api/persons/", person_payload(village_a, id_number=bad), format="json")
    assert response.status_code == 400
    assert message.replace("该字段是必填项", "该字段不能为空") in str(response.json()["id_number"])
    assert not Person.objects.exists()


def test_duplicate_id_number_is_refused_in_any_case(client_for, api_for, staff, village_a, village_b):
    PersonFactory(village=village_a, township=village_a.township, id_number=VALID_ID)
    response = client_for(staff).post(reverse("records:persons-create"),
                                      person_payload(village_b, id_number=VALID_ID.lower()))
    assert response.status_code == 400 and "该身份证号已登记" in response.content.decode()
    response = api_for(staff).post("/api/persons/", person_payload(village_b, id_number=VALID_ID.lower()),
                                   format="json")
    assert response.status_code == 400 and "该身份证号已登记" in str(response.json())
    assert Person.objects.count() == 1


def test_unique_id_number_holds_in_the_database(village_a):
    PersonFactory(village=village_a, township=village_a.township, id_number=VALID_ID)
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(township=village_a.township, village=village_a, name="重复",
                              id_number=VALID_ID, gender="female", birth_date=datetime.date(1949, 12, 31))


def test_under_age_counts_from_the_birth_date(village_a):
    young = PersonFactory(village=village_a, township=village_a.township,
                          id_number="110105199001011232")  # born 1990-01-01
    PersonFactory(village=village_a, township=village_a.township, id_number=VALID_ID)
    assert list(Person.objects.under_age(35, datetime.date(2023, 12, 31))) == [young]
    assert young.age_on(datetime.date(2023, 12, 31)) == 33


# ---------------------------------------------------------------- masking


@pytest.fixture
def person(village_a):
    return PersonFactory(village=village_a, township=village_a.township, id_number=VALID_ID, phone="13912345678")


MASKED_ID, MASKED_PHONE = "*" * 14 + "002X", "*******5678"
NEW_ID = "110105199001011232"  # born 1990-01-01


@pytest.mark.parametrize("user_name", ["leader", "secretary_a"])
def test_id_number_and_phone_are_masked_for_everyone_but_staff(user_name, roles, person, client_for, api_for):
    """At most the last four characters of a 身份证号 and the birth year: pages, history, API."""
    client_for(roles["staff"]).post(reverse("records:persons-update", args=[person.pk]),
                                    person_payload(person.village, id_number=NEW_ID, phone="13800000000"))
    person.refresh_from_db()
    assert person.id_number == NEW_ID
    client = client_for(roles[user_name])
    pages = [
        client.get(reverse("records:persons-list")),
        client.get(reverse("records:persons-detail", args=[person.pk])),
        client.get(reverse("records:persons-history", args=[person.pk])),
        client.get(reverse("records:persons-update", args=[person.pk])) if user_name == "secretary_a" else None,
    ]
    for page in filter(None, pages):
        body = page.content.decode()
        assert page.status_code == 200
        assert_nothing_more_than_last_four(body)
    assert "*" * 14 + "1232" in pages[0].content.decode() and "1990年" in pages[0].content.decode()
    assert f"{MASKED_ID} → {'*' * 14}1232" in pages[2].content.decode()
    api = api_for(roles[user_name])
    for data in [api.get("/api/persons/").json()["results"][0], api.get(f"/api/persons/{person.pk}/").json()]:
        assert data["id_number"] == "*" * 14 + "1232" and data["phone"] == "*******0000"
        assert data["birth_date"] == "1990年"
    for fmt in ("csv", "xlsx"):
        exported = client.get(reverse("ledgers:export", args=["persons", fmt]))
        assert exported.status_code == 200
        assert_nothing_more_than_last_four(_export_text(exported.content, fmt))


def _export_text(content, fmt):
    if fmt == "csv":
        return content.decode("utf-8-sig")
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)


def assert_nothing_more_than_last_four(text):
    """No 身份证号 in `text` with more than its last four characters, no birth date, no whole phone number."""
    for number in (VALID_ID, NEW_ID):
        assert number[:6] not in text and number[6:14] not in text, "region or birth date shown"
        assert number[-5:] not in text, "more than the last four shown"
    for day in ("1949-12-31", "1990-01-01", "1949年12月", "1990年1月", "1990年01月"):
        assert day not in text, f"birth date {day} shown"
    assert "13912345678" not in text and "13800000000" not in text and "1391234" not in text


def test_a_birth_date_filter_asks_only_a_birth_year_of_who_sees_it_masked(person, client_for, api_for, leader,
                                                                        staff):
    """出生晚于 a day other than 31 December would bisect the birth date the list masks to a year."""
    StageChangeFactory(person=person)
    url = reverse("records:stage-changes-list")
    body = client_for(leader).get(url, {"born_after": "1949-12-30"}).content.decode()
    assert "只能按年份筛选" in body
    response = api_for(leader).get("/api/stage-changes/", {"born_after": "1949-12-30"})
    assert response.status_code == 400 and "只能按年份筛选" in str(response.json())
    assert api_for(leader).get("/api/stage-changes/", {"born_after": "1948-12-31"}).json()["count"] == 1
    assert api_for(leader).get("/api/stage-changes/", {"born_after": "1949-12-31"}).json()["count"] == 0
    assert api_for(staff).get("/api/stage-changes/", {"born_after": "1949-12-30"}).json()["count"] == 1
    # Nor may the API order people by a birth date it masks (the order within a year would tell the dates).
    person.name = "甲"
    person.save()
    PersonFactory(village=person.village, township=person.township, name="乙", id_number="11010519490301013X")
    names = [row["name"] for row in api_for(leader).get("/api/persons/", {"ordering": "-birth_date"}).json()["results"]]
    assert names == ["乙", "甲"]  # the usual order by name: the ordering by birth date is not applied


def test_staff_see_id_number_whole(person, client_for, api_for, staff):
    assert VALID_ID in client_for(staff).get(reverse("records:persons-detail", args=[person.pk])).content.decode()
    assert api_for(staff).get(f"/api/persons/{person.pk}/").json()["id_number"] == VALID_ID


def test_secretary_edit_form_never_shows_the_whole_number_and_blank_keeps_it(person, client_for, secretary_a):
    client = client_for(secretary_a)
    form = client.get(reverse("records:persons-update", args=[person.pk])).content.decode()
    assert VALID_ID not in form and "13912345678" not in form
    assert MASKED_ID in form and MASKED_PHONE in form
    assert "1101" not in form.replace(MASKED_ID, "")
    response = client.post(reverse("records:persons-update", args=[person.pk]),
                           person_payload(person.village, name="张建军", id_number="", phone=""))
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.id_number, person.phone) == ("张建军", VALID_ID, "13912345678")
    response = client.post(reverse("records:persons-update", args=[person.pk]),
                           person_payload(person.village, id_number="110105199001011233"))
    assert response.status_code == 400 and "校验位不正确" in response.content.decode()
    person.refresh_from_db()
    assert person.id_number == VALID_ID


def test_search_by_id_number_only_for_staff(person, client_for, staff, secretary_a):
    list_url = reverse("records:persons-list")
    assert "共 1 条" in client_for(staff).get(list_url, {"q": "0519491231"}).content.decode()
    assert "共 0 条" in client_for(secretary_a).get(list_url, {"q": "0519491231"}).content.decode()
    assert "共 1 条" in client_for(secretary_a).get(list_url, {"q": person.name}).content.decode()


# ---------------------------------------------------------------- the pipeline


def test_stage_follows_the_latest_stage_change_by_date(client_for, api_for, staff, village_a):
    person = PersonFactory(village=village_a, township=village_a.township)
    client = client_for(staff)
    create = reverse("records:stage-changes-create")
    client.post(create, {"person": person.pk, "stage": "candidate", "date": "2023-09-01"})
    client.post(create, {"person": person.pk, "stage": "activist", "date": "2022-08-01"})  # entered late
    person.refresh_from_db()
    assert person.stage == "candidate"
    api_for(staff).post("/api/stage-changes/", {"person": person.pk, "stage": "probationary", "date": "2024-01-10"},
                        format="json")
    person.refresh_from_db()
    assert person.stage == "probationary"
    latest = StageChange.objects.get(stage="probationary")
    client.post(reverse("records:stage-changes-delete", args=[latest.pk]))
    person.refresh_from_db()
    assert person.stage == "candidate"
    history = client_for(staff).get(reverse("records:persons-history", args=[person.pk])).content.decode()
    assert "发展阶段：发展对象 → 预备党员" in history


def test_same_day_steps_take_the_later_stage_and_moving_a_change_updates_both_people(village_a):
    first = PersonFactory(village=village_a, township=village_a.township)
    second = PersonFactory(village=village_a, township=village_a.township)
    StageChangeFactory(person=first, stage="candidate", date=datetime.date(2023, 5, 1))
    change = StageChangeFactory(person=first, stage="activist", date=datetime.date(2023, 5, 1))
    first.refresh_from_db()
    assert first.stage == "candidate"
    change.person = second
    change.save()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.stage, second.stage) == ("candidate", "activist")


def test_refresh_stages_repairs_people_after_a_bulk_write(village_a):
    person = PersonFactory(village=village_a, township=village_a.township)
    StageChange.objects.bulk_create([StageChange(person=person, stage="applicant", date=datetime.date(2023, 1, 5))])
    person.refresh_from_db()
    assert person.stage == ""
    assert Person.objects.filter(pk=person.pk).refresh_stages() == [person]
    person.refresh_from_db()
    assert person.stage == "applicant"


def test_stage_is_not_typed_in_the_form_or_the_api(client_for, api_for, staff, village_a):
    person = PersonFactory(village=village_a, township=village_a.township)
    form = client_for(staff).get(reverse("records:persons-update", args=[person.pk])).content.decode()
    assert 'name="stage"' not in form
    api_for(staff).patch(f"/api/persons/{person.pk}/", {"stage": "member"}, format="json")
    person.refresh_from_db()
    assert person.stage == ""


def test_reserve_cadre_must_be_a_person_of_the_village(client_for, staff, village_a, village_b):
    person = PersonFactory(village=village_b, township=village_b.township, id_number=id_number_for(700))
    response = client_for(staff).post(reverse("records:reserve-cadres-create"),
                                      {"village": village_a.pk, "person": person.pk, "since": "2023-01-01"})
    assert response.status_code == 400 and "该人员不属于所选村" in response.content.decode()
    cadre = ReserveCadreFactory(person__village=village_a, person__township=village_a.township)
    response = client_for(staff).post(reverse("records:reserve-cadres-update", args=[cadre.pk]),
                                      {"village": village_a.pk, "person": cadre.person_id, "since": "2023-05-01",
                                       "until": "2023-01-01"})
    assert response.status_code == 400 and "退出日期不能早于纳入日期" in response.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_refresh_stages_takes_a_fixed_number_of_queries_and_keeps_history(village_a, staff, count,
                                                                         django_assert_max_num_queries):
    people = [PersonFactory(village=village_a, township=village_a.township, id_number=id_number_for(800 + n))
              for n in range(count)]
    StageChange.objects.bulk_create(
        [StageChange(person=p, stage="activist", date=datetime.date(2023, 1, 5)) for p in people]
        + [StageChange(person=p, stage="candidate", date=datetime.date(2023, 1, 5)) for p in people[::2]])
    # people, their steps, one UPDATE per stage (two here) and the history INSERT
    with django_assert_max_num_queries(5):
        changed = Person.objects.filter(pk__in=[p.pk for p in people]).refresh_stages(user=staff, reason="测试")
    assert len(changed) == count
    stages = dict(Person.objects.values_list("pk", "stage"))
    assert [stages[p.pk] for p in people[:3]] == ["candidate", "activist", "candidate"]  # same day: the later step
    record = people[0].history.first()
    assert (record.stage, record.history_user, record.history_change_reason) == ("candidate", staff, "测试")
    assert Person.objects.filter(pk__in=[p.pk for p in people]).refresh_stages() == []  # nothing left to change
