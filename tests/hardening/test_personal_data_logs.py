"""A 身份证号 sent in a request never reaches the log or an error page: failed validation, 404, 500.

The log is read where it goes in production: the handlers configured by settings.LOGGING
(their streams swapped for a buffer during the test), at DEBUG level.
"""
from __future__ import annotations

import datetime
import io
import logging

import pytest
from django.test import Client

from cadres.id_numbers import make_id_number

pytestmark = pytest.mark.django_db

ID = make_id_number("640102", datetime.date(1990, 5, 1), 1, True)
BAD_ID = ID[:-1] + ("0" if ID[-1] != "0" else "1")  # wrong check digit
PHONE = "13912345678"


@pytest.fixture
def log_text():
    """The text the configured handlers write, from every logger at DEBUG."""
    buffer = io.StringIO()
    root = logging.getLogger()
    handlers = [h for h in root.handlers if isinstance(h, logging.StreamHandler)]
    assert handlers, "settings.LOGGING configures no stream handler"
    previous = [(h, h.setStream(buffer)) for h in handlers]
    level = root.level
    root.setLevel(logging.DEBUG)
    yield buffer
    root.setLevel(level)
    for handler, stream in previous:
        handler.setStream(stream)


def _no_personal_data(text):
    for secret in (ID, BAD_ID, ID[:14], PHONE):
        assert secret not in text, f"{secret} written: {text[:2000]}"


def test_failed_validation_is_not_logged_with_the_number(log_text, client_for, api_for, staff, village_a):
    response = client_for(staff).post("/records/persons/new/", {
        "village": village_a.pk, "name": "张三", "id_number": BAD_ID, "phone": PHONE})
    assert response.status_code == 400
    response = api_for(staff).post("/api/persons/", {"village": village_a.pk, "name": "张三", "id_number": BAD_ID,
                                                      "phone": PHONE}, format="json")
    assert response.status_code == 400
    _no_personal_data(log_text.getvalue())
    assert "Bad Request" in log_text.getvalue()  # the request was logged, without the number


def test_404_with_the_number_in_path_and_query(log_text, client_for, staff):
    client = client_for(staff)
    for url in (f"/records/persons/{ID}/", f"/records/persons/999999/?id_number={ID}", f"/api/persons/{ID}/",
                f"/no/such/page/{ID}/", f"/records/persons/?q={ID}&phone={PHONE}"):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        if response.status_code == 404:  # the error page does not echo the path
            _no_personal_data(response.content.decode("utf-8", "replace"))
    _no_personal_data(log_text.getvalue())


def test_500_with_the_number_neither_logged_nor_shown(log_text, staff, monkeypatch, settings):
    """A view that fails with the number in its exception: the 500 page is generic and the log masks it."""
    from records import views as record_views

    def boom(self, request):
        raise ValueError(f"无法处理身份证号 {request.GET.get('id_number')} 电话 {PHONE}")

    monkeypatch.setattr(record_views.RecordListView, "get", boom)
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    response = client.get(f"/records/persons/?id_number={ID}")
    assert response.status_code == 500
    _no_personal_data(response.content.decode("utf-8", "replace"))
    text = log_text.getvalue()
    assert "Internal Server Error" in text and "ValueError" in text
    _no_personal_data(text)


def test_mask_text_leaves_other_numbers_alone():
    from township.log_filters import mask_text

    assert mask_text(f"id={ID} tel={PHONE} at 2026-11-26 13:23:14.066735 pk=12345") == \
        f"id={'*' * 14}{ID[-4:]} tel=*******5678 at 2026-11-26 13:23:14.066735 pk=12345"
    # A number typed in part (region and birth date) is masked too; short numbers are left alone.
    assert mask_text(f"/records/persons/?q={ID[:14]}&page=2") == f"/records/persons/?q={'*' * 10}{ID[10:14]}&page=2"
