"""The embedded SQLite: a read request begins DEFERRED (readers do not queue for the write lock), a write request
IMMEDIATE, and a read request that writes and meets the lock is rolled back whole and run once more IMMEDIATE
(township.middleware.SQLiteReadTransactionMiddleware). bench/load_bench.py measures what it is for."""
from __future__ import annotations

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext, override_settings

from tests.hardening import sqlite_read_urls
from villages.models import Township

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the transaction modes are SQLite's"),
]


def _begins(ctx):
    return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("BEGIN")]


def test_a_read_request_begins_deferred_and_a_write_request_immediate(client, staff):
    client.force_login(staff)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code in (200, 302)
    assert _begins(ctx) == ["BEGIN DEFERRED"]
    with CaptureQueriesContext(connection) as ctx:
        client.post("/logout/")
    assert _begins(ctx) == ["BEGIN IMMEDIATE"]
    assert connection.transaction_mode == "IMMEDIATE"  # the configured mode is back after each request


@override_settings(ROOT_URLCONF="tests.hardening.sqlite_read_urls")
def test_a_read_request_that_meets_the_lock_is_rolled_back_and_run_again_immediate(client):
    sqlite_read_urls.calls.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/reads/lock/")
    assert response.status_code == 200
    assert sqlite_read_urls.calls == ["GET", "GET"]
    # The first run's row was rolled back with its transaction: one row, written by the second run.
    assert response.content == b"1" and Township.objects.filter(name="重试镇").count() == 1
    assert _begins(ctx) == ["BEGIN DEFERRED", "BEGIN IMMEDIATE"]


@override_settings(ROOT_URLCONF="tests.hardening.sqlite_read_urls")
def test_a_write_request_that_meets_the_lock_is_not_run_again(client):
    sqlite_read_urls.calls.clear()
    with pytest.raises(OperationalError):
        client.post("/reads/lock/")
    assert sqlite_read_urls.calls == ["POST"]
    assert not Township.objects.filter(name="重试镇").exists()
