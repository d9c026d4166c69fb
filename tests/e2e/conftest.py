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
            "--disable-sync", "--no-first-run", "--disable-quic",
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
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(f"console: {msg.text}"))
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("requestfailed", lambda req: self.errors.append(f"requestfailed: {req.url} {req.failure}"))
        page.on("response", self._response)

    def _response(self, response):
        if not response.url.startswith(self.base_url):
            self.errors.append(f"external request: {response.url}")
        elif response.status >= 500:
            self.errors.append(f"{response.status}: {response.url}")

    def assert_clean(self):
        assert self.errors == [], "\n".join(self.errors)


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
