import pytest
from django.urls import reverse

from tests.villages.factories import StarRatingFactory

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese(client):
    response = client.get("/", follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<title>登录" in body and "用户名" in body and "密码" in body
    assert 'lang="zh-CN"' in body


def test_login_with_password_lands_on_home(client, staff):
    response = client.post(reverse("login"), {"username": "staff", "password": "demo12345"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "示范镇 党建工作概况" in response.content.decode()


def test_wrong_password_shows_chinese_error(client, staff):
    response = client.post(reverse("login"), {"username": "staff", "password": "wrong-password"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


@pytest.mark.parametrize("url_name", ["home", "villages:list"])
def test_anonymous_is_sent_to_login(client, url_name, village_a):
    response = client.get(reverse(url_name))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_anonymous_village_detail_is_sent_to_login(client, village_a):
    response = client.get(reverse("villages:detail", args=[village_a.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_home_lists_township_villages_with_current_stars(client_for, staff, village_a, village_b, other_village):
    StarRatingFactory(branch=village_a.branches.first(), year=2022, stars=3)
    StarRatingFactory(branch=village_a.branches.first(), year=2023, stars=4, target_stars=5)
    body = client_for(staff).get(reverse("home")).content.decode()
    assert "江南村" in body and "联星村" in body
    assert "邻镇一村" not in body
    assert "4星" in body and "5星" in body  # current rating and its target
    assert "2023年评定，共1个" in body


@pytest.mark.parametrize("role", ["staff", "leader"])
def test_township_users_see_every_village(client_for, roles, role, village_a, village_b, other_village):
    client = client_for(roles[role])
    body = client.get(reverse("villages:list")).content.decode()
    assert "江南村" in body and "联星村" in body and "邻镇一村" not in body
    assert client.get(reverse("villages:detail", args=[village_b.pk])).status_code == 200
    assert client.get(reverse("villages:detail", args=[other_village.pk])).status_code == 404


def test_secretary_lands_on_own_village_and_sees_no_other(client_for, secretary_a, village_a, village_b):
    client = client_for(secretary_a)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("villages:detail", args=[village_a.pk])
    body = client.get(reverse("villages:list")).content.decode()
    assert "江南村" in body and "联星村" not in body
    assert client.get(reverse("villages:detail", args=[village_a.pk])).status_code == 200
    assert client.get(reverse("villages:detail", args=[village_b.pk])).status_code == 404


def test_other_township_sees_nothing(client_for, other_staff, village_a):
    client = client_for(other_staff)
    assert "江南村" not in client.get(reverse("home")).content.decode()
    assert client.get(reverse("villages:detail", args=[village_a.pk])).status_code == 404


def test_navigation_shows_only_what_the_role_may_use(client_for, secretary_a, staff, village_a):
    staff_body = client_for(staff).get(reverse("home")).content.decode()
    assert "星级党组织评定" in staff_body and "首页" in staff_body
    secretary_body = client_for(secretary_a).get(reverse("villages:detail", args=[village_a.pk])).content.decode()
    assert "本村" in secretary_body and ">首页<" not in secretary_body


def test_logout_ends_the_session(client_for, staff):
    client = client_for(staff)
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302
