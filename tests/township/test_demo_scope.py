"""Issue 2's acceptance on the demo township itself: sec03, leader and an outsider."""

import pytest

from township.models import User
from villages.models import Township, Village

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_township):
    return demo_township


def test_sec03_sees_only_tongchang(demo, client_for, api_for):
    sec03 = User.objects.get(username="sec03")
    data = api_for(sec03).get("/api/villages/").json()["results"]
    assert [v["name"] for v in data] == ["通昌村"]
    other = Village.objects.get(name="江南村")
    assert api_for(sec03).get(f"/api/villages/{other.pk}/").status_code == 404
    assert client_for(sec03).get(f"/villages/{other.pk}/").status_code == 404
    body = client_for(sec03).get("/villages/").content.decode()
    assert "通昌村" in body and "江南村" not in body


def test_leader_sees_twelve_and_changes_nothing(demo, client_for, api_for):
    leader = User.objects.get(username="leader")
    assert api_for(leader).get("/api/villages/").json()["count"] == 12
    rating = api_for(leader).get("/api/star-ratings/").json()["results"][0]
    assert api_for(leader).patch(f"/api/star-ratings/{rating['id']}/", {"stars": 5}, format="json").status_code == 403
    assert client_for(leader).get("/records/star-ratings/new/").status_code == 403


def test_another_township_sees_nothing_of_the_demo(demo, client_for, api_for):
    other = Township.objects.create(name="邻镇")
    outsider = User.objects.create_user("outsider", password="demo12345", role="staff", township=other)
    assert api_for(outsider).get("/api/villages/").json()["count"] == 0
    assert api_for(outsider).get("/api/star-ratings/").json()["count"] == 0
    village = Village.objects.get(name="通昌村")
    assert client_for(outsider).get(f"/villages/{village.pk}/").status_code == 404
    assert "通昌村" not in client_for(outsider).get("/").content.decode()
