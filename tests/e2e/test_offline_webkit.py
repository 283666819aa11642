"""Field work without signal in Safari's engine (WebKit; docs/workflow.md, Offline): the iPhone
case, with no Background Sync. The officer loads My premises, loses the signal, files an
inspection with two hazards and a phone photo, and the filing reaches the server exactly once
when the signal is back and the page is opened again."""

import os
import re

import pytest
from django.urls import reverse

from inspections.models import Inspection
from tests.e2e import test_offline, webkit
from tests.e2e.conftest import ARTIFACTS, _in_ci
from tests.e2e.test_field_flow import item_id
from tests.e2e.test_offline import assert_filed_once, big_photo
from tests.e2e.webkit import click, css, visible, wait_for
from tests.factories import DEMO_PASSWORD

restaurant = test_offline.restaurant  # the fixture: an officer, their grid and a restaurant


@pytest.fixture
def driver(live_server):
    """A phone for one test, closed before the test database is emptied: a page still talking
    to the live server would hold the database the flush empties."""
    reason = webkit.missing()
    if reason:
        if _in_ci():
            pytest.fail(f"{reason} (CI=true: the WebKit tests must run)", pytrace=False)
        pytest.skip(reason)
    with webkit.virtual_display() as display, webkit.webkit(display) as driver:
        driver.set_window_size(375, 812)  # WebKitGTK keeps it at least ~447 px wide
        yield driver


@pytest.fixture
def signal(live_server, driver):
    relay = webkit.Signal(live_server.url)
    yield relay
    driver.get("about:blank")
    relay.close()


def shot(driver, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def sign_in_on_my_premises(driver, base: str) -> None:
    driver.get(f"{base}{reverse('inspections:premises_list')}")
    css(driver, "input[name=username]")[0].send_keys("officer")
    password = css(driver, "input[name=password]")[0]
    password.send_keys(DEMO_PASSWORD)
    password.submit()
    wait_for(driver, lambda: "我的场所" in css(driver, "h1")[0].text, "login")
    wait_for(driver, lambda: css(driver, "html[data-offline-ready=yes]"), "offline data kept")
    controlled = "return navigator.serviceWorker.controller !== null"
    wait_for(driver, lambda: driver.execute_script(controlled), "the worker controls the page")


def test_inspection_filed_without_signal_reaches_the_server_once_in_webkit(
    live_server, restaurant, driver, signal, tmp_path
):
    assert driver.execute_script("return typeof SyncManager") == "undefined"  # as on an iPhone
    sign_in_on_my_premises(driver, signal.url)

    signal.cut()
    driver.get(f"{signal.url}{reverse('inspections:premises_list')}")
    named = ("partial link text", restaurant.name)
    wait_for(driver, lambda: driver.find_elements(*named), "My premises, offline")
    # When the kept data was saved, in the page's Chinese though the phone speaks English.
    saved = css(driver, "[data-shell-stamp]")[0].text
    assert re.search(r"\d{4}/\d{1,2}/\d{1,2} \d{2}:\d{2}", saved), saved
    driver.find_element(*named).click()
    wait_for(driver, lambda: visible(driver, "[data-shell-inspect]"), "the premises, offline")
    click(driver, "[data-shell-inspect]")
    wait_for(driver, lambda: visible(driver, "[data-all-pass]"), "the form, offline")
    click(driver, "[data-all-pass]")
    prefix = f"item-{item_id('FF-01')}"
    click(driver, f"label[for=id_{prefix}-answer_1]")
    wait_for(driver, lambda: visible(driver, f"#id_{prefix}-location"), "the hazard's fields")
    css(driver, f"#id_{prefix}-location")[0].send_keys("后厨门口")
    css(driver, f"#id_{prefix}-photos")[0].send_keys(os.path.abspath(big_photo(tmp_path)))
    css(driver, "#id_extra-0-description")[0].send_keys("电动车在店内充电")
    shot(driver, "webkit-offline-1-form")
    click(driver, "[data-submit]")

    wait_for(driver, lambda: visible(driver, "[data-offline-form-notice].alert-warning"), "kept")
    count = "[data-outbox-count]"
    wait_for(driver, lambda: css(driver, count)[0].text == "1", "one filing in the outbox")
    shot(driver, "webkit-offline-2-waiting")
    assert not Inspection.objects.exists()

    signal.restore()
    driver.get(f"{signal.url}{reverse('inspections:outbox')}")  # sent on page load

    wait_for(driver, lambda: visible(driver, "[data-outbox-empty]"), "the outbox emptied")
    shot(driver, "webkit-offline-3-sent")
    assert_filed_once(restaurant)
    wait_for(driver, lambda: css(driver, "html[data-offline-idle=yes]"), "the page at rest")
