"""restore_record brings a deleted record back from its history, and refuses when it should."""
import pytest
from django.core.management import CommandError, call_command

from records import registry as records
from tests.records.specs import BY_SLUG, Ctx

pytestmark = pytest.mark.django_db

SLUGS = ["persons", "incomes", "study-activities", "bulletins", "star-ratings", "alliances", "member-dues"]


def _label(model):
    return f"{model._meta.app_label}.{model.__name__}"


def _values(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.mark.parametrize("slug", SLUGS)
def test_deleted_record_comes_back_as_it_was(slug, township, village_a, capsys):
    spec = BY_SLUG[slug]
    obj = spec.make(Ctx(township=township, village=village_a), 0)
    model = records.get(slug).model
    m2m = {f.name: sorted(getattr(obj, f.name).values_list("pk", flat=True)) for f in model._meta.many_to_many}
    before = _values(type(obj)._default_manager.get(pk=obj.pk))
    pk = obj.pk
    obj.delete()
    assert not model.objects.filter(pk=pk).exists()

    call_command("restore_record", _label(model), str(pk))

    restored = model.objects.get(pk=pk)
    assert _values(restored) == before
    for name, ids in m2m.items():
        assert sorted(getattr(restored, name).values_list("pk", flat=True)) == ids
    assert "已恢复" in capsys.readouterr().out
    assert restored.history.first().history_change_reason == "从修改记录恢复"


def test_an_earlier_state_by_history_id(township, village_a):
    obj = BY_SLUG["bulletins"].make(Ctx(township=township, village=village_a), 0)
    first_title = obj.title
    first = obj.history.order_by("history_id").first()
    obj.title = "改过的标题"
    obj.save()
    pk = obj.pk
    obj.delete()
    call_command("restore_record", "committee.Bulletin", str(pk), "--history-id", str(first.history_id))
    assert type(obj).objects.get(pk=pk).title == first_title


def test_refuses_when_the_record_exists(township, village_a):
    obj = BY_SLUG["bulletins"].make(Ctx(township=township, village=village_a), 0)
    with pytest.raises(CommandError, match="仍然存在"):
        call_command("restore_record", "committee.Bulletin", str(obj.pk))


def test_refuses_when_a_unique_key_now_clashes(township, village_a):
    """An income row of the same village, year, month and category was entered after the deletion."""
    spec = BY_SLUG["incomes"]
    obj = spec.make(Ctx(township=township, village=village_a), 0)
    model = type(obj)
    values = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields if f.attname != "id"}
    pk = obj.pk
    obj.delete()
    model.objects.create(**values)
    count = model.objects.count()
    with pytest.raises(CommandError, match="冲突"):
        call_command("restore_record", _label(model), str(pk))
    assert model.objects.count() == count and not model.objects.filter(pk=pk).exists()


def test_refuses_unknown_model_and_missing_history(db):
    with pytest.raises(CommandError, match="没有这种记录"):
        call_command("restore_record", "nothing.Here", "1")
    with pytest.raises(CommandError, match="没有"):
        call_command("restore_record", "committee.Bulletin", "999999")
