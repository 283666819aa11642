"""Real headless Chromium through Playwright's sync API, against pytest-django's live_server.

Chromium comes from the system (`apt-get install -y chromium`), never from `playwright install`.
Without it the browser tests skip, except in CI (CI=true), where they fail.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.urls import reverse

from tests.factories import DEMO_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
E2E_DIR = Path(__file__).resolve().parent
TIMEOUT_MS = 30_000  # generous: CI shares 2 cores with PostgreSQL, Redis and Chromium


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/e2e/ carries the e2e mark: `pytest -m "not e2e"` leaves them out.
    CI runs them in its SQLite run only, so none may need PostgreSQL (docs/architecture.md,
    Tests): it would run nowhere."""
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)
            if item.get_closest_marker("postgresql"):
                raise pytest.UsageError(f"{item.nodeid}: a browser test runs on SQLite in CI")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started once the test database exists. Started before it
    (a browser test run on its own, on SQLite), it took the database for the in-memory one and
    shared one connection among its threads, which crashed Python when two requests overlapped."""
    return live_server


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = "Chromium not installed: apt-get install -y chromium"
        if _in_ci():
            pytest.fail(f"{reason} (CI=true: the browser tests must run)", pytrace=False)
        pytest.skip(reason)
    # Sync Playwright leaves an event loop running in this thread; Django's ORM would then refuse
    # every later query with SynchronousOnlyOperation (docs/decisions.md).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def _page(browser, **context_options) -> Iterator:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **context_options)
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_page(browser):
    """A phone held by a grid officer: 375×812, touch, Chinese."""
    yield from _page(
        browser,
        viewport={"width": 375, "height": 812},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )


@pytest.fixture
def desktop_page(browser):
    """The town safety office's desk: 1366×768, Chinese."""
    yield from _page(browser, viewport={"width": 1366, "height": 768})


def login(page, base: str, username: str, next_path: str) -> None:
    """Sign in on the login page (demo password) and land on next_path (a path, with or without
    a query)."""
    page.context.clear_cookies()
    page.goto(f"{base}{reverse('accounts:login')}?next={quote(next_path)}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    landing = urlsplit(next_path).path
    page.wait_for_url(lambda url: urlsplit(url).path == landing)


def shot(page, name: str) -> Path:
    """Save a full-page screenshot as test-artifacts/<name>.png (git-ignored); return the path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(name="shot")
def shot_fixture() -> Callable:
    """The `shot(page, name)` helper, for tests that prefer fixtures to imports."""
    return shot
