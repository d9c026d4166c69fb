"""组织关系转接 (issue 16): dated transfers move a person with their steps; both ends see them; a member transferred
out of the system leaves the roster and the year-end counts and keeps their history; the figures and the report."""
import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from cadres.models import MemberDues, Person, StageChange, Transfer
from reports import drafting
from reports.figures import compute_figures
from tests.cadres.factories import PersonFactory, StageChangeFactory
from villages.models import Township, month_bounds

pytestmark = pytest.mark.django_db

D = datetime.date


APPLIED, ACTIVIST_SINCE, JOINED = D(2021, 3, 1), D(2022, 4, 1), D(2015, 7, 1)


def activist(village, applied=APPLIED, since=ACTIVIST_SINCE):
    """An 入党积极分子 of `village` since `since`."""
    person = PersonFactory(village=village, township=village.township)
    StageChangeFactory(person=person, stage="applicant", date=applied)
    StageChangeFactory(person=person, stage="activist", date=since)
    return person


def member(village, joined=JOINED):
    person = PersonFactory(village=village, township=village.township)
    StageChangeFactory(person=person, stage="member", date=joined)
    return person


def payload(person, kind="within", date="2023-06-15", **more):
    return {"person": person.pk, "kind": kind, "date": date, **more}


def post_both(api_for, client_for, user, data):
    """The same transfer through the API and the form: (API response, form response)."""
    api = api_for(user).post("/api/transfers/", data, format="json")
    form = client_for(user).post(reverse("records:transfers-create"), {k: v for k, v in data.items()})
    return api, form


def refused(api_for, client_for, user, data, field, message):
    api, form = post_both(api_for, client_for, user, data)
    assert api.status_code == 400, api.json()
    assert message in "".join(api.json()[field]), api.json()
    assert form.status_code == 400 and message in form.content.decode()


# ---------------------------------------------------------------- moving within the township


def test_a_transfer_between_villages_moves_the_person_and_their_steps_keep_their_village(
        api_for, client_for, staff, village_a, village_b):
    person = activist(village_a)
    response = api_for(staff).post("/api/transfers/", payload(person, to_village=village_b.pk), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["from_village"], body["to_village"], body["from_township"], body["to_township"]) == (
        village_a.pk, village_b.pk, village_a.township_id, village_a.township_id)
    person.refresh_from_db()
    assert person.village == village_b and person.history.first().history_change_reason == "组织关系转接：镇内村间转接"
    # The steps stay in the village (and month) they were made in: 江南村's list still shows them.
    assert set(StageChange.objects.filter(person=person).values_list("village_id", flat=True)) == {village_a.pk}
    assert api_for(staff).get(f"/api/stage-changes/?village={village_a.pk}").json()["count"] == 2
    # A step recorded after the transfer is 联星村's.
    StageChangeFactory(person=person, stage="candidate", date=D(2023, 7, 1))
    assert StageChange.objects.get(person=person, stage="candidate").village == village_b
    # The form moves them back.
    form = client_for(staff).post(reverse("records:transfers-create"),
                                  payload(person, date="2023-07-02", to_village=village_a.pk))
    assert form.status_code == 302
    person.refresh_from_db()
    assert person.village == village_a and person.transfers.count() == 2


def test_the_person_page_shows_the_transfers_beside_the_steps(api_for, client_for, staff, village_a, village_b):
    person = activist(village_a)
    api_for(staff).post("/api/transfers/", payload(person, to_village=village_b.pk, note="婚后迁居"), format="json")
    page = client_for(staff).get(reverse("records:persons-detail", args=[person.pk])).content.decode()
    assert "发展历程" in page and "组织关系转接" in page
    assert "2023-06-15" in page and "镇内村间转接" in page and "婚后迁居" in page and "staff" in page


def test_the_village_of_a_person_is_changed_by_a_transfer_not_by_an_edit(api_for, client_for, staff, village_a,
                                                                         village_b):
    person = activist(village_a)
    response = api_for(staff).patch(f"/api/persons/{person.pk}/", {"village": village_b.pk}, format="json")
    assert response.status_code == 400 and "请登记“组织关系转接”" in response.json()["village"][0]
    page = client_for(staff).post(reverse("records:persons-update", args=[person.pk]),
                                  {"village": village_b.pk, "name": person.name, "id_number": person.id_number})
    assert page.status_code == 400 and "请登记“组织关系转接”" in page.content.decode()
    person.refresh_from_db()
    assert person.village == village_a


# ---------------------------------------------------------------- the rules, each refused with its message


def test_the_date_is_not_in_the_future_nor_before_the_last_step_or_transfer(api_for, client_for, staff, village_a,
                                                                            village_b):
    person = activist(village_a, since=D(2023, 5, 10))
    refused(api_for, client_for, staff, payload(person, date="2099-01-01", to_village=village_b.pk),
            "date", "日期不能晚于今天")
    refused(api_for, client_for, staff, payload(person, date="2023-05-09", to_village=village_b.pk),
            "date", "转接日期不能早于该人员最近一次发展阶段记录的日期（2023年05月10日）")
    first_allowed = payload(person, date="2023-05-10", to_village=village_b.pk)
    assert api_for(staff).post("/api/transfers/", first_allowed, format="json").status_code == 201
    refused(api_for, client_for, staff, payload(person, date="2023-05-09", to_village=village_a.pk),
            "date", "转接日期不能早于该人员上一次转接的日期（2023年05月10日）")


def test_the_destination_fits_the_kind(api_for, client_for, staff, village_a, village_b, other_village):
    person = activist(village_a)
    refused(api_for, client_for, staff, payload(person, to_village=village_a.pk),
            "to_village", "该人员已在江南村，转入村须与现所在村不同")
    refused(api_for, client_for, staff, payload(person), "to_village", "请选择转入村")
    refused(api_for, client_for, staff, payload(person, to_village=other_village.pk),
            "to_village", "镇内村间转接的转入村须在本镇")
    refused(api_for, client_for, staff, payload(person, kind="between", to_village=village_b.pk),
            "to_village", "跨镇转接的转入村须在其他镇")
    refused(api_for, client_for, staff, payload(person, kind="out"),
            "to_place", "转出到系统外须填写接收组织关系的党组织或地区")
    refused(api_for, client_for, staff,
            payload(person, kind="out", to_place="某市某街道党工委", to_village=village_b.pk), "to_village",
            "转出到系统外时不选择转入村")
    refused(api_for, client_for, staff, payload(person, kind="in", to_village=village_b.pk),
            "from_place", "从系统外转入须填写原组织关系所在的党组织或地区")
    assert not Transfer.objects.exists()


def test_a_transfer_is_not_edited_but_deleted_latest_first_which_puts_the_person_back(api_for, staff, village_a,
                                                                                      village_b):
    person = activist(village_a)
    first = api_for(staff).post("/api/transfers/", payload(person, to_village=village_b.pk), format="json").json()
    response = api_for(staff).patch(f"/api/transfers/{first['id']}/", {"date": "2023-06-20"}, format="json")
    assert response.status_code == 400 and "转接登记后不能修改人员、类型、日期和转入村" in str(response.json())
    assert api_for(staff).patch(f"/api/transfers/{first['id']}/", {"note": "凭介绍信"},
                                format="json").status_code == 200
    second = api_for(staff).post("/api/transfers/", payload(person, kind="out", date="2023-08-01",
                                                            to_place="银川市某社区党委"), format="json").json()
    response = api_for(staff).delete(f"/api/transfers/{first['id']}/")
    assert response.status_code == 400 and "只能删除该人员最近一次的转接记录" in str(response.json())
    assert api_for(staff).delete(f"/api/transfers/{second['id']}/").status_code == 204
    person.refresh_from_db()
    assert (person.village, person.left_on) == (village_b, None)
    assert api_for(staff).delete(f"/api/transfers/{first['id']}/").status_code == 204
    person.refresh_from_db()
    assert person.village == village_a


# ---------------------------------------------------------------- between townships of the system


def test_a_transfer_between_townships_moves_the_person_with_their_steps_and_counts_them_once(
        api_for, client_for, staff, other_staff, township, village_a, other_village):
    person = activist(village_a)  # an 入党积极分子 since 2022
    response = api_for(staff).post("/api/transfers/", payload(person, kind="between", to_village=other_village.pk),
                                   format="json")
    assert response.status_code == 201, response.json()
    transfer_id = response.json()["id"]
    person.refresh_from_db()
    # The same person (no second registration), now of 邻镇, with their steps.
    assert Person.objects.count() == 1
    assert (person.township, person.village, person.stage) == (other_village.township, other_village, "activist")
    # Both townships' staff see the transfer; the old township still lists the past steps, the new one reads them on
    # the person page.
    for user in (staff, other_staff):
        assert api_for(user).get(f"/api/transfers/{transfer_id}/").status_code == 200
        assert [row["id"] for row in api_for(user).get("/api/transfers/").json()["results"]] == [transfer_id]
    assert api_for(staff).get("/api/stage-changes/").json()["count"] == 2
    assert api_for(staff).get(f"/api/persons/{person.pk}/").status_code == 404
    page = client_for(other_staff).get(reverse("records:persons-detail", args=[person.pk])).content.decode()
    assert "入党积极分子" in page and "系统内跨镇转接" in page
    # 31 December 2022: counted in 示范镇; 2023: in 邻镇; never in both.
    counts = {(t.name, year): compute_figures(t, year)["members.activists"]["value"]
              for t in (township, other_village.township) for year in (2022, 2023)}
    assert counts == {("示范镇", 2022): 1, ("邻镇", 2022): 0, ("示范镇", 2023): 0, ("邻镇", 2023): 1}
    # The new township's year-end list reproduces its counts.
    lists = {year: client_for(other_staff).get(compute_figures(other_village.township, year)["members.activists"]
                                               ["source"]).context["page"].paginator.count for year in (2022, 2023)}
    assert lists == {2022: 0, 2023: 1}
    # 转出 for the one, 转入 for the other, with sources that state them.
    out = api_for(staff).get("/api/reports/2023/figures/").json()["figures"]
    came = api_for(other_staff).get("/api/reports/2023/figures/").json()["figures"]
    assert (out["members.transferred_out"]["value"], out["members.transferred_in"]["value"]) == (1, 0)
    assert (came["members.transferred_in"]["value"], came["members.transferred_out"]["value"]) == (1, 0)
    assert "共 1 条" in client_for(staff).get(out["members.transferred_out"]["source"]).content.decode()
    assert "共 1 条" in client_for(other_staff).get(came["members.transferred_in"]["source"]).content.decode()
    assert "共 0 条" in client_for(staff).get(out["members.transferred_in"]["source"]).content.decode()
    # Both ends export it.
    for user in (staff, other_staff):
        exported = client_for(user).get(reverse("ledgers:export", args=["transfers", "csv"])).content
        assert "系统内跨镇转接" in exported.decode("utf-8-sig") and person.name in exported.decode("utf-8-sig")


def test_secretaries_see_the_transfers_of_their_village_and_do_not_record_them(
        api_for, staff, secretary_a, secretary_b, village_a, village_b, township):
    from tests.villages.factories import VillageFactory

    person = activist(village_a)
    third = VillageFactory(township=township, name="通昌村")
    transfer = api_for(staff).post("/api/transfers/", payload(person, to_village=village_b.pk), format="json").json()
    for secretary in (secretary_a, secretary_b):
        assert api_for(secretary).get(f"/api/transfers/{transfer['id']}/").status_code == 200
    # The 村 filter finds a transfer under either village.
    for village in (village_a, village_b):
        assert api_for(staff).get(f"/api/transfers/?village={village.pk}").json()["count"] == 1
    assert api_for(secretary_b).get("/api/transfers/").json()["count"] == 1
    elsewhere = activist(third)
    api_for(staff).post("/api/transfers/", payload(elsewhere, to_village=village_a.pk), format="json")
    assert api_for(secretary_b).get("/api/transfers/").json()["count"] == 1
    assert api_for(secretary_a).get("/api/transfers/").json()["count"] == 2
    response = api_for(secretary_b).post("/api/transfers/", payload(person, date="2023-07-01",
                                                                    to_village=village_a.pk), format="json")
    assert response.status_code == 403


# ---------------------------------------------------------------- out of the system and back


def test_a_member_transferred_out_leaves_the_roster_and_the_counts_and_keeps_their_history(
        api_for, client_for, staff, township, village_a, village_b):
    leaving, staying = member(village_a), member(village_a)
    response = api_for(staff).post("/api/transfers/", payload(leaving, kind="out", date="2023-05-19",
                                                              to_place="银川市金凤区满城北街街道党工委"), format="json")
    assert response.status_code == 201, response.json()
    leaving.refresh_from_db()
    assert leaving.left_on == D(2023, 5, 19) and leaving.village == village_a
    client = client_for(staff)
    roster = client.get(reverse("records:persons-list"))
    assert [obj.pk for obj, _url, _cells in roster.context["rows"]] == [staying.pk]
    gone = client.get(reverse("records:persons-list") + "?left=true")
    assert [obj.pk for obj, _url, _cells in gone.context["rows"]] == [leaving.pk]
    assert api_for(staff).get("/api/persons/").json()["count"] == 1
    exported = client.get(reverse("ledgers:export", args=["persons", "csv"])).content.decode("utf-8-sig")
    ids = [row[1] for row in csv.reader(io.StringIO(exported))][1:]
    assert ids == [staying.id_number]
    # Their record and history stay.
    page = client.get(reverse("records:persons-detail", args=[leaving.pk])).content.decode()
    assert "转出到系统外" in page and "2023-05-19" in page
    assert {year: compute_figures(township, year)["members.full"]["value"] for year in (2022, 2023)} == {
        2022: 2, 2023: 1}
    source = client.get(compute_figures(township, 2022)["members.full"]["source"])
    assert source.context["page"].paginator.count == 2
    # Transferred out: only back in from outside.
    refused(api_for, client_for, staff, payload(leaving, date="2023-06-01", to_village=village_b.pk),
            "kind", "该人员已于2023年05月19日转出到系统外，只能登记“从系统外转入”")
    back = payload(leaving, kind="in", date="2024-03-01", to_village=village_b.pk, from_place="银川市某街道党工委")
    assert api_for(staff).post("/api/transfers/", back, format="json").status_code == 201
    leaving.refresh_from_db()
    assert (leaving.left_on, leaving.village) == (None, village_b)
    assert compute_figures(township, 2024)["members.full"]["value"] == 2
    assert compute_figures(township, 2024)["members.transferred_in"]["value"] == 1


def test_a_person_of_the_system_is_not_transferred_in_from_outside(api_for, client_for, staff, village_a,
                                                                   village_b):
    person = activist(village_a)
    api_for(staff).post("/api/transfers/", payload(person, to_village=village_b.pk), format="json")
    refused(api_for, client_for, staff, payload(person, kind="in", date="2023-07-01", to_village=village_a.pk,
                                                from_place="外省某党委"),
            "kind", "该人员的组织关系在系统内")


def test_a_newcomer_from_outside_counts_from_the_day_they_arrive(api_for, staff, township, village_a):
    newcomer = member(village_a, joined=D(2012, 7, 1))
    arrival = payload(newcomer, kind="in", date="2023-04-06", to_village=village_a.pk,
                      from_place="固原市原州区三营镇党委")
    assert api_for(staff).post("/api/transfers/", arrival, format="json").status_code == 201
    assert {year: compute_figures(township, year)["members.full"]["value"] for year in (2022, 2023)} == {
        2022: 0, 2023: 1}
    assert compute_figures(township, 2023)["members.transferred_in"]["value"] == 1


# ---------------------------------------------------------------- the report and the demo


def test_the_report_states_the_transfers_only_when_there_are_some(api_for, staff, township, village_a, village_b):
    assert "组织关系转接" not in "".join(p.text for p in drafting.grassroots(compute_figures(township, 2023)))
    for n in range(2):
        api_for(staff).post("/api/transfers/", payload(member(village_a), kind="out", date=f"2023-0{n + 5}-01",
                                                       to_place="外省某党委"), format="json")
    api_for(staff).post("/api/transfers/", payload(member(village_a), to_village=village_b.pk), format="json")
    text = "".join(p.text for p in drafting.grassroots(compute_figures(township, 2023)))
    assert "规范党员组织关系转接，转出2名" in text and "转入" not in text


def test_the_demo_has_each_kind_of_transfer_in_2023_in_plausible_numbers(db, client):
    call_command("load_demo", stdout=io.StringIO())
    township = Township.objects.get(name="示范镇")
    neighbour = Township.objects.get(name="青山镇")
    kinds = dict.fromkeys(("within", "between", "in", "out"), 0)
    for kind in Transfer.objects.filter(date__year=2023).values_list("kind", flat=True):
        kinds[kind] += 1
    assert (3 <= kinds["within"] <= 6 and 1 <= kinds["between"] <= 3 and 1 <= kinds["in"] <= 3
            and 1 <= kinds["out"] <= 3)
    # Between the two townships of the demo: each township counts the other's as 转入 or 转出, once.
    into = {t: Transfer.objects.filter(date__year=2023, to_township=t).exclude(from_township=t).count()
            for t in (township, neighbour)}
    out_of = {t: Transfer.objects.filter(date__year=2023, from_township=t).exclude(to_township=t).count()
              for t in (township, neighbour)}
    assert into[neighbour] >= 1 and out_of[neighbour] >= 1
    assert into[township] > kinds["in"] and out_of[township] > kinds["out"]  # from/to 青山镇 as well
    for place in (township, neighbour):
        figures = compute_figures(place, 2023)
        assert (figures["members.transferred_in"]["value"], figures["members.transferred_out"]["value"]) == (
            into[place], out_of[place]), place.name
    figures = compute_figures(township, 2023)
    text = "".join(p.text for p in drafting.grassroots(figures))
    assert f"规范党员组织关系转接，转入{into[township]}名、转出{out_of[township]}名" in text
    # A member who went between the townships is one person, registered once, with their steps: counted on
    # 31 December 2022 where they were then and on 31 December 2023 where they are now, never in both.
    moved = Transfer.objects.filter(kind="between").select_related("person").first().person
    assert Person.objects.filter(id_number=moved.id_number).count() == 1 and moved.stage_changes.exists()
    # Nobody transferred out of the system is appraised or owes dues after leaving.
    gone = Person.objects.filter(left_on__isnull=False)
    assert gone.count() == kinds["out"] and not gone.filter(appraisals__isnull=False).exists()
    # A member's dues are paid where they were at each month's end, never in a village of the other township.
    for dues in MemberDues.objects.filter(person__transfers__kind="between").select_related("village"):
        assert dues.village_id == Person.villages_on([(dues.person_id, month_bounds(2023, dues.month)[1])])[
            (dues.person_id, month_bounds(2023, dues.month)[1])]


def test_the_mobile_member_has_where_they_came_from(api_for, client_for, staff, village_a):
    person = member(village_a)
    response = api_for(staff).patch(f"/api/persons/{person.pk}/", {"is_mobile": True, "mobile_place": "银川市",
                                                                   "mobile_origin": "固原市原州区"}, format="json")
    assert response.status_code == 200 and response.json()["mobile_origin"] == "固原市原州区"
    page = client_for(staff).get(reverse("records:persons-detail", args=[person.pk])).content.decode()
    assert "流出地" in page and "固原市原州区" in page
    form = client_for(staff).get(reverse("records:persons-update", args=[person.pk])).content.decode()
    assert 'name="mobile_origin"' in form


def test_the_year_end_lists_hold_people_where_they_were_at_the_years_end(
        api_for, client_for, staff, other_staff, township, village_a, other_village, secretary_a):
    """A member transferred to another township after 31 December 2022 is in the old township's 2022 list and the
    new one's 2023 list: each figure is what its source page lists (共 N 条), for both townships and both years."""
    moved, stayed = activist(village_a), activist(village_a)
    response = api_for(staff).post("/api/transfers/", payload(moved, kind="between", date="2023-03-01",
                                                               to_village=other_village.pk), format="json")
    assert response.status_code == 201, response.json()
    users = {township: staff, other_village.township: other_staff}
    found = {}
    for place, user in users.items():
        for year in (2022, 2023):
            figure = compute_figures(place, year)["members.activists"]
            page = client_for(user).get(figure["source"])
            listed = {obj.pk for obj, _url, _cells in page.context["rows"]}
            assert f"共 {figure['value']} 条" in page.content.decode() and len(listed) == figure["value"]
            query = figure["source"].split("?", 1)[1]
            assert api_for(user).get(f"/api/persons/?{query}").json()["count"] == figure["value"]
            exported = client_for(user).get(reverse("ledgers:export", args=["persons", "csv"]) + f"?{query}")
            assert exported.content.decode("utf-8-sig").count("\n") - 1 == figure["value"]
            found[(place.name, year)] = listed
    assert found == {("示范镇", 2022): {moved.pk, stayed.pk}, ("示范镇", 2023): {stayed.pk},
                     ("邻镇", 2022): set(), ("邻镇", 2023): {moved.pk}}
    # The secretary of 江南村 finds them in the village's 2022 list, not in today's roster; their page stays 邻镇's.
    source = compute_figures(township, 2022)["members.activists"]["source"]
    assert client_for(secretary_a).get(source).context["page"].paginator.count == 2
    assert client_for(secretary_a).get(reverse("records:persons-list")).context["page"].paginator.count == 1
    assert client_for(staff).get(reverse("records:persons-detail", args=[moved.pk])).status_code == 404
    # So the old township's list names them without a link to that page, and links the others.
    page = client_for(staff).get(source)
    links = {obj.pk: url for obj, url, _cells in page.context["rows"]}
    assert links == {moved.pk: None, stayed.pk: reverse("records:persons-detail", args=[stayed.pk])}
    assert "（现不在本镇）" in page.content.decode()
    assert reverse("records:persons-detail", args=[moved.pk]) not in page.content.decode()
    # The day as the list's date filter reads it in any form it takes: 2022/12/31 lists the same people.
    slashed = {"stage": "activist", "on": "2022/12/31"}
    for place, user in users.items():
        page = client_for(user).get(reverse("records:persons-list"), slashed)
        assert {obj.pk for obj, _url, _cells in page.context["rows"]} == found[(place.name, 2022)]


def test_the_village_of_a_year_end_list_is_where_the_person_was_that_day(client_for, staff, api_for, township,
                                                                          village_a, village_b):
    moved = activist(village_a)
    assert api_for(staff).post("/api/transfers/", payload(moved, date="2023-03-01", to_village=village_b.pk),
                               format="json").status_code == 201
    client = client_for(staff)

    def listed(**params):
        page = client.get(reverse("records:persons-list"), params)
        return {obj.pk for obj, _url, _cells in page.context["rows"]}

    year_end = {"stage": "activist", "on": "2022-12-31"}
    assert listed(village=village_a.pk, **year_end) == {moved.pk}
    assert listed(village=village_b.pk, **year_end) == set()
    assert listed(village=village_b.pk) == {moved.pk} and listed(village=village_a.pk) == set()
    assert api_for(staff).get("/api/persons/", {"village": village_a.pk, **year_end}).json()["count"] == 1
