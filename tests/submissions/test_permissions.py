"""The permission matrix of every page and endpoint: anonymous, outsider (404), read-only (403), allowed."""
import pytest
from django.test import Client
from rest_framework.test import APIClient

from submissions import services
from submissions.models import Submission

from .conftest import MONTH, YEAR, upload_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def preview(village_a, secretary_a, workbook_for):
    submission = services.submission_create(village=village_a, year=YEAR, month=MONTH, user=secretary_a,
                                            uploaded_file=upload_file(workbook_for(village_a)))
    return services.submission_preview(submission=submission)


@pytest.fixture
def submitted(preview, secretary_a):
    return services.submission_confirm(submission=preview, user=secretary_a)


def _status(client, method, url, data=None):
    return getattr(client, method)(url, data or {}).status_code


@pytest.mark.parametrize("role, expected", [
    (None, 403), ("other_staff", 404), ("secretary_b", 404), ("leader", 403), ("secretary_a", 201), ("staff", 201),
])
def test_api_upload(roles, role, expected, village_a, workbook_for, upload_api):
    response = upload_api(roles.get(role), village_a, workbook_for(village_a))
    assert response.status_code in ({401, 403} if role is None else {expected})


@pytest.mark.parametrize("role, expected", [
    ("other_staff", 404), ("secretary_b", 404), ("leader", 403), ("secretary_a", 302), ("staff", 302),
])
def test_page_upload(roles, role, expected, village_a, workbook_for, client_for):
    response = client_for(roles[role]).post("/submissions/upload/", {
        "village": village_a.pk, "year": YEAR, "month": MONTH, "file": upload_file(workbook_for(village_a))})
    assert response.status_code == expected
    assert Submission.objects.exists() == (expected == 302)


def test_anonymous_pages_redirect_to_login(client_for, preview):
    client = client_for(None)
    for url in ["/submissions/", "/submissions/completeness/", f"/submissions/{preview.pk}/",
                f"/submissions/{preview.pk}/file/", "/submissions/template/"]:
        assert client.get(url).status_code == 302, url
    assert client.post("/submissions/upload/").status_code == 302
    assert APIClient().get(f"/api/submissions/{preview.pk}/").status_code in (401, 403)


@pytest.mark.parametrize("role, expected", [
    ("other_staff", 404), ("secretary_b", 404), ("leader", 200), ("secretary_a", 200), ("staff", 200),
])
def test_view_submission_page_api_and_file(roles, role, expected, preview, client_for, api_for):
    assert client_for(roles[role]).get(f"/submissions/{preview.pk}/").status_code == expected
    # The raw file holds every 身份证号 unmasked: not for the leader, who reads the submission masked.
    file_expected = 404 if role == "leader" else expected
    assert client_for(roles[role]).get(f"/submissions/{preview.pk}/file/").status_code == file_expected
    assert api_for(roles[role]).get(f"/api/submissions/{preview.pk}/").status_code == expected


@pytest.mark.parametrize("role, expected", [
    ("other_staff", 404), ("secretary_b", 404), ("leader", 403), ("secretary_a", 200), ("staff", 200),
])
def test_api_confirm(roles, role, expected, preview, api_for):
    assert api_for(roles[role]).post(f"/api/submissions/{preview.pk}/confirm/").status_code == expected


@pytest.mark.parametrize("role, expected", [
    ("other_staff", 404), ("secretary_b", 404), ("leader", 403), ("secretary_a", 302), ("staff", 302),
])
def test_page_confirm(roles, role, expected, preview, client_for):
    assert client_for(roles[role]).post(f"/submissions/{preview.pk}/confirm/").status_code == expected
    preview.refresh_from_db()
    assert (preview.status == "submitted") == (expected == 302)


@pytest.mark.parametrize("action", ["approve", "return", "reopen"])
@pytest.mark.parametrize("role, expected", [
    ("other_staff", 404), ("secretary_b", 404), ("leader", 403), ("secretary_a", 403),
])
def test_review_is_staff_only(roles, role, expected, action, submitted, api_for, client_for):
    url = f"/submissions/{submitted.pk}/{action}/"
    assert api_for(roles[role]).post(f"/api{url}", {"reason": "原因"}).status_code == expected
    assert client_for(roles[role]).post(url, {"reason": "原因"}).status_code == expected
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_staff_review_pages(staff, submitted, client_for):
    client = client_for(staff)
    assert client.post(f"/submissions/{submitted.pk}/approve/").status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "approved"
    page = client.get(f"/submissions/{submitted.pk}/").content.decode()
    assert "重新开放该月" in page
    assert client.post(f"/submissions/{submitted.pk}/reopen/", {"reason": "更正"}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


@pytest.mark.parametrize("role, expected", [
    ("other_staff", 404), ("secretary_b", 404), ("leader", 200), ("secretary_a", 200), ("staff", 200),
])
def test_template_download(roles, role, expected, village_a, api_for, client_for):
    url = f"/submissions/template/?village={village_a.pk}&year={YEAR}&month={MONTH}"
    assert client_for(roles[role]).get(url).status_code == expected
    assert api_for(roles[role]).get(f"/api{url}").status_code == expected


def test_lists_show_only_what_the_user_may_see(roles, preview, village_b, workbook_for, api_for, client_for):
    services.submission_create(village=village_b, year=YEAR, month=MONTH, user=roles["secretary_b"],
                               uploaded_file=upload_file(workbook_for(village_b)))
    counts = {role: api_for(user).get(f"/api/submissions/?year={YEAR}").json()["count"] for role, user in roles.items()}
    assert counts == {"staff": 2, "leader": 2, "secretary_a": 1, "secretary_b": 1, "other_staff": 0}
    page = client_for(roles["secretary_b"]).get("/submissions/").content.decode()
    assert "联星村" in page and "江南村" not in page


def test_oversized_upload_with_csrf_enforced_is_413_not_500(settings, secretary_a, village_a):
    settings.SUBMISSION_MAX_BYTES = 10_000
    big = upload_file(b"PK\x03\x04" + b"\0" * 50_000)
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretary_a)
    response = client.post("/submissions/upload/", {"village": village_a.pk, "year": YEAR, "month": MONTH,
                                                    "file": big})
    assert response.status_code == 413
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(secretary_a)
    big.seek(0)
    response = api.post("/api/submissions/", {"village": village_a.pk, "year": YEAR, "month": MONTH, "file": big},
                        format="multipart")
    assert response.status_code == 413
    assert Submission.objects.count() == 0


def test_schema_stays_valid(api_for, staff):
    response = api_for(staff).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/submissions/{id}/confirm/" in response.content
