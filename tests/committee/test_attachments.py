"""Evidence attached to records (issue 17): content sniffed, photos without EXIF/GPS, scope and lock."""
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image  # a dependency (pyproject.toml): photos are re-encoded with it

from committee.models import Attachment
from tests.study.factories import OrgLifeEventFactory
from villages.models import VillageMonth, VillageMonthStatus

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def photo_with_gps() -> bytes:
    image = Image.new("RGB", (640, 480), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "手机厂商"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (39.0, 54.0, 20.0), 3: "E", 4: (116.0, 23.0, 30.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    with Image.open(io.BytesIO(data)) as check:  # the fixture really carries a GPS position
        assert check.getexif().get_ifd(GPS_IFD)
    return data


def upload(api, record, name, data, target="org-life"):
    return api.post("/api/attachments/", {"target": target, "object_id": record.pk,
                                          "file": SimpleUploadedFile(name, data)}, format="multipart")


@pytest.fixture
def meeting(village_a):
    return OrgLifeEventFactory(branch=village_a.branches.get())


def test_a_photo_comes_back_without_its_gps_and_with_a_thumbnail(api_for, client_for, secretary_a, meeting):
    response = upload(api_for(secretary_a), meeting, "会议.jpg", photo_with_gps())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["url"] == f"/attachments/{body['id']}/"
    served = client_for(secretary_a).get(body["url"])
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    data = b"".join(served.streaming_content)
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (640, 480)
        exif = image.getexif()
        assert not exif.get_ifd(GPS_IFD) and 0x010F not in exif
    assert b"Exif" not in data[:200]
    thumb = client_for(secretary_a).get(body["thumbnail_url"])
    with Image.open(io.BytesIO(b"".join(thumb.streaming_content))) as image:
        assert max(image.size) <= 320
    # Listed on the meeting's page with its thumbnail.
    page = client_for(secretary_a).get(f"/records/org-life/{meeting.pk}/").content.decode()
    assert f'src="/attachments/{body["id"]}/thumbnail/"' in page and "会议.jpg" in page


@pytest.mark.parametrize("name, data", [
    ("照片.jpg", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200),  # a Windows program
    ("会议记录.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),  # a web page
    ("签到表.docx", b"PK\x03\x04 not really a zip"),
])
def test_a_renamed_program_or_web_page_is_refused(api_for, secretary_a, meeting, name, data):
    response = upload(api_for(secretary_a), meeting, name, data)
    assert response.status_code == 400
    assert "只能上传照片" in response.json()["file"]
    assert not Attachment.objects.exists()


def test_pdf_and_word_are_kept_as_they_are(api_for, secretary_a, meeting):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
    assert upload(api_for(secretary_a), meeting, "会议记录.pdf", pdf).json()["kind"] == "pdf"
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    body = upload(api_for(secretary_a), meeting, "签到表.docx", docx.getvalue()).json()
    assert (body["kind"], body["thumbnail_url"]) == ("word", None)
    assert Attachment.objects.get(pk=body["id"]).file.read() == docx.getvalue()


def test_more_than_the_limit_is_refused_with_413_as_it_streams_in(api_for, client_for, secretary_a, meeting,
                                                                    settings):
    # Past the limit the body is stopped while it streams in (ledgers.uploads, as for every upload): 413, and
    # nothing is stored, from the API and from the meeting page's form alike.
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024)
    response = upload(api_for(secretary_a), meeting, "大文件.pdf", big)
    assert response.status_code == 413 and "超过1MB的上限" in response.json()["detail"]
    page = client_for(secretary_a).post("/attachments/add/", {"target": "org-life", "object_id": meeting.pk,
                                                               "file": SimpleUploadedFile("大文件.pdf", big)})
    assert page.status_code == 413 and "超过1MB的上限" in page.content.decode()
    assert not Attachment.objects.exists()
    # Just under the limit it is received, and stored.
    assert upload(api_for(secretary_a), meeting, "小文件.pdf", big[:1000 * 1024]).status_code == 201


def test_scope_another_village_gets_404_a_leader_reads_but_does_not_add(api_for, client_for, secretary_a,
                                                                         secretary_b, leader, staff, other_staff,
                                                                         meeting):
    pdf = b"%PDF-1.4\n%%EOF\n"
    body = upload(api_for(secretary_a), meeting, "记录.pdf", pdf).json()
    assert client_for(secretary_b).get(body["url"]).status_code == 404
    assert client_for(other_staff).get(body["url"]).status_code == 404
    assert upload(api_for(secretary_b), meeting, "记录.pdf", pdf).status_code == 404
    assert client_for(leader).get(body["url"]).status_code == 200
    assert upload(api_for(leader), meeting, "记录.pdf", pdf).status_code == 403
    assert upload(api_for(staff), meeting, "记录.pdf", pdf).status_code == 201
    listed = api_for(leader).get("/api/attachments/", {"target": "org-life", "object_id": meeting.pk}).json()
    assert len(listed) == 2
    assert upload(api_for(staff), meeting, "x.pdf", pdf, target="persons").status_code == 404


def test_an_approved_month_locks_its_attachments(api_for, secretary_a, meeting):
    VillageMonth.objects.create(village=meeting.branch.village, year=meeting.date.year, month=meeting.date.month,
                                status=VillageMonthStatus.APPROVED)
    response = upload(api_for(secretary_a), meeting, "记录.pdf", b"%PDF-1.4\n%%EOF\n")
    assert response.status_code == 403 and "已审核通过并锁定" in response.json()["detail"]
    assert not Attachment.objects.exists()


def test_the_page_form_adds_a_photo_from_the_meetings_page(client_for, secretary_a, meeting):
    client = client_for(secretary_a)
    page = client.get(f"/records/org-life/{meeting.pk}/").content.decode()
    assert 'action="/attachments/add/"' in page
    response = client.post("/attachments/add/", {"target": "org-life", "object_id": meeting.pk,
                                                 "file": SimpleUploadedFile("现场.jpg", photo_with_gps())})
    assert response.status_code == 302 and response["Location"] == f"/records/org-life/{meeting.pk}/"
    assert Attachment.objects.get().kind == "image"


def test_a_locked_months_meeting_page_says_so_instead_of_offering_the_form(client_for, secretary_a, meeting):
    VillageMonth.objects.create(village=meeting.branch.village, year=meeting.date.year, month=meeting.date.month,
                                status=VillageMonthStatus.APPROVED)
    page = client_for(secretary_a).get(f"/records/org-life/{meeting.pk}/").content.decode()
    assert 'action="/attachments/add/"' not in page and "附件也随之锁定" in page
