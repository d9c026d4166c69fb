"""Benchmark of the ledger import against openpyxl's parse time and django-import-export's default import.

For each row count (1,000, 10,000 and 100,000 by default) it writes a 党员花名册
.xlsx and times, in the same run and on the same file:

  (a) openpyxl load_workbook(read_only=True), iterating every row's values — the old baseline;
  (a2) python-calamine (the reader ledgers.spreadsheets uses, without the safety checks in front of it)
      reading every row's values — the fastest parser, and the baseline the targets are set against:
      preview ≤ 2× (a2), preview + confirm ≤ 5× (a2);
  (b) this product's preview (ledgers.services.preview_job: read with python-calamine after the checks in
      front of it, clean, match, keep the checked rows in the database as JSON), split into reading
      (ledgers.spreadsheets.Workbook alone: the checks and every row, timed apart) and checking (the rest);
  (c) its confirm (confirm_job: write every row with history in one transaction, each 发展阶段 as a dated
      StageChange with history, a new person written with the stage of that step);
  (d) django-import-export's default ModelResource import of the file (per-row save, history by signal).
      (d) runs on at most --peer-cap rows (10,000 by default) and is extrapolated linearly beyond,
      which flatters it: its per-row cost grows with the table. (A cap already measured in the run is reused.)

Peak memory is the process's peak resident set (RSS, sampled every 20 ms) during each phase;
the process itself (Django, openpyxl, calamine loaded) holds about 110 MB before any phase.

Runs on a throwaway test database: SQLite by default, PostgreSQL when DATABASE_URL is
set (e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangjian_bench). The last line
of output is one JSON object.

    .venv/bin/python bench/import_bench.py [--rows 1000 10000 100000] [--peer-cap 10000] [--no-peer]
"""
from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "township.settings")

HEADERS = ["姓名", "身份证号", "所属村", "性别", "出生日期", "联系电话", "发展阶段", "阶段日期", "流动党员", "退役军人",
           "致富带头人", "返乡创业青年", "备注"]
STAGE_DATE = datetime.date(2020, 7, 1)  # 阶段日期: every 发展阶段 of a new person becomes a dated step
VILLAGES = ["江南村", "联星村", "通昌村", "潘昶村", "银光村", "红星村", "金沙村", "新华村", "永丰村", "团结村",
            "光明村", "和平村"]


# ---------------------------------------------------------------- memory


def _rss_mb():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024
    except (OSError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(fn):
    """(seconds, peak resident MB during the call, result): RSS sampled every 20 ms by a thread."""
    peak = [_rss_mb()]
    stop = threading.Event()

    def sample():
        while not stop.wait(0.02):
            peak[0] = max(peak[0], _rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    try:
        result = fn()
    finally:
        elapsed = time.perf_counter() - start
        stop.set()
        sampler.join()
    return elapsed, max(peak[0], _rss_mb()), result


# ---------------------------------------------------------------- the file


def ledger_bytes(rows: int) -> bytes:
    from openpyxl import Workbook

    from cadres.id_numbers import make_id_number

    book = Workbook(write_only=True)
    sheet = book.create_sheet("党员花名册")
    sheet.append(HEADERS)
    start = datetime.date(1950, 1, 1)
    for i in range(rows):
        born = start + datetime.timedelta(days=i % 20000)
        region = f"{640100 + (i // 20000) % 100:06d}"
        male = i % 2 == 0
        sheet.append([
            f"党员{i:06d}", make_id_number(region, born, i, male), VILLAGES[i % len(VILLAGES)],
            "男" if male else "女", born, f"138{i:08d}", "正式党员" if i % 5 else "预备党员", STAGE_DATE,
            "是" if i % 11 == 0 else "否", "否", "是" if i % 7 == 0 else "否", "否", f"备注{i}",
        ])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- the phases


def parse_openpyxl(data: bytes) -> int:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    count = 0
    for _row in book.worksheets[0].iter_rows(values_only=True):
        count += 1
    book.close()
    return count - 1


def parse_calamine(data: bytes) -> int:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    count = 0
    for _row in book.get_sheet_by_index(0).iter_rows():
        count += 1
    book.close()
    return count - 1


def read_product(data: bytes) -> int:
    """The product's own reading, as the preview does it: the checks in front of calamine, then every row."""
    from ledgers.importing import import_limits
    from ledgers.spreadsheets import Workbook

    count = 0
    with Workbook(data, import_limits()) as book:
        for _row in book.rows(book.sheet_names[0]):
            count += 1
    return count - 1


def make_job(data, township, user):
    from django.core.files.base import ContentFile

    from ledgers.models import ImportJob

    job = ImportJob(township=township, user=user, record_slug="persons", file_name="党员花名册.xlsx")
    job.file.save("bench.xlsx", ContentFile(data), save=False)
    job.save()
    return job


def peer_resource_class(township_id):
    from import_export import resources
    from import_export.fields import Field
    from import_export.widgets import BooleanWidget, ForeignKeyWidget

    from cadres.models import Person
    from villages.models import Village

    class DefaultPersonResource(resources.ModelResource):
        """django-import-export as its documentation shows it: Chinese headers, FK by name, nothing else."""

        name = Field("name", "姓名")
        id_number = Field("id_number", "身份证号")
        village = Field("village", "所属村", ForeignKeyWidget(Village, "name"))
        phone = Field("phone", "联系电话")
        stage = Field("stage", "发展阶段")
        is_mobile = Field("is_mobile", "流动党员", BooleanWidget())
        is_veteran = Field("is_veteran", "退役军人", BooleanWidget())
        is_wealth_leader = Field("is_wealth_leader", "致富带头人", BooleanWidget())
        is_returned_youth = Field("is_returned_youth", "返乡创业青年", BooleanWidget())
        note = Field("note", "备注")

        class Meta:
            model = Person
            fields = ("name", "id_number", "village", "phone", "stage", "is_mobile", "is_veteran",
                      "is_wealth_leader", "is_returned_youth", "note")
            import_id_fields = ("id_number",)

        def before_save_instance(self, instance, row, **kwargs):
            instance.township_id = township_id  # the file has no 所属镇 column

    return DefaultPersonResource


def peer_import(data, township_id):
    from import_export.formats.base_formats import XLSX

    dataset = XLSX().create_dataset(data)
    result = peer_resource_class(township_id)().import_data(dataset, dry_run=False, raise_errors=True)
    return result.totals


def clear_persons():
    from cadres.models import Person, StageChange

    # Raw deletes: Django's delete() would load every row and send a signal each (simple_history then writes a
    # "-" history row per person), minutes at 100,000 rows, all outside what is measured.
    for queryset in (StageChange.history.all(), StageChange.objects.all(), Person.history.all(),
                     Person.objects.all()):
        queryset._raw_delete(queryset.db)


# ---------------------------------------------------------------- main


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--peer-cap", type=int, default=10_000,
                        help="largest row count django-import-export's default import runs on (extrapolated above)")
    parser.add_argument("--no-peer", action="store_true", help="skip (d), django-import-export's default import")
    args = parser.parse_args(argv)

    media = tempfile.mkdtemp(prefix="import-bench-media-")
    os.environ.setdefault("MEDIA_ROOT", media)
    import django
    from django.conf import settings

    sqlite_file = None
    django.setup()
    settings.DEBUG = False  # no query log: it would grow with every row
    settings.MEDIA_ROOT = media
    settings.LEDGER_IMPORT_MAX_ROWS = max(args.rows) + 10
    settings.CELERY_TASK_ALWAYS_EAGER = True
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        sqlite_file = tempfile.NamedTemporaryFile(prefix="import-bench-", suffix=".sqlite3", delete=False).name
        db.setdefault("TEST", {})["NAME"] = sqlite_file
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    old_config = setup_databases(verbosity=0, interactive=False)
    vendor = connection.vendor
    try:
        results = run(args, vendor)
    finally:
        teardown_databases(old_config, verbosity=0)
        if sqlite_file and os.path.exists(sqlite_file):
            os.unlink(sqlite_file)
    print_table(results, vendor, args.peer_cap)
    print(json.dumps({"bench": "import", "database": vendor, "peer_cap": args.peer_cap, "results": results},
                     ensure_ascii=False))


def run(args, vendor):
    from ledgers import services
    from ledgers.models import ImportJob
    from township.models import User
    from villages.models import Township, Village

    township = Township.objects.create(name="示范镇")
    for order, name in enumerate(VILLAGES):
        Village.objects.create(township=township, name=name, order=order)
    user = User.objects.create(username="bench-staff", role="staff", township=township)

    results = []
    peer_runs = {}
    for rows in args.rows:
        sys.stderr.write(f"[{vendor}] {rows} rows: writing the file…\n")
        data = ledger_bytes(rows)
        clear_persons()

        a_s, a_mb, parsed = measure(lambda data=data: parse_openpyxl(data))
        assert parsed == rows, parsed
        a2_s, a2_mb, parsed = measure(lambda data=data: parse_calamine(data))
        assert parsed == rows, parsed
        read_s, _read_mb, parsed = measure(lambda data=data: read_product(data))
        assert parsed == rows, parsed

        job = make_job(data, township, user)
        sys.stderr.write(f"[{vendor}] {rows} rows: preview…\n")
        b_s, b_mb, _ = measure(lambda job=job: services.preview_job(job_id=job.pk))
        # Read back without the checked rows: confirm reads them itself. Decoded here (refresh_from_db() loads every
        # field) they stayed in this process through (c), some 90 MB at 100,000 rows counted in confirm's peak.
        job = ImportJob.objects.defer("checked_rows").get(pk=job.pk)
        assert (job.status, job.new_rows, job.error_count) == ("preview", rows, 0), (job.status, job.message)

        ImportJob.objects.filter(pk=job.pk).update(status="confirming")
        sys.stderr.write(f"[{vendor}] {rows} rows: confirm…\n")
        c_s, c_mb, _ = measure(lambda job=job: services.confirm_job(job_id=job.pk))
        job.refresh_from_db()
        assert job.status == "done", job.message
        from cadres.models import Person, StageChange

        # Each person: created with the stage of the dated step (StageChange) the import recorded.
        assert Person.objects.count() == rows and Person.history.count() == rows
        assert StageChange.objects.count() == rows == StageChange.history.count()

        # Re-import of the same file: the preview finds every row unchanged.
        again = make_job(data, township, user)
        r_s, _r_mb, _ = measure(lambda again=again: services.preview_job(job_id=again.pk))
        again.refresh_from_db()
        assert again.unchanged_rows == rows and not again.can_confirm
        assert Person.history.count() == rows and StageChange.history.count() == rows  # nothing written

        clear_persons()
        peer_rows = min(rows, args.peer_cap)
        if args.no_peer:
            d_run_s = d_mb = None
        elif peer_rows in peer_runs:  # already measured on that many rows in this run: extrapolate from it
            d_run_s, d_mb = peer_runs[peer_rows]
        else:
            peer_data = data if peer_rows == rows else ledger_bytes(peer_rows)
            sys.stderr.write(f"[{vendor}] {rows} rows: django-import-export default import of {peer_rows} rows…\n")
            d_run_s, d_mb, _ = measure(lambda peer_data=peer_data: peer_import(peer_data, township.pk))
            assert Person.objects.count() == peer_rows
            peer_runs[peer_rows] = (d_run_s, d_mb)
            clear_persons()
        d_s = d_run_s * rows / peer_rows if d_run_s is not None else None

        results.append({
            "rows": rows,
            "a_openpyxl_parse_s": round(a_s, 3),
            "a2_calamine_parse_s": round(a2_s, 3),
            "b_preview_s": round(b_s, 3),
            # How (b) splits: reading (the checks in front of calamine and the rows) and the rest (cleaning,
            # checking, matching, keeping the checked rows); (c) is the writing.
            "b_split_s": {"reading": round(read_s, 3), "checking": round(max(b_s - read_s, 0), 3)},
            "c_confirm_s": round(c_s, 3),
            "d_import_export_s": _round(d_s, 3),
            "d_measured_rows": None if d_s is None else peer_rows,
            "d_extrapolated": d_s is not None and peer_rows != rows,
            "reimport_preview_s": round(r_s, 3),
            "rows_per_s": {
                "a": round(rows / a_s), "a2": round(rows / a2_s), "b": round(rows / b_s), "c": round(rows / c_s),
                "b+c": round(rows / (b_s + c_s)), "d": None if d_s is None else round(rows / d_s),
            },
            "ratios": {
                "b/a": round(b_s / a_s, 2), "c/a": round(c_s / a_s, 2), "(b+c)/a": round((b_s + c_s) / a_s, 2),
                "b/calamine": round(b_s / a2_s, 2), "c/calamine": round(c_s / a2_s, 2),
                "(b+c)/calamine": round((b_s + c_s) / a2_s, 2),
                "reimport/calamine": round(r_s / a2_s, 2),
                "d/(b+c)": None if d_s is None else round(d_s / (b_s + c_s), 2),
            },
            "peak_mb": {"a": round(a_mb), "a2": round(a2_mb), "b": round(b_mb), "c": round(c_mb),
                        "d": _round(d_mb)},
        })
    return results


def _round(value, places=None):
    return None if value is None else round(value, places)


def print_table(results, vendor, peer_cap):
    print(f"\n台账导入基准（{vendor}）: seconds, ratios to the openpyxl (a) and python-calamine (a2, cal) parses, "
          "peak RSS MB")
    head = (f"{'rows':>8} {'(a) s':>7} {'(a2) s':>7} {'(b) s':>7} {'(c) s':>7} {'(d) s':>9} {'b/a':>5} "
            f"{'(b+c)/a':>7} {'b/cal':>6} {'c/cal':>6} {'(b+c)/cal':>9} {'re-imp s':>8} {'re/cal':>6} "
            f"{'d/(b+c)':>7} {'MB a/a2/b/c/d':>18}")
    print(head)
    print("-" * len(head))
    for r in results:
        ratios, mb = r["ratios"], r["peak_mb"]
        d = "-" if r["d_import_export_s"] is None else (
            f"{r['d_import_export_s']:.2f}" + ("*" if r["d_extrapolated"] else ""))
        d_ratio = "-" if ratios["d/(b+c)"] is None else f"{ratios['d/(b+c)']:.2f}"
        print(f"{r['rows']:>8} {r['a_openpyxl_parse_s']:>7.2f} {r['a2_calamine_parse_s']:>7.2f} "
              f"{r['b_preview_s']:>7.2f} {r['c_confirm_s']:>7.2f} {d:>9} {ratios['b/a']:>5.2f} "
              f"{ratios['(b+c)/a']:>7.2f} {ratios['b/calamine']:>6.2f} {ratios['c/calamine']:>6.2f} "
              f"{ratios['(b+c)/calamine']:>9.2f} {r['reimport_preview_s']:>8.2f} {ratios['reimport/calamine']:>6.2f} "
              f"{d_ratio:>7} {mb['a']:>4}/{mb['a2']}/{mb['b']}/{mb['c']}/{mb['d'] if mb['d'] is not None else '-'}")
    for r in results:
        split = r["b_split_s"]
        print(f"{r['rows']:>8} rows: reading {split['reading']:.2f} s, checking {split['checking']:.2f} s "
              f"(preview), writing {r['c_confirm_s']:.2f} s (confirm)")
    if any(r["d_extrapolated"] for r in results):
        print(f"* (d) measured on the first {peer_cap} rows and extrapolated linearly.")


if __name__ == "__main__":
    main()
