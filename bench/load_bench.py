"""Load: the app under gunicorn on 127.0.0.1, concurrent leaders and secretaries for a bounded time.

What it does, and nothing else:
- builds a throwaway database with the demo loaded (a SQLite file under a temp folder, or,
  when DATABASE_URL points at PostgreSQL, a dedicated database `<name>_load`, dropped at the end),
  collects static files into the temp folder, and starts gunicorn on 127.0.0.1 at a free port in
  production mode (DEBUG=False, a random SECRET_KEY; requests carry X-Forwarded-Proto: https as the
  TLS proxy would);
- measures the idle p50 of each page: one user, one request at a time;
- runs --users concurrent users for --duration seconds (default 20 users, 30 s): half are leaders
  opening the dashboard and the annual report, half are village secretaries downloading their
  template and uploading it (upload, preview, detail page); each user pauses --think seconds
  (default 1) between rounds, as a person reading the page does (--think 0: a flood);
- stops by itself, kills the server, removes what it made.

Targets: 0 errors, and p95 under load below 10× the idle p50 of the same pages.
Only the standard library (http.client, threads). The last line of output is one JSON object.

    .venv/bin/python bench/load_bench.py [--users 20] [--duration 30] [--workers 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangjian .venv/bin/python bench/load_bench.py
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlparse, urlunparse

BASE = Path(__file__).resolve().parents[1]
PASSWORD = "demo12345"  # load_demo's password for every demo account
REPORT_YEAR = 2023


# ---------------------------------------------------------------- a tiny HTTP client


class Browser:
    """One user: its own cookies (sent over plain HTTP though marked Secure), redirects followed."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def _headers(self, extra=None):
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Origin": f"https://127.0.0.1:{self.port}",
            "Referer": f"https://127.0.0.1:{self.port}/",
            "Accept-Language": "zh-CN",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def request(self, method, path, body=None, headers=None, follow=True):
        """(status, body bytes) of the request, after following redirects (as a GET)."""
        for _ in range(6):
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                connection.request(method, path, body=body, headers=self._headers(headers))
                response = connection.getresponse()
                content = response.read()
                for value in response.headers.get_all("Set-Cookie") or []:
                    cookie = SimpleCookie()
                    cookie.load(value)
                    for key, morsel in cookie.items():
                        self.cookies[key] = morsel.value
            finally:
                connection.close()
            if follow and response.status in (301, 302, 303) and response.headers.get("Location"):
                location = urlparse(response.headers["Location"])
                path = urlunparse(("", "", location.path, "", location.query, ""))
                method, body, headers = "GET", None, None
                continue
            return response.status, content
        return 599, b"too many redirects"

    def login(self, username):
        self.request("GET", "/login/")
        form = urlencode({"username": username, "password": PASSWORD,
                          "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
        status, content = self.request("POST", "/login/", form,
                                       {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 200 or b'name="password"' in content:
            raise RuntimeError(f"login of {username} failed ({status})")

    def upload(self, path, fields, file_name, data):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in {**fields, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        parts.append((f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
                      "Content-Type: application/octet-stream\r\n\r\n").encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        content_type = f"multipart/form-data; boundary={boundary}"
        return self.request("POST", path, b"".join(parts), {"Content-Type": content_type})


# ---------------------------------------------------------------- the server


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(workdir, database_url):
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({
        "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url, "MEDIA_ROOT": str(workdir / "media"), "STATIC_ROOT": str(workdir / "static"),
        "CELERY_TASK_ALWAYS_EAGER": "1", "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1",
        # Logins of the bench users all come from 127.0.0.1: keep the throttle out of the measurement.
        "AXES_FAILURE_LIMIT": "1000",
    })
    return env


def manage(env, *args):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=BASE, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")


def postgres_admin(database_url, sql):
    url = urlparse(database_url)
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    subprocess.run(["psql", "-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432), "-U",
                    url.username or "postgres", "-d", "postgres", "-qc", sql], check=True, env=env,
                   capture_output=True)


def wait_ready(port, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited before it answered")
        try:
            status, _ = Browser(port).request("GET", "/login/")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer in time")


# ---------------------------------------------------------------- users


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples = {}  # page → [seconds]
        self.errors = {}  # page → count
        self.examples = []

    def timed(self, page, call):
        started = time.perf_counter()
        try:
            status, content = call()
        except Exception as exc:  # a dropped connection is an error of the run, not of the bench
            status, content = 0, repr(exc).encode()
        elapsed = time.perf_counter() - started
        with self.lock:
            self.samples.setdefault(page, []).append(elapsed)
            if status != 200:
                self.errors[page] = self.errors.get(page, 0) + 1
                if len(self.examples) < 5:
                    self.examples.append(f"{page}: {status} {content[:200]!r}")
        return status, content


def leader_round(browser, recorder):
    recorder.timed("dashboard", lambda: browser.request("GET", "/"))
    recorder.timed("report", lambda: browser.request("GET", f"/reports/{REPORT_YEAR}/"))


def secretary_round(browser, recorder, village_id, month):
    query = urlencode({"village": village_id, "year": 2030, "month": month})
    status, template = recorder.timed("template", lambda: browser.request("GET", f"/submissions/template/?{query}"))
    if status == 200:
        recorder.timed("upload", lambda: browser.upload(
            "/submissions/upload/", {"village": village_id, "year": 2030, "month": month}, "月报.xlsx", template))


def village_of(browser):
    """The secretary's village id: the home page redirects a secretary to it."""
    connection = http.client.HTTPConnection("127.0.0.1", browser.port, timeout=30)
    connection.request("GET", "/", headers=browser._headers())
    response = connection.getresponse()
    response.read()
    connection.close()
    return int(urlparse(response.headers["Location"]).path.strip("/").split("/")[-1])


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, int(round(fraction * (len(ordered) - 1)))))
    return ordered[index]


def run(args):
    workdir = Path(tempfile.mkdtemp(prefix="dangjian-load-"))
    database_url = os.environ.get("DATABASE_URL", "")
    pg_name = None
    if database_url.startswith("postgres"):
        url = urlparse(database_url)
        pg_name = f"{url.path.strip('/') or 'dangjian'}_load"
        database_url = urlunparse(url._replace(path=f"/{pg_name}"))
        postgres_admin(database_url, f'DROP DATABASE IF EXISTS "{pg_name}"')
        postgres_admin(database_url, f'CREATE DATABASE "{pg_name}"')
    else:
        database_url = f"sqlite:///{workdir / 'load.sqlite3'}"
    env = server_env(workdir, database_url)
    server = None
    try:
        print(f"database: {'PostgreSQL ' + pg_name if pg_name else 'SQLite (temp file)'}; loading the demo…",
              flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "load_demo")
        manage(env, "collectstatic", "--noinput")
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "township.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", str(args.workers), "--timeout", "60", "--graceful-timeout", "5"],
            cwd=BASE, env=env, stdout=subprocess.DEVNULL, stderr=open(workdir / "gunicorn.log", "wb"),
            start_new_session=True,
        )
        wait_ready(port, server)
        print(f"gunicorn on 127.0.0.1:{port} with {args.workers} workers", flush=True)

        # Idle: one leader and one secretary, one request at a time.
        idle = Recorder()
        leader = Browser(port)
        leader.login("leader")
        secretary = Browser(port)
        secretary.login("sec01")
        idle_village = village_of(secretary)
        for round_number in range(args.idle_rounds):
            leader_round(leader, idle)
            secretary_round(secretary, idle, idle_village, 1 + round_number % 12)
        idle_p50 = {page: statistics.median(values) for page, values in idle.samples.items()}

        # Load: half leaders, half secretaries (sec01…), for a bounded time.
        load = Recorder()
        stop = threading.Event()
        users = []
        for number in range(args.users):
            browser = Browser(port)
            if number % 2 == 0:
                browser.login("leader")
                users.append(("leader", browser, None))
            else:
                username = f"sec{(number // 2) % 12 + 1:02d}"
                browser.login(username)
                users.append(("secretary", browser, village_of(browser)))

        def user_loop(kind, browser, village_id):
            month = 1
            stop.wait(random.uniform(0, args.think))  # users do not all click at the same instant
            while not stop.is_set():
                if kind == "leader":
                    leader_round(browser, load)
                else:
                    secretary_round(browser, load, village_id, month)
                    month = month % 12 + 1
                stop.wait(args.think)

        threads = [threading.Thread(target=user_loop, args=user, daemon=True) for user in users]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(args.duration)
        stop.set()
        for thread in threads:
            thread.join(timeout=90)
        elapsed = time.monotonic() - started
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        server_errors = [line for line in (workdir / "gunicorn.log").read_text("utf-8", "replace").splitlines()
                         if "Error" in line or "error" in line][-8:] if (workdir / "gunicorn.log").exists() else []
        for line in server_errors:
            print("server:", line)
        if pg_name:
            postgres_admin(database_url, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)

    all_samples = [s for values in load.samples.values() for s in values]
    requests_total = len(all_samples)
    errors = sum(load.errors.values()) + sum(idle.errors.values())
    pages = {}
    for page, values in sorted(load.samples.items()):
        pages[page] = {
            "requests": len(values), "errors": load.errors.get(page, 0),
            "p50_ms": round(1000 * percentile(values, 0.50), 1), "p95_ms": round(1000 * percentile(values, 0.95), 1),
            "p99_ms": round(1000 * percentile(values, 0.99), 1), "idle_p50_ms": round(1000 * idle_p50[page], 1),
            "p95_over_idle_p50": round(percentile(values, 0.95) / idle_p50[page], 2),
        }
    idle_all = statistics.median([s for values in idle.samples.values() for s in values])
    result = {
        "users": args.users, "duration_s": round(elapsed, 1), "workers": args.workers, "think_s": args.think,
        "database": "postgresql" if pg_name else "sqlite",
        "requests": requests_total, "requests_per_s": round(requests_total / elapsed, 1), "errors": errors,
        "p50_ms": round(1000 * percentile(all_samples, 0.50), 1),
        "p95_ms": round(1000 * percentile(all_samples, 0.95), 1),
        "p99_ms": round(1000 * percentile(all_samples, 0.99), 1),
        "idle_p50_ms": round(1000 * idle_all, 1),
        "worst_p95_over_idle_p50": max(p["p95_over_idle_p50"] for p in pages.values()),
        "pages": pages,
    }
    result["target_met"] = errors == 0 and result["worst_p95_over_idle_p50"] < 10
    for page, figures in pages.items():
        print(f"{page:10s} {figures['requests']:6d} req  p50 {figures['p50_ms']:8.1f} ms"
              f"  p95 {figures['p95_ms']:8.1f} ms  p99 {figures['p99_ms']:8.1f} ms"
              f"  idle p50 {figures['idle_p50_ms']:7.1f} ms"
              f"  p95/idle {figures['p95_over_idle_p50']:5.2f}  errors {figures['errors']}")
    for example in load.examples + idle.examples:
        print("error:", example)
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["target_met"] else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1, help="gunicorn workers")
    parser.add_argument("--idle-rounds", type=int, default=10)
    parser.add_argument("--think", type=float, default=1.0,
                        help="seconds a user pauses between rounds (a person reads the page); 0 for a flood")
    args = parser.parse_args()
    if args.users < 2 or args.duration <= 0 or args.duration > 600:
        parser.error("--users ≥ 2 and 0 < --duration ≤ 600")
    sys.exit(run(args))


if __name__ == "__main__":
    main()
