"""Raw uploads hold every 身份证号 as typed: only who may see them unmasked downloads them
(access.may_download_raw_upload)."""
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tests.hardening.conftest import MONTH, YEAR, workbook_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission(village_a, secretary_a):
    from submissions import services

    return services.submission_create(village=village_a, year=YEAR, month=MONTH, user=secretary_a,
                                      uploaded_file=ContentFile(workbook_bytes(village_a), name="月报.xlsx"))


@pytest.mark.parametrize("role, expected", [
    ("leader", 404), ("county", 404), ("secretary_b", 404), ("other_staff", 404),
    ("secretary_a", 200), ("staff", 200), ("superuser", 200),
])
def test_a_raw_workbook_only_for_the_townships_staff_and_the_villages_secretary(
        role, expected, submission, roles, county_user, superuser, client_for):
    user = {**roles, "county": county_user, "superuser": superuser}[role]
    response = client_for(user).get(reverse("submissions:file", args=[submission.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == submission.file.open("rb").read()
    else:
        # Neither a workbook (a zip starts PK\x03\x04) nor the stored file's bytes anywhere in the answer (a
        # search for "PK" alone also finds it in the page's random CSRF token).
        assert not response.content.startswith(b"PK\x03\x04")
        assert submission.file.open("rb").read() not in response.content


def test_ledger_import_files_have_no_download_route():
    """Ledger files (ImportJob.file) are kept for the import only: no URL serves them, and media is not served."""
    from django.urls import get_resolver

    names = {str(p.pattern) for p in get_resolver().url_patterns}
    assert not any(name.startswith("media") for name in names)
    from ledgers import urls

    assert {p.name for p in urls.urlpatterns} == {"export", "upload", "template", "job", "job-status",
                                                  "job-confirm", "job-errors"}


@pytest.mark.parametrize("role, linked", [("leader", False), ("staff", True), ("secretary_a", True)])
def test_the_submission_page_links_the_file_only_for_who_may_download_it(role, linked, submission, roles, client_for):
    file_url = reverse("submissions:file", args=[submission.pk])
    response = client_for(roles[role]).get(reverse("submissions:detail", args=[submission.pk]))
    assert response.status_code == 200
    assert (file_url in response.content.decode()) is linked
