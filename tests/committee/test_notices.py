"""Notices from the township (issue 17): staff write to some or all villages, secretaries read, staff see who read."""
import pytest

from committee.models import NoticeReceipt, TownshipNotice

pytestmark = pytest.mark.django_db


def send(api, villages, title="关于召开2023年度组织生活会的通知"):
    response = api.post("/api/township-notices/", {
        "title": title, "text": "请各村党支部于12月底前召开组织生活会。", "deadline": "2023-12-31",
        "villages": [v.pk for v in villages]}, format="json")
    assert response.status_code == 201, response.content
    return TownshipNotice.objects.get(pk=response.json()["id"])


def test_read_receipts_name_who_read_each_notice_and_when(api_for, client_for, staff, leader, secretary_a,
                                                          secretary_b, village_a, village_b):
    notice = send(api_for(staff), [village_a, village_b])
    receipts = api_for(staff).get(f"/api/township-notices/{notice.pk}/receipts/").json()
    assert (receipts["sent"], receipts["read"]) == (2, 0)

    response = api_for(secretary_a).post(f"/api/township-notices/{notice.pk}/read/")
    assert response.status_code == 200
    again = api_for(secretary_a).post(f"/api/township-notices/{notice.pk}/read/")
    assert again.json()["read_at"] == response.json()["read_at"]  # reading again changes nothing
    assert NoticeReceipt.objects.filter(notice=notice).count() == 1

    receipts = api_for(leader).get(f"/api/township-notices/{notice.pk}/receipts/").json()
    assert (receipts["sent"], receipts["read"]) == (2, 1)
    by_village = {v["name"]: v for v in receipts["villages"]}
    assert by_village["江南村"]["read"] is True and by_village["江南村"]["readers"][0]["user"] == "sec_a"
    assert by_village["联星村"] == {"id": village_b.pk, "name": "联星村", "read": False, "readers": []}

    page = client_for(staff).get(f"/notices/{notice.pk}/receipts/").content.decode()
    assert 'id="read-villages">1<' in page and 'id="sent-villages">2<' in page
    row = page.split('data-village="联星村"')[1].split("</tr>")[0]
    assert "未读" in row


def test_secretaries_see_unread_notices_first_and_mark_them_read(api_for, client_for, staff, secretary_a,
                                                                 village_a):
    older = send(api_for(staff), [village_a], title="关于报送党费收缴情况的通知")
    newer = send(api_for(staff), [village_a], title="关于开展主题党日活动的通知")
    newer.mark_read(secretary_a)
    inbox = api_for(secretary_a).get("/api/township-notices/inbox/").json()
    assert [(n["title"], n["read"]) for n in inbox] == [(older.title, False), (newer.title, True)]

    client = client_for(secretary_a)
    home = client.get("/", follow=True).content.decode()
    notices = home.split('id="township-notices"')[1].split("</section>")[0]
    assert notices.index(older.title) < notices.index(newer.title)
    assert notices.count("标为已读") == 1
    response = client.post(f"/notices/{older.pk}/read/", {"next": f"/villages/{village_a.pk}/"})
    assert response.status_code == 302
    assert NoticeReceipt.objects.filter(notice=older, user=secretary_a, village=village_a).exists()
    home = client.get(f"/villages/{village_a.pk}/").content.decode()
    assert "标为已读" not in home.split('id="township-notices"')[1].split("</section>")[0]


def test_notices_are_scoped_leaders_read_and_only_staff_write(api_for, client_for, staff, leader, secretary_a,
                                                              secretary_b, other_staff, village_a):
    notice = send(api_for(staff), [village_a])
    # 联星村's secretary was not sent it: not there for her.
    assert api_for(secretary_b).get("/api/township-notices/inbox/").json() == []
    assert api_for(secretary_b).post(f"/api/township-notices/{notice.pk}/read/").status_code == 404
    assert api_for(secretary_b).get(f"/api/township-notices/{notice.pk}/").status_code == 404
    # Another township: nothing at all.
    assert api_for(other_staff).get(f"/api/township-notices/{notice.pk}/receipts/").status_code == 404
    assert client_for(other_staff).get(f"/notices/{notice.pk}/receipts/").status_code == 404
    # Leaders read, and see who has read it, but neither write nor confirm reading.
    assert api_for(leader).get(f"/api/township-notices/{notice.pk}/").status_code == 200
    assert api_for(leader).post("/api/township-notices/", {"title": "x", "text": "y", "villages": [village_a.pk]},
                                format="json").status_code == 403
    assert api_for(leader).post(f"/api/township-notices/{notice.pk}/read/").status_code == 403
    # A secretary reads her notice but does not write one, nor see the others' receipts.
    assert api_for(secretary_a).post("/api/township-notices/", {
        "title": "x", "text": "y", "villages": [village_a.pk]}, format="json").status_code == 403
    assert api_for(secretary_a).get(f"/api/township-notices/{notice.pk}/receipts/").status_code == 403
    assert not NoticeReceipt.objects.exists()


def test_staff_cannot_send_to_another_townships_village(api_for, staff, other_village):
    response = api_for(staff).post("/api/township-notices/", {
        "title": "x", "text": "y", "villages": [other_village.pk]}, format="json")
    assert response.status_code == 400
    assert not TownshipNotice.objects.exists()


def test_a_secretary_marks_a_notice_read_from_its_page(api_for, client_for, staff, secretary_a, village_a):
    notice = send(api_for(staff), [village_a])
    client = client_for(secretary_a)
    page = client.get(f"/records/township-notices/{notice.pk}/").content.decode()
    assert "请各村党支部于12月底前召开组织生活会。" in page and "标为已读" in page
    client.post(f"/notices/{notice.pk}/read/", {"next": f"/records/township-notices/{notice.pk}/"})
    page = client.get(f"/records/township-notices/{notice.pk}/").content.decode()
    assert "标为已读" not in page and "确认阅读" in page
    staff_page = client_for(staff).get(f"/records/township-notices/{notice.pk}/").content.decode()
    assert f"/notices/{notice.pk}/receipts/" in staff_page and "标为已读" not in staff_page
