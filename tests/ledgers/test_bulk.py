"""ledgers.bulk: records and their history rows written without an instance each, as bulk_create_with_history would."""
import datetime

from django.db import transaction
from django.utils import timezone

from cadres.models import Person, StageChange
from ledgers import bulk
from villages.models import Source

from .conftest import id_number


def person_row(n, village, **extra):
    return {"village_id": village.pk, "name": f"人员{n}", **Person.derived_from_id_number(id_number(n)), **extra}


def test_supported_models():
    assert bulk.supports(Person) and bulk.supports(StageChange)


def test_records_and_history_rows_with_user_reason_and_defaults(township, village_a, staff):
    awkward = "第一行\n第二行\t制表符 \\ 反斜杠\r"
    rows = [person_row(1, village_a, note=awkward), person_row(2, village_a, is_mobile=True, note="C:\\只有反斜杠")]
    with transaction.atomic():
        ids = bulk.insert_with_history(Person, rows, defaults={"township_id": township.pk}, user=staff,
                                       reason="台账导入")
    people = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
    first, second = people[ids[0]], people[ids[1]]
    assert (first.name, first.note, first.township_id, first.gender, first.stage) == (
        "人员1", awkward, township.pk, Person.derived_from_id_number(id_number(1))["gender"], "")
    assert (second.name, second.is_mobile, second.note, second.birth_date) == (
        "人员2", True, "C:\\只有反斜杠", Person.derived_from_id_number(id_number(2))["birth_date"])
    for person in (first, second):
        (record,) = person.history.all()
        assert (record.history_type, record.history_user, record.history_change_reason) == ("+", staff, "台账导入")
        assert (record.note, record.is_mobile, record.village_id) == (person.note, person.is_mobile, village_a.pk)
        assert abs(record.history_date - timezone.now()) < datetime.timedelta(minutes=1)
    # The next record takes the next id: the sequence knows the ids given.
    later = Person.objects.create(township=township, village=village_a, name="后来", id_number=id_number(3))
    assert later.pk > max(ids)


def test_ids_of_deleted_rows_are_never_given_again(township, village_a, staff):
    with transaction.atomic():
        (first,) = bulk.insert_with_history(Person, [person_row(1, village_a)],
                                            defaults={"township_id": township.pk}, user=staff)
    Person.objects.filter(pk=first).delete()
    with transaction.atomic():
        (second,) = bulk.insert_with_history(Person, [person_row(2, village_a)],
                                             defaults={"township_id": township.pk}, user=staff)
    assert second > first  # the deleted person's history still names its id
    assert set(Person.history.filter(id=second).values_list("name", flat=True)) == {"人员2"}


def test_steps_take_the_default_source_and_update_history(township, village_a, staff):
    person = Person.objects.create(township=township, village=village_a, name="甲", id_number=id_number(1))
    with transaction.atomic():
        (step,) = bulk.insert_with_history(StageChange, [{"person_id": person.pk, "village_id": village_a.pk,
                                                          "stage": "applicant", "date": datetime.date(2023, 1, 5)}],
                                           defaults={"source": Source.IMPORT}, user=staff, reason="台账导入")
        bulk.insert_history(Person, [{f.attname: getattr(person, f.attname) for f in Person._meta.concrete_fields}],
                            history_type="~", user=staff, reason="台账导入")
    change = StageChange.objects.get(pk=step)
    assert (change.source, change.date, change.history.get().history_type) == ("import", datetime.date(2023, 1, 5), "+")
    assert list(person.history.values_list("history_type", flat=True).order_by("history_id")) == ["+", "~"]



def test_a_column_is_formatted_at_once_as_value_by_value():
    """_copy_column takes a column of one kind at once; the text is what _copy_text gives each value."""
    from decimal import Decimal

    columns = [
        ["甲", "乙", ""], ["a\tb", "c"], ["C:\\x", "y"], ["\x01", "z"],  # text, escaped or not
        [True, False, True], [1, 20, -3], [datetime.date(2020, 7, 1), datetime.date(1950, 1, 2)],
        [None, "x", 1, True, datetime.date(2020, 1, 1), Decimal("1.50")], [None, None], [Source.IMPORT, "x"],
        [datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)],
    ]
    for column in columns:
        assert bulk._copy_column(column) == [bulk._copy_text(v) for v in column], column
    assert bulk._copy_lines([[1, 2], ["a", "b\n"], [True, None]]) == ["1\ta\tt", "2\tb\\n\t\\N"]


def test_rows_missing_a_field_take_its_default_column_by_column(township, village_a, staff):
    rows = [person_row(1, village_a), person_row(2, village_a, note="有备注", is_mobile=True), person_row(3, village_a)]
    with transaction.atomic():
        ids = bulk.insert_with_history(Person, rows, defaults={"township_id": township.pk, "note": "默认"}, user=staff)
    people = Person.objects.in_bulk(ids)
    assert [(people[pk].note, people[pk].is_mobile) for pk in ids] == [("默认", False), ("有备注", True),
                                                                       ("默认", False)]
    assert [Person.history.get(id=pk).note for pk in ids] == ["默认", "有备注", "默认"]
