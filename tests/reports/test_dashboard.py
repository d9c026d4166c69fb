"""The leader's home page: the latest year's key figures against their targets, each linked to its source."""
import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports.figures import compute_figures
from study.models import StudyActivity
from township.models import County, Role, User
from villages.models import Township

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_township):
    return demo_township


def tiles(html):
    """{data-key: (value text, href, the tile's text)} of the key-figure tiles."""
    found = {}
    for key, body in re.findall(r'<li class="kpi[^"]*" data-key="([^"]+)">(.*?)</li>', html, re.S):
        value = re.search(r'class="kpi-value[^"]*" href="([^"]+)"[^>]*>([^<]+)</a>', body)
        words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", body))
        found[key] = (value.group(2), value.group(1).replace("&amp;", "&"), words)
    return found


@pytest.mark.parametrize("username", ["leader", "staff"])
def test_the_home_page_shows_the_years_figures_against_their_targets(demo, client, username):
    client.force_login(User.objects.get(username=username))
    html = client.get("/").content.decode()
    assert "示范镇 党建工作概况" in html and "2023年主要指标" in html
    shown = tiles(html)
    figures = compute_figures(demo, 2023)
    for key, (_text, href, _body) in shown.items():
        assert href == figures[key]["source"], key  # each number links to the records that make it
    assert shown["economy.income_total"][0] == "1363万元"
    assert "目标 1300万元 已完成" in shown["economy.income_total"][2]
    assert "较上年增长17.5%" in shown["economy.income_total"][2]
    assert shown["economy.villages_over_1m"][0] == "7个" and "目标 7个 已完成" in shown["economy.villages_over_1m"][2]
    assert shown["economy.villages_over_2m"][0] == "2个" and "目标 2个 已完成" in shown["economy.villages_over_2m"][2]
    assert shown["stars.share_3plus"][0] == "91.7%" and "目标 90% 已完成" in shown["stars.share_3plus"][2]
    assert shown["stars.share_4plus"][0] == "58.3%" and "目标 75% 未完成" in shown["stars.share_4plus"][2]
    assert shown["members.new_probationary"][0] == "5名" and "计划 12名 未完成" in shown["members.new_probationary"][2]
    assert shown["township.problems_open"][0] == "30条" and "截至年底" in shown["township.problems_open"][2]
    assert shown["submissions.reporting_rate"][0] == "95.8%"
    # What the home page always showed is still there: the villages and the star ratings.
    assert html.count('href="/villages/') >= 12 and "2023年评定，共12个" in html


def test_the_charts_get_their_data_as_json_and_no_inline_script(demo, client):
    client.force_login(User.objects.get(username="leader"))
    html = client.get("/").content.decode()
    data = json.loads(re.search(r'<script id="home-chart-data" type="application/json">(.*?)</script>', html,
                                re.S).group(1))
    assert data["counts"] == {"labels": ["百万村", "两百万元村", "吸收预备党员"], "actual": [7, 2, 5],
                              "target": [7, 2, 12]}
    assert data["income"]["actual"] == "13635320.50" and data["income"]["target"] == "13000000.00"
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs, _body in scripts)
    assert "/static/vendor/echarts/echarts.min.js" in html and "/static/js/home-charts.js" in html


def test_the_year_is_the_latest_with_records_never_one_to_come(demo, client):
    StudyActivity.objects.create(township=demo, date=datetime.date(timezone.localdate().year + 1, 3, 1),
                                 kind="concentrated", topic="预先录入")
    client.force_login(User.objects.get(username="leader"))
    assert "2023年主要指标" in client.get("/").content.decode()


def test_a_township_without_records_shows_its_figures_as_missing(client):
    empty = Township.objects.create(name="空白镇")
    client.force_login(User.objects.create_user("empty_leader", password="x" * 10, role=Role.LEADER, township=empty))
    html = client.get("/").content.decode()
    assert f"{timezone.localdate().year}年主要指标" in html and "未设目标" in html
    assert 'class="kpi-value muted">—<' in html


def test_users_outside_a_township_get_the_page_without_figures(demo, client):
    county = County.objects.create(name="示范县")
    county.townships.add(demo)
    client.force_login(User.objects.create_user("county1", password="x" * 10, role=Role.COUNTY, county=county))
    response = client.get("/")
    assert response.status_code == 200 and 'id="dashboard"' not in response.content.decode()


def test_secretaries_still_land_on_their_village(demo, client):
    user = User.objects.get(username="sec03")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == f"/villages/{user.village_id}/"


def test_the_home_page_query_count_is_bounded(demo, client):
    client.force_login(User.objects.get(username="leader"))
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    assert len(captured.captured_queries) <= 40
