"""Browser journeys: Debian's Chromium driven by Playwright against the live test server.

Without Chromium the journeys are skipped on a developer's machine but fail in CI
(CI=true), where .ci/run installs it.
"""
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses
# to run there unless told it is safe (it is: the test thread is the only user).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError(f"CI 环境缺少浏览器 {CHROMIUM}：请先 apt-get install -y chromium fonts-noto-cjk")
    skip = pytest.mark.skip(reason=f"没有找到 {CHROMIUM}，跳过浏览器测试")
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic", "--lang=zh-CN",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai", "viewport": LAPTOP}


@pytest.fixture
def demo(transactional_db):
    from django.core.management import call_command

    call_command("load_demo", stdout=open(os.devnull, "w"))


class PageWatch:
    """Collects console errors and failed requests of a page, so a journey can assert there were none."""

    def __init__(self, page, base_url):
        self.errors = []
        self.base_url = base_url
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(
            f"console: {msg.text} ({msg.location.get('url') or page.url})"))
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        # A link that answers with an attachment ends its navigation as a download, which Chromium
        # reports as an aborted request; those URLs are remembered so the abort is not held against the page.
        self.downloads = set()
        page.on("download", lambda download: self.downloads.add(download.url))
        self._aborted = []

    def _failed(self, request):
        if request.failure == "net::ERR_ABORTED" and request.is_navigation_request():
            self._aborted.append(request.url)
        else:
            self.errors.append(f"requestfailed: {request.url} {request.failure}")

    def _response(self, response):
        if not response.url.startswith(self.base_url):
            self.errors.append(f"external request: {response.url}")
        elif response.status >= 500:
            self.errors.append(f"{response.status}: {response.url}")

    def assert_clean(self):
        errors = self.errors + [f"requestfailed: {url} net::ERR_ABORTED" for url in self._aborted
                                if url not in self.downloads]
        assert errors == [], "\n".join(errors)


@pytest.fixture
def watch(page, live_server):
    return PageWatch(page, live_server.url)


def login(page, base_url, username, password="demo12345"):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def assert_no_horizontal_overflow(page):
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"页面横向溢出 {overflow}px"


def open_nav(page):
    """Show the main navigation: on a phone it hides behind the 菜单 toggle."""
    toggle = page.locator("label.nav-toggle-label")
    if toggle.is_visible() and not page.locator("#nav-toggle").is_checked():
        toggle.click()
    assert page.locator("nav.nav").is_visible()


def follow_nav(page, text, group=None):
    """Follow a link of the main navigation (inside the named group when given), as a person would."""
    open_nav(page)
    nav = page.locator("nav.nav")
    if group:
        nav.locator("summary", has_text=group).click()
    nav.get_by_role("link", name=text, exact=True).click()
    page.wait_for_load_state("networkidle")


def download(page, click):
    """The bytes of the file a click downloads, through Playwright's download API."""
    with page.expect_download() as info:
        click()
    with open(info.value.path(), "rb") as handle:
        return handle.read()


def table_rows(table):
    """The cell texts of the body rows of a table (a locator)."""
    return table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim()))")


def card(page, heading):
    """The page section whose heading is exactly `heading`."""
    return page.locator(f"section:has(> h2:text-is('{heading}'))")
