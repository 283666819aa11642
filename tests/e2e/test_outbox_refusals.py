"""The phone's outbox stops sending a filing the server will never take, and tells the officer, in
real Chromium (static/js/outbox.js): a body the server refuses as it is (a 4xx without a JSON
answer) at once, and one the server keeps failing on after three server errors in a row. Only a
missing signal is waited out without limit; either way the officer decides what happens next."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from inspections.models import Inspection
from tests.e2e import test_offline
from tests.e2e.test_offline import settle, sign_in_on_my_premises

restaurant = test_offline.restaurant  # the fixture: an officer, their grid and a restaurant

SERVER_ERROR_PAGE = "<!doctype html><title>Server Error (500)</title><h1>Server Error (500)</h1>"


def inspection_url(live_server, premises) -> str:
    return f"{live_server.url}{reverse('inspections:inspection_new', args=[premises.pk])}"


def count_filings(page, premises) -> list[str]:
    """Every filing POST the page sends for the premises, as it leaves the browser."""
    path = reverse("inspections:inspection_new", args=[premises.pk])
    posts: list[str] = []
    page.on(
        "request", lambda r: r.method == "POST" and r.url.endswith(path) and posts.append(r.url)
    )
    return posts


def file_online(page, live_server, premises) -> str:
    """Fill in the form with every item passed and save it; return the filing's key."""
    page.goto(inspection_url(live_server, premises))
    page.locator("[data-all-pass]").click()
    key = page.locator("input[name=idempotency_key]").input_value()
    page.locator("[data-submit]").click()
    return key


def sync_again(page, live_server) -> None:
    """Every way the page sends the outbox by itself or on the officer's word: "send now", a
    page load and the signal coming back."""
    page.locator("[data-outbox-send]").click()
    settle(page)
    page.goto(f"{live_server.url}{reverse('inspections:outbox')}")
    settle(page)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    settle(page)


def test_filing_the_server_refuses_is_shown_and_not_sent_again(
    live_server, restaurant, phone_page, shot, settings
):
    page = phone_page
    sign_in_on_my_premises(page, live_server)
    # The real server's own refusal: Django answers a body with more fields than allowed with its
    # HTML "Bad Request (400)" page, before the view sees it.
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    posts = count_filings(page, restaurant)

    key = file_online(page, live_server, restaurant)

    notice = page.locator("[data-offline-form-notice].alert-danger")
    expect(notice).to_contain_text("400")
    assert len(posts) == 1
    shot(page, "outbox-refused-1-form")
    page.locator("[data-outbox-badge]").click()
    entry = page.locator(f"[data-outbox-entry='{key}']")
    expect(entry).to_have_attribute("data-outbox-status", "conflict")
    expect(entry.locator("[data-outbox-problem=refused]")).to_contain_text("400")
    expect(page.locator("[data-outbox-badge]")).to_have_class(re.compile(r"\bbtn-danger\b"))
    shot(page, "outbox-refused-2-outbox")

    sync_again(page, live_server)

    expect(
        page.locator(f"[data-outbox-entry='{key}'] [data-outbox-problem=refused]")
    ).to_be_visible()
    assert len(posts) == 1
    assert not Inspection.objects.exists()

    # The officer corrects it: the form opens with the kept answers and the same key, and once
    # the server takes it again the filing arrives once.
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
    page.locator(f"[data-outbox-entry='{key}'] [data-outbox-restore]").click()
    expect(page.locator("[data-offline-form-notice].alert-info")).to_contain_text("400")
    assert page.locator("input[name=idempotency_key]").input_value() == key
    page.locator("[data-submit]").click()

    # Filed, the page opens the visit by itself; going elsewhere before that would cut it short.
    page.wait_for_url(re.compile(r"/inspections/\d+/$"))
    settle(page)
    page.goto(f"{live_server.url}{reverse('inspections:outbox')}")
    expect(page.locator("[data-outbox-empty]")).to_be_visible()
    assert str(Inspection.objects.get().idempotency_key) == key
    assert len(posts) == 2
    settle(page)


def test_repeated_server_errors_stop_the_retries_until_the_officer_tries_again(
    live_server, restaurant, phone_page, shot
):
    page = phone_page
    # Without Background Sync (as in Safari) the page alone sends, when the test tells it to: a
    # send cut short by leaving the page has its answer never recorded, and would not count.
    page.context.add_init_script("delete window.SyncManager")
    sign_in_on_my_premises(page, live_server)
    posts = count_filings(page, restaurant)
    failed = []

    def server_error(route):
        # The server failing on this filing, every time (faked: the real one has no such bug).
        if route.request.method != "POST":
            route.fallback()
            return
        failed.append(route.request.url)
        route.fulfill(status=500, content_type="text/html", body=SERVER_ERROR_PAGE)

    page.route("**/inspect/", server_error)

    key = file_online(page, live_server, restaurant)

    # A first server error may pass: the filing waits, and is sent again.
    expect(page.locator("[data-offline-form-notice].alert-warning")).to_be_visible()
    assert len(failed) == 1
    page.goto(f"{live_server.url}{reverse('inspections:outbox')}")  # sent again on page load
    settle(page)
    assert len(failed) == 2
    entry = page.locator(f"[data-outbox-entry='{key}']")
    expect(entry).to_have_attribute("data-outbox-status", "waiting")
    page.locator("[data-outbox-send]").click()
    settle(page)

    # The third in a row: the outbox stops, and says so.
    assert len(failed) == 3
    problem = entry.locator("[data-outbox-problem=server_error]")
    expect(problem).to_contain_text("500")
    expect(problem).to_contain_text("3")
    expect(page.locator("[data-outbox-badge]")).to_have_class(re.compile(r"\bbtn-danger\b"))
    shot(page, "outbox-server-error-1-outbox")
    sync_again(page, live_server)
    expect(page.locator(f"[data-outbox-entry='{key}']")).to_have_attribute(
        "data-outbox-status", "conflict"
    )
    assert len(failed) == 3
    assert len(posts) == 3
    assert not Inspection.objects.exists()

    # The server works again; the officer tries once by hand and the filing arrives once.
    page.unroute("**/inspect/")
    page.locator(f"[data-outbox-entry='{key}'] [data-outbox-retry]").click()

    expect(page.locator("[data-outbox-empty]")).to_be_visible()
    expect(page.locator("[data-outbox-badge]")).to_be_hidden()
    settle(page)
    assert len(posts) == 4
    assert Inspection.objects.count() == 1
    assert str(Inspection.objects.get().idempotency_key) == key
    shot(page, "outbox-server-error-2-sent")
