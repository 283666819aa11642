"""The town safety office's dashboard in a real browser: the office's town and a leader's
village, on a desk screen and a phone, with the trend chart drawn by Chart.js and a card's
number opening the ledger rows behind it."""

import pytest
from django.apps import apps
from django.urls import reverse
from playwright.sync_api import expect

from accounts.roles import sync_role_groups
from tests.dashboard import known_town
from tests.e2e.conftest import login

PERIOD = "?period=custom&start=2026-01-01&end=2026-07-31"


@pytest.fixture
def town(transactional_db):
    sync_role_groups(apps)  # a flushed transactional database has lost the role groups
    return known_town.build()


def chart_is_drawn(page) -> None:
    expect(page.locator("#trend-chart")).to_be_visible()
    drawn = page.evaluate(
        "() => { const c = document.getElementById('trend-chart');"
        " return !!window.Chart && !!window.Chart.getChart(c) && c.width > 0; }"
    )
    assert drawn


def test_office_dashboard_on_the_desk_and_its_drilldown(live_server, town, desktop_page, shot):
    page = desktop_page
    path = reverse("dashboard:index") + PERIOD
    login(page, live_server.url, "office", path)

    expect(page.locator("[data-scope-title]")).to_have_text("平安镇")
    expect(page.locator("a[data-kpi=found]")).to_have_attribute("data-count", "7")
    expect(page.locator("a[data-kpi=inspections]")).to_have_attribute("data-count", "4")
    expect(page.locator("[data-ranking] tbody tr")).to_have_count(2)
    chart_is_drawn(page)
    shot(page, "dashboard-office-desktop")

    page.locator("a[data-kpi=found]").click()
    page.wait_for_url("**/ledger/**")
    expect(page.locator("[data-ledger-count]")).to_have_attribute("data-ledger-count", "7")


def test_office_dashboard_on_a_phone(live_server, town, phone_page, shot):
    login(phone_page, live_server.url, "office", reverse("dashboard:index") + PERIOD)

    chart_is_drawn(phone_page)
    width = phone_page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, "the page must not scroll sideways on a phone"
    shot(phone_page, "dashboard-office-phone")


def test_leader_dashboard_shows_own_village_by_grid(
    live_server, town, desktop_page, phone_page, shot
):
    for page, name in ((desktop_page, "desktop"), (phone_page, "phone")):
        login(page, live_server.url, "leader", reverse("dashboard:index") + PERIOD)

        expect(page.locator("[data-scope-title]")).to_have_text("东村")
        expect(page.locator("a[data-kpi=found]")).to_have_attribute("data-count", "4")
        expect(page.locator("[data-ranking] tbody tr")).to_have_count(2)
        expect(page.locator("body")).not_to_contain_text("西村")
        chart_is_drawn(page)
        shot(page, f"dashboard-leader-{name}")


def test_monthly_report_prints_on_a4(live_server, town, desktop_page, shot):
    page = desktop_page
    login(page, live_server.url, "office", reverse("dashboard:index") + PERIOD)
    page.goto(f"{live_server.url}{reverse('dashboard:report')}?month=2026-07")

    expect(page.locator("[data-paragraph]").first).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    shot(page, "dashboard-report-print")
