"""Preview and confirm cost a bounded number of queries, not one per row."""
import datetime

import pytest

from cadres.id_numbers import make_id_number
from cadres.models import Person, StageChange
from study.models import OrgLifeEvent, StudyActivity

from .conftest import measure_queries

pytestmark = pytest.mark.django_db


def _rows(n):
    third = n // 3
    return {
        "集体经济收入": [["土地流转", 100, ""], ["服务收入", 50, ""]],
        "党员发展": [[f"人员{i}", None, None, make_id_number("640102", datetime.date(1990, 1, 1 + i % 28), i, True),
                  "入党申请人", datetime.date(2024, 3, 1 + i % 28), ""] for i in range(third)],
        "组织生活": [[datetime.date(2024, 3, 1 + i % 28), "党小组会", f"主题{i}", 5] for i in range(third)],
        "学习活动": [[datetime.date(2024, 3, 1 + i % 28), "集中学习", f"主题{i}", 10, 1] for i in range(n - 2 * third)],
    }


def _measure(village, user, workbook_for, n):
    return measure_queries(village, user, workbook_for(village, rows=_rows(n)))


def test_query_count_does_not_grow_with_rows(village_a, village_b, secretary_a, secretary_b, workbook_for):
    small = _measure(village_a, secretary_a, workbook_for, 10)
    # The same 身份证号 sequence is reused for the second village: start from no people.
    StageChange.objects.all().delete()
    Person.objects.all().delete()
    large = _measure(village_b, secretary_b, workbook_for, 200)
    assert StageChange.objects.count() == 66
    assert OrgLifeEvent.objects.filter(branch__village=village_b).count() == 66
    assert StudyActivity.objects.filter(village=village_b).count() == 68
    print(f"\nqueries preview/confirm: 10 rows {small}, 200 rows {large}")
    # Bulk inserts may split into a few batches on SQLite's parameter limit; never one query per row.
    assert large[0] == small[0]
    assert large[1] - small[1] <= 6
    assert large[1] < 40
