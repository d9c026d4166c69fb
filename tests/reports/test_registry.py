"""The registry of figures (issue 12): sources that reproduce, one value everywhere, final is final, no year crashes."""
import datetime
import io
import re
from decimal import Decimal

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from committee.models import Problem
from reports.dashboard import KEYS as DASHBOARD_KEYS
from reports.figures import BY_KEY, COUNT, EXTREME, FIGURES, SHARE, SUM, compute_figures, compute_years
from study.models import StudyActivity
from township.models import County, Role, User
from villages.models import Township

pytestmark = pytest.mark.django_db

NUMBER_KINDS = (COUNT, SUM, SHARE, EXTREME)


@pytest.fixture
def demo(demo_township):
    return demo_township


@pytest.fixture
def staff_client(client, demo):
    client.force_login(User.objects.get(username="staff"))
    return client


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def stated(html):
    """What a source page states: {"count", "total", "share"} read from its summary line or the completeness page."""
    found = {}
    summary = re.search(r'id="list-summary">(.*?)</p>', html, re.S)
    if summary:
        line = _text(summary.group(1))
        if m := re.search(r"共 ?(\d+) ?(?:条|个村)", line):
            found["count"] = int(m.group(1))
        if m := re.search(r"合计 ([\d,]+(?:\.\d+)?)", line):
            found["total"] = Decimal(m.group(1).replace(",", ""))
        if m := re.search(r"的 ([\d.]+)%", line):
            found["share"] = float(m.group(1))
    if m := re.search(r'id="reporting-rate">([\d.]+)%', html):
        found["share"] = float(m.group(1))
    if m := re.search(r'id="reported">(\d+)<', html):
        found["reported"] = int(m.group(1))
    if m := re.search(r'id="expected">(\d+)<', html):
        found["expected"] = int(m.group(1))
    if m := re.search(r'id="compliance-rate">([\d.]+)%', html):
        found["share"] = float(m.group(1))
    for name in ("requirements-met", "requirements-due"):
        if m := re.search(rf'id="{name}">(\d+)<', html):
            found[name] = int(m.group(1))
    return found


def expected_statement(key, value):
    figure = BY_KEY[key]
    if key == "submissions.reported":
        return "reported", value
    if key == "submissions.expected":
        return "expected", value
    if key in ("org_life.requirements_met", "org_life.requirements_due"):
        return key.split(".")[1].replace("_", "-"), value
    if figure.kind == COUNT:
        return "count", value
    if figure.kind == SUM:
        return "total", Decimal(str(value))
    if figure.kind == SHARE:
        return "share", value
    return "total", Decimal(value["amount"])  # EXTREME: the village's income records, summed


def number_figures(figures):
    return [key for key, figure in figures.items()
            if BY_KEY[key].kind in NUMBER_KINDS and figure["value"] is not None]


def test_every_number_figure_of_2023_has_a_source_page_that_states_it(demo, staff_client):
    figures = compute_figures(demo, 2023)
    keys = number_figures(figures)
    assert len(keys) > 50
    wrong = []
    for key in keys:
        source = figures[key]["source"]
        assert source, f"{key} has no source"
        response = staff_client.get(source)
        assert response.status_code == 200, (key, source)
        what, value = expected_statement(key, figures[key]["value"])
        said = stated(response.content.decode()).get(what)
        if said != value:
            wrong.append(f"{key}: {source} states {what}={said}, the figure is {value}")
    assert not wrong, "\n".join(wrong)


def test_a_count_source_lists_exactly_the_counted_records(demo, staff_client):
    figures = compute_figures(demo, 2023)
    essays = staff_client.get(figures["study.essays"]["source"])
    activities = StudyActivity.objects.filter(township=demo, date__year=2023)
    # Only the activities with essays are listed, and their essays add up to the figure.
    assert essays.context["page"].paginator.count == activities.filter(essays__gt=0).count() < activities.count()
    assert "心得体会篇数合计 83篇" in _text(essays.content.decode())
    income = _text(staff_client.get(figures["economy.income_total"]["source"]).content.decode())
    assert "合计 13,635,320.50元" in income
    villages = staff_client.get(figures["economy.villages_over_1m"]["source"])
    listed = [row["village"] for row in villages.context["villages"]]
    assert len(listed) == 7 and "团结村" not in listed and "潘昶村" in listed


def test_the_completeness_page_and_the_report_state_one_reporting_rate(demo, staff_client):
    rate = compute_figures(demo, 2023)["submissions.reporting_rate"]["value"]
    page = stated(staff_client.get("/submissions/completeness/?year=2023").content.decode())
    assert page["share"] == rate
    assert f"上报率{rate}%" in _text(staff_client.get("/reports/2023/").content.decode()).replace(" ", "")


def test_a_county_of_one_township_states_its_figures_key_by_key(demo, client):
    county = County.objects.create(name="示范县")
    county.townships.add(demo)
    user = User.objects.create_user("county1", password="x" * 10, role=Role.COUNTY, county=county)
    client.force_login(user)
    body = client.get("/api/reports/county/2023/figures/").json()
    township = compute_figures(demo, 2023)
    total = body["total"]
    compared = [key for key in total if key in township]
    assert len(compared) > 60

    def same(key):
        value = total[key]["value"]
        if isinstance(value, dict) and "township" in value:  # the county names the village's township too
            assert value.pop("township") == "示范镇"
        return value == township[key]["value"]

    differ = [key for key in compared if not same(key)]
    assert not differ, {key: (total[key]["value"], township[key]["value"]) for key in differ}
    assert [t["figures"]["economy.income_total"]["value"] for t in body["townships"]] == ["13635320.50"]
    page = _text(client.get("/reports/county/2023/").content.decode())
    assert "13,635,320.50" in page


def years_to_try():
    return range(2019, timezone.localdate().year + 3)


@pytest.mark.parametrize("who", ["demo", "empty"])
def test_every_year_answers_for_a_township_with_and_without_data(demo, client, who):
    if who == "empty":
        empty = Township.objects.create(name="空白镇")
        user = User.objects.create_user("empty_staff", password="x" * 10, role=Role.STAFF, township=empty)
    else:
        user = User.objects.get(username="staff")
    client.force_login(user)
    for year in years_to_try():
        for url in (f"/reports/{year}/", f"/reports/{year}/report.docx", f"/api/reports/{year}/figures/"):
            assert client.get(url).status_code == 200, url


def test_after_final_a_new_record_changes_neither_page_nor_word_nor_api(demo, staff_client):
    staff_client.post("/reports/2023/finalize/")

    def snapshot():
        page = staff_client.get("/reports/2023/")
        rows = [(row["key"], row["exact"]) for row in page.context["figure_rows"]]
        word = "\n".join(p.text for p in docx.Document(io.BytesIO(
            staff_client.get("/reports/2023/report.docx").content)).paragraphs)
        api = staff_client.get("/api/reports/2023/figures/").json()
        # The leaders' dashboard states the year's key figures: the signed ones too.
        dashboard = staff_client.get("/").context["dashboard"]
        tiles = [(tile["key"], tile["text"]) for tile in dashboard["tiles"]]
        return rows, word, api["figures"], api["final"], tiles, dashboard["final"]

    before = snapshot()
    StudyActivity.objects.create(township=demo, date=datetime.date(2023, 5, 5), kind="concentrated", topic="补录",
                                 essays=7)
    Problem.objects.create(township=demo, found_date=datetime.date(2023, 6, 1), description="补录的问题")
    after = snapshot()
    assert after == before and after[3] is True and after[5] is True
    live = staff_client.get("/api/reports/2023/figures/?live=1").json()
    assert live["figures"]["study.essays"]["value"] == before[2]["study.essays"]["value"] + 7
    assert live["figures"]["township.problems_open"]["value"] == \
        before[2]["township.problems_open"]["value"] + 1 == 31


def test_the_report_page_of_this_and_last_year_takes_at_most_30_queries(demo, staff_client):
    # 53 before the figures registry; organisational life and the appraisals came into the report since,
    # the user's township now comes with the session's user (township.backends.UserBackend).
    with CaptureQueriesContext(connection) as captured:
        assert staff_client.get("/reports/2023/").status_code == 200
    assert len(captured.captured_queries) <= 30, "\n".join(q["sql"][:120] for q in captured.captured_queries)


def test_every_declared_figure_is_computed_once_and_shares_have_parts():
    keys = [figure.key for figure in FIGURES]
    assert len(keys) == len(set(keys))
    for figure in FIGURES:
        if figure.kind == SHARE:
            assert all(part in BY_KEY for part in figure.parts)


def test_a_figure_computed_alone_is_the_figure_of_the_whole_set(demo):
    """The home page computes its tiles' figures only (reports.dashboard.KEYS): each figure asked alone, and the
    dashboard's set, come out exactly as in the whole set (value and source), for this year and last."""
    years = [2023, 2022]
    whole = compute_years(demo, years)
    for keys in [[figure.key] for figure in FIGURES] + [list(DASHBOARD_KEYS)]:
        alone = compute_years(demo, years, keys=keys)
        for year in years:
            assert {key: alone[year].get(key) for key in keys} == {key: whole[year].get(key) for key in keys}, keys
            assert set(keys) & set(whole[year]) <= set(alone[year])
    assert set(compute_years(demo, years, keys=DASHBOARD_KEYS)[2023]) >= set(DASHBOARD_KEYS)


def test_the_home_page_computes_only_its_figures(demo, staff_client):
    with CaptureQueriesContext(connection) as captured:
        body = staff_client.get("/").content.decode()
    assert "2023年主要指标" in body
    # The whole set takes 22 queries for the two years; the tiles' figures 7 (star ratings, problems, steps,
    # incomes, villages, reporting, targets), the rest is the session, the villages and the navigation's counts.
    assert len(captured.captured_queries) <= 24, "\n".join(q["sql"][:120] for q in captured.captured_queries)
