"""Field work without signal, in real Chromium (docs/workflow.md, Offline): an officer
loads My premises, loses the signal, files an inspection with two hazards and a photo, reloads
the page offline, and the filing reaches the server exactly once when the signal returns — also
when the answer to the first send is lost on the way back."""

import re

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from accounts.roles import Role
from hazards.models import Hazard, HazardPhoto
from inspections.models import ChecklistItem, Inspection
from inspections.reference import load_reference
from premises.models import BusinessType, Premises, Tag
from tests.e2e.test_field_flow import fail
from tests.factories import DEMO_PASSWORD, GridFactory, PremisesFactory, UserFactory

KEPT_PHOTO = """async () => {
  const [entry] = await GridwatchOutbox.all();
  const file = entry.files[0];
  const bitmap = await createImageBitmap(new Blob([file.data], {type: file.type}));
  return {type: file.type, width: bitmap.width, height: bitmap.height};
}"""


def big_photo(tmp_path) -> str:
    """A 12-megapixel phone photo (4000×3000), as a camera would give it."""
    path = tmp_path / "IMG_0001.jpg"
    Image.new("RGB", (4000, 3000), "red").save(path, "JPEG", quality=95)
    return str(path)


@pytest.fixture
def restaurant(transactional_db):
    load_reference()
    officer = UserFactory(username="officer", full_name="李网格", role=Role.GRID_OFFICER)
    grid = GridFactory(officers=[officer], name="第一网格")
    PremisesFactory(
        grid=grid, name="张姐理发店", business_type=BusinessType.objects.get(code="FOOD")
    )
    return PremisesFactory(
        grid=grid,
        name="老王小吃店",
        address="东岭村振兴路18号",
        business_type=BusinessType.objects.get(code="FOOD"),
        tags=[Tag.objects.get(code="USES_LPG")],
    )


def sign_in_on_my_premises(page, live_server) -> None:
    """Log in as `officer`, land on My premises and wait until the phone keeps the offline data."""
    page.goto(f"{live_server.url}{reverse('inspections:premises_list')}")
    page.fill("input[name=username]", "officer")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page.locator("h1")).to_contain_text("我的场所")
    wait_ready(page)


def file_without_signal(page, live_server, premises, tmp_path, shot, name: str) -> None:
    page.context.set_offline(True)
    page.goto(f"{live_server.url}{reverse('inspections:premises_list')}")
    page.get_by_role("link", name=premises.name).click()
    page.locator("[data-shell-inspect]").click()
    expect(page.locator("[data-shell-view=form] h1")).to_have_text(premises.name)
    page.locator("[data-all-pass]").click()
    ext = fail(page, "FF-01")
    page.fill(f"#id_{ext}-location", "后厨门口")
    page.set_input_files(f"#id_{ext}-photos", big_photo(tmp_path))
    page.fill("#id_extra-0-description", "电动车在店内充电")
    shot(page, f"{name}-1-form-offline")
    page.locator("[data-submit]").click()

    # The words are new msgids the lead translates: check the state, not the wording.
    expect(page.locator("[data-offline-form-notice].alert-warning")).to_be_visible()
    expect(page.locator("[data-inspection-form]")).to_be_hidden()
    expect(page.locator("[data-outbox-count]")).to_have_text("1")
    shot(page, f"{name}-2-waiting")
    page.reload()
    expect(page.locator("[data-outbox-badge]")).to_be_visible()
    expect(page.locator("[data-outbox-count]")).to_have_text("1")
    assert not Inspection.objects.exists()
    # The photo was shrunk on the phone before it was kept: a JPEG of at most 2048 px.
    kept = page.evaluate(KEPT_PHOTO)
    assert kept["type"] == "image/jpeg" and max(kept["width"], kept["height"]) == 2048


def wait_ready(page) -> None:
    """The phone keeps the officer's offline data and the worker controls the page. (No
    wait_for_function: the Content Security Policy forbids the eval it needs.)"""
    expect(page.locator("html[data-offline-ready=yes]")).to_be_attached()
    wait_until(page, lambda: page.evaluate("navigator.serviceWorker.controller !== null"))


def settle(page) -> None:
    """Wait until the page no longer talks to the server in the background: the test database
    is emptied after the test, and a request still running would hold it."""
    expect(page.locator("html[data-offline-idle=yes]")).to_be_attached()


def wait_until(page, condition, timeout_ms: int = 10_000) -> None:
    """Let the page run (and Playwright's route handlers with it) until the condition holds."""
    for _ in range(timeout_ms // 100):
        if condition():
            return
        page.wait_for_timeout(100)
    raise AssertionError("timed out")


def assert_filed_once(premises) -> None:
    inspection = Inspection.objects.get()
    assert inspection.premises_id == premises.pk
    hazards = list(Hazard.objects.order_by("pk"))
    assert [h.checklist_item.code if h.checklist_item else None for h in hazards] == ["FF-01", None]
    assert hazards[0].location == "后厨门口"
    assert hazards[1].description == "电动车在店内充电"
    photos = HazardPhoto.objects.filter(hazard=hazards[0])
    assert photos.count() == 1
    assert max(photos.get().image.width, photos.get().image.height) <= 2048
    assert not HazardPhoto.objects.filter(hazard__isnull=True).exists()


def test_inspection_filed_without_signal_reaches_the_server_once(
    live_server, restaurant, phone_page, shot, tmp_path
):
    page = phone_page
    sign_in_on_my_premises(page, live_server)
    file_without_signal(page, live_server, restaurant, tmp_path, shot, "offline")

    page.context.set_offline(False)

    expect(page.locator("[data-outbox-badge]")).to_be_hidden()
    shot(page, "offline-3-sent")
    assert_filed_once(restaurant)
    settle(page)


def test_lost_answer_to_the_first_send_still_files_once(
    live_server, restaurant, phone_page, shot, tmp_path
):
    page = phone_page
    sign_in_on_my_premises(page, live_server)
    file_without_signal(page, live_server, restaurant, tmp_path, shot, "offline-lost")
    answered = []

    def drop_answer(route):
        # The filing reaches the server; its answer never reaches the phone.
        answered.append(route.fetch().status)
        route.abort("connectionreset")

    posts = []
    page.on("request", lambda r: r.method == "POST" and posts.append(r.url))
    page.route("**/inspect/", drop_answer, times=1)
    page.context.set_offline(False)

    wait_until(page, lambda: answered)
    assert answered == [200]
    assert Inspection.objects.count() == 1
    # Sent again (by the retry, Background Sync or "send now"): the server files nothing twice.
    page.goto(f"{live_server.url}{reverse('inspections:outbox')}")
    page.locator("[data-outbox-send]").click()
    expect(page.locator("[data-outbox-empty]")).to_be_visible()
    expect(page.locator("[data-outbox-badge]")).to_be_hidden()
    shot(page, "offline-lost-3-outbox-empty")
    assert len(posts) >= 2
    assert_filed_once(restaurant)
    settle(page)


def test_premises_closed_meanwhile_is_shown_and_kept(
    live_server, restaurant, phone_page, shot, tmp_path
):
    page = phone_page
    sign_in_on_my_premises(page, live_server)
    file_without_signal(page, live_server, restaurant, tmp_path, shot, "offline-conflict")
    Premises.objects.filter(pk=restaurant.pk).update(status=Premises.Status.CLOSED)

    page.context.set_offline(False)

    badge = page.locator("[data-outbox-badge]")
    expect(badge).to_have_class(re.compile(r"\bbtn-danger\b"))
    badge.click()
    problem = page.locator("[data-outbox-problem]")
    expect(problem).to_contain_text("老王小吃店")
    expect(page.locator("[data-outbox-entry]")).to_have_count(1)
    shot(page, "offline-4-conflict")
    assert not Inspection.objects.exists()
    settle(page)


def test_checklist_changed_meanwhile_reopens_the_form_with_the_answers(
    live_server, restaurant, phone_page, shot, tmp_path
):
    page = phone_page
    sign_in_on_my_premises(page, live_server)
    file_without_signal(page, live_server, restaurant, tmp_path, shot, "offline-checklist")
    ChecklistItem.objects.filter(code="FF-01").update(active=False)

    page.context.set_offline(False)

    badge = page.locator("[data-outbox-badge]")
    expect(badge).to_have_class(re.compile(r"\bbtn-danger\b"))
    badge.click()
    entry = page.locator("[data-outbox-entry]")
    expect(entry.locator("[data-outbox-problem]")).to_be_visible()
    shot(page, "offline-checklist-3-conflict")
    entry.locator("a.btn-primary").click()

    # The current form has no FF-01: its finding comes back as another hazard, with its photo.
    expect(page.locator("[data-offline-form-notice].alert-info")).to_be_visible()
    expect(page.locator("#id_extra-0-description")).to_have_value("电动车在店内充电")
    expect(page.locator("#id_extra-1-description")).to_have_value(re.compile("FF-01"))
    expect(page.locator("#id_extra-1-location")).to_have_value("后厨门口")
    assert page.locator("#id_extra-1-photos").evaluate("input => input.files.length") == 1
    shot(page, "offline-checklist-4-restored")
    page.locator("[data-submit]").click()

    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("[data-outbox-badge]")).to_be_hidden()
    inspection = Inspection.objects.get()
    hazards = list(inspection.hazards.order_by("pk"))
    assert [h.checklist_item for h in hazards] == [None, None]
    assert hazards[1].location == "后厨门口"
    assert hazards[1].photos.count() == 1
    settle(page)


def test_browser_without_storage_says_so_and_files_online(
    live_server, restaurant, phone_page, shot
):
    page = phone_page
    page.context.add_init_script(
        "Object.defineProperty(window, 'indexedDB', {value: undefined, configurable: true})"
    )
    page.goto(f"{live_server.url}{reverse('inspections:inspection_new', args=[restaurant.pk])}")
    page.fill("input[name=username]", "officer")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("input[name=password]").press("Enter")

    expect(page.locator("[data-offline-unsupported]")).to_be_visible()
    shot(page, "offline-5-unsupported")
    page.locator("[data-all-pass]").click()
    page.locator("[data-submit]").click()

    expect(page.locator(".alert-success")).to_be_visible()
    assert Inspection.objects.count() == 1
    settle(page)
