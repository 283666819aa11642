"""Field work without signal in Safari's engine (WebKit; docs/workflow.md, Offline): the iPhone
case, with no Background Sync. The officer loads My premises, loses the signal, files an
inspection with two hazards and a phone photo, and the filing reaches the server exactly once
when the signal is back and the page is opened again."""

import os
import re

import pytest
from django.urls import reverse
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from inspections.models import Inspection
from tests.e2e import test_offline, webkit
from tests.e2e.conftest import ARTIFACTS, _in_ci
from tests.e2e.test_field_flow import item_id
from tests.e2e.test_offline import assert_filed_once, big_photo
from tests.factories import DEMO_PASSWORD

restaurant = test_offline.restaurant  # the fixture: an officer, their grid and a restaurant
WAIT_SECONDS = 30  # generous: CI shares 2 cores with the database and the browser


@pytest.fixture
def driver(live_server):
    """A phone for one test, closed before the test database is emptied: a page still talking
    to the live server meanwhile would crash SQLite's flush."""
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


def wait_for(driver, condition, message: str) -> None:
    """Until it holds; a page that redraws meanwhile is looked at again."""
    redrawn = (StaleElementReferenceException,)
    wait = WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.1, ignored_exceptions=redrawn)
    wait.until(lambda _driver: condition(), message)


def css(driver, selector: str):
    return driver.find_elements(By.CSS_SELECTOR, selector)


def visible(driver, selector: str) -> bool:
    return any(element.is_displayed() for element in css(driver, selector))


def click(driver, selector: str) -> None:
    """Tap it, scrolled into view first: WebKitWebDriver does not scroll by itself, and the
    page's smooth scrolling would still be moving it."""
    element = css(driver, selector)[0]
    into_view = "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})"
    driver.execute_script(into_view, element)
    element.click()


def shot(driver, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def sign_in_on_my_premises(driver, base: str) -> None:
    driver.get(f"{base}{reverse('inspections:premises_list')}")
    css(driver, "input[name=username]")[0].send_keys("officer")
    password = css(driver, "input[name=password]")[0]
    password.send_keys(DEMO_PASSWORD)
    password.submit()
    wait_for(driver, lambda: "我的场所" in driver.find_element(By.TAG_NAME, "h1").text, "login")
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
    named = (By.PARTIAL_LINK_TEXT, restaurant.name)
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
