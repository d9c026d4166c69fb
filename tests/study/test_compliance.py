"""三会一课 and 主题党日 compliance (issue 17): the requirements, the grid page and the API."""
import datetime

import pytest

from study.compliance import build
from study.models import OrgLifeEvent, OrgLifeKind, OrgLifeRequirement, RequirementFrequency
from villages.models import PartyBranch

pytestmark = pytest.mark.django_db

YEAR = 2023
TODAY = datetime.date(2024, 2, 1)  # 2023 has ended: every period of it is due


def hold_everything(branch, *, skip=()):
    """Every required meeting of 2023 for `branch` (支委会 and 主题党日 monthly, 党员大会 and 党课 quarterly,
    组织生活会 once), but those in `skip` ((kind, month) pairs)."""
    plan = [(OrgLifeKind.COMMITTEE_MEETING, range(1, 13)), (OrgLifeKind.THEME_DAY, range(1, 13)),
            (OrgLifeKind.GENERAL_MEETING, (2, 5, 8, 11)), (OrgLifeKind.PARTY_LECTURE, (3, 6, 9, 12)),
            (OrgLifeKind.LIFE_MEETING, (12,))]
    OrgLifeEvent.objects.bulk_create([
        OrgLifeEvent(branch=branch, date=datetime.date(YEAR, month, 10), kind=kind, topic=f"{kind}{month}",
                     attendance=10)
        for kind, months in plan for month in months if (kind, month) not in skip])


@pytest.fixture
def met_and_missed(village_a, village_b):
    """江南村 held everything; 联星村 held everything but the 支委会 of March."""
    hold_everything(village_a.branches.get())
    hold_everything(village_b.branches.get(), skip={(OrgLifeKind.COMMITTEE_MEETING, 3)})
    return village_a, village_b


def kinds_of(row):
    return {k.kind: k for k in row.kinds}


def test_a_branch_that_met_everything_and_one_that_missed_march(met_and_missed, township):
    result = build(branches=PartyBranch.objects.filter(village__township=township), year=YEAR, today=TODAY)
    jiangnan, lianxing = result.rows
    assert jiangnan.village.name == "江南村" and not jiangnan.short
    # 12 + 12 支委会/主题党日, 4 + 4 党员大会/党课, 1 组织生活会; 党小组会 not required by default.
    assert jiangnan.due == jiangnan.met == 33
    committee = kinds_of(lianxing)[OrgLifeKind.COMMITTEE_MEETING]
    assert (committee.required, committee.held, committee.missing, committee.met) == (12, 11, ["3月"], False)
    assert [k.kind for k in lianxing.short] == [OrgLifeKind.COMMITTEE_MEETING]
    assert (result.met, result.due, result.rate) == (65, 66, 98.5)
    march = lianxing.months[2]
    assert [(m.kind, m.state) for m in march.missing] == [(OrgLifeKind.COMMITTEE_MEETING, "missing")]
    assert not jiangnan.months[2].missing


def test_only_ended_periods_are_due(met_and_missed, township):
    # On 15 April 2023: January–March ended (3 monthly × 2 kinds, 1 quarter × 2 kinds), the year not.
    result = build(branches=PartyBranch.objects.filter(village=met_and_missed[0]), year=YEAR,
                   today=datetime.date(2023, 4, 15))
    assert result.due == 3 * 2 + 2


def test_a_township_changes_a_requirement_in_one_place(met_and_missed, township):
    OrgLifeRequirement.objects.create(township=township, kind=OrgLifeKind.GROUP_MEETING,
                                      frequency=RequirementFrequency.MONTHLY, since_year=YEAR)
    branches = PartyBranch.objects.filter(village__township=township)
    result = build(branches=branches, year=YEAR, today=TODAY)
    # Nobody held a 党小组会: 12 more requirements each, none met.
    assert (result.met, result.due) == (65, 66 + 24)
    # The year before keeps its own rules.
    assert build(branches=branches, year=YEAR - 1, today=TODAY).due == 66


def test_the_grid_page_shows_held_and_missing_and_links_to_the_meetings(met_and_missed, client_for, staff):
    client = client_for(staff)
    page = client.get("/org-life/compliance/", {"year": YEAR})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="requirements-met">65<' in html and 'id="requirements-due">66<' in html
    assert 'id="compliance-rate">98.5%' in html
    lianxing = met_and_missed[1]
    row = html.split('data-village="联星村"')[1].split("</tr>")[0]
    march = row.split('data-month="3"')[1].split("</td>")[0]
    assert "支委会✗" in march and "主题党日✓" in march
    assert f"/records/org-life/?village={lianxing.pk}&amp;year={YEAR}&amp;month=3" in march
    assert "支委会（3月）" in row
    # The link lists that village's meetings of March: the 主题党日 and the 党课, no 支委会.
    listed = client.get(f"/records/org-life/?village={lianxing.pk}&year={YEAR}&month=3")
    assert sorted(e.kind for e in listed.context["page"]) == [OrgLifeKind.PARTY_LECTURE, OrgLifeKind.THEME_DAY]


def test_the_api_states_required_held_and_met_per_village_and_kind(met_and_missed, api_for, staff, secretary_b):
    body = api_for(staff).get("/api/org-life/compliance/", {"year": YEAR}).json()
    assert (body["requirements_met"], body["requirements_due"]) == (65, 66)
    by_village = {v["village_name"]: v for v in body["villages"]}
    assert by_village["江南村"]["met"] is True and by_village["联星村"]["met"] is False
    committee = next(k for k in by_village["联星村"]["kinds"] if k["kind"] == "committee_meeting")
    assert committee == {"kind": "committee_meeting", "label": "支委会", "frequency": "monthly", "required": 12,
                         "held": 11, "met": False, "missing": ["3月"]}
    group = next(k for k in by_village["江南村"]["kinds"] if k["kind"] == "group_meeting")
    assert (group["required"], group["met"]) == (0, True)
    # A secretary sees her own village only.
    own = api_for(secretary_b).get("/api/org-life/compliance/", {"year": YEAR}).json()
    assert [v["village_name"] for v in own["villages"]] == ["联星村"]
    assert api_for(staff).get("/api/org-life/compliance/", {"year": "abc"}).status_code == 400


def test_another_township_sees_none_of_it(met_and_missed, api_for, other_staff, client_for):
    body = api_for(other_staff).get("/api/org-life/compliance/", {"year": YEAR}).json()
    assert all(v["village_name"] not in ("江南村", "联星村") for v in body["villages"])
    html = client_for(other_staff).get("/org-life/compliance/", {"year": YEAR}).content.decode()
    assert "联星村" not in html


def test_the_grid_costs_the_same_for_more_branches(met_and_missed, client_for, staff, django_assert_max_num_queries):
    client = client_for(staff)
    client.get("/org-life/compliance/", {"year": YEAR})
    with django_assert_max_num_queries(12):
        assert client.get("/org-life/compliance/", {"year": YEAR}).status_code == 200


def test_the_figures_and_the_report_state_the_compliance(met_and_missed, township, client_for, staff):
    from reports import drafting
    from reports.figures import compute_figures

    figures = compute_figures(township, YEAR)
    value = {key: figure["value"] for key, figure in figures.items()}
    assert value["org_life.compliance_rate"] == 98.5
    assert (value["org_life.requirements_met"], value["org_life.requirements_due"]) == (65, 66)
    assert value["org_life.held_committee_meeting"] == 23 and value["org_life.held_theme_day"] == 24
    assert value["org_life.events"] == 23 + 24 + 8 + 8 + 2
    assert value["org_life.held_group_meeting"] == 0
    assert value["org_life.short_branches"] == [{"village": "联星村", "kinds": ["支委会"]}]
    assert figures["org_life.compliance_rate"]["source"] == f"/org-life/compliance/?year={YEAR}"
    assert figures["org_life.held_committee_meeting"]["source"] == \
        f"/records/org-life/?year={YEAR}&kind=committee_meeting"
    text = "".join(para.text for para in drafting.grassroots(figures))
    assert ("规范落实“三会一课”和主题党日制度，各党支部全年召开支部党员大会8次、支委会23次、党课8次、主题党日24次、"
            "组织生活会2次，达标率98.5%") in text
    assert "党小组会" not in text  # none held: no "0次"
    suggestion = {s["key"]: s["text"] for s in drafting.suggestions(figures)}["org_life_short"]
    assert suggestion.startswith("组织生活落实不够到位。联星村（支委会）党支部")
    page = client_for(staff).get(f"/reports/{YEAR}/").content.decode()
    assert "达标率" in page and "98.5%" in page


def test_a_year_without_meetings_states_no_rate_and_no_problem(village_a, township):
    from reports import drafting
    from reports.figures import compute_figures

    figures = compute_figures(township, YEAR)
    assert figures["org_life.compliance_rate"]["value"] is None
    assert figures["org_life.short_branches"]["value"] == []
    assert "org_life_short" not in {s["key"] for s in drafting.suggestions(figures)}
    assert "三会一课" not in "".join(para.text for para in drafting.grassroots(figures))


def test_the_village_page_lists_this_years_missing_meetings(client_for, secretary_a, village_a):
    from django.utils import timezone

    today = timezone.localdate()
    if today.month > 1:  # January's 支委会 held, its 主题党日 not
        OrgLifeEvent.objects.create(branch=village_a.branches.get(), date=datetime.date(today.year, 1, 5),
                                    kind=OrgLifeKind.COMMITTEE_MEETING, topic="研究部署", attendance=7)
    page = client_for(secretary_a).get(f"/villages/{village_a.pk}/").content.decode()
    card = page.split('id="org-life-to-do"')[1].split("</section>")[0]
    assert f"{today.month}月尚未召开：<strong>支委会、主题党日</strong>" in card
    if today.month > 1:
        assert "主题党日（1月" in card and "支委会（1月" not in card
