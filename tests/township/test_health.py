"""/healthz/: database, migrations and (when configured) Redis, unauthenticated, revealing nothing else."""
import asyncio

import pytest
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


def test_healthy_without_login(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_an_unapplied_migration_is_unavailable_and_says_only_which_check(client, monkeypatch):
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("cadres", "0099_new")])
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "failing": ["migrations"]}


def test_redis_is_checked_when_configured(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["failing"] == ["redis"]
    assert "127.0.0.1" not in response.content.decode()


def test_answers_in_a_thread_that_already_runs_an_event_loop(client, monkeypatch):
    """A test process driving a browser through Playwright's sync API keeps an event loop running in its
    thread; the health view must still answer there (CI runs the browser journeys before this file)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    async def from_inside_a_loop():
        return client.get("/healthz/")

    try:
        asyncio.get_running_loop()
    except RuntimeError:  # run alone: make the condition
        response = asyncio.run(from_inside_a_loop())
    else:  # after the browser journeys: the condition is already there
        response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
