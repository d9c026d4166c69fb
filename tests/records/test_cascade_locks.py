"""An approved month does not change through a cascade: a record that rows of an approved month hang on is
neither deleted nor moved to another village or township (villages/locks.py).

The walk reads every foreign key of every month-locked model from apps.get_models(), not from a list."""
import datetime

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse

from cadres.models import StageChange
from records import registry as records
from tests.cadres.factories import PersonFactory, StageChangeFactory
from tests.records.specs import SPECS
from tests.villages.factories import VillageMonthFactory
from township import access
from villages import locks
from villages.models import MonthlyRecord, VillageMonthStatus

pytestmark = pytest.mark.django_db

LOCK_TEXT = "已审核通过并锁定"
APPROVED = VillageMonthStatus.APPROVED


def approve(village, year, month):
    VillageMonthFactory(village=village, year=year, month=month, status=APPROVED)


@pytest.fixture
def person_with_locked_steps(village_a):
    """A person of 江南村 with steps in March (approved) and May 2023 (open)."""
    person = PersonFactory(village=village_a, township=village_a.township)
    StageChangeFactory(person=person, stage="applicant", date=datetime.date(2023, 3, 10))
    StageChangeFactory(person=person, stage="activist", date=datetime.date(2023, 5, 10))
    approve(village_a, 2023, 3)
    return person


def steps_of(person):
    return sorted(StageChange.objects.filter(person_id=person.pk).values_list("date", "village_id"))


def test_a_secretary_cannot_delete_a_person_with_steps_in_an_approved_month(person_with_locked_steps, api_for,
                                                                             client_for, secretary_a):
    person = person_with_locked_steps
    before = steps_of(person)
    response = api_for(secretary_a).delete(f"/api/persons/{person.pk}/")
    assert response.status_code == 409 and LOCK_TEXT in response.json()["detail"]
    assert "2023年3月" in response.json()["detail"]
    response = client_for(secretary_a).post(reverse("records:persons-delete", args=[person.pk]))
    assert response.status_code == 403 and LOCK_TEXT in response.content.decode()
    assert steps_of(person) == before


def test_a_person_is_not_moved_by_an_edit_but_by_a_transfer_that_leaves_approved_steps_in_their_village(
        person_with_locked_steps, api_for, client_for, staff, village_b):
    """组织关系转接 (issue 16): the village of a person is not edited; a transfer moves them, and their steps keep
    the village (and the approved month) they were made in."""
    person = person_with_locked_steps
    before = steps_of(person)
    response = api_for(staff).patch(f"/api/persons/{person.pk}/", {"village": village_b.pk}, format="json")
    assert response.status_code == 400 and "组织关系转接" in str(response.json()["village"])
    response = client_for(staff).post(reverse("records:persons-update", args=[person.pk]),
                                      {"village": village_b.pk, "name": person.name, "id_number": person.id_number})
    assert response.status_code == 400 and "组织关系转接" in response.content.decode()
    person.refresh_from_db()
    assert person.village_id == before[0][1] and steps_of(person) == before
    response = api_for(staff).post("/api/transfers/", {"person": person.pk, "kind": "within",
                                                       "to_village": village_b.pk, "date": "2023-06-01"}, format="json")
    assert response.status_code == 201, response.json()
    person.refresh_from_db()
    assert person.village_id == village_b.pk
    assert sorted(StageChange.objects.filter(person=person).values_list("date", "village_id")) == before


def test_deleting_a_person_with_steps_in_an_approved_month_is_refused_until_reopened(person_with_locked_steps,
                                                                                     api_for, staff):
    person = person_with_locked_steps
    assert api_for(staff).delete(f"/api/persons/{person.pk}/").status_code == 409
    person.village.months.update(status=VillageMonthStatus.SUBMITTED)
    assert api_for(staff).delete(f"/api/persons/{person.pk}/").status_code == 204
    assert not StageChange.objects.exists()


def test_the_ledger_import_does_not_move_a_person_either(person_with_locked_steps, staff, village_b):
    from cadres.resources import PersonResource
    from ledgers import importing

    person = person_with_locked_steps
    csv = f"姓名,身份证号,所属村\n{person.name},{person.id_number},{village_b.name}\n".encode()
    resource = PersonResource(township=person.township)
    resource.importing_user = staff
    result = importing.preview(resource, csv)
    assert not result.can_confirm
    assert any("组织关系转接" in str(problem) for problem in result.problems), result.problems


# ---------------------------------------------------------------- the walk over every foreign key


def _kinds():
    return [m for m in apps.get_models() if issubclass(m, MonthlyRecord) and not m._meta.abstract]


def _make_submission(ctx, n):
    from submissions.models import Submission

    return Submission.objects.create(village=ctx.village, year=2023, month=3, file=ContentFile(b"x", name="a.xlsx"))


def _make_month_draft(ctx, n):
    from submissions.models import MonthDraft

    return MonthDraft(village=ctx.village, year=2023, month=3, rows={"集体经济收入": []})


MAKERS = {records.get(spec.slug).model: spec.make for spec in SPECS}
MAKERS[apps.get_model("submissions", "Submission")] = _make_submission
MAKERS[apps.get_model("submissions", "MonthDraft")] = _make_month_draft


def _foreign_keys():
    return [(kind, field) for kind in _kinds() for field in kind._meta.concrete_fields
            if field.is_relation and (field.many_to_one or field.one_to_one)]


def test_every_month_locked_kind_can_be_made():
    assert {kind for kind, _f in _foreign_keys()} <= set(MAKERS), "add a maker for the new month-locked kind"
    assert len(_kinds()) >= 6


@pytest.fixture
def locked_row(ctx, staff):
    """A row of `kind` in 江南村's approved March 2023, its every foreign key filled."""

    def make(kind):
        row = MAKERS[kind](ctx, 0)
        for field in row._meta.concrete_fields:
            if field.is_relation and getattr(row, field.attname) is None and field.related_model is type(staff):
                setattr(row, field.name, staff)
        row.save()
        village_id = access.village_id_of(row)
        year, month = access.month_of(row)
        approve(ctx.village if village_id is None else type(ctx.village).objects.get(pk=village_id), year, month)
        assert row.month_lock_message(), f"{kind.__name__}: the row is not in an approved month"
        return row

    return make


def _scope_of(row):
    row = type(row)._default_manager.get(pk=row.pk)
    return access.township_id_of(row), access.village_id_of(row), access.month_of(row)


def _move_target(parent, field_name, other_township, village_b):
    field = parent._meta.get_field(field_name)
    if field.related_model is type(village_b):
        return village_b if getattr(parent, field.attname) != village_b.pk else None
    return other_township


@pytest.mark.parametrize("kind, field", _foreign_keys(), ids=[f"{k.__name__}.{f.name}" for k, f in _foreign_keys()])
def test_a_record_that_a_locked_row_hangs_on_is_neither_deleted_nor_moved(kind, field, locked_row, other_township,
                                                                         village_b):
    row = locked_row(kind)
    parent = getattr(row, field.name)
    assert parent is not None, f"{kind.__name__}.{field.name} is empty"
    before = _scope_of(row)
    # The rule names the lock of every record a locked row hangs on ...
    message = locks.dependents_lock_message(parent)
    if field.remote_field.on_delete is not None and field.remote_field.on_delete.__name__ != "DO_NOTHING":
        assert message and LOCK_TEXT in message, f"{kind.__name__}.{field.name}: no lock named"
    # ... and whichever way the ORM deletes it, the row stays as it was.
    with pytest.raises((access.MonthLocked, ProtectedError)), transaction.atomic():
        parent.delete()
    with pytest.raises((access.MonthLocked, ProtectedError)), transaction.atomic():
        type(parent)._default_manager.filter(pk=parent.pk).delete()
    assert _scope_of(row) == before
    # A move of the parent: refused where the row's village or township is read through it.
    on_scope_path = (kind, field.name) in locks.move_paths(type(parent))
    for name in ("village", "township"):
        if not any(f.name == name for f in parent._meta.fields):
            continue
        target = _move_target(parent, name, other_township, village_b)
        if target is None:
            continue
        fresh = type(parent)._default_manager.get(pk=parent.pk)
        setattr(fresh, name, target)
        if on_scope_path:
            with pytest.raises(access.MonthLocked) as refused, transaction.atomic():
                fresh.save()
            assert LOCK_TEXT in str(refused.value)
        else:
            # A user who uploaded a workbook moves to another village: the workbook stays its village's.
            with transaction.atomic():
                fresh.save()
        assert _scope_of(row) == before, f"moving {type(parent).__name__}.{name} moved a locked row"


def test_the_lock_costs_a_fixed_number_of_queries(village_a, django_assert_max_num_queries):
    people = [PersonFactory(village=village_a, township=village_a.township) for _ in range(3)]
    for person in people:
        for day, stage in enumerate(["applicant", "activist", "candidate", "probationary", "member"], start=1):
            StageChangeFactory(person=person, stage=stage, date=datetime.date(2023, 3, day))
    approve(village_a, 2023, 3)
    with django_assert_max_num_queries(2):  # one per month-locked path into Person, and the village's name
        assert locks.dependents_lock_message(people[0])
