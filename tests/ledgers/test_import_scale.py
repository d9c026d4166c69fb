"""The ledger import's promises hold at scale and through its shortcuts: every error by row and column, however
late in the file or often repeated; all or nothing; an unchanged re-import writes nothing; the checked rows kept
between preview and confirm decode to what was previewed, in the kept form of the version before too."""
import datetime
import json

import pytest

from cadres.id_numbers import make_id_number
from cadres.models import Person, StageChange
from cadres.resources import PersonResource
from ledgers import importing
from ledgers.cells import BooleanWidget, IntegerWidget

from .conftest import JOINED, PERSON_HEADERS, csv_bytes, person_rows, xlsx_bytes


def roster(count):
    """A 党员花名册 of `count` people with distinct valid 身份证号 (as bench/import_bench.py writes it)."""
    start = datetime.date(1950, 1, 1)
    rows = []
    for i in range(count):
        born = start + datetime.timedelta(days=i % 20000)
        region = f"{640100 + (i // 20000) % 100:06d}"
        rows.append([f"党员{i}", make_id_number(region, born, i, i % 2 == 0), "江南村", f"138{i:08d}", "正式党员",
                     "否", "", JOINED.isoformat()])
    return rows


def test_errors_late_in_a_100000_row_ledger_are_reported_by_row_and_column_and_nothing_is_written(
        township, village_a, staff, settings):
    settings.LEDGER_IMPORT_MAX_ROWS = 200_000
    rows = roster(100_000)
    rows[99_997][5] = "也许"  # Excel row 99,999, F: a yes/no column long past the values its check remembers
    rows[99_998][2] = "不存在村"  # row 100,000, C
    rows[99_999][1] = rows[99_999][1][:17] + ("0" if rows[99_999][1][17] != "0" else "1")  # row 100,001, B
    resource = PersonResource(township=township)
    result = importing.preview(resource, csv_bytes([PERSON_HEADERS, *rows]))
    assert [str(p) for p in result.problems] == [
        "第99999行 F列（流动党员）：“也许”应填“是”或“否”",
        "第100000行 C列（所属村）：本镇没有名为“不存在村”的村",
        "第100001行 B列（身份证号）：身份证号校验位不正确，请核对",
    ]
    assert (len(result.creates), result.invalid_rows, result.can_confirm) == (99_997, 3, False)
    with pytest.raises(importing.ImportChanged):  # all or nothing: 99,997 good rows are not written either
        importing.confirm(resource, result, user=staff)
    assert not Person.objects.exists() and not Person.history.exists() and not StageChange.objects.exists()


def test_a_refused_value_repeated_on_many_rows_is_reported_on_each(township, village_a):
    rows = person_rows(8)
    for index in (1, 5, 7):
        rows[index][5] = "也许"
    result = importing.preview(PersonResource(township=township), xlsx_bytes([PERSON_HEADERS, *rows]))
    assert [(p.row, p.column_letter) for p in result.problems] == [(3, "F"), (7, "F"), (9, "F")]
    assert len(result.creates) == 5


def test_a_column_remembers_each_cell_by_kind_as_well_as_value():
    check = importing._column_check(IntegerWidget(min_value=0, max_value=12).clean, [])
    assert check(1) == 1
    with pytest.raises(ValueError, match="不是整数"):
        check(True)  # equal to 1 as a dictionary key, but not a number
    assert check(1) == 1
    check = importing._column_check(BooleanWidget().clean, [])
    for _ in range(importing.MEMO_VALUES + 2):
        assert check("是") is True
    with pytest.raises(ValueError):
        check("也许")


def test_an_unchanged_reimport_writes_no_record_and_no_history(township, village_a, staff):
    data = xlsx_bytes([PERSON_HEADERS, *person_rows(30)])
    importing.confirm(PersonResource(township=township), importing.preview(PersonResource(township=township), data),
                      user=staff)
    counts = (Person.objects.count(), Person.history.count(), StageChange.objects.count(),
              StageChange.history.count())
    assert counts == (30, 30, 30, 30)  # each new person written once, with the stage of their step
    again = importing.preview(PersonResource(township=township), data)
    assert (len(again.creates), len(again.updates), len(again.steps), again.unchanged) == (0, 0, 0, 30)
    assert not again.can_confirm
    with pytest.raises(importing.ImportChanged):
        importing.confirm(PersonResource(township=township), again, user=staff)
    assert (Person.objects.count(), Person.history.count(), StageChange.objects.count(),
            StageChange.history.count()) == counts


def test_checked_rows_kept_by_the_previous_version_are_still_confirmed(township, village_a, staff):
    resource = PersonResource(township=township)
    before = importing.preview(resource, xlsx_bytes([PERSON_HEADERS, *person_rows(3)]))
    kept = {**before.rows_json(), "format": None,  # a list per row, as the version before kept them
            "creates": [[n, [importing._json(v) for v in values]] for n, values in before.creates],
            "steps": [[n, [importing._json(v) for v in key], {a: importing._json(v) for a, v in step.items()}]
                      for n, key, step in before.steps]}
    after = importing.Preview.from_json(json.loads(json.dumps(kept)), [], resource)
    new_form = importing.Preview.from_json(json.loads(json.dumps(before.rows_json())), [], resource)
    assert (after.creates, after.steps) == (before.creates, before.steps) == (new_form.creates, new_form.steps)
    importing.confirm(resource, after, user=staff)
    assert Person.objects.filter(stage="member").count() == 3


def test_an_unchanged_reimport_reports_every_row_unchanged_in_a_bounded_number_of_queries(
        township, village_a, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    data = xlsx_bytes([PERSON_HEADERS, *person_rows(1200)])
    importing.confirm(PersonResource(township=township), importing.preview(PersonResource(township=township), data),
                      user=staff)
    history = (Person.history.count(), StageChange.history.count())
    with CaptureQueriesContext(connection) as queries:
        again = importing.preview(PersonResource(township=township), data)
    assert (len(again.creates), len(again.updates), len(again.steps), again.unchanged) == (0, 0, 0, 1200)
    assert (again.total_rows, again.invalid_rows, again.problems, again.can_confirm) == (1200, 0, [], False)
    # The villages, the stored persons (one query per 500 keys where the database limits parameters, one per
    # 10,000 elsewhere), the locked months: not one per row, and nothing written.
    assert len(queries) <= 5, [q["sql"][:80] for q in queries]
    assert not any(q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for q in queries)
    assert (Person.history.count(), StageChange.history.count()) == history


def test_a_reimport_with_one_changed_cell_updates_that_field_of_that_row_only(township, village_a, staff):
    rows = person_rows(50)
    importing.confirm(PersonResource(township=township),
                      importing.preview(PersonResource(township=township), xlsx_bytes([PERSON_HEADERS, *rows])),
                      user=staff)
    rows[37][6] = "改过的备注"  # row 39, 备注
    again = importing.preview(PersonResource(township=township), xlsx_bytes([PERSON_HEADERS, *rows]))
    person = Person.objects.get(id_number=rows[37][1])
    assert again.updates == [(39, person.pk, {"note": "改过的备注"})]
    assert (len(again.creates), len(again.steps), again.unchanged) == (0, 0, 49)
    importing.confirm(PersonResource(township=township), again, user=staff)
    person.refresh_from_db()
    assert person.note == "改过的备注" and person.history.count() == 2


def test_kept_columns_decode_at_once_or_value_by_value_to_the_same_values(township):
    """A kept column of values of its field's kind comes back as it is, in one look; another value in it (text of
    an id, a blank date) goes through the field as before."""
    resource = PersonResource(township=township)
    decode = {attr: importing._column_decoder(resource, attr) for attr in ("village_id", "name", "birth_date",
                                                                            "is_mobile")}
    ids = [3, 4, None]
    assert decode["village_id"](ids) is ids  # integers of an integer key: kept as they are
    assert decode["village_id"](["3", 4, None]) == [3, 4, None]
    assert decode["name"](["甲", None]) == ["甲", None]
    assert decode["is_mobile"]([True, "False"]) == [True, False]
    assert decode["birth_date"](["2020-07-01", "1950-01-02"]) == [datetime.date(2020, 7, 1), datetime.date(1950, 1, 2)]
    assert decode["birth_date"]([None, "2020-07-01"]) == [None, datetime.date(2020, 7, 1)]


def test_an_unchanged_row_with_its_current_stage_is_matched_without_step_of(township, village_a, staff, monkeypatch):
    """PersonResource.step_unchanged_when: a row equal to its person, with the person's stage or none, is unchanged
    without step_of(); a row that names another stage still goes through step_of() and becomes a step."""
    rows = person_rows(6)
    importing.confirm(PersonResource(township=township),
                      importing.preview(PersonResource(township=township), xlsx_bytes([PERSON_HEADERS, *rows])),
                      user=staff)
    asked = []
    step_of = PersonResource.step_of
    monkeypatch.setattr(PersonResource, "step_of", lambda self, values, *args: asked.append(values["name"]) or
                        step_of(self, values, *args))
    rows[1][4] = ""  # no 发展阶段: no step
    rows[2][4] = "预备党员"  # another stage than the stored one: step_of() decides (an earlier stage: refused)
    rows[3][6] = "改了备注"  # a changed record: step_of() as before
    again = importing.preview(PersonResource(township=township), xlsx_bytes([PERSON_HEADERS, *rows]))
    assert sorted(asked) == ["党员2", "党员3"]
    assert (again.unchanged, len(again.updates), again.invalid_rows) == (4, 1, 1)
    assert [(p.row, p.column_letter) for p in again.problems] == [(4, "E")]


def test_a_column_of_days_is_kept_as_iso_text_each_distinct_day_written_once():
    days = [datetime.date(2020, 7, 1), None, datetime.date(1950, 1, 2), datetime.date(2020, 7, 1)]
    assert importing._json_column(days) == ["2020-07-01", None, "1950-01-02", "2020-07-01"]
    assert importing._json_column([None, None]) == [None, None]
    moment = datetime.datetime(2020, 7, 1, 8, 30)  # not a day: through _json, as before
    assert importing._json_column([moment, datetime.date(2020, 7, 1)]) == ["2020-07-01T08:30:00", "2020-07-01"]
