"""The township's own work records: problems and rectification, targets, bulletins, campaigns."""
import pytest
from django.urls import reverse

from committee.models import CampaignTask, Problem, TownshipTarget
from tests.records.factories import BulletinFactory, CampaignFactory, TownshipTargetFactory

pytestmark = pytest.mark.django_db


def test_rectified_problem_needs_a_date_in_form_and_api(client_for, api_for, staff):
    payload = {"found_date": "2023-03-01", "description": "组织生活不规范", "rectified": True}
    response = client_for(staff).post(reverse("records:problems-create"), payload)
    assert response.status_code == 400 and "须填写整改完成日期" in response.content.decode()
    response = api_for(staff).post("/api/problems/", payload, format="json")
    assert response.status_code == 400 and "须填写整改完成日期" in str(response.json()["rectified_date"])
    assert not Problem.objects.exists()
    response = api_for(staff).post("/api/problems/", {**payload, "rectified_date": "2023-05-01"}, format="json")
    assert response.status_code == 201
    assert Problem.objects.get().rectified_date.isoformat() == "2023-05-01"


def test_one_target_per_township_and_year(client_for, api_for, staff, township, other_staff):
    TownshipTargetFactory(township=township, year=2023)
    payload = {"year": 2023, "star_share_3plus": "90.0", "star_share_4plus": "75.0", "star_share_5": "25.0",
               "planned_probationary": 12, "planned_probationary_under_35": 9, "reserve_cadres_per_village": 3}
    response = client_for(staff).post(reverse("records:township-targets-create"), payload)
    assert response.status_code == 400 and "已经存在" in response.content.decode()
    assert api_for(staff).post("/api/township-targets/", payload, format="json").status_code == 400
    # Another township has its own 2023 target.
    assert api_for(other_staff).post("/api/township-targets/", payload, format="json").status_code == 201
    assert TownshipTarget.objects.filter(year=2023).count() == 2


def test_under_35_cannot_exceed_planned(client_for, api_for, staff):
    payload = {"year": 2024, "star_share_3plus": "90.0", "star_share_4plus": "75.0", "star_share_5": "25.0",
               "planned_probationary": 5, "planned_probationary_under_35": 9, "reserve_cadres_per_village": 3}
    response = client_for(staff).post(reverse("records:township-targets-create"), payload)
    assert response.status_code == 400 and "35岁以下人数不能多于计划吸收人数" in response.content.decode()
    response = api_for(staff).post("/api/township-targets/", {**payload, "star_share_5": "101.0"}, format="json")
    assert response.status_code == 400 and "star_share_5" in response.json()
    assert not TownshipTarget.objects.exists()


def test_bulletins_filter_by_kind_and_year(client_for, staff, township):
    BulletinFactory(township=township, kind="special_report", title="工作专报第1期")
    BulletinFactory(township=township, kind="weekly_preview", title="一周工作预览第1次")
    BulletinFactory(township=township, kind="special_report", title="往年专报", date="2022-05-01")
    body = client_for(staff).get(reverse("records:bulletins-list"),
                                 {"kind": "special_report", "year": 2023}).content.decode()
    assert "共 1 条" in body and "工作专报第1期" in body and "一周工作预览" not in body.split("<tbody>")[1]


def test_campaign_task_cannot_hang_off_another_townships_campaign(api_for, client_for, other_staff, township):
    campaign = CampaignFactory(township=township)
    payload = {"campaign": campaign.pk, "title": "越权任务"}
    assert api_for(other_staff).post("/api/campaign-tasks/", payload, format="json").status_code == 400
    response = client_for(other_staff).post(reverse("records:campaign-tasks-create"), payload)
    assert response.status_code == 400 and "选择一个有效的选项" in response.content.decode()
    assert not CampaignTask.objects.exists()
