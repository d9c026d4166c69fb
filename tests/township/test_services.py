"""The production services: the Redis broker with a real worker, the compose file, the database."""
import os

import pytest
import yaml
from django.conf import settings
from django.db import connection

from township.celery import app as celery_app
from township.tasks import ping

REDIS = os.environ.get("CELERY_BROKER_URL", "").startswith("redis://")


@pytest.mark.skipif(not REDIS, reason="runs in the CI pass that sets CELERY_BROKER_URL=redis://…")
def test_a_real_worker_takes_a_task_from_redis():
    from celery.contrib.testing.worker import start_worker

    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            assert ping.delay().get(timeout=20) == "pong"
    finally:
        celery_app.conf.task_always_eager = True


def test_embedded_default_is_eager_sqlite():
    if "DATABASE_URL" in os.environ:
        assert connection.vendor == "postgresql"
    else:
        assert connection.vendor == "sqlite"
        assert settings.CELERY_BROKER_URL == "memory://"


def test_compose_runs_the_documented_services():
    root = settings.BASE_DIR
    compose = yaml.safe_load((root / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    readme = (root / "README.md").read_text()
    for name in ("worker", "beat"):
        assert " ".join(services[name]["command"]) in readme
    assert "gunicorn township.wsgi:application" in " ".join(services["web"]["command"])
    assert "gunicorn township.wsgi:application" in readme
    env = compose["x-app"]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://") and env["CELERY_BROKER_URL"].startswith("redis://")
