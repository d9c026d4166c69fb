import pytest
from django.core.management import CommandError, call_command

from township.models import User
from villages.models import StarRating, Township, Village

pytestmark = pytest.mark.django_db


def test_load_demo_is_idempotent_and_sec03_is_tongchang():
    call_command("load_demo", stdout=open("/dev/null", "w"))
    call_command("load_demo", stdout=open("/dev/null", "w"))
    township = Township.objects.get(name="示范镇")
    assert township.villages.count() == 12
    # and its neighbour 青山镇 (the demo's transfers between townships), with its staff and no secretary
    assert Village.objects.exclude(township=township).filter(township__name="青山镇").count() == 3
    assert Village.objects.count() == 15
    assert User.objects.get(username="qingshan").township.name == "青山镇"
    assert StarRating.objects.filter(year=2023, branch__village__township=township).count() == 12
    assert StarRating.objects.filter(year=2022, branch__village__township=township).count() == 12
    sec03 = User.objects.get(username="sec03")
    assert sec03.role == "secretary" and sec03.village.name == "通昌村"
    assert User.objects.get(username="leader").check_password("demo12345")
    assert User.objects.filter(role="secretary").count() == 12


def test_add_township_and_user(capsys):
    call_command("add_township", "新镇", "--villages", "一村,二村")
    assert list(Village.objects.filter(township__name="新镇").values_list("name", flat=True)) == ["一村", "二村"]
    call_command("add_user", "zhang", "--role", "secretary", "--township", "新镇", "--village", "二村",
                 "--password", "long-enough-pass")
    user = User.objects.get(username="zhang")
    assert user.village.name == "二村" and user.township.name == "新镇"


@pytest.mark.parametrize(
    "args,message",
    [
        (["x", "--role", "staff", "--township", "无此镇", "--password", "long-enough-pass"], "不存在"),
        (["x", "--role", "secretary", "--township", "新镇", "--password", "long-enough-pass"], "必须指定所属村"),
        (["x", "--role", "secretary", "--township", "新镇", "--village", "三村", "--password", "long-enough-pass"],
         "没有村"),
        (["dup", "--role", "staff", "--township", "新镇", "--password", "long-enough-pass"], "已存在"),
    ],
)
def test_add_user_errors(args, message):
    call_command("add_township", "新镇", "--villages", "一村")
    User.objects.create_user("dup", password="x")
    with pytest.raises(CommandError, match=message):
        call_command("add_user", *args)
    assert not User.objects.filter(username="x").exists()


def test_add_township_refuses_duplicates():
    call_command("add_township", "新镇", "--villages", "一村")
    with pytest.raises(CommandError, match="已存在"):
        call_command("add_township", "新镇")
    with pytest.raises(CommandError, match="村名称重复"):
        call_command("add_township", "又一镇", "--villages", "一村,一村")
    assert not Township.objects.filter(name="又一镇").exists()


def test_add_county_and_a_county_user():
    call_command("add_township", "甲镇", "--villages", "一村")
    call_command("add_township", "乙镇", "--villages", "二村")
    call_command("add_county", "示范县", "--townships", "甲镇,乙镇")
    call_command("add_user", "xian", "--role", "county", "--county", "示范县", "--password", "long-enough-pass")
    user = User.objects.get(username="xian")
    assert user.is_county and sorted(user.county.townships.values_list("name", flat=True)) == ["乙镇", "甲镇"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["x", "--role", "county", "--password", "long-enough-pass"], "必须指定所属县"),
        (["x", "--role", "county", "--county", "无此县", "--password", "long-enough-pass"], "不存在"),
        (["x", "--role", "staff", "--password", "long-enough-pass"], "--township"),
    ],
)
def test_add_user_county_errors(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("add_user", *args)
    assert not User.objects.filter(username="x").exists()


def test_add_county_refuses_unknown_townships():
    with pytest.raises(CommandError, match="无此镇"):
        call_command("add_county", "某县", "--townships", "无此镇")
