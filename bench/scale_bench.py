"""How the cost of one township's pages grows with the number of townships in the database.

For each size (1, 10 and 100 townships by default) the synthetic data of `manage.py synth`
is in one throwaway database, and the pages of ONE township's year (township 0001,
the same rows at every size) are requested with Django's test client, logged in as
that township's staff: wall time (median of --repeats runs after one warm-up) and
SQL queries (CaptureQueriesContext). The sizes are built one on top of the other
(1, then 9 more, then 90 more), so township 0001 is the same at every size.
After each build the database statistics are refreshed (ANALYZE), as autovacuum
would do on a live server.

`figures_fn` is compute_figures() called directly (the figures alone); `figures_api`
adds what every request costs (session, user, township; BEGIN/COMMIT on SQLite).
The county page is measured as a county user whose county holds min(size, 10)
townships: its queries must not grow with the county, its time does (it sums
more records), so it is left out of the growth targets.

Database: a SQLite file under /tmp by default; PostgreSQL when DATABASE_URL is set
(a dedicated database `<name>_scale` is created and dropped; no other is touched).
Targets: identical query counts across sizes; time at the largest size ≤ 1.5× the
smallest; figures under 20 queries. The last line of output is one JSON object
{size: {page: {"median_s", "queries", "min_s"}}}.

    .venv/bin/python bench/scale_bench.py [--townships 1,10,100] [--years 2] [--repeats 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangjian .venv/bin/python bench/scale_bench.py
"""
from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "township.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")  # no django-axes line per login

END_YEAR = 2023
COUNTY_SIZE = 10
GROWTH_TARGET = 1.5
FIGURES_QUERY_LIMIT = 20


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--townships", default="1,10,100", help="sizes, comma-separated (default 1,10,100)")
    parser.add_argument("--years", type=int, default=2, help="years of records per township (default 2)")
    parser.add_argument("--repeats", type=int, default=9, help="timed runs per page (default 9)")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database (to look at it)")
    return parser.parse_args()


# ---------------------------------------------------------------- the throwaway database


class ThrowawayDatabase:
    """A database of its own for the bench: a SQLite file, or `<name>_scale` on the PostgreSQL server."""

    def __init__(self, keep=False):
        self.keep = keep
        self.base_url = os.environ.get("DATABASE_URL", "")
        self.postgres = self.base_url.startswith(("postgres://", "postgresql://"))
        if self.postgres:
            parsed = urlparse(self.base_url)
            self.name = (parsed.path.lstrip("/") or "dangjian") + "_scale"
            self.url = urlunparse(parsed._replace(path=f"/{self.name}"))
            self.admin_url = urlunparse(parsed._replace(path="/postgres"))
            self.label = f"PostgreSQL ({parsed.hostname}:{parsed.port or 5432}/{self.name})"
        else:
            fd, path = tempfile.mkstemp(prefix="dangjian_scale_", suffix=".sqlite3", dir="/tmp")
            os.close(fd)
            self.path = Path(path)
            self.url = f"sqlite:///{self.path}"
            self.label = f"SQLite ({self.path})"

    def _admin(self, sql):
        import psycopg2

        connection = psycopg2.connect(self.admin_url)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    def create(self):
        if self.postgres:
            # Only ever the bench's own database: its name always ends in _scale.
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')
            self._admin(f'CREATE DATABASE "{self.name}"')
        os.environ["DATABASE_URL"] = self.url

    def drop(self):
        if self.keep:
            print(f"保留数据库：{self.url}")
            return
        from django.db import connections

        connections.close_all()
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')
        else:
            self.path.unlink(missing_ok=True)


# ---------------------------------------------------------------- measuring


def build(first, count, years):
    """Append townships first..first+count-1 with synth; returns seconds."""
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    with redirect_stdout(io.StringIO()):
        call_command("synth", "--townships", str(count), "--first", str(first), "--years", str(years),
                     "--end-year", str(END_YEAR), "--seed", "1")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def county_user(size):
    """A county user whose county holds the first min(size, COUNTY_SIZE) synthetic townships."""
    from township.models import County, Role, User
    from villages.models import Township

    county, _ = County.objects.get_or_create(name="合成县")
    county.townships.set(Township.objects.filter(name__startswith="合成").order_by("name")[:min(size, COUNTY_SIZE)])
    user, _ = User.objects.get_or_create(username="synth-county", defaults={"role": Role.COUNTY, "county": county})
    return user


def export_url(year):
    """The income export URL when the ledger export is wired into the URLs, else None."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("ledgers:export", args=["incomes", "xlsx"]) + f"?year={year}"
    except NoReverseMatch:
        return None


def pages(year):
    """(name, url, who) of the pages measured; `who` is "staff" or "county"."""
    from django.urls import reverse

    listed = [
        ("figures_api", reverse("reports-api:figures", args=[year]), "staff"),
        ("report_page", reverse("reports:annual", args=[year]), "staff"),
        ("dashboard", reverse("home"), "staff"),
        ("completeness", reverse("submissions:completeness") + f"?year={year}", "staff"),
        ("income_list", reverse("records:incomes-list") + f"?year={year}", "staff"),
    ]
    url = export_url(year)
    if url:
        listed.append(("income_export", url, "staff"))
    listed.append(("county_page", reverse("reports:county", args=[year]), "county"))
    return listed


def measure(call, repeats):
    """(median seconds, fastest seconds, queries) of `call()`: two warm-ups, then `repeats` timed runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()
    call()
    times, queries = [], None
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
        queries = len(captured)
    return statistics.median(times), min(times), queries


def get(client, url):
    """A GET that must answer 200, its body read whole (streamed exports too)."""
    def call():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} 返回 {response.status_code}")
        return b"".join(response.streaming_content) if response.streaming else response.content
    return call


def figures_call():
    """compute_figures() alone for township 0001 (no request, session or user queries)."""
    from reports.figures import compute_figures
    from villages.models import Township

    township = Township.objects.get(name="合成0001镇")
    return lambda: compute_figures(township, END_YEAR)


def database_mb():
    """Size of the whole database (tables and indexes) in MB."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0] / 1024 / 1024
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute("PRAGMA page_size")
        return pages * cursor.fetchone()[0] / 1024 / 1024


def row_counts():
    from django.db import connection

    tables = ["economy_incomerecord", "study_studyactivity", "study_orglifeevent", "cadres_person",
              "cadres_stagechange", "villages_villagemonth", "committee_problem", "committee_bulletin"]
    with connection.cursor() as cursor:
        total = 0
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (fixed table names)
            total += cursor.fetchone()[0]
    return total


# ---------------------------------------------------------------- output


def table(results, sizes, built, rows):
    first, last = str(sizes[0]), str(sizes[-1])
    names = list(results[first])
    header = (f"{'页面':<14}" + "".join(f"{f'{s}镇 ms':>12}{'查询':>6}" for s in sizes)
              + f"{'时间比':>9}{'最快比':>9}{'查询同':>7}")
    lines = [header, "-" * len(header)]
    for name in names:
        cells = "".join(f"{results[str(s)][name]['median_s'] * 1000:>12.1f}{results[str(s)][name]['queries']:>6}"
                        for s in sizes)
        ratio = results[last][name]["median_s"] / results[first][name]["median_s"]
        fastest = results[last][name]["min_s"] / results[first][name]["min_s"]
        same = len({results[str(s)][name]["queries"] for s in sizes}) == 1
        lines.append(f"{name:<14}{cells}{ratio:>8.2f}×{fastest:>8.2f}×{'是' if same else '否':>6}")
    lines.append("-" * len(header))
    lines.append("时间比 = 最大规模/最小规模的中位数之比；最快比 = 最快一次之比（机器上有其他负载时更可信）。")
    lines.append("构建用时（秒，累计追加）：" + "，".join(f"{s}镇 {built[s]:.1f}" for s in sizes))
    lines.append("主要记录行数：" + "，".join(f"{s}镇 {rows[s][0]:,}" for s in sizes))
    lines.append("数据库大小（含索引）：" + "，".join(f"{s}镇 {rows[s][1]:,.0f} MB" for s in sizes))
    return "\n".join(lines)


def verdict(results, sizes):
    first, last = str(sizes[0]), str(sizes[-1])
    problems = []
    for name in results[first]:
        counts = {results[str(s)][name]["queries"] for s in sizes}
        if len(counts) > 1:
            problems.append(f"{name}: 查询数随数据量变化 {sorted(counts)}")
        ratio = results[last][name]["median_s"] / results[first][name]["median_s"]
        if name != "county_page" and len(sizes) > 1 and ratio > GROWTH_TARGET:
            problems.append(f"{name}: {last}镇用时是{first}镇的{ratio:.2f}倍（目标 ≤ {GROWTH_TARGET}）")
    for name in ("figures_fn", "figures_api"):
        figures_queries = results[first][name]["queries"]
        if figures_queries >= FIGURES_QUERY_LIMIT:
            problems.append(f"{name}: {figures_queries} 次查询（目标 < {FIGURES_QUERY_LIMIT}）")
    return problems


def main():
    args = parse_args()
    sizes = sorted({int(s) for s in args.townships.split(",") if s.strip()})
    database = ThrowawayDatabase(keep=args.keep)
    database.create()
    started = time.perf_counter()
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client

        from township.models import User

        print(f"数据库：{database.label}；每镇 {args.years} 年记录，测 {END_YEAR} 年；每页 {args.repeats} 次取中位数")
        call_command("migrate", verbosity=0)
        results, built, rows, have = {}, {}, {}, 0
        for size in sizes:
            built[size] = build(have + 1, size - have, args.years) if size > have else 0.0
            have = size
            rows[size] = (row_counts(), database_mb())
            clients = {"staff": Client(), "county": Client()}
            clients["staff"].force_login(User.objects.get(username="synth0001-staff"))
            clients["county"].force_login(county_user(size))
            results[str(size)] = {}
            calls = [("figures_fn", figures_call())]
            calls += [(name, get(clients[who], url)) for name, url, who in pages(END_YEAR)]
            for name, call in calls:
                median_s, min_s, queries = measure(call, args.repeats)
                results[str(size)][name] = {"median_s": round(median_s, 4), "queries": queries,
                                            "min_s": round(min_s, 4)}
            print(f"… {size}镇：构建 {built[size]:.1f} 秒，测量完成（累计 {time.perf_counter() - started:.0f} 秒）",
                  flush=True)
        print()
        print(table(results, sizes, built, rows))
        if not export_url(END_YEAR):
            print("注意：台账导出（ledgers:export）尚未接入 URL，未测导出，只测了列表页。")
        print(f"县级汇总页（county_page）：县内镇数为 min(规模, {COUNTY_SIZE})，不计入用时增长目标。")
        problems = verdict(results, sizes)
        print("未达目标：" + "；".join(problems) if problems
              else "全部达到目标：查询数不随数据量变化，用时增长在目标内。")
        print(f"总用时 {time.perf_counter() - started:.0f} 秒")
        print(json.dumps(results, ensure_ascii=False))
    finally:
        database.drop()


if __name__ == "__main__":
    main()
