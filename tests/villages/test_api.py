import pytest
from django.urls import reverse

from tests.pages import external_references

pytestmark = pytest.mark.django_db


def test_token_auth_round_trip(api_for, staff, village_a):
    api = api_for(None)
    response = api.post("/api/auth/token/", {"username": "staff", "password": "demo12345"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    names = [v["name"] for v in api.get("/api/villages/").json()["results"]]
    assert names == ["江南村"]


def test_token_with_wrong_password_is_refused(api_for, staff):
    response = api_for(None).post("/api/auth/token/", {"username": "staff", "password": "x"}, format="json")
    assert response.status_code == 400


def test_anonymous_api_gets_401(api_for, village_a):
    response = api_for(None).get("/api/villages/")
    assert response.status_code in (401, 403)
    assert "results" not in response.json()


@pytest.mark.parametrize(
    "role,expected",
    [
        ("staff", ["江南村", "联星村"]),
        ("leader", ["江南村", "联星村"]),
        ("secretary_a", ["江南村"]),
        ("secretary_b", ["联星村"]),
        ("other_staff", ["邻镇一村"]),
    ],
)
def test_villages_api_is_scoped(api_for, roles, role, expected):
    data = api_for(roles[role]).get("/api/villages/").json()["results"]
    assert [v["name"] for v in data] == expected
    assert {v["township"] for v in data} == {"邻镇" if role == "other_staff" else "示范镇"}


def test_village_of_another_is_404(api_for, secretary_a, village_b, other_staff, village_a):
    assert api_for(secretary_a).get(f"/api/villages/{village_b.pk}/").status_code == 404
    assert api_for(secretary_a).get(f"/api/villages/{village_a.pk}/").status_code == 200
    assert api_for(other_staff).get(f"/api/villages/{village_a.pk}/").status_code == 404


def test_villages_api_is_read_only(api_for, leader, staff, village_a):
    for user in (leader, staff):
        assert api_for(user).post("/api/villages/", {"name": "新村"}, format="json").status_code == 405
        assert api_for(user).delete(f"/api/villages/{village_a.pk}/").status_code == 405


def test_schema_and_docs_served_without_cdn(client_for, staff):
    client = client_for(staff)
    schema = client.get(reverse("api-schema"))
    assert schema.status_code == 200
    assert b"/api/villages/" in schema.content and b"/api/star-ratings/" in schema.content
    docs = client.get(reverse("api-docs")).content.decode()
    assert "swagger-ui" in docs
    assert external_references(docs) == [] and "unpkg" not in docs.lower()
    assert "/static/drf_spectacular_sidecar/" in docs
