"""The demo township's 2023 report reads like the reference, on the page and in the Word file."""
import io

import docx
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cadres.models import Person, ReserveCadre, StageChange, Talent
from committee.models import Bulletin, Problem
from economy.models import Alliance, IncomeRecord, IndustryProject
from reports.figures import compute_figures
from reports.models import ReportItem
from study.models import StudyActivity
from township.models import User
from villages.models import Township, VillageMonth

pytestmark = pytest.mark.django_db

# What the reference states, as the product must write it.
REFERENCE_PHRASES = [
    "12个村", "党委理论学习中心组5次", "研讨交流2次", "集中学习260余次", "专题研讨20余次", "心得体会80余篇",
    "参观学习400余人", "“送学”20多人次", "查摆问题170余条", "13期工作专报", "12次一周工作预览", "200余条工作信息",
    "积极分子31名", "吸收预备党员5个", "转正党员3名", "全年预计吸收12名预备党员（其中35岁以下9人）",
    "育苗档案”12人", "后备干部51名", "产业带头人59名", "产业带头人培养对象71名", "设施温棚31栋",
    "螺丝菜种植140亩", "巨菌草种植100亩", "带动40余名", "增加村集体经济30余万元", "促进群众增收8000元以上",
    "全镇12个村，村集体经济最高的200万元，最低的25万元", "力争潘昶村晋为五星级党组织",
    "三星级及以上党组织达到90%以上，四星级及以上达到75%以上，五星级达到25%",
    "村集体经济保持1300万元以上，百万村达7个以上，两百万元村2个以上", "每村储备年轻后备干部3人以上",
]

COUNTED = [Person, StageChange, ReserveCadre, Talent, IncomeRecord, IndustryProject, Alliance, StudyActivity,
           Problem, Bulletin, VillageMonth, ReportItem]


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())
    return Township.objects.get(name="示范镇")


def _plain(html):
    import re

    return re.sub(r"<[^>]+>", "", html)


def test_demo_is_idempotent(demo):
    counts = [model.objects.count() for model in COUNTED]
    call_command("load_demo", stdout=io.StringIO())
    assert [model.objects.count() for model in COUNTED] == counts
    assert IncomeRecord.objects.filter(year=2023).exists() and IncomeRecord.objects.filter(year=2022).exists()


def test_demo_figures_are_the_references(demo):
    figures = {k: f["value"] for k, f in compute_figures(demo, 2023).items()}
    assert figures["villages.count"] == 12
    assert figures["study.concentrated_sessions"] == 263
    assert figures["study.essays"] == 83
    assert figures["members.activists"] == 31
    assert figures["members.new_probationary"] == 5
    assert figures["members.converted"] == 3
    assert figures["economy.income_max"]["amount"].startswith("200")
    assert figures["economy.income_min"]["amount"].startswith("25")
    assert figures["economy.villages_over_1m"] == 7 and figures["economy.villages_over_2m"] == 2
    assert figures["submissions.reporting_rate"] == 95.8
    previous = {k: f["value"] for k, f in compute_figures(demo, 2022).items()}
    assert previous["study.concentrated_sessions"] == 231 and previous["economy.income_total"] is not None


def test_demo_page_and_docx_state_the_references_figures(demo, client):
    client.force_login(User.objects.get(username="staff"))
    page = _plain(client.get("/reports/2023/").content.decode())
    content = client.get("/reports/2023/report.docx").content
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
    for phrase in REFERENCE_PHRASES:
        assert phrase in page, phrase
        assert phrase in text, phrase
    assert "一是党员教育管理有待加强" in text and "四是基层干部素质有待提高" in text


def test_demo_page_query_count_is_bounded(demo, client):
    client.force_login(User.objects.get(username="leader"))
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/reports/2023/").status_code == 200
    assert len(captured.captured_queries) < 80
