"""Import pages by role, the job flow through Celery (eager), and exports of filtered list pages."""
import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cadres.models import Person, ReserveCadre, StageChange, Talent
from economy.models import IncomeRecord
from ledgers import importing
from ledgers.models import ImportJob

from .conftest import JOINED, PERSON_HEADERS, id_number, person_rows, xlsx_bytes

pytestmark = pytest.mark.django_db


def upload(client, slug, data, name="台账.xlsx", capture=None):
    url = reverse("ledgers:upload", args=[slug])
    with capture(execute=True):
        return client.post(url, {"file": SimpleUploadedFile(name, data)})


# ---------------------------------------------------------------- permissions


@pytest.mark.parametrize("role, expected", [
    ("staff", 200), ("leader", 403), ("secretary_a", 403), ("other_staff", 200),
])
def test_upload_page_by_role(roles, client_for, role, expected):
    response = client_for(roles[role]).get(reverse("ledgers:upload", args=["persons"]))
    assert response.status_code == expected


def test_upload_page_anonymous_redirects_to_login(client):
    response = client.get(reverse("ledgers:upload", args=["persons"]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_secretary_gets_404_for_township_level_kind(secretary_a, client_for):
    assert client_for(secretary_a).get(reverse("ledgers:upload", args=["bulletins"])).status_code == 404


def test_leader_cannot_post_a_file(leader, client_for, django_capture_on_commit_callbacks):
    response = upload(client_for(leader), "persons", xlsx_bytes([PERSON_HEADERS]),
                      capture=django_capture_on_commit_callbacks)
    assert response.status_code == 403 and not ImportJob.objects.exists()


def test_other_townships_staff_cannot_see_or_confirm_a_job(staff, other_staff, village_a, client_for,
                                                           django_capture_on_commit_callbacks):
    upload(client_for(staff), "persons", xlsx_bytes([PERSON_HEADERS, *person_rows(2)]),
           capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    client = client_for(other_staff)
    assert client.get(reverse("ledgers:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("ledgers:job-status", args=[job.pk])).status_code == 404
    assert client.post(reverse("ledgers:job-confirm", args=[job.pk])).status_code == 404
    assert not Person.objects.exists()


def test_unsupported_kind_has_no_import(staff, client_for):
    assert client_for(staff).get(reverse("ledgers:upload", args=["campaign-tasks"])).status_code == 404


# ---------------------------------------------------------------- the job flow


def test_upload_preview_confirm_through_pages(staff, village_a, client_for, django_capture_on_commit_callbacks):
    client = client_for(staff)
    response = upload(client, "persons", xlsx_bytes([PERSON_HEADERS, *person_rows(3)]),
                      capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("ledgers:job", args=[job.pk])
    assert (job.status, job.new_rows, job.invalid_rows) == ("preview", 3, 0)
    page = client.get(reverse("ledgers:job", args=[job.pk])).content.decode()
    assert "确认导入" in page and "新增 3 条" in page
    status = client.get(reverse("ledgers:job-status", args=[job.pk])).json()
    assert status["status"] == "preview" and status["running"] is False and status["done"] == 3
    assert not Person.objects.exists()  # nothing written before the confirm

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ledgers:job-confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and Person.objects.count() == 3 and StageChange.objects.count() == 3
    # Each person: created with the stage of the dated step the import recorded, one history row each.
    assert Person.history.filter(history_user=staff).count() == 3 == Person.history.count()
    assert client.get(reverse("ledgers:job-status", args=[job.pk])).json()["percent"] == 100
    # A second confirm of the same job writes nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ledgers:job-confirm", args=[job.pk]))
    assert Person.objects.count() == 3 and Person.history.count() == 3 and StageChange.objects.count() == 3


def test_confirm_reads_the_kept_rows_not_the_file(staff, village_a, client_for, django_capture_on_commit_callbacks):
    client = client_for(staff)
    upload(client, "persons", xlsx_bytes([PERSON_HEADERS, *person_rows(2)]), capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    job.file.delete(save=False)  # the upload is gone: confirming must not need it
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ledgers:job-confirm", args=[job.pk]))
    assert Person.objects.count() == 2


def test_errors_shown_by_row_and_column_and_confirm_refused(staff, village_a, client_for,
                                                            django_capture_on_commit_callbacks):
    client = client_for(staff)
    rows = [PERSON_HEADERS, *person_rows(2), ["王五", "12345", "江南村", "", "", "", ""]]
    upload(client, "persons", xlsx_bytes(rows), capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert (job.new_rows, job.invalid_rows, job.error_count) == (2, 1, 1)
    page = client.get(reverse("ledgers:job", args=[job.pk])).content.decode()
    assert "第4行" in page and "身份证号应为18位，当前为5位" in page and "确认导入</button>" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ledgers:job-confirm", args=[job.pk]))
    assert not Person.objects.exists()
    errors = client.get(reverse("ledgers:job-errors", args=[job.pk])).content.decode("utf-8-sig")
    assert "4,B,身份证号,身份证号应为18位" in errors


def test_broken_file_is_a_message_not_a_500(staff, client_for, django_capture_on_commit_callbacks):
    client = client_for(staff)
    upload(client, "persons", b"<html><table><tr><td>x</td></tr></table></html>", name="导出.xls",
           capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert job.status == "failed" and "网页" in job.message
    assert client.get(reverse("ledgers:job", args=[job.pk])).status_code == 200


def test_upload_too_large(staff, client_for, settings, django_capture_on_commit_callbacks):
    settings.LEDGER_IMPORT_MAX_BYTES = 1000
    response = upload(client_for(staff), "persons", b"x" * 5000, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 413 and "文件太大" in response.content.decode()  # as the monthly upload


# ---------------------------------------------------------------- export


def read_xlsx(content):
    book = openpyxl.load_workbook(io.BytesIO(content))
    return book.worksheets[0], book


def test_list_page_shows_export_and_import_buttons(staff, leader, client_for):
    page = client_for(staff).get(reverse("records:persons-list")).content.decode()
    assert "导出 Excel" in page and "导入台账" in page
    page = client_for(leader).get(reverse("records:persons-list") + "?stage=member").content.decode()
    assert "导出 Excel" in page and "导入台账" not in page
    assert reverse("ledgers:export", args=["persons", "xlsx"]) + "?stage=member" in page


def test_export_respects_filters_and_scope(staff, secretary_a, village_a, village_b, make_person, client_for):
    make_person(1, village=village_a, stage="member")
    make_person(2, village=village_a, stage="activist")
    make_person(3, village=village_b, stage="member")
    url = reverse("ledgers:export", args=["persons", "xlsx"])
    sheet, _ = read_xlsx(client_for(staff).get(url + "?stage=member").content)
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["人员1", "人员3"]
    sheet, _ = read_xlsx(client_for(secretary_a).get(url).content)
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["人员1", "人员2"]


def test_id_numbers_are_text_and_masked_unless_staff(staff, leader, village_a, make_person, client_for):
    person = make_person(1, village=village_a, phone="13812345678")
    url = reverse("ledgers:export", args=["persons", "xlsx"])
    response = client_for(staff).get(url)
    sheet, _ = read_xlsx(response.content)
    cell = sheet["B2"]
    assert cell.value == id_number(1) and cell.data_type == "s" and cell.number_format == "@"
    assert "打码" not in response["Content-Disposition"]
    response = client_for(leader).get(url)
    sheet, book = read_xlsx(response.content)
    assert sheet["B2"].value == "*" * 14 + id_number(1)[-4:]
    assert sheet["E2"].value == f"{person.birth_date.year}年"  # 出生日期: the year only
    assert sheet["F2"].value == "*******5678"
    assert "%E6%89%93%E7%A0%81" in response["Content-Disposition"]  # 打码 in the file name
    assert "说明" in book.sheetnames
    # A masked file cannot be imported back.
    result = importing.preview(importing.resource_for("persons")(township=village_a.township), response.content)
    assert "已打码" in str(result.problems[0]) and not result.can_confirm


def test_formula_injection_neutralised(staff, village_a, make_person, client_for):
    make_person(1, village=village_a, note="=cmd|' /C calc'!A0")
    make_person(2, village=village_a, note="@SUM(1+1)")
    sheet, _ = read_xlsx(client_for(staff).get(reverse("ledgers:export", args=["persons", "xlsx"])).content)
    column = [c.value for c in sheet[1]].index("备注") + 1
    notes = [sheet.cell(row=r, column=column) for r in (2, 3)]
    assert [c.value for c in notes] == ["'=cmd|' /C calc'!A0", "'@SUM(1+1)"]
    assert all(c.data_type == "s" for c in notes)
    content = client_for(staff).get(reverse("ledgers:export", args=["persons", "csv"])).content
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["姓名", "身份证号", "所属村"] and rows[1][rows[0].index("备注")] == "'=cmd|' /C calc'!A0"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_round_trip_is_unchanged(staff, township, village_a, village_b, make_person,
                                                    client_for, fmt):
    import datetime

    people = [make_person(n, village=village_a if n % 2 else village_b, stage="member", note="-负号开头",
                          is_mobile=bool(n % 3), phone="+8613800000000") for n in range(6)]
    ReserveCadre.objects.create(village=village_a, person=people[1], since=datetime.date(2022, 1, 5),
                                has_seedling_file=True)
    Talent.objects.create(township=township, village=village_b, name="赵六", kind="expert",
                          since=datetime.date(2021, 6, 1), field="=农技")
    IncomeRecord.objects.create(village=village_a, year=2023, month=4, category="investment",
                                amount=Decimal("1234567.89"), note="分红")
    client = client_for(staff)
    for slug, expected in [("persons", 6), ("reserve-cadres", 1), ("talents", 1), ("incomes", 1)]:
        content = client.get(reverse("ledgers:export", args=[slug, fmt])).content
        result = importing.preview(importing.resource_for(slug)(township=township), content)
        assert not result.problems and not result.file_error, [str(p) for p in result.problems]
        assert (len(result.creates), len(result.updates), result.unchanged) == (0, 0, expected), slug


def test_every_registered_list_exports(staff, client_for):
    from records import registry as records

    client = client_for(staff)
    for record_type in records.all_types():
        for fmt in ("xlsx", "csv"):
            response = client.get(reverse("ledgers:export", args=[record_type.slug, fmt]))
            assert response.status_code == 200, record_type.slug


def test_export_by_outsider_and_anonymous(secretary_a, client, client_for):
    assert client.get(reverse("ledgers:export", args=["persons", "xlsx"])).status_code == 302
    assert client_for(secretary_a).get(reverse("ledgers:export", args=["bulletins", "xlsx"])).status_code == 404
    assert client_for(secretary_a).get(reverse("ledgers:export", args=["persons", "pdf"])).status_code == 404


def test_template_download(staff, leader, client_for):
    response = client_for(staff).get(reverse("ledgers:template", args=["persons"]))
    sheet, _ = read_xlsx(response.content)
    assert [c.value for c in sheet[1]][:3] == ["姓名", "身份证号", "所属村"]
    assert sheet["B2"].number_format == "@"
    assert client_for(leader).get(reverse("ledgers:template", args=["persons"])).status_code == 403


def test_upload_with_too_large_content_length_is_a_message(staff, client_for, settings):
    settings.LEDGER_IMPORT_MAX_BYTES = 1000
    client = client_for(staff)
    response = client.post(reverse("ledgers:upload", args=["persons"]),
                           {"file": SimpleUploadedFile("big.xlsx", b"x" * 200_000)})
    assert response.status_code == 413 and "文件太大" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_persons_with_dated_steps_export_and_import_back_unchanged(staff, township, village_a, client_for, fmt):
    import datetime

    from cadres.models import StageChange

    for n, steps in enumerate([[("applicant", datetime.date(2021, 3, 1))],
                               [("activist", datetime.date(2021, 4, 1)), ("candidate", datetime.date(2022, 5, 3))],
                               []]):
        person = Person.objects.create(township=township, village=village_a, name=f"人员{n}", id_number=id_number(n))
        for stage, day in steps:
            StageChange.objects.create(person=person, stage=stage, date=day)
    content = client_for(staff).get(reverse("ledgers:export", args=["persons", fmt])).content
    if fmt == "xlsx":
        sheet, _ = read_xlsx(content)
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
    else:
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    stage_at, date_at = rows[0].index("发展阶段"), rows[0].index("阶段日期")
    assert rows[0][date_at - 1] == "发展阶段"  # 阶段日期 beside 发展阶段
    exported = {row[0]: (row[stage_at] or "", str(row[date_at] or "")[:10]) for row in rows[1:]}
    assert exported == {"人员0": ("入党申请人", "2021-03-01"), "人员1": ("发展对象", "2022-05-03"), "人员2": ("", "")}
    result = importing.preview(importing.resource_for("persons")(township=township), content)
    assert not result.problems and not result.file_error, [str(p) for p in result.problems]
    assert (len(result.creates), len(result.updates), len(result.steps), result.unchanged) == (0, 0, 0, 3)


# ---------------------------------------------------------------- the job's state lives in the database


def test_checked_rows_round_trip_through_the_database_exactly(staff, township, village_a):
    import datetime
    import json

    from cadres.models import StageChange
    from ledgers import services

    person = Person.objects.create(township=township, village=village_a, name="老党员", id_number=id_number(40))
    StageChange.objects.create(person=person, stage="activist", date=datetime.date(2022, 9, 1))
    files = {
        "incomes": xlsx_bytes([["村", "年度", "月份", "收入类别", "金额（元）", "备注"],
                               ["江南村", 2023, 5, "土地流转", "120,000.50", "租金"],
                               ["江南村", 2023, 5, "其他", 0.1, ""]]),
        "study-activities": xlsx_bytes([["日期", "形式", "主题", "组织单位（村）", "参加人数", "心得体会篇数"],
                                        [datetime.date(2023, 5, 4), "集中学习", "学习", "江南村", "12人", 3]]),
        "persons": xlsx_bytes([PERSON_HEADERS, *person_rows(2),
                               [person.name, person.id_number, "江南村", "", "发展对象", "是", "", "2023-10-08"]]),
    }
    for slug, data in files.items():
        resource = importing.resource_for(slug)(township=township)
        before = importing.preview(resource, data, slug=slug)
        assert before.can_confirm, [str(p) for p in before.problems]
        job = ImportJob.objects.create(township=township, user=staff, record_slug=slug, file_name="x.xlsx",
                                       checked_rows=json.loads(json.dumps(before.rows_json())),
                                       problems=before.problems_json())
        after = services.checked_preview(ImportJob.objects.get(pk=job.pk))
        for name in ("attrs", "creates", "updates", "steps", "unchanged", "total_rows", "notes"):
            assert getattr(after, name) == getattr(before, name), (slug, name)
        values = [v for _n, row in after.creates for v in row] + [v for _n, _k, s in after.steps for v in s.values()]
        originals = [v for _n, row in before.creates for v in row] + [
            v for _n, _k, s in before.steps for v in s.values()]
        assert [type(v) for v in values] == [type(v) for v in originals], slug  # Decimal stays Decimal, date date
        if slug == "incomes":
            amounts = [dict(zip(after.attrs, row, strict=True))["amount"] for _n, row in after.creates]
            assert [str(a) for a in amounts] == ["120000.50", "0.10"]  # the places too, not only the value
        if slug == "persons":
            assert [(step["stage"], step["date"]) for _n, _k, step in after.steps] == [
                ("member", JOINED), ("member", JOINED), ("candidate", datetime.date(2023, 10, 8))]


def test_confirm_writes_what_the_database_holds(staff, village_a, client_for, django_capture_on_commit_callbacks,
                                                settings):
    from pathlib import Path

    client = client_for(staff)
    rows = [["村", "年度", "月份", "收入类别", "金额（元）", "备注"], ["江南村", 2023, 5, "土地流转", 1200, ""]]
    upload(client, "incomes", xlsx_bytes(rows), capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    columns = job.checked_rows["creates"]["columns"]  # one list per attribute: amount, note last
    assert job.status == "preview" and [columns[-2][0], columns[-1][0]] == ["1200.00", ""]
    # Nothing on disk but the upload itself: web and worker need not share a folder for the preview.
    assert [p.name for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == [Path(job.file.name).name]
    # What confirm writes comes from the row in the database, not from the file (changed here to prove it).
    job.checked_rows["creates"]["columns"][-2][0] = "1300.00"
    job.save(update_fields=["checked_rows"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ledgers:job-confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and job.checked_rows is None
    assert IncomeRecord.objects.get().amount == Decimal("1300.00")


def test_status_reads_progress_from_the_cache_while_the_job_runs(staff, township, client_for):
    from ledgers import services

    job = ImportJob.objects.create(township=township, user=staff, record_slug="persons", file_name="x.xlsx",
                                   status="confirming")
    url = reverse("ledgers:job-status", args=[job.pk])
    assert client_for(staff).get(url).json() == {
        "status": "confirming", "status_label": "正在写入", "running": True, "stage": "正在写入", "done": 0,
        "total": None, "percent": None}
    services.write_progress(job, stage="正在写入", done=3000, total=12000)
    body = client_for(staff).get(url).json()
    assert (body["stage"], body["done"], body["total"], body["percent"], body["running"]) == (
        "正在写入", 3000, 12000, 25, True)


@pytest.mark.parametrize("role, allowed", [
    ("staff", True), ("other_staff", True), ("leader", False), ("secretary_a", False),
])
def test_who_may_import_ledgers(roles, role, allowed):
    from township import access

    assert access.can_import_ledgers(roles[role]) is allowed


def test_checked_rows_written_in_pieces_read_back_as_one_json_value(staff, township, village_a, monkeypatch):
    import datetime
    import json

    from ledgers import services

    monkeypatch.setattr(services, "JSON_PIECE", 7)  # long lists split many times, with a remainder
    rows = person_rows(40)
    rows[3][6] = 'a "quoted", \\ back\tslash\n备注'  # what JSON and CSV quoting must carry through
    resource = importing.resource_for("persons")(township=township)
    before = importing.preview(resource, xlsx_bytes([PERSON_HEADERS, *rows]), slug="persons")
    kept = before.rows_json()
    assert json.loads("".join(services._json_pieces(kept))) == json.loads(json.dumps(kept))
    job = ImportJob.objects.create(township=township, user=staff, record_slug="persons", file_name="x.xlsx",
                                   problems=before.problems_json())
    services.save_checked_rows(job.pk, {"format": 2})
    services.save_checked_rows(job.pk, kept)  # twice in one transaction (the test's): the second replaces the first
    job.refresh_from_db()
    assert job.checked_rows == json.loads(json.dumps(kept))
    after = services.checked_preview(job)
    assert (after.creates, after.steps) == (before.creates, before.steps)
    assert after.steps[0][2]["date"] == datetime.date(2020, 7, 1)
    services.save_checked_rows(job.pk, None)
    job.refresh_from_db()
    assert job.checked_rows is None


def test_checked_rows_read_back_piecewise_on_postgresql(staff, township, village_a, django_assert_max_num_queries):
    """A confirm reads the kept rows' long lists (the new records' columns, the updates, the steps) an item at a
    time on PostgreSQL, not as one JSON text: the same Preview, in a number of queries that does not grow with
    the rows."""
    import json

    from django.db import connection

    from ledgers import services

    rows = person_rows(30)
    Person.objects.create(township=township, village=village_a, name="旧名", id_number=rows[0][1])
    resource = importing.resource_for("persons")(township=township)
    before = importing.preview(resource, xlsx_bytes([PERSON_HEADERS, *rows]), slug="persons")
    assert before.can_confirm and before.updates and before.creates and before.steps
    job = ImportJob.objects.create(township=township, user=staff, record_slug="persons", file_name="x.xlsx",
                                   problems=before.problems_json())
    services.save_checked_rows(job.pk, before.rows_json())
    kept = services._checked_rows(job.pk)
    if connection.vendor == "postgresql":
        assert not isinstance(kept["creates"]["columns"], list) and not isinstance(kept["updates"], list)
        assert not isinstance(kept["steps"]["keys"], list) and not isinstance(kept["steps"]["columns"], list)
    assert json.loads(json.dumps(kept, default=list)) == json.loads(json.dumps(before.rows_json()))
    with django_assert_max_num_queries(8):
        after = services.checked_preview(job)
    for name in ("attrs", "creates", "updates", "steps", "unchanged", "total_rows", "notes"):
        assert getattr(after, name) == getattr(before, name), name
    services.save_checked_rows(job.pk, None)
    assert services._checked_rows(job.pk) is None
