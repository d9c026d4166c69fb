"""/healthz/: database, migrations and (when configured) Redis, unauthenticated, revealing nothing else."""
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
