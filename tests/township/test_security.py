import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_locks_out_after_repeated_failures_with_chinese_message(client, staff):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "staff", "password": "wrong-password"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": "staff", "password": "wrong-password"})
    assert response.status_code == 429
    # Now even the right password is refused, with the lock-out page.
    response = client.post(reverse("login"), {"username": "staff", "password": "demo12345"})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_api_token_endpoint_is_throttled_too(api_for, staff):
    api = api_for(None)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post("/api/auth/token/", {"username": "staff", "password": "wrong"}, format="json")
    response = api.post("/api/auth/token/", {"username": "staff", "password": "demo12345"}, format="json")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.json()["detail"]


def test_a_success_resets_the_failure_count(client, staff):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("login"), {"username": "staff", "password": "wrong-password"})
    assert client.post(reverse("login"), {"username": "staff", "password": "demo12345"}).status_code == 302
    client.logout()
    client.post(reverse("login"), {"username": "staff", "password": "wrong-password"})
    assert client.post(reverse("login"), {"username": "staff", "password": "demo12345"}).status_code == 302


def test_pages_carry_a_content_security_policy(client_for, staff):
    response = client_for(staff).get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "<script>" not in response.content.decode()  # nothing inline that the policy would block
    assert response["X-Frame-Options"] == "DENY"


def _manage(*args, **env):
    # The browser tests allow async-unsafe ORM calls in their own process; production never does.
    dropped = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {k: v for k, v in os.environ.items() if k not in dropped}
    full_env.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=full_env,
                          capture_output=True, text=True, timeout=120)


def test_deploy_check_passes_with_production_environment():
    result = _manage("check", "--deploy", "--fail-level", "WARNING",
                     DEBUG="False", SECRET_KEY="k3y-" + "x7Qz9" * 12, ALLOWED_HOSTS="example.org")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_real_secret_key():
    result = _manage("check", DEBUG="False", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(("url", "age"), [("postgres://u:p@db:5432/dangjian", "60"), ("sqlite:////tmp/x.sqlite3", "0")])
def test_a_postgresql_connection_is_kept_by_its_worker_and_checked_before_reuse(url, age):
    code = ("from django.conf import settings; d = settings.DATABASES['default']; "
            "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])")
    result = _manage("shell", "-c", code, DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [age, "True"]
