"""Every registered record type walked through the permission matrix, the forms, the API and history."""
import pytest
from django.urls import reverse

from records import registry as records
from tests.records.conftest import assert_stored, expected_value, stored_value
from tests.records.specs import BY_SLUG, SPECS
from township import access

pytestmark = pytest.mark.django_db

ALL = pytest.mark.parametrize("spec", SPECS, ids=[s.slug for s in SPECS])
OBJECT_ACTIONS = ["detail", "update", "delete", "history"]


def url(spec, action, obj=None):
    name = f"records:{spec.slug}-{action}"
    return reverse(name, args=[obj.pk]) if obj is not None else reverse(name)


def api_url(spec, obj=None):
    return f"/api/{spec.slug}/{obj.pk}/" if obj is not None else f"/api/{spec.slug}/"


def model_of(spec):
    return records.get(spec.slug).model


def snapshot(obj):
    """The stored values of the record's editable concrete fields, to show that nothing changed."""
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    return {f.name: stored_value(fresh, f.name) for f in fresh._meta.concrete_fields}


def test_every_registered_type_has_a_spec():
    assert {rt.slug for rt in records.all_types()} == set(BY_SLUG)


@ALL
def test_anonymous_gets_login_redirect_and_api_refusal(spec, ctx, client_for, api_for):
    obj = spec.make(ctx, 0)
    client = client_for(None)
    for action in ["list", "create"]:
        response = client.get(url(spec, action))
        assert response.status_code == 302 and reverse("login") in response["Location"]
    for action in OBJECT_ACTIONS:
        response = client.get(url(spec, action, obj))
        assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client.post(url(spec, "delete", obj)).status_code == 302
    api = api_for(None)
    for response in [api.get(api_url(spec)), api.get(api_url(spec, obj)),
                     api.post(api_url(spec), spec.payload(ctx), format="json"),
                     api.delete(api_url(spec, obj))]:
        assert response.status_code in (401, 403)
        assert "results" not in response.json() and "id" not in response.json()
    assert model_of(spec).objects.filter(pk=obj.pk).exists()


@ALL
def test_secretary_of_another_village_gets_404(spec, ctx, client_for, api_for, secretary_b):
    obj = spec.make(ctx, 0)
    before = snapshot(obj)
    client = client_for(secretary_b)
    for action in OBJECT_ACTIONS:
        assert client.get(url(spec, action, obj)).status_code == 404, action
    assert client.post(url(spec, "delete", obj)).status_code == 404
    assert client.post(url(spec, "update", obj), spec.payload(ctx)).status_code == 404
    listing = client.get(url(spec, "list"))
    if spec.village_level:
        assert listing.status_code == 200 and url(spec, "detail", obj) not in listing.content.decode()
    else:
        assert listing.status_code == 404  # township-level records do not exist for a secretary
    api = api_for(secretary_b)
    assert api.get(api_url(spec, obj)).status_code == 404
    assert api.patch(api_url(spec, obj), dict([spec.edit]), format="json").status_code == 404
    assert api.delete(api_url(spec, obj)).status_code == 404
    api_list = api.get(api_url(spec))
    if spec.village_level:
        assert obj.pk not in [row["id"] for row in api_list.json()["results"]]
    else:
        assert api_list.status_code == 404
    assert snapshot(obj) == before


@ALL
def test_staff_of_another_township_gets_404(spec, ctx, client_for, api_for, other_staff):
    obj = spec.make(ctx, 0)
    before = snapshot(obj)
    client = client_for(other_staff)
    for action in OBJECT_ACTIONS:
        assert client.get(url(spec, action, obj)).status_code == 404, action
    assert client.post(url(spec, "delete", obj)).status_code == 404
    assert url(spec, "detail", obj) not in client.get(url(spec, "list")).content.decode()
    api = api_for(other_staff)
    assert api.get(api_url(spec, obj)).status_code == 404
    assert api.patch(api_url(spec, obj), dict([spec.edit]), format="json").status_code == 404
    assert api.delete(api_url(spec, obj)).status_code == 404
    assert obj.pk not in [row["id"] for row in api.get(api_url(spec)).json()["results"]]
    assert snapshot(obj) == before


@ALL
def test_leader_reads_but_gets_403_on_every_write(spec, ctx, client_for, api_for, leader):
    obj = spec.make(ctx, 0)
    before = snapshot(obj)
    count = model_of(spec).objects.count()
    client = client_for(leader)
    assert client.get(url(spec, "detail", obj)).status_code == 200
    assert url(spec, "detail", obj) in client.get(url(spec, "list")).content.decode()
    assert client.get(url(spec, "create")).status_code == 403
    response = client.post(url(spec, "create"), spec.payload(ctx))
    assert response.status_code == 403 and "只能查看" in response.content.decode()
    assert client.get(url(spec, "update", obj)).status_code == 403
    assert client.post(url(spec, "update", obj), spec.payload(ctx)).status_code == 403
    assert client.post(url(spec, "delete", obj)).status_code == 403
    api = api_for(leader)
    assert api.get(api_url(spec, obj)).status_code == 200
    assert api.post(api_url(spec), spec.payload(ctx), format="json").status_code == 403
    assert api.patch(api_url(spec, obj), dict([spec.edit]), format="json").status_code == 403
    assert api.delete(api_url(spec, obj)).status_code == 403
    assert model_of(spec).objects.count() == count
    assert snapshot(obj) == before


@ALL
def test_staff_creates_edits_and_deletes_through_the_form(spec, ctx, client_for, staff, leader):
    model = model_of(spec)
    client = client_for(staff)
    assert client.get(url(spec, "create")).status_code == 200
    payload = spec.payload(ctx)
    existing = set(model.objects.values_list("pk", flat=True))
    response = client.post(url(spec, "create"), payload)
    assert response.status_code == 302, response.content.decode()
    (new_pk,) = set(model.objects.values_list("pk", flat=True)) - existing
    obj = model.objects.get(pk=new_pk)
    assert response["Location"] == url(spec, "detail", obj)
    assert_stored(obj, payload)

    name, value = spec.edit
    assert client.get(url(spec, "update", obj)).status_code == 200
    response = client.post(url(spec, "update", obj), {**payload, name: value})
    assert response.status_code == 302, response.content.decode()
    obj.refresh_from_db()
    assert stored_value(obj, name) == expected_value(model, name, value)

    # The leader reads who made each change.
    history = client_for(leader).get(url(spec, "history", obj)).content.decode()
    assert history.count("<td>staff</td>") >= 2 and "<td>系统</td>" not in history
    assert f"{model._meta.get_field(name).verbose_name}：" in history

    client = client_for(staff)
    assert client.post(url(spec, "delete", obj)).status_code == 302
    assert not model.objects.filter(pk=obj.pk).exists()
    # Alliances add a "~" entry per many-to-many change: first created, last deleted, edits between.
    kinds = list(model.history.filter(id=obj.pk).order_by("history_date").values_list("history_type", flat=True))
    assert kinds[0] == "+" and kinds[-1] == "-" and set(kinds[1:-1]) == {"~"}


@ALL
def test_staff_creates_edits_and_deletes_through_the_api(spec, ctx, api_for, client_for, staff, leader):
    model = model_of(spec)
    api = api_for(staff)
    payload = spec.payload(ctx)
    created = api.post(api_url(spec), payload, format="json")
    assert created.status_code == 201, created.content.decode()
    obj = model.objects.get(pk=created.json()["id"])
    assert_stored(obj, payload)

    name, value = spec.edit
    response = api.patch(api_url(spec, obj), {name: value}, format="json")
    assert response.status_code == 200, response.content.decode()
    obj.refresh_from_db()
    assert stored_value(obj, name) == expected_value(model, name, value)
    assert api.get(api_url(spec, obj)).json()["id"] == obj.pk

    history = client_for(leader).get(url(spec, "history", obj)).content.decode()
    assert history.count("<td>staff</td>") >= 2 and "<td>系统</td>" not in history

    assert api.delete(api_url(spec, obj)).status_code == 204
    assert not model.objects.filter(pk=obj.pk).exists()
    assert model.history.filter(id=obj.pk, history_type="-").exists()


@ALL
def test_staff_sees_a_factory_made_record_in_list_and_detail(spec, ctx, client_for, staff):
    obj = spec.make(ctx, 0)
    client = client_for(staff)
    assert url(spec, "detail", obj) in client.get(url(spec, "list")).content.decode()
    detail = client.get(url(spec, "detail", obj)).content.decode()
    assert str(obj).replace('"', "&quot;") in detail or str(obj) in detail
    assert url(spec, "update", obj) in detail  # staff may edit it


@ALL
@pytest.mark.parametrize("rows", [3, 30])
def test_list_queries_do_not_grow_with_rows(spec, rows, ctx, client_for, api_for, staff,
                                            django_assert_max_num_queries):
    for n in range(rows):
        spec.make(ctx, n)
    expected = access.visible(staff, model_of(spec).objects.all()).count()
    assert expected >= rows
    client = client_for(staff)
    with django_assert_max_num_queries(10):
        page = client.get(url(spec, "list"))
    assert f"共 {expected} 条" in page.content.decode()
    api = api_for(staff)
    with django_assert_max_num_queries(6):
        listing = api.get(api_url(spec))
    assert listing.json()["count"] == expected and len(listing.json()["results"]) == expected
