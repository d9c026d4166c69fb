"""API tokens end (expiry, password change, deactivation, logout), each login gives a new one, and a login
session ends after SESSION_IDLE_HOURS without use."""
import datetime
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from township.middleware import IDLE_KEY

pytestmark = pytest.mark.django_db

PASSWORD = "demo12345"


def obtain(username="staff", password=PASSWORD):
    response = APIClient().post("/api/auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def with_token(token):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def test_a_token_answers_until_it_expires(staff, village_a, settings):
    answer = obtain()
    expiry = datetime.datetime.fromisoformat(answer["expiry"])
    hours = settings.REST_KNOX["TOKEN_TTL"].total_seconds() / 3600
    assert abs((expiry - timezone.now()).total_seconds() / 3600 - hours) < 0.1
    api = with_token(answer["token"])
    assert api.get("/api/villages/").status_code == 200
    AuthToken.objects.update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    assert api.get("/api/villages/").status_code == 401
    assert api.get("/api/villages/").status_code == 401  # and stays refused


def test_logging_in_again_gives_a_new_token_and_the_database_keeps_no_token(staff):
    first, second = obtain()["token"], obtain()["token"]
    assert first != second
    stored = AuthToken.objects.values_list("digest", "token_key")
    assert all(first != digest and second != digest for digest, _key in stored)
    assert all(len(key) < len(first) for _digest, key in stored)  # only a prefix to find the row by


def test_an_old_token_is_refused_after_a_password_change(staff, village_a):
    token = obtain()["token"]
    api = with_token(token)
    assert api.get("/api/villages/").status_code == 200
    staff.set_password("another-pass-2026")
    staff.save()
    assert api.get("/api/villages/").status_code == 401
    assert with_token(obtain(password="another-pass-2026")["token"]).get("/api/villages/").status_code == 200


def test_a_password_changed_on_the_page_ends_the_tokens_too(staff, client_for):
    from django.contrib.auth.forms import SetPasswordForm

    token = obtain()["token"]
    form = SetPasswordForm(staff, {"new_password1": "another-pass-2026", "new_password2": "another-pass-2026"})
    assert form.is_valid()
    form.save()
    assert with_token(token).get("/api/villages/").status_code == 401


def test_deactivation_and_logout_end_tokens(staff, secretary_a):
    token = obtain()["token"]
    staff.is_active = False
    staff.save()
    assert with_token(token).get("/api/villages/").status_code == 401
    assert not AuthToken.objects.filter(user=staff).exists()

    one, two = obtain("sec_a")["token"], obtain("sec_a")["token"]
    assert with_token(one).post("/api/auth/logout/").status_code == 204
    assert with_token(one).get("/api/villages/").status_code == 401
    assert with_token(two).get("/api/villages/").status_code == 200
    assert with_token(two).post("/api/auth/logoutall/").status_code == 204
    assert with_token(two).get("/api/villages/").status_code == 401


def test_logging_out_of_the_web_ends_the_users_tokens_too(client, staff, secretary_a):
    token, others = obtain()["token"], obtain("sec_a")["token"]
    client.force_login(staff)
    assert with_token(token).get("/api/villages/").status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert with_token(token).get("/api/villages/").status_code == 401
    assert with_token(others).get("/api/villages/").status_code == 200  # another user's token is not touched


def test_the_token_endpoint_stays_throttled(staff, settings):
    api = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post("/api/auth/token/", {"username": "staff", "password": "wrong"}, format="json")
    response = api.post("/api/auth/token/", {"username": "staff", "password": PASSWORD}, format="json")
    assert response.status_code == 429


# ---------------------------------------------------------------- idle sessions


def test_a_session_ends_after_the_idle_time_and_the_login_page_says_why(client_for, staff, settings):
    client = client_for(staff)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[IDLE_KEY] = int(time.time() - settings.SESSION_IDLE_HOURS * 3600 - 5)
    session.save()
    response = client.get(reverse("records:persons-list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "idle=1" in response["Location"]
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "自动退出" in page and f"连续{int(settings.SESSION_IDLE_HOURS)}小时没有操作" in page


def test_an_active_session_stays_and_the_api_treats_an_idle_one_as_anonymous(client_for, staff, settings):
    client = client_for(staff)
    session = client.session
    session[IDLE_KEY] = int(time.time() - settings.SESSION_IDLE_HOURS * 3600 + 120)
    session.save()
    assert client.get(reverse("home")).status_code == 200  # under the limit: still logged in, and renewed
    assert client.session[IDLE_KEY] >= int(time.time()) - 5
    session = client.session
    session[IDLE_KEY] = int(time.time() - settings.SESSION_IDLE_HOURS * 3600 - 5)
    session.save()
    assert client.get("/api/villages/").status_code in (401, 403)


def test_the_login_page_states_the_idle_time(client, settings):
    settings.SESSION_IDLE_HOURS = 4
    assert "连续4小时没有操作将自动退出登录" in client.get(reverse("login")).content.decode()
