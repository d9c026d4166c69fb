"""What a village secretary may write, and the lock of an approved village-month, over every record type."""
import pytest
from django.urls import reverse

from records import registry as records
from tests.records.conftest import assert_stored, stored_value
from tests.records.specs import SPECS, Ctx
from tests.villages.factories import VillageMonthFactory

pytestmark = pytest.mark.django_db

SECRETARY_WRITES = [s for s in SPECS if s.secretary_edits]
VILLAGE_READ_ONLY = [s for s in SPECS if s.village_level and not s.secretary_edits]
TOWNSHIP_LEVEL = [s for s in SPECS if not s.village_level]
MONTHLY = [s for s in SPECS if s.month]
LOCK_TEXT = "已审核通过并锁定"


def ids(specs):
    return [s.slug for s in specs]


def url(spec, action, obj=None):
    name = f"records:{spec.slug}-{action}"
    return reverse(name, args=[obj.pk]) if obj is not None else reverse(name)


def model_of(spec):
    return records.get(spec.slug).model


def test_the_monthly_records_are_the_ones_secretaries_write():
    assert set(ids(SECRETARY_WRITES)) == {"persons", "stage-changes", "incomes", "study-activities", "org-life",
                                          "appraisals", "member-dues"}
    for spec in SPECS:
        assert model_of(spec).SCOPE.secretary_edits == spec.secretary_edits, spec.slug


@pytest.mark.parametrize("spec", SECRETARY_WRITES, ids=ids(SECRETARY_WRITES))
def test_secretary_creates_and_edits_own_village_records_through_the_form(spec, ctx, client_for, secretary_a):
    model = model_of(spec)
    client = client_for(secretary_a)
    payload = spec.payload(ctx)
    response = client.post(url(spec, "create"), payload)
    assert response.status_code == 302, response.content.decode()
    obj = model.objects.latest("pk")
    assert_stored(obj, payload)
    name, value = spec.edit
    assert client.post(url(spec, "update", obj), {**payload, name: value}).status_code == 302
    obj.refresh_from_db()
    assert str(stored_value(obj, name)) == str(value)


@pytest.mark.parametrize("spec", SECRETARY_WRITES, ids=ids(SECRETARY_WRITES))
def test_secretary_creates_own_village_records_through_the_api(spec, ctx, api_for, secretary_a):
    payload = spec.payload(ctx)
    response = api_for(secretary_a).post(f"/api/{spec.slug}/", payload, format="json")
    assert response.status_code == 201, response.content.decode()
    assert_stored(model_of(spec).objects.get(pk=response.json()["id"]), payload)


@pytest.mark.parametrize("spec", SECRETARY_WRITES, ids=ids(SECRETARY_WRITES))
def test_secretary_cannot_write_for_another_village(spec, township, village_b, client_for, api_for, secretary_a):
    model = model_of(spec)
    payload = spec.payload(Ctx(township=township, village=village_b))
    count = model.objects.count()
    response = client_for(secretary_a).post(url(spec, "create"), payload)
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()
    response = api_for(secretary_a).post(f"/api/{spec.slug}/", payload, format="json")
    assert response.status_code == 400
    assert model.objects.count() == count


@pytest.mark.parametrize("spec", VILLAGE_READ_ONLY, ids=ids(VILLAGE_READ_ONLY))
def test_secretary_reads_but_cannot_write_other_kinds_of_own_village(spec, ctx, client_for, api_for, secretary_a):
    obj = spec.make(ctx, 0)
    count = model_of(spec).objects.count()
    client = client_for(secretary_a)
    assert client.get(url(spec, "detail", obj)).status_code == 200
    assert client.get(url(spec, "create")).status_code == 403
    assert client.post(url(spec, "create"), spec.payload(ctx)).status_code == 403
    assert client.get(url(spec, "update", obj)).status_code == 403
    assert client.post(url(spec, "delete", obj)).status_code == 403
    api = api_for(secretary_a)
    assert api.get(f"/api/{spec.slug}/{obj.pk}/").status_code == 200
    assert api.post(f"/api/{spec.slug}/", spec.payload(ctx), format="json").status_code == 403
    assert api.patch(f"/api/{spec.slug}/{obj.pk}/", dict([spec.edit]), format="json").status_code == 403
    assert api.delete(f"/api/{spec.slug}/{obj.pk}/").status_code == 403
    assert model_of(spec).objects.count() == count


@pytest.mark.parametrize("spec", TOWNSHIP_LEVEL, ids=ids(TOWNSHIP_LEVEL))
def test_township_level_records_do_not_exist_for_a_secretary(spec, ctx, client_for, api_for, secretary_a):
    obj = spec.make(ctx, 0)
    client = client_for(secretary_a)
    assert client.get(url(spec, "create")).status_code == 404
    assert client.get(url(spec, "detail", obj)).status_code == 404
    api = api_for(secretary_a)
    assert api.post(f"/api/{spec.slug}/", spec.payload(ctx), format="json").status_code == 404
    assert api.get(f"/api/{spec.slug}/{obj.pk}/").status_code == 404
    assert model_of(spec).objects.count() == 1


def approve(ctx, spec, payload, status="approved"):
    year, month = spec.month(payload)
    return VillageMonthFactory(village=ctx.village, year=year, month=month, status=status)


@pytest.mark.parametrize("user_name", ["staff", "secretary_a"])
@pytest.mark.parametrize("spec", MONTHLY, ids=ids(MONTHLY))
def test_nothing_is_created_in_an_approved_month(spec, user_name, ctx, roles, client_for, api_for):
    user = roles[user_name]
    payload = spec.payload(ctx)
    approve(ctx, spec, payload)
    model = model_of(spec)
    count = model.objects.count()
    response = client_for(user).post(url(spec, "create"), payload)
    assert response.status_code == 400
    body = response.content.decode()
    year, month = spec.month(payload)
    assert f"江南村{year}年{month}月的月报{LOCK_TEXT}" in body
    response = api_for(user).post(f"/api/{spec.slug}/", payload, format="json")
    assert response.status_code == 409 and LOCK_TEXT in response.json()["detail"]
    assert model.objects.count() == count


@pytest.mark.parametrize("user_name", ["staff", "secretary_a"])
@pytest.mark.parametrize("spec", MONTHLY, ids=ids(MONTHLY))
def test_records_of_an_approved_month_are_locked_until_reopened(spec, user_name, ctx, roles, client_for, api_for,
                                                                staff):
    user = roles[user_name]
    payload = spec.payload(ctx)
    created = api_for(staff).post(f"/api/{spec.slug}/", payload, format="json")
    assert created.status_code == 201
    obj = model_of(spec).objects.get(pk=created.json()["id"])
    village_month = approve(ctx, spec, payload)
    name, value = spec.edit

    client = client_for(user)
    detail = client.get(url(spec, "detail", obj)).content.decode()
    assert LOCK_TEXT in detail and url(spec, "update", obj) not in detail
    response = client.get(url(spec, "update", obj))
    assert response.status_code == 403 and LOCK_TEXT in response.content.decode()
    assert client.post(url(spec, "update", obj), {**payload, name: value}).status_code == 403
    assert client.post(url(spec, "delete", obj)).status_code == 403
    api = api_for(user)
    response = api.patch(f"/api/{spec.slug}/{obj.pk}/", {name: value}, format="json")
    assert response.status_code == 409 and LOCK_TEXT in response.json()["detail"]
    assert api.delete(f"/api/{spec.slug}/{obj.pk}/").status_code == 409
    assert_stored(obj, payload)

    village_month.status = "returned"  # staff reopened the month
    village_month.save()
    assert client.post(url(spec, "update", obj), {**payload, name: value}).status_code == 302
    obj.refresh_from_db()
    assert str(stored_value(obj, name)) == str(value)


@pytest.mark.parametrize("spec", MONTHLY, ids=ids(MONTHLY))
def test_a_record_cannot_be_moved_into_an_approved_month(spec, ctx, client_for, api_for, staff):
    payload = spec.payload(ctx)
    obj = model_of(spec).objects.get(
        pk=api_for(staff).post(f"/api/{spec.slug}/", payload, format="json").json()["id"]
    )
    if "date" in payload:
        moved = {"date": "2023-08-08"}
        VillageMonthFactory(village=ctx.village, year=2023, month=8, status="approved")
    else:
        moved = {"month": 8}
        VillageMonthFactory(village=ctx.village, year=payload["year"], month=8, status="approved")
    response = client_for(staff).post(url(spec, "update", obj), {**payload, **moved})
    assert response.status_code == 400 and LOCK_TEXT in response.content.decode()
    response = api_for(staff).patch(f"/api/{spec.slug}/{obj.pk}/", moved, format="json")
    assert response.status_code == 409
    assert_stored(obj, payload)


def test_another_villages_approval_does_not_lock_ours(ctx, village_b, client_for, secretary_a):
    VillageMonthFactory(village=village_b, year=2023, month=3, status="approved")
    VillageMonthFactory(village=ctx.village, year=2023, month=3, status="submitted")
    spec = next(s for s in SPECS if s.slug == "incomes")
    assert client_for(secretary_a).post(url(spec, "create"), spec.payload(ctx)).status_code == 302
