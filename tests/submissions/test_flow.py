"""The monthly workbook end to end: template, upload, preview, confirm, re-upload, failure, review and lock."""
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest

from cadres.models import Person, StageChange
from economy.models import IncomeRecord
from study.models import OrgLifeEvent, StudyActivity
from submissions import services
from submissions.models import MonthTransition, Notice, Submission, SubmissionStatus
from villages.models import Source, VillageMonth, VillageMonthStatus

from .conftest import ID_LI, ID_ZHANG, MONTH, YEAR, fill

pytestmark = pytest.mark.django_db


def _records(village):
    return {
        "income": sorted(IncomeRecord.objects.filter(village=village).values_list("category", "amount", "source")),
        "stages": sorted(StageChange.objects.filter(person__village=village)
                         .values_list("person__id_number", "stage", "date", "source")),
        "org_life": sorted(OrgLifeEvent.objects.filter(branch__village=village)
                           .values_list("date", "kind", "topic", "attendance")),
        "study": sorted(StudyActivity.objects.filter(village=village)
                        .values_list("date", "kind", "topic", "attendance", "essays")),
    }


def test_round_trip_through_the_api(api_for, secretary_a, village_a, upload_api):
    api = api_for(secretary_a)
    response = api.get(f"/api/submissions/template/?village={village_a.pk}&year={YEAR}&month={MONTH}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = fill(b"".join(response.streaming_content) if response.streaming else response.content)

    response = upload_api(secretary_a, village_a, data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "preview", body["errors"]
    assert body["errors"] == []
    assert body["change_summary"]["集体经济收入"] == {"added": 2, "replaced": 0, "removed": 0, "unchanged": 0}
    assert body["change_summary"]["党员发展"] == {"added": 2, "replaced": 0, "removed": 0, "unchanged": 0}
    assert body["changes"][0] == {"sheet": "集体经济收入", "row": 2, "action": "add", "before": None,
                                  "after": {"收入类别": "土地流转", "金额（元）": "12000.50", "备注": ""}}
    assert len(body["changes"]) == 2 + 2 + 1 + 1
    assert IncomeRecord.objects.count() == 0  # preview writes nothing

    assert api.get(f"/api/submissions/{body['id']}/").json()["status"] == "preview"
    response = api.post(f"/api/submissions/{body['id']}/confirm/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"

    incomes = {r.category: r for r in IncomeRecord.objects.filter(village=village_a, year=YEAR, month=MONTH)}
    assert incomes["land_transfer"].amount == Decimal("12000.50")
    assert incomes["facility_rent"].amount == Decimal("3000.00")
    assert incomes["facility_rent"].note == "大棚租金"
    assert {r.source for r in incomes.values()} == {Source.WORKBOOK}
    assert incomes["land_transfer"].history.first().history_user == secretary_a

    zhang = Person.objects.get(id_number=ID_ZHANG)
    assert (zhang.name, zhang.village, zhang.gender, zhang.birth_date) == (
        "张三", village_a, "male", datetime.date(1990, 5, 1))
    assert zhang.stage == "activist"
    assert zhang.history.first().history_user == secretary_a
    assert StageChange.objects.get(person__id_number=ID_LI).date == datetime.date(2024, 3, 6)
    event = OrgLifeEvent.objects.get()
    assert (event.branch.village, event.kind, event.attendance) == (village_a, "committee_meeting", 7)
    study = StudyActivity.objects.get()
    assert (study.village, study.township, study.kind, study.attendance, study.essays) == (
        village_a, village_a.township, "concentrated", 20, 5)

    month = VillageMonth.objects.get(village=village_a, year=YEAR, month=MONTH)
    assert month.status == VillageMonthStatus.SUBMITTED and month.first_submitted_at
    assert MonthTransition.objects.get().action == "confirm"
    submission = Submission.objects.get()
    assert submission.file.read()[:2] == b"PK" and submission.uploaded_by == secretary_a


def test_template_has_sheets_headers_dropdowns_and_text_id_column(village_a):
    from submissions.workbook import build_template

    book = openpyxl.load_workbook(io.BytesIO(build_template(village=village_a, year=YEAR, month=MONTH)))
    assert book.sheetnames == ["集体经济收入", "党员发展", "组织生活", "学习活动", "党费收缴", "填报说明"]
    headers = {name: [c.value for c in book[name][1] if c.value] for name in book.sheetnames[:5]}
    assert headers == {
        "集体经济收入": ["收入类别", "金额（元）", "备注"],
        "党员发展": ["姓名", "性别", "出生日期", "身份证号", "发展阶段", "日期", "备注"],
        "组织生活": ["日期", "类型", "主题", "参加人数"],
        "学习活动": ["日期", "形式", "主题", "参加人数", "心得体会篇数"],
        "党费收缴": ["姓名", "身份证号", "交纳方式", "月收入基数（元）", "定额（元）", "实交（元）", "交纳日期"],
    }
    income_lists = [dv.formula1 for dv in book["集体经济收入"].data_validations.dataValidation]
    assert income_lists == ['"土地流转,土地管理,农业种植,设施租赁,服务收入,投资收益,其他"']
    stage_lists = [dv.formula1 for dv in book["党员发展"].data_validations.dataValidation]
    assert '"入党申请人,入党积极分子,发展对象,预备党员,正式党员,取消预备党员资格"' in stage_lists
    assert "支委会" in book["组织生活"].data_validations.dataValidation[0].formula1
    assert "集中学习" in book["学习活动"].data_validations.dataValidation[0].formula1
    assert book["党员发展"]["D2"].number_format == "@"
    info = book["填报说明"]
    assert [(info.cell(r, 1).value, info.cell(r, 2).value) for r in (3, 4, 5)] == [
        ("村名称", "江南村"), ("年度", YEAR), ("月份", MONTH)]


def _preview(village, user, data, year=YEAR, month=MONTH):
    from django.core.files.uploadedfile import SimpleUploadedFile

    submission = services.submission_create(village=village, year=year, month=month, user=user,
                                            uploaded_file=SimpleUploadedFile("m.xlsx", data))
    return services.submission_preview(submission=submission)


def _confirm(village, user, data):
    submission = _preview(village, user, data)
    assert submission.errors == []
    return services.submission_confirm(submission=submission, user=user)


def test_reupload_replaces_and_never_doubles(village_a, secretary_a, workbook_for):
    _confirm(village_a, secretary_a, workbook_for(village_a))
    # A staff form row for another category stays; one for a category the workbook has is replaced.
    IncomeRecord.objects.create(village=village_a, year=YEAR, month=MONTH, category="other", amount=5)
    second = workbook_for(village_a, rows={
        "集体经济收入": [["土地流转", 13000, "改"], ["投资收益", 800, ""]],
        "党员发展": [["张三", None, None, ID_ZHANG, "入党积极分子", datetime.date(2024, 3, 7), ""]],
        "组织生活": [[datetime.date(2024, 3, 10), "支委会", "学习全国两会精神", 9]],
        "学习活动": [],
    })
    submission = _preview(village_a, secretary_a, second)
    assert submission.change_summary == {
        "集体经济收入": {"added": 1, "replaced": 1, "removed": 1, "unchanged": 0},
        "党员发展": {"added": 0, "replaced": 1, "removed": 1, "unchanged": 0},
        "组织生活": {"added": 0, "replaced": 1, "removed": 0, "unchanged": 0},
        "学习活动": {"added": 0, "replaced": 0, "removed": 1, "unchanged": 0},
        "党费收缴": {"added": 0, "replaced": 0, "removed": 0, "unchanged": 0},
    }
    services.submission_confirm(submission=submission, user=secretary_a)
    records = _records(village_a)
    assert records["income"] == [
        ("investment", Decimal("800.00"), "workbook"), ("land_transfer", Decimal("13000.00"), "workbook"),
        ("other", Decimal("5.00"), "form"),
    ]
    assert records["stages"] == [(ID_ZHANG, "activist", datetime.date(2024, 3, 7), "workbook")]
    assert records["org_life"] == [(datetime.date(2024, 3, 10), "committee_meeting", "学习全国两会精神", 9)]
    assert records["study"] == []
    assert Person.objects.get(id_number=ID_LI).stage == ""
    statuses = list(Submission.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [SubmissionStatus.SUPERSEDED, SubmissionStatus.SUBMITTED]
    assert Submission.objects.first().file.size > 0  # the earlier file is kept
    # The same workbook once more changes nothing: every row reads as it is stored.
    again = _preview(village_a, secretary_a, second)
    assert again.change_summary["集体经济收入"] == {"added": 0, "replaced": 0, "removed": 0, "unchanged": 2}
    assert again.changes == []
    services.submission_confirm(submission=again, user=secretary_a)
    assert _records(village_a) == records


def test_a_form_income_row_of_the_same_category_is_replaced_not_doubled(village_a, staff, workbook_for):
    IncomeRecord.objects.create(village=village_a, year=YEAR, month=MONTH, category="land_transfer", amount=1)
    _confirm(village_a, staff, workbook_for(village_a))
    assert IncomeRecord.objects.filter(village=village_a, category="land_transfer").count() == 1
    assert IncomeRecord.objects.get(category="land_transfer").amount == Decimal("12000.50")


def test_a_confirm_failing_halfway_leaves_the_month_as_it_was(village_a, secretary_a, workbook_for, monkeypatch):
    _confirm(village_a, secretary_a, workbook_for(village_a))
    before = _records(village_a)
    month_before = VillageMonth.objects.values().get(village=village_a)
    submission = _preview(village_a, secretary_a, workbook_for(village_a, rows={
        "集体经济收入": [["其他", 1, ""]], "党员发展": [], "组织生活": [], "学习活动": []}))

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    # Income and pipeline are written before study: the failure comes after real writes.
    monkeypatch.setattr("study.services.write_month_study", explode)
    with pytest.raises(RuntimeError):
        services.submission_confirm(submission=submission, user=secretary_a)
    assert _records(village_a) == before
    assert VillageMonth.objects.values().get(village=village_a) == month_before
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PREVIEW
    assert MonthTransition.objects.count() == 1


def test_confirm_through_the_page_reports_failure_without_500(client_for, village_a, secretary_a, workbook_for,
                                                              monkeypatch):
    submission = _preview(village_a, secretary_a, workbook_for(village_a))
    monkeypatch.setattr("study.services.write_month_study", lambda *a, **kw: 1 / 0)
    response = client_for(secretary_a).post(f"/submissions/{submission.pk}/confirm/", follow=True)
    assert response.status_code == 200
    assert "未保存任何内容" in response.content.decode()
    assert IncomeRecord.objects.count() == 0


def test_only_a_clean_preview_can_be_confirmed_and_only_once(api_for, village_a, secretary_a, workbook_for,
                                                             upload_api):
    bad = upload_api(secretary_a, village_a, workbook_for(village_a, rows={"集体经济收入": [["彩票", 1, ""]]}))
    assert bad.json()["status"] == "invalid"
    response = api_for(secretary_a).post(f"/api/submissions/{bad.json()['id']}/confirm/")
    assert response.status_code == 409
    good = upload_api(secretary_a, village_a, workbook_for(village_a)).json()
    assert api_for(secretary_a).post(f"/api/submissions/{good['id']}/confirm/").status_code == 200
    again = api_for(secretary_a).post(f"/api/submissions/{good['id']}/confirm/")
    assert again.status_code == 409
    assert IncomeRecord.objects.count() == 2


def test_xls_upload(village_a, secretary_a, upload_api):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    sheets = {
        "集体经济收入": (["收入类别", "金额（元）", "备注"], [["土地流转", 12000.5, ""]]),
        "党员发展": (["姓名", "性别", "出生日期", "身份证号", "发展阶段", "日期", "备注"],
                 [["张三", "男", "", ID_ZHANG, "入党积极分子", datetime.date(2024, 3, 5), ""]]),
        "组织生活": (["日期", "类型", "主题", "参加人数"], [[datetime.date(2024, 3, 10), "支委会", "学习", 7]]),
        "学习活动": (["日期", "形式", "主题", "参加人数", "心得体会篇数"],
                 [[datetime.date(2024, 3, 12), "集中学习", "学习", 20, 5]]),
    }
    for name, (header, rows) in sheets.items():
        sheet = book.add_sheet(name)
        for c, title in enumerate(header):
            sheet.write(0, c, title)
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values):
                if isinstance(value, datetime.date):
                    sheet.write(r, c, value, date_style)
                else:
                    sheet.write(r, c, value)
    info = book.add_sheet("填报说明")
    for r, (label, value) in enumerate([("村名称", "江南村"), ("年度", YEAR), ("月份", MONTH)], start=2):
        info.write(r, 0, label)
        info.write(r, 1, value)
    out = io.BytesIO()
    book.save(out)
    response = upload_api(secretary_a, village_a, out.getvalue(), name="月报.xls")
    assert response.status_code == 201
    assert response.json()["errors"] == [] and response.json()["status"] == "preview"
    services.submission_confirm(submission=Submission.objects.get(), user=secretary_a)
    assert StageChange.objects.get().date == datetime.date(2024, 3, 5)
    assert IncomeRecord.objects.get().amount == Decimal("12000.50")
    assert OrgLifeEvent.objects.get().attendance == 7


def test_oversized_upload_is_refused_early(settings, village_a, secretary_a, upload_api, client_for):
    settings.SUBMISSION_MAX_BYTES = 100_000
    big = b"PK\x03\x04" + b"\0" * 300_000
    response = upload_api(secretary_a, village_a, big)
    assert response.status_code == 413
    assert "上限" in response.json()["detail"]
    from .conftest import upload_file

    response = client_for(secretary_a).post("/submissions/upload/", {
        "village": village_a.pk, "year": YEAR, "month": MONTH, "file": upload_file(big)})
    assert response.status_code == 413
    assert "上限" in response.content.decode()
    assert Submission.objects.count() == 0


def test_zip_bomb_is_refused_before_parsing(village_a, secretary_a, workbook_for, upload_api):
    import zipfile

    buffer = io.BytesIO(workbook_for(village_a))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (60 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    response = upload_api(secretary_a, village_a, data)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "invalid"
    assert "解压后" in body["errors"][0]["message"]
    assert IncomeRecord.objects.count() == 0


def test_xml_bomb_is_refused(village_a, secretary_a, workbook_for, upload_api):
    import zipfile

    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
        + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    source = zipfile.ZipFile(io.BytesIO(workbook_for(village_a)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            content = bomb.encode() if item.filename == "xl/worksheets/sheet1.xml" else source.read(item.filename)
            archive.writestr(item, content)
    response = upload_api(secretary_a, village_a, out.getvalue())
    assert response.status_code == 201
    assert response.json()["status"] == "invalid"
    assert IncomeRecord.objects.count() == 0


@pytest.mark.parametrize("payload, message", [
    (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "网页"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + "EncryptedPackage".encode("utf-16-le"), "密码"),
    (b"PK\x03\x04garbage", "损坏"),
    ("收入类别,金额（元）\n土地流转,1\n".encode(), "CSV"),
])
def test_hostile_or_wrong_files_get_their_own_message(village_a, secretary_a, upload_api, payload, message):
    response = upload_api(secretary_a, village_a, payload, name="月报.xls")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "invalid"
    assert any(message in e["message"] for e in body["errors"]), body["errors"]


def test_approve_return_reopen_and_the_lock(api_for, client_for, village_a, secretary_a, staff, workbook_for,
                                            upload_api):
    submission = _confirm(village_a, secretary_a, workbook_for(village_a))
    staff_api = api_for(staff)
    # Return needs a reason; the secretary sees it.
    assert staff_api.post(f"/api/submissions/{submission.pk}/return/", {"reason": ""}).status_code == 409
    response = staff_api.post(f"/api/submissions/{submission.pk}/return/", {"reason": "金额单位有误"})
    assert response.status_code == 200 and response.json()["status"] == "returned"
    month = VillageMonth.objects.get(village=village_a)
    assert (month.status, month.return_reason) == (VillageMonthStatus.RETURNED, "金额单位有误")
    assert Notice.objects.filter(user=secretary_a, kind="returned", message__contains="金额单位有误").exists()
    page = client_for(secretary_a).get(f"/villages/{village_a.pk}/")
    assert "金额单位有误" in page.content.decode()

    # The secretary uploads again and confirms; staff approve: the month is locked.
    submission = _confirm(village_a, secretary_a, workbook_for(village_a))
    response = staff_api.post(f"/api/submissions/{submission.pk}/approve/")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    month.refresh_from_db()
    assert month.status == VillageMonthStatus.APPROVED and month.approved_by == staff

    income = IncomeRecord.objects.get(category="land_transfer")
    lock_text = "已审核通过并锁定"
    response = api_for(secretary_a).patch(f"/api/incomes/{income.pk}/", {"amount": "1.00"})
    assert response.status_code == 409 and lock_text in str(response.json())
    response = client_for(secretary_a).post(f"/records/incomes/{income.pk}/edit/", {"amount": "1.00"})
    assert response.status_code == 403 and lock_text in response.content.decode()
    response = upload_api(secretary_a, village_a, workbook_for(village_a))
    assert response.status_code == 409 and lock_text in response.json()["detail"]
    income.refresh_from_db()
    assert income.amount == Decimal("12000.50")

    # Reopen needs a reason and is logged; then changes are possible again.
    assert staff_api.post(f"/api/submissions/{submission.pk}/reopen/", {"reason": " "}).status_code == 409
    response = staff_api.post(f"/api/submissions/{submission.pk}/reopen/", {"reason": "村里申请更正"})
    assert response.status_code == 200
    month.refresh_from_db()
    assert month.status == VillageMonthStatus.SUBMITTED
    log = list(MonthTransition.objects.order_by("pk").values_list("action", "from_status", "to_status", "reason"))
    assert log == [
        ("confirm", "not_submitted", "submitted", ""),
        ("return", "submitted", "returned", "金额单位有误"),
        ("confirm", "returned", "submitted", ""),
        ("approve", "submitted", "approved", ""),
        ("reopen", "approved", "submitted", "村里申请更正"),
    ]
    assert api_for(secretary_a).patch(f"/api/incomes/{income.pk}/", {"amount": "1.00"}).status_code == 200


def test_a_preview_made_before_the_approval_cannot_be_confirmed_after_it(village_a, secretary_a, staff,
                                                                        workbook_for):
    first = _confirm(village_a, secretary_a, workbook_for(village_a))
    waiting = _preview(village_a, secretary_a, workbook_for(village_a))
    services.submission_approve(submission=first, user=staff)
    with pytest.raises(services.SubmissionRefused) as refused:
        services.submission_confirm(submission=waiting, user=secretary_a)
    assert "锁定" in refused.value.message
    # And an approval of a superseded submission is refused: one outcome per race.
    services.submission_reopen(submission=first, user=staff, reason="更正")
    services.submission_confirm(submission=waiting, user=secretary_a)
    with pytest.raises(services.SubmissionRefused):
        services.submission_approve(submission=first, user=staff)


def test_processing_shows_progress_when_a_worker_runs_the_task(
        settings, village_a, secretary_a, workbook_for, upload_api, client_for, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from unittest import mock

    with mock.patch("submissions.tasks.preview_submission_task.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            response = upload_api(secretary_a, village_a, workbook_for(village_a))
    assert response.status_code == 202 and response.json()["status"] == "processing"
    delay.assert_called_once_with(response.json()["id"])
    page = client_for(secretary_a).get(f"/submissions/{response.json()['id']}/").content.decode()
    assert "正在处理" in page and 'http-equiv="refresh"' in page
    from submissions.tasks import preview_submission_task

    preview_submission_task.apply(args=[response.json()["id"]])
    assert Submission.objects.get().status == SubmissionStatus.PREVIEW
