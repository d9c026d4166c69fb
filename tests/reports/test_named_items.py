"""What a township records through the API is named in its year's text: alliances with their villages and
partner enterprises, projects with who ran them, the committee's work events; staff items keep their place."""
import io
import re

import docx
import pytest

from reports import services
from reports.models import Report, ReportFinal, ReportItem
from tests.villages.factories import TownshipFactory, VillageFactory
from township.models import Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def river(db):
    """A township built from factories, with nothing else: its records come through the API."""
    township = TownshipFactory(name="河湾镇")
    villages = [VillageFactory(township=township, name=name, order=n)
                for n, name in enumerate(["东湾村", "西湾村", "南湾村"], start=1)]
    staff = User.objects.create_user("river_staff", password="x" * 10, role=Role.STAFF, township=township)
    return township, villages, staff


def post(api, url, payload):
    response = api.post(url, payload, format="json")
    assert response.status_code == 201, response.content.decode()
    return response.json()


def test_records_made_through_the_api_are_named_in_the_text(river, api_for, client_for):
    township, (east, west, south), staff = river
    api = api_for(staff)
    enterprise = post(api, "/api/enterprises/", {"name": "河湾果蔬专业合作社", "industry": "果蔬"})
    post(api, "/api/alliances/", {
        "name": "东湾片区乡村振兴产业联盟", "kind": "industry", "year": 2023, "model": "支部+合作社+农户",
        "villages": [east.pk, west.pk], "enterprises": [enterprise["id"]], "brands": "东湾蜜瓜",
        "description": "带动果蔬产业提质增效"})
    post(api, "/api/industry-projects/", {
        "village": south.pk, "year": 2023, "name": "冷棚蜜瓜", "scale": "60", "scale_unit": "mu",
        "operator": "branch_members", "action": "plant", "jobs_created": 26, "jobs_for": "脱贫群众",
        "income_added": "180000.00", "farmer_income_added": "0.00", "investment": "0.00"})
    post(api, "/api/work-events/", {
        "date": "2023-03-02", "kind": "meeting", "area": "duty", "title": "2023年基层党建工作推进会",
        "villages": [], "note": ""})
    post(api, "/api/work-events/", {
        "date": "2023-05-20", "kind": "guidance", "area": "talent", "title": "完成村“两委”换届准备工作",
        "villages": [east.pk, south.pk], "note": ""})

    body = client_for(staff).get("/reports/2023/").content.decode()
    text = re.sub(r"<[^>]+>", "", body)
    for phrase in ("东湾片区乡村振兴产业联盟（东湾村、西湾村）", "深入挖掘东湾蜜瓜等品牌价值",
                   "河湾果蔬专业合作社等企业", "“支部+合作社+农户”模式", "带动果蔬产业提质增效",
                   "南湾村党支部带领党员种植冷棚蜜瓜60亩，带动26名脱贫群众务工就业，增加村集体经济18万元",
                   "组织召开2023年基层党建工作推进会", "指导东湾村、南湾村各完成村“两委”换届准备工作"):
        assert phrase in text, phrase
    word = "\n".join(p.text for p in docx.Document(io.BytesIO(
        client_for(staff).get("/reports/2023/report.docx").content)).paragraphs)
    assert "东湾片区乡村振兴产业联盟（东湾村、西湾村）" in word and "南湾村党支部带领党员种植冷棚蜜瓜60亩" in word


def test_a_staff_item_keeps_the_position_staff_give_it(river, api_for, client_for):
    township, (east, west, _south), staff = river
    enterprise = post(api_for(staff), "/api/enterprises/", {"name": "河湾文旅公司"})
    post(api_for(staff), "/api/alliances/", {"name": "河湾文旅联盟", "kind": "industry", "year": 2023,
                                             "villages": [east.pk, west.pk], "enterprises": [enterprise["id"]]})
    client = client_for(staff)
    client.post("/reports/2023/items/", {"section": "highlights", "text": "打造红色教育基地。", "position": "1"})
    client.post("/reports/2023/items/", {"section": "highlights", "text": "建设数字乡村。"})
    document = client.get("/reports/2023/").context["document"]
    (highlights,) = [part for section in document["sections"] for part in section["parts"]
                     if part["key"] == "highlights"]
    texts = ["".join(s["text"] for s in p["segments"]) for p in highlights["paragraphs"]]
    assert [t[:12] for t in texts] == ["1.打造红色教育基地。", "2.开展党建共同体试点工", "3.建设数字乡村。"]
    response = client.post("/reports/2023/items/", {"section": "highlights", "text": "x", "position": "零"})
    assert response.status_code == 302
    assert not ReportItem.objects.filter(text="x").exists()


def test_a_year_without_records_cannot_be_made_final(river, client_for):
    township, _villages, staff = river
    report = Report.objects.create(township=township, year=2023)
    with pytest.raises(services.ValidationError):
        services.finalize(report=report, user=staff)
    response = client_for(staff).post("/reports/2023/finalize/", follow=True)
    assert "本年度尚无工作记录，不能定稿。" in response.content.decode()
    assert not ReportFinal.objects.exists()
    page = client_for(staff).get("/reports/2023/").content.decode()
    assert "本年度尚无工作记录。" in page


def test_tooltips_read_as_text(client_for):
    """Exact values of maps and lists (star levels, targets, events) are words, never Python's brackets."""
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    client = client_for(User.objects.get(username="staff"))
    body = client.get("/reports/2023/").content.decode()
    titles = re.findall(r'title="([^"]*)"', body)
    assert len(titles) > 50
    bad = [t for t in titles if "[" in t or "{" in t or "&#x27;" in t or "None" in t]
    assert not bad, bad
