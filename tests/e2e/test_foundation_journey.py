"""A secretary and a leader find their way in, on a laptop and on a phone."""
import pytest

from tests.e2e.conftest import PHONE, assert_no_horizontal_overflow, login, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", ["laptop", "phone"])
def test_secretary_lands_on_own_village_and_cannot_reach_another(page, live_server, demo, watch, viewport):
    if viewport == "phone":
        page.set_viewport_size(PHONE)
    login(page, live_server.url, "sec03")
    assert page.locator("h1").first.inner_text().startswith("通昌村")
    shot(page, f"secretary-village-{viewport}")
    assert_no_horizontal_overflow(page)
    from villages.models import Village

    other = Village.objects.get(name="江南村")
    response = page.goto(f"{live_server.url}/villages/{other.pk}/")
    assert response.status == 404
    assert "页面不存在" in page.content()
    watch.errors = [e for e in watch.errors if "404" not in e]  # the 404 above is the point of the test
    watch.assert_clean()


@pytest.mark.parametrize("viewport", ["laptop", "phone"])
def test_leader_sees_twelve_villages_and_uses_the_navigation(page, live_server, demo, watch, viewport):
    if viewport == "phone":
        page.set_viewport_size(PHONE)
    login(page, live_server.url, "leader")
    assert page.locator("table tbody tr").count() == 12
    shot(page, f"leader-home-{viewport}")
    assert_no_horizontal_overflow(page)
    if viewport == "phone":
        page.click("label.nav-toggle-label")
    page.click("summary:has-text('村与党支部')")  # opens the navigation group…
    page.click("a:has-text('星级党组织评定')")  # …and follows its link
    page.wait_for_load_state("networkidle")
    assert "共 24 条" in page.content()
    assert page.locator("text=新增星级党组织评定").count() == 0  # leaders find no edit buttons
    assert_no_horizontal_overflow(page)
    watch.assert_clean()
