"""The generic record pages and API, exercised on star ratings and branches."""
import pytest
from django.urls import reverse

from tests.villages.factories import StarRatingFactory
from villages.models import StarRating

pytestmark = pytest.mark.django_db


@pytest.fixture
def rating_a(village_a):
    return StarRatingFactory(branch=village_a.branches.first(), year=2023, stars=3)


@pytest.fixture
def rating_b(village_b):
    return StarRatingFactory(branch=village_b.branches.first(), year=2023, stars=4)


def test_staff_creates_through_form_and_history_names_them(client_for, staff, village_a):
    client = client_for(staff)
    branch = village_a.branches.first()
    response = client.post(
        reverse("records:star-ratings-create"), {"branch": branch.pk, "year": 2023, "stars": 4, "target_stars": 5}
    )
    assert response.status_code == 302
    rating = StarRating.objects.get(branch=branch, year=2023)
    assert (rating.stars, rating.target_stars) == (4, 5)
    client.post(reverse("records:star-ratings-update", args=[rating.pk]),
                {"branch": branch.pk, "year": 2023, "stars": 5, "target_stars": 5})
    history = client.get(reverse("records:star-ratings-history", args=[rating.pk])).content.decode()
    assert "staff" in history and "评定星级：4 → 5" in history


def test_stars_out_of_range_get_chinese_error_and_save_nothing(client_for, staff, village_a):
    response = client_for(staff).post(
        reverse("records:star-ratings-create"), {"branch": village_a.branches.first().pk, "year": 2023, "stars": 6}
    )
    assert response.status_code == 400
    assert "确保该值小于或等于5" in response.content.decode()
    assert not StarRating.objects.exists()


def test_duplicate_rating_for_branch_year_is_refused(client_for, staff, rating_a):
    response = client_for(staff).post(
        reverse("records:star-ratings-create"), {"branch": rating_a.branch_id, "year": 2023, "stars": 2}
    )
    assert response.status_code == 400
    assert StarRating.objects.count() == 1


def test_list_filters_by_year_and_village(client_for, staff, rating_a, rating_b, village_a):
    StarRatingFactory(branch=village_a.branches.first(), year=2022, stars=2)
    client = client_for(staff)
    body = client.get(reverse("records:star-ratings-list"), {"year": 2023, "village": village_a.pk}).content.decode()
    assert "共 1 条" in body and "江南村党支部" in body and "联星村党支部" not in body


def test_list_query_count_does_not_grow_with_rows(client_for, staff, village_a, django_assert_max_num_queries):
    branch = village_a.branches.first()
    for year in range(2000, 2040):
        StarRatingFactory(branch=branch, year=year, stars=3)
    client = client_for(staff)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("records:star-ratings-list")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/api/star-ratings/").status_code == 200


@pytest.mark.parametrize("action", ["detail", "update", "delete", "history"])
def test_secretary_of_another_village_gets_404(client_for, secretary_b, rating_a, action):
    url = reverse(f"records:star-ratings-{action}", args=[rating_a.pk])
    assert client_for(secretary_b).get(url).status_code == 404


def test_secretary_reads_own_village_rating_but_cannot_write_it(client_for, api_for, secretary_a, rating_a, rating_b):
    client = client_for(secretary_a)
    body = client.get(reverse("records:star-ratings-list")).content.decode()
    assert "江南村党支部" in body and "联星村党支部" not in body
    assert client.get(reverse("records:star-ratings-detail", args=[rating_a.pk])).status_code == 200
    assert client.get(reverse("records:star-ratings-update", args=[rating_a.pk])).status_code == 403
    response = api_for(secretary_a).patch(f"/api/star-ratings/{rating_a.pk}/", {"stars": 5}, format="json")
    assert response.status_code == 403
    rating_a.refresh_from_db()
    assert rating_a.stars == 3


def test_leader_reads_everything_and_writes_nothing(client_for, api_for, leader, rating_a, rating_b):
    client = client_for(leader)
    assert "共 2 条" in client.get(reverse("records:star-ratings-list")).content.decode()
    assert client.get(reverse("records:star-ratings-create")).status_code == 403
    response = client.post(reverse("records:star-ratings-delete", args=[rating_a.pk]))
    assert response.status_code == 403 and "只能查看" in response.content.decode()
    api = api_for(leader)
    assert api.post("/api/star-ratings/", {"branch": rating_a.branch_id, "year": 2021, "stars": 3},
                    format="json").status_code == 403
    assert api.delete(f"/api/star-ratings/{rating_a.pk}/").status_code == 403
    assert StarRating.objects.count() == 2


def test_other_township_staff_gets_404_and_cannot_pick_our_branch(client_for, api_for, other_staff, rating_a):
    client = client_for(other_staff)
    assert client.get(reverse("records:star-ratings-detail", args=[rating_a.pk])).status_code == 404
    assert "江南村" not in client.get(reverse("records:star-ratings-list")).content.decode()
    api = api_for(other_staff)
    assert api.get(f"/api/star-ratings/{rating_a.pk}/").status_code == 404
    response = api.post("/api/star-ratings/", {"branch": rating_a.branch_id, "year": 2021, "stars": 3}, format="json")
    assert response.status_code == 400
    assert StarRating.objects.count() == 1


def test_staff_api_create_update_delete(api_for, staff, village_a):
    api = api_for(staff)
    branch = village_a.branches.first()
    created = api.post("/api/star-ratings/", {"branch": branch.pk, "year": 2023, "stars": 4}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert api.patch(f"/api/star-ratings/{pk}/", {"stars": 5}, format="json").json()["stars"] == 5
    bad = api.patch(f"/api/star-ratings/{pk}/", {"stars": 0}, format="json")
    assert bad.status_code == 400 and "大于或者等于 1" in str(bad.json())
    assert api.delete(f"/api/star-ratings/{pk}/").status_code == 204
    assert not StarRating.objects.exists()
    assert StarRating.history.filter(id=pk, history_type="-").exists()


def test_api_filters_by_village_and_year(api_for, staff, rating_a, rating_b, village_a):
    data = api_for(staff).get("/api/star-ratings/", {"village": village_a.pk, "year": 2023}).json()
    assert [r["id"] for r in data["results"]] == [rating_a.pk]


def test_delete_keeps_history(client_for, staff, rating_a):
    client = client_for(staff)
    assert client.post(reverse("records:star-ratings-delete", args=[rating_a.pk])).status_code == 302
    assert not StarRating.objects.filter(pk=rating_a.pk).exists()
    assert [h.history_type for h in StarRating.history.filter(id=rating_a.pk).order_by("history_date")] == ["+", "-"]
