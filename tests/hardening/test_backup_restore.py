"""pg_dump of a database with the demo loaded, restored with pg_restore into an empty database,
gives the same annual figures (reports.figures.compute_figures) — the README's backup procedure, run.

PostgreSQL only (DATABASE_URL set to postgres://…); two throwaway databases named after this
process, dropped at the end whatever happens. Runs manage.py in subprocesses against them.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

BASE = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump/pg_restore need PostgreSQL (DATABASE_URL)"),
    pytest.mark.skipif(not shutil.which("pg_dump") or not shutil.which("pg_restore"), reason="no pg_dump/pg_restore"),
]

FIGURES = """
import json
from reports.figures import compute_figures
from villages.models import Township
out = {}
for township in Township.objects.order_by("name"):
    for year in (2022, 2023):
        out[f"{township.name}/{year}"] = compute_figures(township, year, today=__import__("datetime").date(2024, 6, 1))
print("FIGURES=" + json.dumps(out, sort_keys=True, ensure_ascii=False, default=str))
"""


def _url_for(name):
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


def _conninfo():
    parts = urlsplit(os.environ["DATABASE_URL"])
    return ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]


def _psql(sql):
    subprocess.run(["psql", *_conninfo(), "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True,
                   capture_output=True, env={**os.environ, "PGPASSWORD": urlsplit(os.environ["DATABASE_URL"]).password
                                              or ""})


def _manage(database, *args, input_text=None):
    env = {**os.environ, "DATABASE_URL": _url_for(database), "CELERY_TASK_ALWAYS_EAGER": "1"}
    env.pop("CELERY_BROKER_URL", None)
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=BASE, env=env, capture_output=True, text=True,
                            input=input_text, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _figures(database):
    out = _manage(database, "shell", input_text=FIGURES)
    line = next(line for line in out.splitlines() if line.startswith("FIGURES="))
    return json.loads(line.removeprefix("FIGURES="))


def test_dump_restored_into_an_empty_database_gives_the_same_figures(tmp_path):
    source, target = f"dangjian_dump_src_{os.getpid()}", f"dangjian_dump_dst_{os.getpid()}"
    for name in (source, target):
        _psql(f'DROP DATABASE IF EXISTS "{name}"')
    try:
        _psql(f'CREATE DATABASE "{source}"')
        _manage(source, "migrate", "--noinput")
        _manage(source, "load_demo")
        before = _figures(source)
        assert before and any(v["economy.income_total"]["value"] not in (None, "0.00") for v in before.values())

        dump = tmp_path / "dangjian.dump"
        env = {**os.environ, "PGPASSWORD": urlsplit(os.environ["DATABASE_URL"]).password or ""}
        subprocess.run(["pg_dump", *_conninfo(), "-Fc", "--no-owner", "-f", str(dump), source], check=True, env=env)
        _psql(f'CREATE DATABASE "{target}"')
        subprocess.run(["pg_restore", *_conninfo(), "--no-owner", "--exit-on-error", "-d", target, str(dump)],
                       check=True, env=env)

        assert _figures(target) == before
    finally:
        for name in (source, target):
            _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
