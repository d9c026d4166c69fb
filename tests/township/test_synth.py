import pytest
from django.core.management import CommandError, call_command

from cadres.id_numbers import id_number_problem
from cadres.models import Person
from economy.models import IncomeRecord
from villages.models import Township, Village, VillageMonth

pytestmark = pytest.mark.django_db


def test_synth_builds_townships_with_valid_people_and_a_year_of_reports(capsys):
    call_command("synth", "--townships", "2", "--years", "2", "--seed", "7")
    assert Township.objects.filter(name__startswith="合成").count() == 2
    assert Village.objects.count() == 24
    assert VillageMonth.objects.count() == 24 * 12 * 2
    assert IncomeRecord.objects.filter(year=2022).count() == 24 * 12 * 4
    ids = list(Person.objects.values_list("id_number", flat=True))
    assert len(ids) == len(set(ids)) > 0
    assert not [i for i in ids if id_number_problem(i)]
    assert "已生成2个镇" in capsys.readouterr().out


def test_synth_refuses_to_write_the_same_townships_twice():
    call_command("synth", "--townships", "1")
    with pytest.raises(CommandError, match="已存在"):
        call_command("synth", "--townships", "1")


def test_synth_appends_townships_after_the_first_ones_with_first():
    from township.models import User

    call_command("synth", "--townships", "1", "--seed", "3")
    call_command("synth", "--townships", "2", "--first", "2", "--seed", "3")
    assert list(Township.objects.order_by("name").values_list("name", flat=True)) == [
        "合成0001镇", "合成0002镇", "合成0003镇"]
    assert User.objects.filter(username="synth0003-staff", township__name="合成0003镇").exists()
    ids = list(Person.objects.values_list("id_number", flat=True))
    assert len(ids) == len(set(ids))
    with pytest.raises(CommandError, match="已存在"):
        call_command("synth", "--townships", "1", "--first", "3")
