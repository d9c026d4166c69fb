"""Whether a 身份证号 is registered is told only to the staff of the township that holds it.

Everyone else who is refused a number reads one neutral message, whatever the reason; the refusal is
logged (township.models.IdNumberRefusal), notified to the holder's staff, and after ten in a day the
user may register no number until the next day (429 in the API)."""
import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from cadres.id_numbers import make_id_number
from cadres.models import Person
from tests.cadres.factories import PersonFactory
from tests.villages.factories import UserFactory
from township.access import ID_NUMBER_REFUSED
from township.models import IdNumberNotice, IdNumberRefusal, RefusalReason

pytestmark = pytest.mark.django_db

HERE = make_id_number("640102", datetime.date(1992, 3, 15), 25, True)  # 江南村's
ELSEWHERE = make_id_number("640302", datetime.date(1988, 7, 1), 31, False)  # 邻镇's
BAD_CHECK = HERE[:-1] + ("0" if HERE[-1] != "0" else "1")


def candidate(n):
    """A valid number nobody has."""
    return make_id_number("640102", datetime.date(1992, 3, 15), 50 + n, n % 2 == 0)


@pytest.fixture
def registered(village_a, other_village):
    here = PersonFactory(village=village_a, township=village_a.township, id_number=HERE, name="张三")
    elsewhere = PersonFactory(village=other_village, township=other_village.township, id_number=ELSEWHERE,
                              name="李四")
    return here, elsewhere


def form_post(client, id_number, village):
    return client.post(reverse("records:persons-create"), {"village": village.pk, "name": "王五",
                                                          "id_number": id_number})


def api_post(api, id_number, village):
    return api.post("/api/persons/", {"village": village.pk, "name": "王五", "id_number": id_number},
                    format="json")


def test_a_secretary_reads_one_neutral_message_for_both_registered_numbers(registered, client_for, api_for,
                                                                           secretary_a, village_a):
    client = client_for(secretary_a)
    bodies = [form_post(client, number, village_a) for number in (HERE, ELSEWHERE, BAD_CHECK)]
    assert [b.status_code for b in bodies] == [400, 400, 400]
    here, elsewhere, bad = (b.content.decode() for b in bodies)
    assert ID_NUMBER_REFUSED in here and ID_NUMBER_REFUSED in elsewhere
    for body in (here, elsewhere):
        assert "已登记" not in body and "其他镇" not in body and "校验位" not in body
    assert "身份证号校验位不正确" in bad and ID_NUMBER_REFUSED not in bad
    api = api_for(secretary_a)
    answers = [api_post(api, number, village_a) for number in (HERE, ELSEWHERE, BAD_CHECK)]
    assert [a.status_code for a in answers] == [400, 400, 400]
    assert answers[0].json() == answers[1].json() == {"id_number": [ID_NUMBER_REFUSED]}
    assert "身份证号校验位不正确" in str(answers[2].json())
    assert Person.objects.count() == 2
    # Four refusals logged (form and API, two numbers), none for the wrong check digit.
    reasons = sorted(IdNumberRefusal.objects.values_list("reason", flat=True))
    assert reasons == sorted([str(RefusalReason.SAME_VILLAGE), str(RefusalReason.OTHER_TOWNSHIP)] * 2)


def test_staff_of_the_holding_township_are_told_and_nothing_is_logged(registered, client_for, api_for, staff,
                                                                      village_a):
    body = form_post(client_for(staff), HERE, village_a).content.decode()
    assert "该身份证号已登记" in body
    assert "该身份证号已登记" in str(api_post(api_for(staff), HERE, village_a).json())
    assert not IdNumberRefusal.objects.exists()


def test_staff_of_another_township_read_the_neutral_message_and_the_holder_is_notified(
        registered, client_for, api_for, staff, other_staff, other_village):
    body = form_post(client_for(other_staff), HERE, other_village).content.decode()
    assert ID_NUMBER_REFUSED in body and "已登记" not in body
    refusal = IdNumberRefusal.objects.get()
    assert (refusal.user, refusal.township_id, refusal.reason) == (
        other_staff, staff.township_id, RefusalReason.OTHER_TOWNSHIP)
    assert refusal.path == reverse("records:persons-create")
    assert refusal.masked_number == "*" * 14 + HERE[-4:]
    assert list(IdNumberNotice.objects.values_list("user", flat=True)) == [staff.pk]
    # The holder's staff read it on their log page, with the reason; the refused township's staff see nothing.
    page = client_for(staff).get(reverse("id-number-refusals")).content.decode()
    assert "other_staff" in page and "其他镇已登记" in page and "*" * 14 + HERE[-4:] in page and HERE not in page
    home = client_for(staff).get(reverse("home")).content.decode()
    assert "身份证号核查提醒" in home and "有 <strong>1</strong> 条" in home
    assert "其他镇已登记" not in client_for(other_staff).get(reverse("id-number-refusals")).content.decode()
    client_for(staff).post(reverse("id-number-notices-read"))
    assert not IdNumberNotice.objects.filter(read_at__isnull=True).exists()
    assert "身份证号核查提醒" not in client_for(staff).get(reverse("home")).content.decode()


def test_the_eleventh_refusal_of_the_day_answers_429_and_then_every_number_is_refused(
        registered, client_for, api_for, secretary_a, village_a, settings):
    api = api_for(secretary_a)
    for _ in range(settings.ID_NUMBER_REFUSALS_PER_DAY):
        assert api_post(api, HERE, village_a).status_code == 400
    response = api_post(api, HERE, village_a)
    assert response.status_code == 429 and "今天不能再登记身份证号" in response.json()["detail"]
    # Past the limit a number nobody has is refused alike: the answer tells nothing about the register.
    assert api_post(api, candidate(1), village_a).status_code == 429
    body = form_post(client_for(secretary_a), candidate(2), village_a).content.decode()
    assert "今天不能再登记身份证号" in body
    assert Person.objects.count() == 2
    # A wrong check digit still gets its own message (it tells nothing).
    assert "校验位不正确" in str(api_post(api, BAD_CHECK, village_a).json())
    # The next day the count starts again.
    IdNumberRefusal.objects.update(at=IdNumberRefusal.objects.first().at - datetime.timedelta(days=1))
    assert api_post(api, candidate(3), village_a).status_code == 201


def test_changing_a_number_to_a_registered_one_is_refused_alike(registered, api_for, secretary_a, village_a):
    own = PersonFactory(village=village_a, township=village_a.township)
    response = api_for(secretary_a).patch(f"/api/persons/{own.pk}/", {"id_number": ELSEWHERE}, format="json")
    assert response.status_code == 400 and response.json() == {"id_number": [ID_NUMBER_REFUSED]}


def test_the_ledger_preview_of_another_township_reads_the_neutral_message(registered, other_staff,
                                                                          other_township, staff):
    from ledgers import services
    from ledgers.models import ImportJob

    csv = f"姓名,身份证号,所属村\n张三,{HERE},邻镇一村\n".encode()  # a person belongs to a village
    job = ImportJob.objects.create(township=other_township, user=other_staff, record_slug="persons",
                                   file=ContentFile(csv, name="roster.csv"), file_name="roster.csv")
    services.preview_job(job_id=job.pk)
    job.refresh_from_db()
    messages = [problem[3] for problem in job.problems]
    assert messages == [ID_NUMBER_REFUSED]
    refusal = IdNumberRefusal.objects.get()
    assert (refusal.user, refusal.township_id, refusal.reason) == (
        other_staff, staff.township_id, RefusalReason.OTHER_TOWNSHIP)
    assert "roster.csv" in refusal.path


def test_the_monthly_workbook_of_another_village_reads_the_neutral_message(registered, secretary_b, village_b):
    from submissions import services
    from tests.hardening.conftest import workbook_bytes

    rows = {"党员发展": [["张三", "男", "", HERE, "入党积极分子", "2023-03-10", ""],
                      ["王五", "男", "", candidate(4), "入党申请人", "2023-03-11", ""]]}
    submission = services.submission_create(
        village=village_b, year=2023, month=3, user=secretary_b,
        uploaded_file=ContentFile(workbook_bytes(village_b, rows=rows), name="月报.xlsx"))
    services.submission_preview(submission=submission)
    submission.refresh_from_db()
    messages = [error["message"] for error in submission.errors]
    assert messages == [ID_NUMBER_REFUSED], messages
    assert IdNumberRefusal.objects.get().reason == RefusalReason.SAME_TOWNSHIP


def test_a_workbook_row_of_the_own_village_under_another_name_is_refused_alike(registered, secretary_a, village_a):
    from submissions import services
    from tests.hardening.conftest import workbook_bytes

    rows = {"党员发展": [["赵六", "男", "", HERE, "入党积极分子", "2023-03-10", ""]]}
    submission = services.submission_create(
        village=village_a, year=2023, month=3, user=secretary_a,
        uploaded_file=ContentFile(workbook_bytes(village_a, rows=rows), name="月报.xlsx"))
    services.submission_preview(submission=submission)
    submission.refresh_from_db()
    assert [error["message"] for error in submission.errors] == [ID_NUMBER_REFUSED]
    assert "张三" not in str(submission.errors)
    assert IdNumberRefusal.objects.get().reason == RefusalReason.NAME_MISMATCH


def test_leaders_read_the_log_secretaries_and_county_users_do_not(registered, client_for, leader, secretary_a,
                                                                 county_user, other_staff, other_village):
    form_post(client_for(other_staff), HERE, other_village)
    assert "other_staff" in client_for(leader).get(reverse("id-number-refusals")).content.decode()
    assert client_for(secretary_a).get(reverse("id-number-refusals")).status_code == 404
    assert client_for(county_user).get(reverse("id-number-refusals")).status_code == 404
    assert not IdNumberNotice.objects.filter(user=leader).exists()  # staff are notified, leaders read


def test_a_secretary_of_the_holding_township_is_not_told_either(registered, client_for, secretary_b, village_b):
    """Another village of the same township: neutral, logged as 本镇其他村已登记, for the township's staff."""
    UserFactory(username="staff2", role="staff", township=village_b.township)
    body = form_post(client_for(secretary_b), HERE, village_b).content.decode()
    assert ID_NUMBER_REFUSED in body
    assert IdNumberRefusal.objects.get().reason == RefusalReason.SAME_TOWNSHIP
    assert IdNumberNotice.objects.count() == 1


def test_the_history_does_not_tell_a_secretary_whether_a_masked_number_changed(client_for, staff, secretary_a,
                                                                               village_a):
    """Two numbers with the same last four mask alike: the history shows no change between them."""
    person = PersonFactory(village=village_a, township=village_a.township, id_number=HERE)
    twins = [n for n in (make_id_number("640102", datetime.date(1992, m, d), 25, True)
                         for m in range(1, 13) for d in range(1, 29)) if n[-4:] == HERE[-4:] and n != HERE]
    client_for(staff).post(reverse("records:persons-update", args=[person.pk]),
                           {"village": village_a.pk, "name": person.name, "id_number": twins[0]})
    person.refresh_from_db()
    assert person.id_number == twins[0]
    history = reverse("records:persons-history", args=[person.pk])
    assert "身份证号：" not in client_for(secretary_a).get(history).content.decode()
    assert f"身份证号：{HERE} → {twins[0]}" in client_for(staff).get(history).content.decode()


def _use_up_refusals(user, township, settings):
    IdNumberRefusal.objects.bulk_create([
        IdNumberRefusal(user=user, username=user.username, path="/x/", masked_number="*" * 18,
                        reason=RefusalReason.OTHER_TOWNSHIP, township=township)
        for _ in range(settings.ID_NUMBER_REFUSALS_PER_DAY)])


def test_past_the_limit_a_ledger_preview_classifies_no_number(registered, other_staff, other_township, settings):
    from ledgers import services
    from ledgers.models import ImportJob

    _use_up_refusals(other_staff, other_township, settings)
    csv = f"姓名,身份证号,所属村\n王五,{candidate(5)},邻镇一村\n".encode()  # a person belongs to a village
    job = ImportJob.objects.create(township=other_township, user=other_staff, record_slug="persons",
                                   file=ContentFile(csv, name="roster.csv"), file_name="roster.csv")
    services.preview_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "今天不能再登记身份证号" in job.message
    assert (job.new_rows, job.updated_rows, job.problems) == (0, 0, [])


def test_past_the_limit_a_workbook_classifies_no_number(registered, secretary_a, village_a, settings):
    from submissions import services
    from tests.hardening.conftest import workbook_bytes

    _use_up_refusals(secretary_a, village_a.township, settings)
    rows = {"党员发展": [["王五", "男", "", candidate(6), "入党申请人", "2023-03-11", ""]]}
    submission = services.submission_create(
        village=village_a, year=2023, month=3, user=secretary_a,
        uploaded_file=ContentFile(workbook_bytes(village_a, rows=rows), name="月报.xlsx"))
    services.submission_preview(submission=submission)
    submission.refresh_from_db()
    assert len(submission.errors) == 1 and "今天不能再登记身份证号" in submission.errors[0]["message"]
    assert not submission.changes
