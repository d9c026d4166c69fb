"""组织关系转接台账 (issue 16): the ledger import and export of transfers, through the form's rule and move."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres.models import Person, Transfer
from cadres.resources import TransferResource
from ledgers import importing
from tests.cadres.factories import PersonFactory, StageChangeFactory
from tests.ledgers.conftest import xlsx_bytes

pytestmark = pytest.mark.django_db

D = datetime.date
HEADER = ["姓名", "身份证号", "转接日期", "转接类型", "转入村", "原所在党组织（系统外）", "转往党组织（系统外）",
          "备注"]
JOINED = D(2015, 7, 1)


def member(village, joined=JOINED):
    person = PersonFactory(village=village, township=village.township)
    StageChangeFactory(person=person, stage="member", date=joined)
    return person


def row(person, day, kind, to_village="", came_from="", went_to="", note=""):
    return [person.name, person.id_number, day, kind, to_village, came_from, went_to, note]


def preview(township, rows, user=None):
    resource = TransferResource(township=township)
    resource.importing_user = user
    return importing.preview(resource, xlsx_bytes([HEADER, *rows]), slug="transfers")


def confirm(township, result, user):
    resource = TransferResource(township=township)
    resource.importing_user = user
    return importing.confirm(resource, result, user=user)


def messages(result):
    return [str(problem) for problem in result.problems]


def test_a_file_with_each_kind_applies_moves_the_people_in_date_order_and_keeps_history(
        township, village_a, village_b, other_village, staff):
    within, between, out_and_back = member(village_a), member(village_a), member(village_a)
    rows = [row(within, D(2023, 3, 1), "镇内村间转接", "联星村", note="工作调动"),
            row(between, D(2023, 4, 1), "系统内跨镇转接", "邻镇邻镇一村"),
            # The same person twice, the later transfer first: applied in date order.
            row(out_and_back, D(2023, 8, 1), "从系统外转入", "联星村", came_from="某市某街道党工委"),
            row(out_and_back, D(2023, 5, 1), "转出到系统外", went_to="某市某街道党工委")]
    result = preview(township, rows, staff)
    assert messages(result) == [] and len(result.creates) == 4 and result.can_confirm
    assert confirm(township, result, staff) == (4, 0)

    moved = {person.pk: person for person in Person.objects.all()}
    assert (moved[within.pk].township_id, moved[within.pk].village_id) == (township.pk, village_b.pk)
    assert (moved[between.pk].township_id, moved[between.pk].village_id) == (other_village.township_id,
                                                                               other_village.pk)
    assert (moved[out_and_back.pk].village_id, moved[out_and_back.pk].left_on) == (village_b.pk, None)
    by_kind = {transfer.kind: transfer for transfer in Transfer.objects.all()}
    assert (by_kind["within"].from_village_id, by_kind["within"].to_township_id) == (village_a.pk, township.pk)
    assert (by_kind["between"].from_township_id, by_kind["between"].to_township_id) == (
        township.pk, other_village.township_id)
    assert (by_kind["out"].from_village_id, by_kind["out"].to_village_id) == (village_a.pk, None)
    assert (by_kind["in"].from_village_id, by_kind["in"].to_village_id) == (None, village_b.pk)
    assert {transfer.source for transfer in by_kind.values()} == {"import"}
    assert by_kind["within"].note == "工作调动"
    # History: each transfer's "+" row by the importer, and the person's moves as a form's save() writes them.
    created = Transfer.history.filter(history_type="+")
    assert created.count() == 4 and {(h.history_user_id, h.history_change_reason) for h in created} == {
        (staff.pk, "台账导入")}
    reasons = list(Person.history.filter(id=out_and_back.pk, history_change_reason__startswith="组织关系转接")
                   .order_by("history_id")
                   .values_list("history_change_reason", "left_on"))
    assert reasons == [("组织关系转接：转出到系统外", D(2023, 5, 1)), ("组织关系转接：从系统外转入", None)]
    assert Person.history.filter(id=between.pk).first().history_change_reason == "组织关系转接：系统内跨镇转接"


def test_a_refused_row_says_why_in_chinese_and_nothing_is_written(township, village_a, village_b, staff):
    stays, early, late = member(village_a), member(village_a), member(village_a)
    StageChangeFactory(person=late, stage="applicant", date=D(2010, 1, 1))
    rows = [row(stays, D(2023, 3, 1), "镇内村间转接", "江南村"),
            row(early, D(2023, 3, 1), "系统内跨镇转接", "联星村"),
            row(late, D(2014, 3, 1), "镇内村间转接", "联星村"),
            row(early, D(2023, 6, 1), "镇内村间转接", "联星村"),
            row(stays, D(2023, 4, 1), "转出到系统外"),
            row(late, D(2023, 4, 1), "镇内村间转接", "没有这个村")]
    result = preview(township, rows, staff)
    assert not result.can_confirm
    assert messages(result) == [
        "第2行 E列（转入村）：该人员已在江南村，转入村须与现所在村不同",
        "第3行 E列（转入村）：跨镇转接的转入村须在其他镇；本镇村间转接请选择“镇内村间转接”",
        "第4行 C列（转接日期）：转接日期不能早于该人员最近一次发展阶段记录的日期（2015年07月01日）",
        "第5行 C列（转接日期）：该人员在本文件中较早的转接（第3行）有错误，本行须按日期顺序在其后登记，请先改正该行",
        "第6行 C列（转接日期）：该人员在本文件中较早的转接（第2行）有错误，本行须按日期顺序在其后登记，请先改正该行",
        "第7行 E列（转入村）：没有可转入的“没有这个村”：本镇的村填写村名，其他镇的村填写镇名加村名（如“某某镇某某村”）",
    ]
    with pytest.raises(importing.ImportChanged):
        confirm(township, result, staff)
    assert not Transfer.objects.exists()
    assert set(Person.objects.values_list("village_id", flat=True)) == {village_a.pk}


def test_the_export_imports_back_unchanged_and_a_transfer_is_not_edited_by_a_file(
        township, village_a, village_b, other_village, staff, client_for):
    one, two = member(village_a), member(village_a)
    result = preview(township, [row(one, D(2023, 3, 1), "镇内村间转接", "联星村"),
                                row(two, D(2023, 4, 1), "系统内跨镇转接", "邻镇邻镇一村")], staff)
    confirm(township, result, staff)
    exported = client_for(staff).get(reverse("ledgers:export", args=["transfers", "xlsx"])).content
    again = importing.preview(TransferResource(township=township), exported, slug="transfers")
    # The person gone to 邻镇 is found again by the township they left: the file is the same, nothing to write.
    assert messages(again) == [] and (len(again.creates), len(again.updates), again.unchanged) == (0, 0, 2)
    assert not again.can_confirm
    # The same rows once more, with the destination changed: refused as the form refuses it.
    changed = preview(township, [row(one, D(2023, 3, 1), "镇内村间转接", "江南村")], staff)
    assert messages(changed) == [
        "第2行 D列（转接类型）：转接登记后不能修改人员、类型、日期和转入村；如有错误，请删除该转接后重新登记"]
    assert Transfer.objects.count() == 2


def _queries(township, village_a, staff, count):
    rows = [row(member(village_a), D(2023, 3, 1), "镇内村间转接", "联星村") for _ in range(count)]
    with CaptureQueriesContext(connection) as previewing:
        result = preview(township, rows, staff)
    assert messages(result) == []
    # The stored transfers of the file's people are read once, for the rules across rows and for the matching
    # (beside the latest date of each person's transfers, an aggregate the rules read).
    stored_reads = [q for q in previewing.captured_queries
                    if q["sql"].startswith('SELECT "cadres_transfer"."') and "MAX(" not in q["sql"]]
    assert len(stored_reads) == 1, [q["sql"][:120] for q in stored_reads]
    with CaptureQueriesContext(connection) as confirming:
        confirm(township, result, staff)
    Transfer.objects.all().delete()
    return len(previewing), len(confirming)


def test_the_queries_do_not_grow_with_the_rows(township, village_a, village_b, staff):
    assert _queries(township, village_a, staff, 5) == _queries(township, village_a, staff, 10)


def test_only_the_staff_of_the_persons_township_import_their_transfers(
        township, village_a, village_b, other_village, secretary_a, other_staff, client_for):
    person = member(village_a)
    data = xlsx_bytes([HEADER, row(person, D(2023, 3, 1), "镇内村间转接", "联星村")])
    secretary = client_for(secretary_a)
    assert secretary.get(reverse("ledgers:upload", args=["transfers"])).status_code == 403
    assert secretary.get(reverse("ledgers:template", args=["transfers"])).status_code == 403
    upload = reverse("ledgers:upload", args=["transfers"])
    assert secretary.post(upload, {"file": _file(data)}).status_code == 403
    # Another township's staff do not find the person, nor move them into their own village.
    result = preview(other_village.township, [row(person, D(2023, 3, 1), "系统内跨镇转接", "邻镇一村")], other_staff)
    assert messages(result) == [
        "第2行 B列（身份证号）：本镇尚未登记该身份证号的人员，请先在党员花名册中导入或新增该人员"]
    assert not Transfer.objects.exists() and Person.objects.get().village_id == village_a.pk


def _file(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("转接.xlsx", data)


def test_the_upload_page_takes_the_ledger_and_the_template_has_its_columns(
        township, village_a, village_b, staff, client_for, django_capture_on_commit_callbacks):
    import io

    import openpyxl

    person = member(village_a)
    client = client_for(staff)
    page = client.get(reverse("ledgers:upload", args=["transfers"]))
    assert page.status_code == 200 and "转入村" in page.content.decode()
    listing = client.get(reverse("records:transfers-list")).content.decode()
    assert reverse("ledgers:upload", args=["transfers"]) in listing
    template = client.get(reverse("ledgers:template", args=["transfers"]))
    headers = [cell.value for cell in openpyxl.load_workbook(io.BytesIO(template.content)).active[1]]
    assert headers == HEADER[1:]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ledgers:upload", args=["transfers"]), {"file": _file(
            xlsx_bytes([HEADER, row(person, D(2023, 3, 1), "镇内村间转接", "联星村")]))})
    assert response.status_code == 302
    job = response.url.rstrip("/").split("/")[-1]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ledgers:job-confirm", args=[job]))
    person.refresh_from_db()
    assert person.village_id == village_b.pk and Transfer.objects.get().source == "import"


# ---------------------------------------------------------------- bulk writes keep the village of the date


def test_steps_and_dues_imported_after_a_transfer_are_the_old_villages_months(township, village_a, village_b, staff):
    from cadres.models import MemberDues, StageChange
    from cadres.resources import MemberDuesResource, PersonResource
    from tests.ledgers.conftest import PERSON_HEADERS

    moved = PersonFactory(village=village_a, township=township, name="调动者")
    StageChangeFactory(person=moved, stage="probationary", date=D(2022, 1, 10))
    stayed = member(village_b)
    Transfer.objects.create(person=moved, kind="within", date=D(2023, 6, 1), to_village=village_b)
    # The 党员花名册: the step to 正式党员 dated in March, before the June transfer, is 江南村's.
    roster = [PERSON_HEADERS, [moved.name, moved.id_number, "联星村", "", "正式党员", "否", "", D(2023, 3, 1)]]
    result = importing.preview(PersonResource(township=township), xlsx_bytes(roster))
    assert messages(result) == [] and len(result.steps) == 1
    importing.confirm(PersonResource(township=township), result, user=staff)
    step = StageChange.objects.get(person=moved, stage="member")
    assert step.village_id == village_a.pk and step.history.get().village_id == village_a.pk
    # The 党员党费台账: March is 江南村's month, July 联星村's; the one who never moved stays in 联星村.
    header = ["姓名", "身份证号", "年度", "月份", "交纳方式", "月收入基数（元）", "实交（元）"]
    dues = [header, *[[person.name, person.id_number, 2023, month, "按月收入比例交纳", "4000", "40"]
                      for person in (moved, stayed) for month in (3, 7)]]
    result = importing.preview(MemberDuesResource(township=township), xlsx_bytes(dues))
    assert messages(result) == []
    importing.confirm(MemberDuesResource(township=township), result, user=staff)
    assert dict(MemberDues.objects.filter(person=moved).values_list("month", "village_id")) == {
        3: village_a.pk, 7: village_b.pk}
    assert set(MemberDues.objects.filter(person=stayed).values_list("village_id", flat=True)) == {village_b.pk}
