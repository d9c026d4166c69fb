"""A fixture world for the hardening tests: one record of every registered type in 江南村 (or 示范镇),
a submission, a report with an item, an import job and a notice, beside the role fixtures of tests/conftest.py
(the county user's 示范县 holds 示范镇; 邻镇 is in 邻县)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.base import ContentFile

from submissions.workbook import build_template
from tests.records.specs import SPECS, Ctx
from tests.submissions.conftest import fill

YEAR, MONTH = 2023, 3


@dataclass
class World:
    township: Any
    village_a: Any
    village_b: Any
    users: dict
    records: dict = field(default_factory=dict)  # slug → one record of 江南村 / 示范镇
    submission: Any = None
    notice: Any = None
    report_item: Any = None
    import_job: Any = None
    attachment: Any = None  # a photo (with its thumbnail) of 江南村's organisational-life meeting
    year: int = YEAR


def workbook_bytes(village, year=YEAR, month=MONTH, rows=None):
    return fill(build_template(village=village, year=year, month=month), rows=rows)


@pytest.fixture
def world(township, village_a, village_b, roles, county_user, superuser, other_township):
    from ledgers import services as import_services
    from ledgers.models import ImportJob, ImportStatus
    from reports import document as doc
    from reports.models import ItemSection, ReportItem
    from submissions import services
    from submissions.models import Notice, NoticeKind
    from township.models import County

    # The other township belongs to another county, which the county user must never see.
    County.objects.create(name="邻县").townships.add(other_township)

    ctx = Ctx(township=township, village=village_a)
    made = {spec.slug: spec.make(ctx, 0) for spec in SPECS}
    submission = services.submission_create(
        village=village_a, year=YEAR, month=MONTH, user=roles["secretary_a"],
        uploaded_file=ContentFile(workbook_bytes(village_a), name="月报.xlsx"))
    services.submission_preview(submission=submission)
    submission.refresh_from_db()
    notice = Notice.objects.create(user=roles["secretary_a"], village=village_a, year=YEAR, month=MONTH,
                                   kind=NoticeKind.REMINDER, message="请上报")
    report = doc.get_report(township, YEAR)
    item = ReportItem.objects.create(report=report, section=ItemSection.HIGHLIGHTS, text="亮点",
                                     created_by=roles["staff"])
    job = ImportJob.objects.create(township=township, user=roles["staff"], record_slug="bulletins",
                                   file=ContentFile("日期,标题\n不是日期,\n".encode(), name="ledger.csv"),
                                   file_name="ledger.csv", status=ImportStatus.QUEUED)
    import_services.preview_job(job_id=job.pk)  # a job with a preview (and its problems) to look at
    job.refresh_from_db()
    users = {**roles, "county": county_user, "superuser": superuser}
    attachment = _attachment(made["org-life"], roles["secretary_a"])
    return World(township=township, village_a=village_a, village_b=village_b, users=users, records=made,
                 submission=submission, notice=notice, report_item=item, import_job=job, attachment=attachment)


def _attachment(record, user):
    from django.contrib.contenttypes.models import ContentType

    from committee.models import Attachment, AttachmentKind

    attachment = Attachment(content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk,
                            kind=AttachmentKind.IMAGE, name="会议照片.jpg", mime="image/jpeg", size=4,
                            uploaded_by=user)
    attachment.file.save("photo.jpg", ContentFile(b"\xff\xd8\xff\xe0"), save=False)
    attachment.thumbnail.save("thumb.jpg", ContentFile(b"\xff\xd8\xff\xe0"), save=False)
    attachment.save()
    return attachment
