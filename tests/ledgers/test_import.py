"""The ledger import engine: files in every accepted form, the errors staff see, all-or-nothing writes."""
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cadres.models import Person, ReserveCadre, StageChange, Talent, Transfer
from cadres.resources import PersonResource, ReserveCadreResource, TalentResource
from economy.models import IncomeRecord
from economy.resources import IncomeRecordResource
from ledgers import importing
from villages.models import VillageMonth

from .conftest import JOINED, PERSON_HEADERS, csv_bytes, id_number, person_rows, xlsx_bytes

pytestmark = pytest.mark.django_db


def run(resource_class, township, data, user=None, confirm=True):
    result = importing.preview(resource_class(township=township), data, slug="test")
    if confirm and result.can_confirm:
        importing.confirm(resource_class(township=township), result, user=user)
    return result


def messages(result):
    return [str(p) for p in result.problems]


def test_xlsx_persons_are_created_with_derived_fields_and_history(township, village_a, staff):
    data = xlsx_bytes([PERSON_HEADERS, *person_rows(3)])
    result = run(PersonResource, township, data, user=staff)
    assert (len(result.creates), len(result.updates), result.unchanged, result.invalid_rows) == (3, 0, 0, 0)
    person = Person.objects.get(id_number=id_number(1))
    assert person.village == village_a and person.township == township
    assert person.stage == "member" and person.birth_date == datetime.date(1980, 1, 2) and person.gender == "male"
    # Created with the stage of the dated step the import recorded (cadres.models.stage_from_steps): one history
    # row, by the importer, not a creation and then a correction.
    assert [(r.history_type, r.stage, r.history_user, r.history_change_reason) for r in person.history.order_by("pk")
            ] == [("+", "member", staff, "台账导入")]
    step = person.stage_changes.get()
    assert (step.stage, step.date, step.source) == ("member", JOINED, "import")
    assert step.history.get().history_user == staff


def test_title_rows_above_header_and_extra_columns_are_tolerated(township, village_a):
    data = xlsx_bytes([["示范镇党员花名册"], [], PERSON_HEADERS + ["学历"], person_rows(1)[0] + ["大专"]])
    result = run(PersonResource, township, data)
    assert len(result.creates) == 1
    assert any("学历" in note for note in result.notes)


def test_gbk_csv_income_ledger(township, village_a, staff):
    rows = [["村", "年度", "月份", "收入类别", "金额（元）", "备注"],
            ["江南村", "2023", "5", "土地流转", "120,000.50", "一季度租金"],
            ["江南村", "2023", "5", "设施租赁", "3000", ""]]
    data = csv_bytes(rows, "gbk")
    result = run(IncomeRecordResource, township, data, user=staff)
    assert len(result.creates) == 2, messages(result)
    record = IncomeRecord.objects.get(category="land_transfer")
    assert record.amount == Decimal("120000.50") and record.note == "一季度租金" and record.source == "import"


def test_utf8_bom_csv_persons(township, village_a):
    data = csv_bytes([PERSON_HEADERS, *person_rows(2)], "utf-8-sig")
    result = run(PersonResource, township, data)
    assert len(result.creates) == 2 and Person.objects.filter(name="党员0").exists()


def test_xls_with_dates(township, village_a, make_person):
    xlwt = pytest.importorskip("xlwt")
    person = make_person(7, village=village_a)
    book = xlwt.Workbook()
    sheet = book.add_sheet("后备干部")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for col, header in enumerate(["姓名", "身份证号", "所属村", "已建立育苗档案", "纳入日期", "退出日期"]):
        sheet.write(0, col, header)
    for col, value in enumerate([person.name, person.id_number, "江南村", "是"]):
        sheet.write(1, col, value)
    sheet.write(1, 4, datetime.date(2022, 3, 15), date_style)
    buffer = io.BytesIO()
    book.save(buffer)
    result = run(ReserveCadreResource, township, buffer.getvalue())
    assert len(result.creates) == 1, messages(result)
    cadre = ReserveCadre.objects.get()
    assert cadre.since == datetime.date(2022, 3, 15) and cadre.person == person and cadre.has_seedling_file


def test_id_number_stored_as_number_is_reported_not_mangled(township, village_a):
    rows = [PERSON_HEADERS, ["张三", int(id_number(1)), "江南村", "", "", "", ""]]
    rows.append(["李四", 1.10105199001011e17, "江南村", "", "", "", ""])
    result = run(PersonResource, township, xlsx_bytes(rows))
    assert result.invalid_rows == 2 and not result.can_confirm
    assert "第2行 B列（身份证号）：身份证号被保存成了数字" in messages(result)[0]
    assert "文本" in messages(result)[1]
    assert not Person.objects.exists()


def test_bad_check_digit_and_masked_number(township, village_a):
    bad = id_number(1)[:-1] + ("0" if id_number(1)[-1] != "0" else "1")
    rows = [PERSON_HEADERS, ["张三", bad, "江南村", "", "", "", ""], ["李四", "6401**********1234", "", "", "", "", ""]]
    result = run(PersonResource, township, xlsx_bytes(rows))
    assert "校验位" in messages(result)[0] and "已打码" in messages(result)[1]


def test_duplicate_key_within_file(township, village_a):
    rows = [PERSON_HEADERS, *person_rows(2), person_rows(1)[0]]
    result = run(PersonResource, township, xlsx_bytes(rows))
    assert messages(result) == ["第4行 B列（身份证号）：与第2行重复（身份证号相同）"]
    assert result.invalid_rows == 1 and not Person.objects.exists()


def test_unknown_village_and_other_townships_village(township, village_a, other_village):
    rows = [PERSON_HEADERS, *person_rows(1, village="不存在村"), *person_rows(1, village=other_village.name, start=5)]
    result = run(PersonResource, township, xlsx_bytes(rows))
    assert messages(result) == [
        "第2行 C列（所属村）：本镇没有名为“不存在村”的村",
        f"第3行 C列（所属村）：本镇没有名为“{other_village.name}”的村",
    ]


def test_person_registered_in_another_township_is_an_error(township, other_township, other_village, village_a):
    Person.objects.create(township=other_township, village=other_village, name="外镇人", id_number=id_number(1))
    result = run(PersonResource, township, xlsx_bytes([PERSON_HEADERS, *person_rows(2)]))
    # Neutral: where a number is registered is its township's staff's to know (test_id_number_oracle.py).
    assert messages(result) == ["第3行 B列（身份证号）：该身份证号无法在此登记，请联系镇党委核实"]
    assert Person.objects.filter(township=township).count() == 0


def test_formula_cell_without_value_is_reported(township, village_a):
    rows = [PERSON_HEADERS, ["=HYPERLINK(\"http://x\",\"张三\")", id_number(1), "江南村", "", "", "", ""]]
    result = run(PersonResource, township, xlsx_bytes(rows))
    assert "第2行 A列（姓名）：单元格是公式" in messages(result)[0]
    assert not Person.objects.exists()


def test_formula_text_in_csv_is_kept_as_text(township, village_a):
    rows = [PERSON_HEADERS, ["张三", id_number(1), "江南村", "", "", "", "=cmd|' /C calc'!A0"]]
    run(PersonResource, township, csv_bytes(rows))
    assert Person.objects.get().note == "=cmd|' /C calc'!A0"


def test_choice_boolean_and_number_errors_in_chinese(township, village_a):
    rows = [["村", "年度", "月份", "收入类别", "金额（元）"],
            ["江南村", "二〇二三", "13", "卖菜", "12.345"],
            ["江南村", 2023, 1, "其他", "abc"]]
    result = run(IncomeRecordResource, township, xlsx_bytes(rows))
    assert messages(result) == [
        "第2行 B列（年度）：“二〇二三”不是整数",
        "第2行 C列（月份）：不能大于12",
        "第2行 D列（收入类别）：“卖菜”不是有效的收入类别，"
        "可填：土地流转、土地管理、农业种植、设施租赁、服务收入、投资收益、其他",
        "第2行 E列（金额（元））：最多2位小数",
        "第3行 E列（金额（元））：“abc”不是数字",
    ]


def test_missing_required_column_and_missing_header(township, village_a):
    rows = [["村", "年度", "月份", "收入类别"], ["江南村", 2023, 1, "其他"]]
    result = run(IncomeRecordResource, township, xlsx_bytes(rows))
    assert "缺少必填列：金额（元）" in result.file_error
    result = run(PersonResource, township, xlsx_bytes([["a", "b"], [1, 2]]))
    assert "没有找到表头" in result.file_error


def test_unreadable_files_give_chinese_messages(township):
    result = run(PersonResource, township, b"<html><body><table></table></body></html>")
    assert "网页" in result.file_error
    result = run(PersonResource, township, b"")
    assert "空" in result.file_error


def test_reimport_changes_nothing(township, village_a, staff):
    data = xlsx_bytes([PERSON_HEADERS, *person_rows(5)])
    run(PersonResource, township, data, user=staff)
    history_before = Person.history.count()
    again = run(PersonResource, township, data, user=staff)
    assert (len(again.creates), len(again.updates), again.unchanged) == (0, 0, 5)
    assert not again.can_confirm and Person.history.count() == history_before


def test_update_changes_only_changed_rows_with_history(township, village_a, village_b, staff):
    first = person_rows(3)
    first[2][4] = "预备党员"
    run(PersonResource, township, xlsx_bytes([PERSON_HEADERS, *first]), user=staff)
    moved = Person.objects.get(id_number=id_number(1))
    history_before = moved.history.count()
    rows = person_rows(3)
    rows[1][3] = "13900000001"  # (a person's village changes only by 组织关系转接: cadres.models.Transfer)
    rows[2][7] = datetime.date(2023, 6, 1)  # 预备党员 → 正式党员: not a field but a dated step
    result = run(PersonResource, township, xlsx_bytes([PERSON_HEADERS, *rows]), user=staff)
    assert (len(result.creates), len(result.updates), result.unchanged) == (0, 2, 1)
    moved.refresh_from_db()
    assert moved.phone == "13900000001"
    assert moved.history.count() == history_before + 1 and moved.history.first().history_user == staff
    converted = Person.objects.get(id_number=id_number(2))
    assert converted.stage == "member" and converted.history.first().history_user == staff
    assert list(converted.stage_changes.order_by("date").values_list("stage", "date", "source")) == [
        ("probationary", JOINED, "import"), ("member", datetime.date(2023, 6, 1), "import")]


def test_failing_row_leaves_database_untouched(township, village_a):
    rows = [PERSON_HEADERS, *person_rows(3), ["", id_number(9), "江南村", "", "", "", ""]]
    result = run(PersonResource, township, xlsx_bytes(rows))
    assert messages(result) == ["第5行 A列（姓名）：不能为空"]
    with pytest.raises(importing.ImportChanged):
        importing.confirm(PersonResource(township=township), result, user=None)
    assert not Person.objects.exists()


def test_write_error_rolls_back_everything(township, village_a, staff):
    result = importing.preview(PersonResource(township=township), xlsx_bytes([PERSON_HEADERS, *person_rows(4)]))
    # Someone registers the last person between preview and confirm: the unique key fails the whole write.
    Person.objects.create(township=township, village=village_a, name="抢先", id_number=id_number(3))
    with pytest.raises(Exception):  # noqa: B017 - IntegrityError from the database
        importing.confirm(PersonResource(township=township), result, user=staff)
    assert list(Person.objects.values_list("name", flat=True)) == ["抢先"]


def test_locked_month_is_refused(township, village_a):
    VillageMonth.objects.create(village=village_a, year=2023, month=5, status="approved")
    rows = [["村", "年度", "月份", "收入类别", "金额（元）"],
            ["江南村", 2023, 5, "其他", 100], ["江南村", 2023, 6, "其他", 100]]
    result = run(IncomeRecordResource, township, xlsx_bytes(rows))
    assert messages(result) == ["第2行：2023年5月的月报已审核锁定，不能导入该月的记录"]
    assert not IncomeRecord.objects.exists()


def test_talent_natural_key(township, village_a):
    rows = [["姓名", "人才类别", "所属村", "纳入日期"], ["王五", "产业带头人", "江南村", "2023/3/1"],
            ["王五", "实用人才", "江南村", "2023年3月1日"]]
    result = run(TalentResource, township, xlsx_bytes(rows))
    assert len(result.creates) == 2
    assert set(Talent.objects.values_list("kind", flat=True)) == {"industry_leader", "practical"}
    again = run(TalentResource, township, xlsx_bytes(rows))
    assert again.unchanged == 2


@pytest.mark.parametrize("count", [10, 200])
def test_query_count_does_not_grow_with_rows(township, village_a, staff, count, make_person):
    for n in range(1000, 1005):
        make_person(n, village=village_a)
    changed = [[f"人员{n}", id_number(n), "江南村", "", "预备党员", "否", "", JOINED] for n in range(1000, 1005)]
    rows = person_rows(count) + changed
    data = xlsx_bytes([PERSON_HEADERS, *rows])
    with CaptureQueriesContext(connection) as preview_queries:
        result = importing.preview(PersonResource(township=township), data)
    with CaptureQueriesContext(connection) as confirm_queries:
        importing.confirm(PersonResource(township=township), result, user=staff)
    assert len(result.creates) == count and len(result.updates) == 5
    # villages, existing persons (one query per 500 keys), locked months, the township's steps (the development
    # rules), the township's people with a transfer (a step's month lock is their village's on its date): the same
    # for 10 or 200 rows
    assert len(preview_queries) <= 5, [q["sql"] for q in preview_queries]
    # The records and their history rows (ledgers.bulk: one id query, then one COPY or executemany each), the same
    # for the dated steps, then the stage refresh: 14 statements, for 10 rows as for 200; never one per row.
    assert len(confirm_queries) <= 14, [q["sql"] for q in confirm_queries]
    assert StageChange.objects.filter(stage="probationary", source="import").count() == 5


# ---------------------------------------------------------------- 发展阶段 by import: a dated step, never the field


def _person_with_steps(township, village, n, *steps):
    person = Person.objects.create(township=township, village=village, name=f"人员{n}", id_number=id_number(n))
    for stage, day in steps:
        StageChange.objects.create(person=person, stage=stage, date=day)
    person.refresh_from_db()
    return person


def _row(person, stage, day, village="江南村"):
    return [person.name, person.id_number, village, "", stage, "否", "", day]


def test_a_stage_change_by_import_is_a_dated_step(township, village_a, staff):
    person = _person_with_steps(township, village_a, 1, ("applicant", datetime.date(2022, 3, 1)),
                                ("activist", datetime.date(2022, 9, 1)))
    result = run(PersonResource, township, xlsx_bytes([PERSON_HEADERS, _row(person, "发展对象", "2023-10-08")]),
                 user=staff)
    assert (len(result.creates), len(result.updates), len(result.steps)) == (0, 1, 1), messages(result)
    person.refresh_from_db()
    assert person.stage == "candidate"
    step = person.stage_changes.get(stage="candidate")
    assert (step.date, step.source, step.history.get().history_user) == (datetime.date(2023, 10, 8), "import", staff)
    assert person.history.first().history_change_reason == "台账导入"


@pytest.mark.parametrize("stage, day, expected", [
    ("发展对象", None, "第2行：发展阶段与系统中的当前阶段不同，须填写阶段日期（进入该阶段的日期）"),
    ("发展对象", datetime.date.today() + datetime.timedelta(days=1), "第2行 H列（阶段日期）：日期不能晚于今天"),
    ("发展对象", datetime.date(2022, 8, 31),
     "第2行 H列（阶段日期）：阶段日期不能早于该人员最近一次发展阶段记录的日期（2022-09-01）"),
    ("入党申请人", datetime.date(2023, 1, 1),
     "第2行 E列（发展阶段）：该人员已有“入党积极分子”阶段记录，发展阶段只能向后推进，不能登记为“入党申请人”"),
])
def test_a_step_that_cannot_be_recorded_is_refused(township, village_a, staff, stage, day, expected):
    person = _person_with_steps(township, village_a, 1, ("applicant", datetime.date(2022, 3, 1)),
                                ("activist", datetime.date(2022, 9, 1)))
    headers = PERSON_HEADERS if day is not None else PERSON_HEADERS[:-1]  # a file without the column at all
    row = _row(person, stage, day) if day is not None else _row(person, stage, day)[:-1]
    result = run(PersonResource, township, xlsx_bytes([headers, row]), user=staff)
    assert messages(result) == [expected] and not result.can_confirm
    assert StageChange.objects.count() == 2 and Person.objects.get().stage == "activist"


def test_missing_date_for_a_new_person_with_a_stage_is_refused(township, village_a):
    rows = person_rows(2)
    rows[1][7] = None
    result = run(PersonResource, township, xlsx_bytes([PERSON_HEADERS, *rows]))
    assert messages(result) == [
        "第3行 H列（阶段日期）：发展阶段与系统中的当前阶段不同，须填写阶段日期（进入该阶段的日期）"]
    assert not Person.objects.exists() and not StageChange.objects.exists()


def test_the_same_stage_or_a_blank_one_records_nothing(township, village_a, staff):
    person = _person_with_steps(township, village_a, 1, ("activist", datetime.date(2022, 9, 1)))
    other = _person_with_steps(township, village_a, 2, ("applicant", datetime.date(2023, 2, 1)))
    rows = [_row(person, "入党积极分子", "2024-01-01"), _row(other, None, None)]
    result = run(PersonResource, township, xlsx_bytes([PERSON_HEADERS, *rows]), user=staff)
    assert (len(result.creates), len(result.updates), len(result.steps), result.unchanged) == (0, 0, 0, 2)
    assert StageChange.objects.count() == 2


def test_a_step_in_an_approved_month_is_refused(township, village_a, staff):
    VillageMonth.objects.create(village=village_a, year=2023, month=10, status="approved")
    person = _person_with_steps(township, village_a, 1, ("activist", datetime.date(2022, 9, 1)))
    result = run(PersonResource, township, xlsx_bytes([PERSON_HEADERS, _row(person, "发展对象", "2023-10-08")]))
    assert messages(result) == ["第2行 H列（阶段日期）：2023年10月的月报已审核锁定，不能导入该月的发展阶段记录"]
    assert StageChange.objects.count() == 1


@pytest.mark.parametrize("locked_where", ["then", "now"])
def test_a_steps_month_lock_is_that_of_the_village_the_person_was_in_on_its_date(
        township, village_a, village_b, staff, locked_where):
    """The preview asks the lock of the village the person belonged to on the step's date, as the confirm writes
    the step there: a person who moved from 江南村 to 联星村 in November has their October step in 江南村."""
    person = _person_with_steps(township, village_a, 1, ("applicant", datetime.date(2022, 3, 1)),
                                ("activist", datetime.date(2022, 9, 1)))
    Transfer(person=person, kind="within", date=datetime.date(2023, 11, 2), to_village=village_b).save()
    VillageMonth.objects.create(village=village_a if locked_where == "then" else village_b, year=2023, month=10,
                                status="approved")
    person.refresh_from_db()
    row = _row(person, "发展对象", "2023-10-08", village="联星村")
    result = run(PersonResource, township, xlsx_bytes([PERSON_HEADERS, row]), user=staff)
    if locked_where == "then":
        assert messages(result) == ["第2行 H列（阶段日期）：2023年10月的月报已审核锁定，不能导入该月的发展阶段记录"]
        assert not result.can_confirm and StageChange.objects.count() == 2
    else:
        assert messages(result) == [] and result.can_confirm
        assert StageChange.objects.get(stage="candidate").village == village_a


def test_ods_income_ledger(township, village_a, staff):
    from .test_spreadsheets import ods_bytes

    def cell(value):
        if isinstance(value, str):
            return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="float" office:value="{value}"/>'

    rows = [["村", "年度", "月份", "收入类别", "金额（元）"], ["江南村", 2023, 5, "土地流转", 1200.5]]
    data = ods_bytes("".join(f"<table:table-row>{''.join(cell(v) for v in row)}</table:table-row>" for row in rows))
    result = run(IncomeRecordResource, township, data, user=staff)
    assert len(result.creates) == 1, messages(result)
    assert IncomeRecord.objects.get().amount == Decimal("1200.50")
