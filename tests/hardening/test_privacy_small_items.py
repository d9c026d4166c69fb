"""Issue 15's smaller items: schema behind login, every log line masked (Django's and gunicorn's loggers too),
Cache-Control: no-store, login throttling per address, Chinese 400/413 pages, 413 for every oversized upload,
file-kind messages, and the start-up refusal of a weak SECRET_KEY."""
from __future__ import annotations

import datetime
import io
import json
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cadres.id_numbers import make_id_number
from township.log_filters import PersonalDataFilter

pytestmark = pytest.mark.django_db

ID = make_id_number("640102", datetime.date(1992, 3, 15), 25, True)
PHONE = "13912345678"


# ---------------------------------------------------------------- the schema and its viewers


def test_schema_and_docs_only_for_logged_in_users(client, api_for, staff):
    assert api_for(None).get("/api/schema/").status_code == 401
    for url in ("/api/docs/", "/api/redoc/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert api_for(staff).get("/api/schema/").status_code == 200
    client.force_login(staff)
    assert client.get("/api/docs/").status_code == 200


# ---------------------------------------------------------------- logs


@pytest.fixture
def log_text():
    """What every configured handler writes, at DEBUG, whichever logger it hangs on."""
    buffer = io.StringIO()
    handlers = {h for h in _configured_handlers() if isinstance(h, logging.StreamHandler)}
    previous = [(h, h.setStream(buffer)) for h in handlers]
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    yield buffer
    root.setLevel(level)
    for handler, stream in previous:
        handler.setStream(stream)


def _configured_handlers():
    """Every handler of every logger, but those pytest adds to capture logs for its own report."""
    loggers = [logging.getLogger()] + [logging.getLogger(name) for name in logging.root.manager.loggerDict]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if type(handler).__module__.startswith("_pytest") or isinstance(handler, logging.NullHandler):
                continue
            yield handler


def test_every_log_handler_masks_personal_data():
    handlers = list(_configured_handlers())
    assert handlers
    for handler in handlers:
        assert any(isinstance(f, PersonalDataFilter) for f in handler.filters), handler


@pytest.mark.parametrize("debug", [True, False])
def test_a_404_with_the_number_in_the_path_logs_it_masked_debug_or_not(debug, log_text, client_for, staff,
                                                                       settings):
    settings.DEBUG = debug
    client_for(staff).get(f"/records/persons/{ID}/?q={ID}")
    text = log_text.getvalue()
    assert "Not Found" in text
    assert ID not in text and ID[:14] not in text
    assert text.count("Not Found") == 1  # one line, not Django's default handler's second one


def test_the_runserver_access_line_and_the_request_logger_are_masked(log_text):
    logging.getLogger("django.server").info('"GET /records/persons/?q=%s&tel=%s HTTP/1.1" 200 1234', ID, PHONE,
                                            extra={"server_time": "01/Dec/2026 10:00:00", "status_code": 200})
    logging.getLogger("django.request").warning("Not Found: /api/persons/%s/", ID)
    text = log_text.getvalue()
    assert "GET /records/persons/?q=" in text and "Not Found: /api/persons/" in text
    assert ID not in text and PHONE not in text and ID[:6] not in text


def test_gunicorns_access_and_error_logs_are_masked():
    """In a process of its own: gunicorn's logging setup replaces the root configuration."""
    script = f"""
import logging, runpy
from gunicorn.config import Config
from gunicorn.glogging import Logger
cfg = Config()
cfg.set("logconfig_dict", runpy.run_path("gunicorn.conf.py")["logconfig_dict"])
Logger(cfg)
access = logging.getLogger("gunicorn.access")
access.info('%(h)s "%(r)s" %(s)s', {{"h": "10.0.0.1", "r": "GET /records/persons/?q={ID} HTTP/1.1", "s": "200"}})
logging.getLogger("gunicorn.error").error("Error handling request /records/persons/{ID}/ tel {PHONE}")
"""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    result = subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR, capture_output=True, text=True,
                            timeout=60, env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "GET /records/persons/?q=" in output and "Error handling request" in output
    assert ID not in output and PHONE not in output and ID[:14] not in output


# ---------------------------------------------------------------- Cache-Control


def test_responses_to_logged_in_users_are_not_stored(client_for, api_for, staff, village_a):
    from tests.cadres.factories import PersonFactory

    person = PersonFactory(village=village_a, township=village_a.township)
    client = client_for(staff)
    for url in (reverse("records:persons-list"), reverse("records:persons-detail", args=[person.pk]),
                reverse("ledgers:export", args=["persons", "csv"]), reverse("home")):
        assert client.get(url)["Cache-Control"] == "no-store", url
    assert api_for(staff).get(f"/api/persons/{person.pk}/")["Cache-Control"] == "no-store"
    token = Client().post("/api/auth/token/", {"username": "x", "password": "y"})
    assert token["Cache-Control"] == "no-store"


# ---------------------------------------------------------------- login throttling per address


def test_one_password_across_many_user_names_locks_the_address(client, settings):
    from tests.villages.factories import UserFactory

    settings.AXES_IP_FAILURE_LIMIT = 8
    UserFactory(username="real", role="staff")
    for n in range(settings.AXES_IP_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": f"user{n}", "password": "Spring2026!"})
        assert response.status_code == 200, n  # each user name fails once: no account lock
    response = client.post(reverse("login"), {"username": "last", "password": "Spring2026!"})
    assert response.status_code == 429  # the address's limit
    response = client.post(reverse("login"), {"username": "real", "password": "demo12345"})
    assert response.status_code == 429 and "登录失败次数过多" in response.content.decode()
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert other.post(reverse("login"), {"username": "real", "password": "demo12345"}).status_code == 302


def test_a_success_does_not_reset_the_address_count(client, settings):
    from tests.villages.factories import UserFactory

    settings.AXES_IP_FAILURE_LIMIT = 6
    UserFactory(username="mine", role="staff")
    for n in range(settings.AXES_IP_FAILURE_LIMIT - 1):
        client.post(reverse("login"), {"username": f"victim{n}", "password": "guess"})
    assert client.post(reverse("login"), {"username": "mine", "password": "demo12345"}).status_code == 302
    client.logout()
    client.post(reverse("login"), {"username": "victim99", "password": "guess"})
    assert client.post(reverse("login"), {"username": "mine", "password": "demo12345"}).status_code == 429


# ---------------------------------------------------------------- Chinese 400 and 413


@pytest.mark.parametrize("debug", [True, False])
def test_a_bad_host_gets_the_chinese_400_page(debug, settings):
    settings.DEBUG = debug
    response = Client(HTTP_HOST="evil.example.com").get("/")
    body = response.content.decode()
    assert response.status_code == 400
    assert "请求有误" in body and "Bad Request" not in body and "DisallowedHost" not in body


def test_a_body_too_large_gets_the_chinese_413_page(client_for, staff, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = client_for(staff)
    client.raise_request_exception = False
    response = client.post(reverse("records:bulletins-create"), {"title": "x" * 5000, "date": "2023-01-01"})
    assert response.status_code == 413 and "过大" in response.content.decode()


def test_every_oversized_upload_answers_413(client_for, staff, secretary_a, village_a, settings):
    settings.LEDGER_IMPORT_MAX_BYTES = 1000
    settings.SUBMISSION_MAX_BYTES = 1000
    big = b"x" * 200_000
    response = client_for(staff).post(reverse("ledgers:upload", args=["persons"]),
                                      {"file": SimpleUploadedFile("big.xlsx", big)})
    assert response.status_code == 413
    response = client_for(secretary_a).post(reverse("submissions:upload"), {
        "village": village_a.pk, "year": 2023, "month": 3, "file": SimpleUploadedFile("big.xlsx", big)})
    assert response.status_code == 413


# ---------------------------------------------------------------- what a file is


@pytest.mark.parametrize("name", ["报表.html", "报表.xls", "报表.xlsx"])
def test_a_web_page_is_called_a_web_page_whatever_its_name(name):
    from ledgers.spreadsheets import SpreadsheetError, sniff

    with pytest.raises(SpreadsheetError) as refused:
        sniff(b"<html><table><tr><td>1</td></tr></table></html>")
    assert "网页" in refused.value.message and "扩展名为" not in refused.value.message


# ---------------------------------------------------------------- SECRET_KEY


def _check(secret_key):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS",
                                                            "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(DEBUG="False", SECRET_KEY=secret_key, ALLOWED_HOSTS="example.org")
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("secret_key", ["k" * 60, "abcd" * 20, "django-insecure-" + "x7Qz9kLm2" * 6, "short-key"])
def test_start_up_refuses_a_key_check_deploy_would_flag(secret_key):
    result = _check(secret_key)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_start_up_accepts_a_real_key():
    result = _check("k3y-" + "x7Qz9" * 12)
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------- the Word file and the workbook's messages


def test_the_word_file_carries_no_personal_number(client_for, leader, staff, village_a):
    """The annual report names records, never a 身份证号, a phone number or a birth date, for staff either."""
    import re
    import zipfile

    from tests.cadres.factories import PersonFactory, StageChangeFactory, TalentFactory

    person = PersonFactory(village=village_a, township=village_a.township, id_number=ID, phone=PHONE)
    StageChangeFactory(person=person, stage="activist", date=datetime.date(2023, 3, 15))
    TalentFactory(village=village_a, township=village_a.township, phone="13700001111")
    for user in (leader, staff):
        response = client_for(user).get(reverse("reports:docx", args=[2023]))
        assert response.status_code == 200
        with zipfile.ZipFile(io.BytesIO(response.content)) as document:
            text = " ".join(document.read(name).decode("utf-8", "replace") for name in document.namelist()
                            if name.endswith(".xml"))
        assert ID not in text and ID[:14] not in text and PHONE not in text and "13700001111" not in text
        assert not re.search(r"(?<!\d)\d{17}[\dX](?!\d)", text)
        assert "1992-03-15" not in text and "1992年3月15日" not in text


def test_a_number_typed_as_a_number_is_not_echoed_in_the_workbook_problems(secretary_a, village_a):
    from django.core.files.base import ContentFile

    from submissions import services
    from tests.hardening.conftest import workbook_bytes

    rows = {"党员发展": [["张三", "男", "", int(ID[:17] + "0"), "入党积极分子", "2023-03-10", ""]]}
    submission = services.submission_create(
        village=village_a, year=2023, month=3, user=secretary_a,
        uploaded_file=ContentFile(workbook_bytes(village_a, rows=rows), name="月报.xlsx"))
    services.submission_preview(submission=submission)
    submission.refresh_from_db()
    text = json.dumps(submission.errors, ensure_ascii=False)
    assert "保存成了数字" in text
    assert ID[:14] not in text and ID[6:14] not in text


def test_a_number_in_the_wrong_column_is_quoted_masked():
    from ledgers.cells import CountWidget, DateWidget

    for widget in (CountWidget(), DateWidget()):
        with pytest.raises(ValueError) as refused:
            widget.clean(f"{ID} {PHONE}")
        assert ID not in str(refused.value) and PHONE not in str(refused.value)
        assert ID[-4:] in str(refused.value)
