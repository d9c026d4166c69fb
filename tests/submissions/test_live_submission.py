"""One live submission per village-month (issue 14): a newer upload supersedes older previews, a preview is
confirmed only while the month's records are those it was checked against, and every changed row is shown."""
import datetime
from decimal import Decimal

import pytest

from economy.models import IncomeRecord
from reports.figures import compute_figures
from study.models import StudyActivity
from submissions import services
from submissions.models import MonthTransition, Notice, Submission, SubmissionStatus
from township.masking import mask_id_number
from villages.models import Source, VillageMonth

from .conftest import ID_ZHANG, MONTH, YEAR, upload_file

pytestmark = pytest.mark.django_db


def _rows(land_transfer, attendance=32):
    return {
        "集体经济收入": [["土地流转", land_transfer, ""]],
        "党员发展": [],
        "组织生活": [],
        "学习活动": [[datetime.date(YEAR, MONTH, 12), "集中学习", "学习二十大精神", attendance, 5]],
    }


def _upload(upload_api, user, village, workbook_for, land_transfer, attendance=32):
    response = upload_api(user, village, workbook_for(village, rows=_rows(land_transfer, attendance)))
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "preview", response.json()["errors"]
    return response.json()["id"]


def _land_transfer(township):
    figures = compute_figures(township, YEAR, today=datetime.date(YEAR + 1, 3, 1))
    return figures["economy.income_by_category"]["value"]["土地流转"]


def test_an_older_preview_cannot_be_confirmed_after_a_newer_upload(api_for, client_for, village_a, secretary_a,
                                                                   upload_api, workbook_for):
    api = api_for(secretary_a)
    older = _upload(upload_api, secretary_a, village_a, workbook_for, 100000)
    newer = _upload(upload_api, secretary_a, village_a, workbook_for, 200000)
    assert Submission.objects.get(pk=older).status == SubmissionStatus.SUPERSEDED

    # Before the newer one is confirmed …
    response = api.post(f"/api/submissions/{older}/confirm/")
    assert response.status_code == 409
    assert "该月已有更新的报表" in response.json()["detail"]
    # … and after it: the newer figures stay.
    assert api.post(f"/api/submissions/{newer}/confirm/").status_code == 200
    response = api.post(f"/api/submissions/{older}/confirm/")
    assert response.status_code == 409 and "该月已有更新的报表" in response.json()["detail"]
    assert IncomeRecord.objects.get(village=village_a, category="land_transfer").amount == Decimal("200000.00")
    assert _land_transfer(village_a.township) == "200000.00"
    assert list(MonthTransition.objects.values_list("action", "from_status", "to_status")) == [
        ("confirm", "not_submitted", "submitted")]

    detail = api.get(f"/api/submissions/{older}/").json()
    assert detail["status"] == "superseded" and detail["confirmable"] is False
    assert "该月已有更新的报表" in detail["cannot_confirm"]
    page = client_for(secretary_a).get(f"/submissions/{older}/").content.decode()
    assert "已被新文件取代" in page and "该月已有更新的报表" in page
    assert "确认上报</button>" not in page
    assert f"/submissions/{newer}/" in page  # 打开该月最新的报表
    # Through the page the refusal reads the same and writes nothing.
    response = client_for(secretary_a).post(f"/submissions/{older}/confirm/", follow=True)
    assert "该月已有更新的报表" in response.content.decode()
    assert _land_transfer(village_a.township) == "200000.00"


def test_a_newer_confirm_replaces_an_older_confirmed_month_and_the_figures_follow(
        api_for, village_a, secretary_a, upload_api, workbook_for):
    api = api_for(secretary_a)
    first = _upload(upload_api, secretary_a, village_a, workbook_for, 100000)
    assert api.post(f"/api/submissions/{first}/confirm/").status_code == 200
    assert _land_transfer(village_a.township) == "100000.00"
    second = _upload(upload_api, secretary_a, village_a, workbook_for, 200000)
    # The confirmed one stays the month's submission until the newer one is confirmed.
    assert Submission.objects.get(pk=first).status == SubmissionStatus.SUBMITTED
    assert api.post(f"/api/submissions/{second}/confirm/").status_code == 200
    assert Submission.objects.get(pk=first).status == SubmissionStatus.SUPERSEDED
    assert _land_transfer(village_a.township) == "200000.00"


def test_a_staff_edit_after_the_preview_makes_it_stale(api_for, client_for, village_a, secretary_a, staff,
                                                     upload_api, workbook_for):
    first = _upload(upload_api, secretary_a, village_a, workbook_for, 100000)
    assert api_for(secretary_a).post(f"/api/submissions/{first}/confirm/").status_code == 200
    preview = _upload(upload_api, secretary_a, village_a, workbook_for, 150000)
    income = IncomeRecord.objects.get(category="land_transfer")
    # Staff correct the month through the API after the secretary's preview was computed.
    assert api_for(staff).patch(f"/api/incomes/{income.pk}/", {"amount": "120000.00"}).status_code == 200

    response = api_for(secretary_a).post(f"/api/submissions/{preview}/confirm/")
    assert response.status_code == 409
    assert "预览之后该月记录已被修改" in response.json()["detail"]
    income.refresh_from_db()
    assert income.amount == Decimal("120000.00")
    detail = api_for(secretary_a).get(f"/api/submissions/{preview}/").json()
    assert detail["confirmable"] is False and "预览之后该月记录已被修改" in detail["cannot_confirm"]
    page = client_for(secretary_a).get(f"/submissions/{preview}/").content.decode()
    assert "预览之后该月记录已被修改" in page and "确认上报</button>" not in page
    assert 'id="reupload"' in page  # upload again to see the changes against the records as they are


def test_a_staff_form_edit_of_a_study_activity_makes_the_preview_stale(client_for, api_for, village_a, secretary_a,
                                                                      staff, upload_api, workbook_for):
    first = _upload(upload_api, secretary_a, village_a, workbook_for, 100000)
    assert api_for(secretary_a).post(f"/api/submissions/{first}/confirm/").status_code == 200
    preview = _upload(upload_api, secretary_a, village_a, workbook_for, 100000, attendance=30)
    activity = StudyActivity.objects.get(village=village_a)
    response = client_for(staff).post(f"/records/study-activities/{activity.pk}/edit/", {
        "village": village_a.pk, "date": activity.date.isoformat(), "kind": activity.kind, "topic": activity.topic,
        "attendance": 33, "essays": 5, "note": "核对签到表"})
    assert response.status_code == 302, response.content.decode()[:2000]
    with pytest.raises(services.SubmissionRefused) as refused:
        services.submission_confirm(submission=Submission.objects.get(pk=preview), user=secretary_a)
    assert refused.value.code == "stale"
    assert StudyActivity.objects.get(pk=activity.pk).attendance == 33


def test_another_write_into_the_month_after_the_preview_makes_it_stale(village_a, secretary_a, workbook_for):
    """Whatever wrote the month (here a second confirm's rows, written as a ledger import would), the
    fingerprint of the month's records differs."""
    submission = services.submission_create(village=village_a, year=YEAR, month=MONTH, user=secretary_a,
                                            uploaded_file=upload_file(workbook_for(village_a, rows=_rows(5))))
    submission = services.submission_preview(submission=submission)
    IncomeRecord.objects.create(village=village_a, year=YEAR, month=MONTH, category="other", amount=1,
                                source=Source.IMPORT)
    with pytest.raises(services.SubmissionRefused) as refused:
        services.submission_confirm(submission=submission, user=secretary_a)
    assert refused.value.code == "stale"
    assert not VillageMonth.objects.filter(village=village_a, status="submitted").exists()


def test_changes_list_each_row_before_and_after(api_for, client_for, village_a, secretary_a, staff, upload_api,
                                                workbook_for):
    first = _upload(upload_api, secretary_a, village_a, workbook_for, 100000, attendance=32)
    api_for(secretary_a).post(f"/api/submissions/{first}/confirm/")
    second = _upload(upload_api, secretary_a, village_a, workbook_for, 100000, attendance=30)
    body = api_for(secretary_a).get(f"/api/submissions/{second}/").json()
    same = {"日期": "2024-03-12", "形式": "集中学习", "主题": "学习二十大精神", "心得体会篇数": "5"}
    assert body["changes"] == [{"sheet": "学习活动", "row": 2, "action": "replace",
                                "before": {**same, "参加人数": "32"}, "after": {**same, "参加人数": "30"}}]
    assert body["change_summary"]["学习活动"] == {"added": 0, "replaced": 1, "removed": 0, "unchanged": 0}
    assert body["change_summary"]["集体经济收入"]["unchanged"] == 1
    assert body["confirmable"] is True and body["cannot_confirm"] is None
    # The secretary sees it before confirming; staff see it above the review buttons.
    page = client_for(secretary_a).get(f"/submissions/{second}/").content.decode()
    assert "<del>32</del> → <ins>30</ins>" in page
    assert page.index("<del>32</del>") < page.index("确认上报</button>")
    api_for(secretary_a).post(f"/api/submissions/{second}/confirm/")
    page = client_for(staff).get(f"/submissions/{second}/").content.decode()
    assert "<del>32</del> → <ins>30</ins>" in page
    assert page.index("<del>32</del>") < page.index("审核通过并锁定")


def test_a_removed_row_and_an_id_number_masked_for_the_secretary(api_for, village_a, secretary_a, staff,
                                                                  upload_api, workbook_for):
    rows = _rows(100)
    rows["党员发展"] = [["张三", "男", None, ID_ZHANG, "入党积极分子", datetime.date(2024, 3, 5), ""]]
    first = upload_api(secretary_a, village_a, workbook_for(village_a, rows=rows)).json()["id"]
    api_for(secretary_a).post(f"/api/submissions/{first}/confirm/")
    rows["党员发展"] = []
    second = upload_api(secretary_a, village_a, workbook_for(village_a, rows=rows)).json()["id"]
    removed = [c for c in api_for(staff).get(f"/api/submissions/{second}/").json()["changes"]
               if c["action"] == "remove"]
    assert removed == [{"sheet": "党员发展", "row": None, "action": "remove", "after": None, "before": {
        "姓名": "张三", "身份证号": ID_ZHANG, "发展阶段": "入党积极分子", "日期": "2024-03-05", "备注": ""}}]
    seen_by_secretary = api_for(secretary_a).get(f"/api/submissions/{second}/").json()["changes"][0]["before"]
    assert seen_by_secretary["身份证号"] == mask_id_number(ID_ZHANG) != ID_ZHANG


def test_notices_link_their_submission_and_do_not_repeat(api_for, client_for, village_a, secretary_a, staff,
                                                         upload_api, workbook_for):
    for amount in (1, 2, 3):
        pk = _upload(upload_api, secretary_a, village_a, workbook_for, amount)
        assert api_for(secretary_a).post(f"/api/submissions/{pk}/confirm/").status_code == 200
    notices = Notice.objects.filter(user=staff, kind="submitted")
    assert notices.count() == 1
    assert notices.get().submission_id == pk
    home = client_for(staff).get("/").content.decode()
    assert f'href="/submissions/{pk}/"' in home
    # Opening the submission reads its notice; a later event brings a new one.
    client_for(staff).get(f"/submissions/{pk}/")
    assert not Notice.objects.filter(user=staff, read_at__isnull=True).exists()


def test_the_return_notice_ends_with_one_full_stop(api_for, village_a, secretary_a, staff, upload_api, workbook_for):
    pk = _upload(upload_api, secretary_a, village_a, workbook_for, 1)
    api_for(secretary_a).post(f"/api/submissions/{pk}/confirm/")
    api_for(staff).post(f"/api/submissions/{pk}/return/", {"reason": "金额单位有误。"})
    message = Notice.objects.get(user=secretary_a, kind="returned").message
    assert "。。" not in message and "原因：金额单位有误。请修改后重新上传。" in message


def test_with_a_worker_a_superseded_preview_is_refused_before_it_is_queued(settings, api_for, village_a, secretary_a,
                                                                           upload_api, workbook_for):
    older = _upload(upload_api, secretary_a, village_a, workbook_for, 100000)
    _upload(upload_api, secretary_a, village_a, workbook_for, 200000)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from unittest import mock

    with mock.patch("submissions.tasks.confirm_submission_task.delay") as delay:
        response = api_for(secretary_a).post(f"/api/submissions/{older}/confirm/")
    assert response.status_code == 409 and "该月已有更新的报表" in response.json()["detail"]
    delay.assert_not_called()
    assert Submission.objects.get(pk=older).status == SubmissionStatus.SUPERSEDED
