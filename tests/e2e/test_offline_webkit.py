"""Field work without signal in Safari's engine (WebKit; docs/workflow.md, Offline): the iPhone
case, with no Background Sync. The officer loads My premises, loses the signal, files an
inspection with two hazards and a phone photo, and the filing reaches the server exactly once
when the signal is back and the page is opened again; or, refused because the checklist changed
meanwhile, comes back into the form with its answers and its photo."""

import os
import re

import pytest
from django.urls import reverse

from inspections.models import ChecklistItem, Inspection
from tests.e2e import test_offline, webkit
from tests.e2e.conftest import ARTIFACTS, _in_ci
from tests.e2e.test_field_flow import item_id
from tests.e2e.test_offline import assert_filed_once, big_photo
from tests.e2e.webkit import click, css, visible, wait_for
from tests.factories import DEMO_PASSWORD

restaurant = test_offline.restaurant  # the fixture: an officer, their grid and a restaurant


@pytest.fixture
def driver(live_server, transactional_db):
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


def file_without_signal(driver, signal, premises, tmp_path, name: str) -> None:
    """Lose the signal on My premises, then fill in and save the inspection of the premises:
    FF-01 failed with a location and a 12-megapixel photo, and one hazard of the officer's own."""
    sign_in_on_my_premises(driver, signal.url)
    signal.cut()
    driver.get(f"{signal.url}{reverse('inspections:premises_list')}")
    named = ("partial link text", premises.name)
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
    shot(driver, f"{name}-1-form")
    click(driver, "[data-submit]")

    wait_for(driver, lambda: visible(driver, "[data-offline-form-notice].alert-warning"), "kept")
    count = "[data-outbox-count]"
    wait_for(driver, lambda: css(driver, count)[0].text == "1", "one filing in the outbox")
    shot(driver, f"{name}-2-waiting")
    assert not Inspection.objects.exists()


def at_rest(driver) -> None:
    wait_for(driver, lambda: css(driver, "html[data-offline-idle=yes]"), "the page at rest")


def test_inspection_filed_without_signal_reaches_the_server_once_in_webkit(
    live_server, restaurant, driver, signal, tmp_path
):
    assert driver.execute_script("return typeof SyncManager") == "undefined"  # as on an iPhone
    file_without_signal(driver, signal, restaurant, tmp_path, "webkit-offline")

    signal.restore()
    driver.get(f"{signal.url}{reverse('inspections:outbox')}")  # sent on page load

    wait_for(driver, lambda: visible(driver, "[data-outbox-empty]"), "the outbox emptied")
    shot(driver, "webkit-offline-3-sent")
    assert_filed_once(restaurant)
    at_rest(driver)


def test_checklist_changed_meanwhile_reopens_the_form_with_the_photo_in_webkit(
    live_server, restaurant, driver, signal, tmp_path
):
    file_without_signal(driver, signal, restaurant, tmp_path, "webkit-checklist")
    ChecklistItem.objects.filter(code="FF-01").update(active=False)

    signal.restore()
    driver.get(f"{signal.url}{reverse('inspections:outbox')}")
    entry = "[data-outbox-entry] [data-outbox-problem]"
    wait_for(driver, lambda: visible(driver, entry), "the server's refusal, in the outbox")
    shot(driver, "webkit-checklist-3-conflict")
    click(driver, "[data-outbox-entry] a.btn-primary")

    # The current form has no FF-01: its finding comes back as another hazard, with its photo
    # put back into the file input from the phone's storage.
    wait_for(driver, lambda: visible(driver, "[data-offline-form-notice].alert-info"), "restored")
    value = "return document.querySelector(arguments[0]).value"
    assert driver.execute_script(value, "#id_extra-0-description") == "电动车在店内充电"
    assert "FF-01" in driver.execute_script(value, "#id_extra-1-description")
    assert driver.execute_script(value, "#id_extra-1-location") == "后厨门口"
    files = "return document.querySelector('#id_extra-1-photos').files.length"
    assert driver.execute_script(files) == 1
    shot(driver, "webkit-checklist-4-restored")
    click(driver, "[data-submit]")

    wait_for(driver, lambda: visible(driver, ".alert-success"), "filed")
    hazards = list(Inspection.objects.get().hazards.order_by("pk"))
    assert [h.checklist_item for h in hazards] == [None, None]
    assert hazards[1].location == "后厨门口"
    assert hazards[1].photos.count() == 1
    at_rest(driver)
