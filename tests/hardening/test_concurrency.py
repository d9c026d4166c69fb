"""Races on one village-month, on PostgreSQL: two confirms at once, and a confirm racing an approve.

Each thread has its own database connection (closed at the end); the services lock the
VillageMonth row with select_for_update, so exactly one outcome may win and the month's
rows are one workbook's, never both and never doubled. SQLite has no row locks (it
serialises whole-database writes, or fails with "database is locked"): skipped there;
CI runs the suite again with DATABASE_URL set to PostgreSQL.
"""
from __future__ import annotations

import threading

import pytest
from django.core.files.base import ContentFile
from django.db import connection, connections

from cadres.models import StageChange
from economy.models import IncomeRecord
from study.models import OrgLifeEvent, StudyActivity
from submissions import services
from submissions.models import MonthTransition, Submission, SubmissionStatus
from submissions.workbook import build_template
from tests.counters import count
from tests.submissions.conftest import DEFAULT_ROWS, MONTH, YEAR, fill
from villages.models import VillageMonth, VillageMonthStatus

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks (select_for_update) need PostgreSQL; CI runs this with DATABASE_URL"),
]


def _workbook(village, income):
    rows = dict(DEFAULT_ROWS)
    rows["集体经济收入"] = [["土地流转", income, ""], ["设施租赁", "3000", "大棚租金"]]
    return fill(build_template(village=village, year=YEAR, month=MONTH), rows=rows)


def _previewed(village, user, income):
    submission = services.submission_create(village=village, year=YEAR, month=MONTH, user=user,
                                            uploaded_file=ContentFile(_workbook(village, income), name="月报.xlsx"))
    submission = services.submission_preview(submission=submission)
    assert submission.status == SubmissionStatus.PREVIEW, submission.errors
    return submission


def _race(*calls):
    """Run the calls at the same moment in threads; returns each one's result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as exc:  # the loser's refusal is an outcome too
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    count("concurrency: races run")
    return outcomes


def _month_rows(village):
    return {
        "income": sorted(IncomeRecord.objects.filter(village=village, year=YEAR, month=MONTH)
                         .values_list("category", "amount")),
        "stage_changes": StageChange.objects.filter(person__village=village, date__year=YEAR,
                                                    date__month=MONTH).count(),
        "org_life": OrgLifeEvent.objects.filter(branch__village=village, date__year=YEAR, date__month=MONTH).count(),
        "study": StudyActivity.objects.filter(village=village, date__year=YEAR, date__month=MONTH).count(),
    }


def _refused(outcome):
    return isinstance(outcome, services.SubmissionRefused)


@pytest.mark.parametrize("attempt", range(3))
def test_two_confirms_of_the_same_submission(attempt, village_a, secretary_a, staff):
    submission = _previewed(village_a, secretary_a, "12000.50")
    outcomes = _race(lambda: services.submission_confirm(submission=submission, user=secretary_a),
                     lambda: services.submission_confirm(submission=submission, user=staff))
    winners = [o for o in outcomes if isinstance(o, Submission)]
    assert len(winners) == 1 and sum(map(_refused, outcomes)) == 1, outcomes
    rows = _month_rows(village_a)
    assert len(rows["income"]) == 2 and rows["stage_changes"] == 2 and rows["org_life"] == 1 and rows["study"] == 1
    assert MonthTransition.objects.filter(action="confirm").count() == 1


@pytest.mark.parametrize("attempt", range(3))
def test_two_uploads_of_the_same_month_confirmed_at_once(attempt, village_a, secretary_a, staff):
    first = _previewed(village_a, secretary_a, "11111.00")
    second = _previewed(village_a, secretary_a, "22222.00")
    outcomes = _race(lambda: services.submission_confirm(submission=first, user=secretary_a),
                     lambda: services.submission_confirm(submission=second, user=secretary_a))
    # Serialised by the month's lock: both may go through, one after the other, the later replacing the earlier.
    assert all(isinstance(o, Submission) or _refused(o) for o in outcomes), outcomes
    current = list(Submission.objects.for_month(village_a.pk, YEAR, MONTH).current())
    assert len(current) == 1
    amount = "11111.00" if current[0].pk == first.pk else "22222.00"
    rows = _month_rows(village_a)
    assert sorted(str(a) for _, a in rows["income"]) == sorted([amount, "3000.00"])
    assert rows["stage_changes"] == 2 and rows["org_life"] == 1 and rows["study"] == 1


@pytest.mark.parametrize("attempt", range(3))
def test_confirm_racing_an_approve(attempt, village_a, secretary_a, staff):
    approved_candidate = _previewed(village_a, secretary_a, "11111.00")
    services.submission_confirm(submission=approved_candidate, user=secretary_a)
    newer = _previewed(village_a, secretary_a, "22222.00")
    confirm, approve = _race(lambda: services.submission_confirm(submission=newer, user=secretary_a),
                             lambda: services.submission_approve(submission=approved_candidate, user=staff))
    assert sum(isinstance(o, Submission) for o in (confirm, approve)) == 1, (confirm, approve)
    assert sum(map(_refused, (confirm, approve))) == 1, (confirm, approve)
    village_month = VillageMonth.objects.get(village=village_a, year=YEAR, month=MONTH)
    amounts = sorted(str(a) for _, a in _month_rows(village_a)["income"])
    if isinstance(approve, Submission):  # approve won: the month is locked with the earlier rows
        assert village_month.status == VillageMonthStatus.APPROVED
        assert amounts == ["11111.00", "3000.00"]
        assert Submission.objects.get(pk=newer.pk).status == SubmissionStatus.PREVIEW
    else:  # confirm won: the approved candidate was superseded before the approve could lock it
        assert village_month.status == VillageMonthStatus.SUBMITTED
        assert amounts == ["22222.00", "3000.00"]
        assert Submission.objects.get(pk=approved_candidate.pk).status == SubmissionStatus.SUPERSEDED
    assert _month_rows(village_a)["stage_changes"] == 2
