"""Study activities (township- or village-organised), organisational life and dues."""
import pytest
from django.urls import reverse

from study.models import StudyActivity
from tests.study.factories import OrgLifeEventFactory, StudyActivityFactory

pytestmark = pytest.mark.django_db


def activity(**overrides):
    return {"date": "2023-04-12", "kind": "central_group", "topic": "理论学习中心组集体学习", "attendance": 15,
            "essays": 4, **overrides}


def test_staff_records_a_township_activity_without_village(client_for, staff, township):
    response = client_for(staff).post(reverse("records:study-activities-create"), activity())
    assert response.status_code == 302
    record = StudyActivity.objects.get()
    assert record.village is None and record.township == township and record.organiser == "镇党委"


def test_secretary_cannot_record_a_township_activity(client_for, api_for, secretary_a):
    response = client_for(secretary_a).post(reverse("records:study-activities-create"), activity())
    assert response.status_code == 400 and "该字段是必填项" in response.content.decode()
    response = api_for(secretary_a).post("/api/study-activities/", activity(), format="json")
    assert response.status_code == 403 and "只能修改本村的记录" in response.json()["detail"]
    assert not StudyActivity.objects.exists()


def test_secretary_lists_only_own_village_activities(client_for, secretary_a, township, village_a, village_b):
    StudyActivityFactory(village=village_a, township=township, topic="江南村夜校")
    StudyActivityFactory(village=village_b, township=township, topic="联星村夜校")
    StudyActivityFactory(village=None, township=township, topic="镇党委中心组")
    body = client_for(secretary_a).get(reverse("records:study-activities-list")).content.decode()
    assert "共 1 条" in body and "江南村夜校" in body and "联星村夜校" not in body and "镇党委中心组" not in body


def test_list_filters_by_kind_and_year_and_searches_topic(client_for, staff, township, village_a):
    StudyActivityFactory(village=village_a, township=township, kind="night_school", topic="夜校：种植技术")
    StudyActivityFactory(village=village_a, township=township, kind="concentrated", topic="集中学习党章")
    StudyActivityFactory(village=village_a, township=township, kind="night_school", topic="夜校：往年",
                         date="2022-04-01")
    client = client_for(staff)
    url = reverse("records:study-activities-list")
    body = client.get(url, {"kind": "night_school", "year": 2023}).content.decode()
    assert "共 1 条" in body and "夜校：种植技术" in body
    assert "共 1 条" in client.get(url, {"q": "党章"}).content.decode()


def test_org_life_filters_by_village(api_for, staff, village_a, village_b):
    ours = OrgLifeEventFactory(branch=village_a.branches.first())
    OrgLifeEventFactory(branch=village_b.branches.first())
    data = api_for(staff).get("/api/org-life/", {"village": village_a.pk, "year": 2023}).json()
    assert [row["id"] for row in data["results"]] == [ours.pk]
