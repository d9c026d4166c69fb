"""Generated bad files through the monthly workbook (preview, confirm, upload API) and the ledger import preview.

Never an unhandled exception or a 500, never a partial write: the rows of the month (or of the
ledger) are counted before and after each file. Bounded by MALFORMED_EXAMPLES per generator.
"""
from __future__ import annotations

import datetime
import io
import os
import re
import zipfile

import pytest
from django.core.files.base import ContentFile
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.exceptions import IllegalCharacterError

from cadres.models import Person, StageChange
from economy.models import IncomeRecord
from ledgers import importing
from ledgers import services as import_services
from ledgers.models import ImportJob, ImportStatus
from study.models import OrgLifeEvent, StudyActivity
from submissions import services
from submissions.models import SubmissionStatus
from submissions.workbook import INCOME, INFO_SHEET, ORG_LIFE, PIPELINE, STUDY, build_template
from tests.counters import count

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore::UserWarning:openpyxl")]

EXAMPLES = int(os.environ.get("MALFORMED_EXAMPLES", "15"))
BOUNDED = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                   phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
YEAR, MONTH = 2024, 3
UNEXPECTED = "意外错误"

# ---------------------------------------------------------------- generators

cell = st.one_of(
    st.none(), st.text(max_size=40), st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)),
    st.booleans(), st.sampled_from(["=1+1", "=HYPERLINK(\"http://x\")", "640102199005011234", "12,000.50",
                                    "１２０００", "2024-02-30", "土地流转", "入党积极分子", "支委会", "集中学习",
                                    "\x00", "a" * 5000]),
)
sheet_rows = st.lists(st.lists(cell, min_size=0, max_size=9), min_size=0, max_size=8)
SHEETS = [INCOME.name, PIPELINE.name, ORG_LIFE.name, STUDY.name]


@st.composite
def filled_templates(draw, village):
    """The real template with random cells, sometimes a renamed or dropped sheet, sometimes a wrong header."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(build_template(village=village, year=YEAR, month=MONTH)))
    for name in SHEETS:
        for r, values in enumerate(draw(sheet_rows), start=2):
            for c, value in enumerate(values, start=1):
                try:
                    book[name].cell(row=r, column=c, value=value)
                except (ValueError, TypeError, IllegalCharacterError):  # openpyxl refuses control characters
                    book[name].cell(row=r, column=c, value=ILLEGAL_CHARACTERS_RE.sub("?", str(value)))
    mangle = draw(st.sampled_from(["none", "rename", "drop", "header", "info"]))
    target = draw(st.sampled_from(SHEETS + [INFO_SHEET]))
    if mangle == "rename":
        book[target].title = draw(st.sampled_from(["Sheet1", "收入", target + " ", "集体经济收入(1)"]))
    elif mangle == "drop" and len(book.sheetnames) > 1:
        del book[target]
    elif mangle == "header":
        book[target].cell(row=1, column=draw(st.integers(1, 4)), value=_clean(draw(cell)))
    elif mangle == "info":
        for row in book[INFO_SHEET].iter_rows(min_col=2, max_col=2):
            row[0].value = _clean(draw(cell))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _clean(value):
    return ILLEGAL_CHARACTERS_RE.sub("?", value) if isinstance(value, str) else value


def _huge_dimension(data):
    """The same workbook declaring a sheet of 16384 × 1048576 cells."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                content = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', content)
            target.writestr(item, content)
    return out.getvalue()


def csv_bytes(rows, encoding):
    text = "\n".join(",".join("" if v is None else str(v).replace(",", "，") for v in row) for row in rows)
    if encoding == "garbage":
        return bytes(b ^ 0x5A for b in text.encode("utf-8"))
    return text.encode(encoding, errors="replace")


encodings = st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "latin-1", "garbage"])


# ---------------------------------------------------------------- the monthly workbook


def _month_counts(village):
    return (
        IncomeRecord.objects.filter(village=village).count(),
        Person.objects.filter(village=village).count(),
        StageChange.objects.filter(person__village=village).count(),
        OrgLifeEvent.objects.filter(branch__village=village).count(),
        StudyActivity.objects.filter(village=village).count(),
    )


def _through_preview_and_confirm(village, user, data, name):
    count("malformed input: files tried")
    before = _month_counts(village)
    submission = services.submission_create(village=village, year=YEAR, month=MONTH, user=user,
                                            uploaded_file=ContentFile(data, name=name))
    submission = services.submission_preview(submission=submission)  # raises → the test fails
    assert submission.status in (SubmissionStatus.INVALID, SubmissionStatus.PREVIEW)
    assert all(UNEXPECTED not in str(p) for p in submission.errors)
    assert _month_counts(village) == before, "the preview wrote records"
    if submission.status == SubmissionStatus.INVALID:
        assert submission.errors and all(isinstance(p.get("message"), str) and p["message"] for p in submission.errors)
        with pytest.raises(services.SubmissionRefused):
            services.submission_confirm(submission=submission, user=user)
        assert _month_counts(village) == before
        return
    try:
        services.submission_confirm(submission=submission, user=user)
    except services.SubmissionRefused:
        assert _month_counts(village) == before, "a refused confirm wrote records"


@pytest.fixture
def month_world(village_a, secretary_a):
    return village_a, secretary_a


def test_random_bytes_as_workbooks(month_world):
    village, user = month_world

    @BOUNDED
    @given(data=st.binary(max_size=4000), name=st.sampled_from(["月报.xlsx", "月报.xls", "月报.csv", "月报"]))
    def run(data, name):
        _through_preview_and_confirm(village, user, data, name)

    run()


def test_truncated_and_huge_dimension_workbooks(month_world):
    village, user = month_world
    template = build_template(village=village, year=YEAR, month=MONTH)

    @BOUNDED
    @given(cut=st.integers(0, len(template) - 1), huge=st.booleans())
    def run(cut, huge):
        data = _huge_dimension(template) if huge else template[:cut]
        _through_preview_and_confirm(village, user, data, "月报.xlsx")

    run()


def test_templates_with_random_cells_and_sheets(month_world):
    village, user = month_world

    @BOUNDED
    @given(data=filled_templates(village), huge=st.booleans())
    def run(data, huge):
        _through_preview_and_confirm(village, user, _huge_dimension(data) if huge else data, "月报.xlsx")

    run()


def test_csv_in_any_encoding(month_world):
    village, user = month_world
    headers = st.sampled_from([list(s.columns) for s in (INCOME, PIPELINE, ORG_LIFE, STUDY)] + [["村", "年度"], []])

    @BOUNDED
    @given(header=headers, rows=sheet_rows, encoding=encodings)
    def run(header, rows, encoding):
        _through_preview_and_confirm(village, user, csv_bytes([header, *rows], encoding), "集体经济收入.csv")

    run()


def test_upload_api_never_answers_500(month_world, api_for):
    village, user = month_world
    api = api_for(user)

    @BOUNDED
    @given(data=st.one_of(st.binary(max_size=2000), filled_templates(village)),
           name=st.sampled_from(["月报.xlsx", "月报.xls", "月报.csv", "../../etc/passwd", "月报.xlsx\x00.exe"]))
    def run(data, name):
        count("malformed input: files tried")
        before = _month_counts(village)
        response = api.post("/api/submissions/", {"village": village.pk, "year": YEAR, "month": MONTH,
                                                  "file": ContentFile(data, name=name)}, format="multipart")
        assert response.status_code < 500
        if response.status_code in (201, 202):
            assert response.json()["status"] in ("invalid", "preview")
            confirm = api.post(f"/api/submissions/{response.json()['id']}/confirm/")
            assert confirm.status_code < 500
            if confirm.status_code != 200:
                assert _month_counts(village) == before

    run()


# ---------------------------------------------------------------- the ledger import


@pytest.fixture
def ledger(township, village_a, staff):
    return township, staff


def _ledger_counts():
    return IncomeRecord.objects.count(), Person.objects.count()


def _through_ledger(township, user, slug, data, name):
    count("malformed input: files tried")
    before = _ledger_counts()
    job = ImportJob.objects.create(township=township, user=user, record_slug=slug,
                                   file=ContentFile(data, name=name), file_name=name)
    import_services.preview_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status in (ImportStatus.PREVIEW, ImportStatus.FAILED), job.status
    assert UNEXPECTED not in job.message, job.message
    assert _ledger_counts() == before, "the preview wrote records"
    if job.can_confirm:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.CONFIRMING)
        import_services.confirm_job(job_id=job.pk)
        job.refresh_from_db()
        if job.status != ImportStatus.DONE:
            assert _ledger_counts() == before, "a failed confirm wrote records"


def test_ledger_import_of_bad_files(ledger):
    township, user = ledger
    columns = {slug: [c for c in importing.resource_for(slug)().import_columns()] for slug in ("incomes", "persons")}

    def header(slug):
        return [getattr(c, "header", None) or getattr(c, "label", None) or str(c) for c in columns[slug]]

    @BOUNDED
    @given(slug=st.sampled_from(["incomes", "persons"]), rows=sheet_rows, encoding=encodings,
           kind=st.sampled_from(["csv", "bytes", "truncated-xlsx"]), data=st.binary(max_size=2000))
    def run(slug, rows, encoding, kind, data):
        if kind == "csv":
            payload, name = csv_bytes([header(slug), *rows], encoding), "台账.csv"
        elif kind == "bytes":
            payload, name = data, "台账.xlsx"
        else:
            from ledgers.exporting import template_xlsx
            from records.registry import get

            whole = template_xlsx(get(slug))
            payload, name = whole[: len(data) % len(whole)], "台账.xlsx"
        _through_ledger(township, user, slug, payload, name)

    run()
