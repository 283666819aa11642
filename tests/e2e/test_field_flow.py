"""An officer files an inspection on a phone: scan the QR link, fail two items with photos, fix
one hazard on the spot, and find the hazards afterwards (docs/workflow.md, Filing a visit)."""

from io import BytesIO

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from accounts.roles import Role
from hazards.models import Hazard, HazardPhoto
from inspections.models import ChecklistItem, Inspection
from inspections.reference import load_reference
from premises.models import BusinessType, Tag
from tests.factories import DEMO_PASSWORD, GridFactory, PremisesFactory, UserFactory


def photo(tmp_path, name: str, color: str) -> str:
    path = tmp_path / name
    buffer = BytesIO()
    Image.new("RGB", (1600, 1200), color).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


@pytest.fixture
def restaurant(transactional_db):
    load_reference()
    officer = UserFactory(username="officer", full_name="李网格", role=Role.GRID_OFFICER)
    grid = GridFactory(officers=[officer], name="第一网格")
    return PremisesFactory(
        grid=grid,
        name="老王小吃店",
        address="东岭村振兴路18号",
        business_type=BusinessType.objects.get(code="FOOD"),
        tags=[Tag.objects.get(code="USES_LPG")],
    )


def item_id(code: str) -> int:
    return ChecklistItem.objects.get(code=code).pk


def fail(page, code: str) -> str:
    prefix = f"item-{item_id(code)}"
    page.locator(f"label[for=id_{prefix}-answer_1]").click()
    return prefix


def test_officer_files_an_inspection_from_a_phone(
    live_server, restaurant, phone_page, shot, tmp_path
):
    page = phone_page
    page.goto(f"{live_server.url}{reverse('inspections:scan', args=[restaurant.qr_token])}")
    page.fill("input[name=username]", "officer")
    page.fill("input[name=password]", DEMO_PASSWORD)
    shot(page, "field-1-login")
    page.locator("input[name=password]").press("Enter")
    expect(page.locator("h1")).to_contain_text("老王小吃店")
    shot(page, "field-2-premises")

    page.locator(f"a[href='{reverse('inspections:inspection_new', args=[restaurant.pk])}']").click()
    page.locator("[data-all-pass]").click()
    ext = fail(page, "FF-01")
    page.fill(f"#id_{ext}-location", "后厨门口")
    page.set_input_files(f"#id_{ext}-photos", photo(tmp_path, "ext.jpg", "red"))
    hose = fail(page, "GS-06")
    page.set_input_files(f"#id_{hose}-photos", photo(tmp_path, "hose.jpg", "orange"))
    plug = fail(page, "EL-02")
    page.set_input_files(f"#id_{plug}-photos", photo(tmp_path, "plug.jpg", "gray"))
    page.locator(f"#id_{plug}-fixed_on_spot").check()
    page.set_input_files(f"#id_{plug}-fix_photos", photo(tmp_path, "fixed.jpg", "green"))
    shot(page, "field-3-inspection-form")
    page.locator("[data-submit]").click()

    expect(page.locator(".alert-success")).to_be_visible()
    shot(page, "field-4-summary")
    hazards = list(Hazard.objects.order_by("pk"))
    assert Inspection.objects.count() == 1
    assert len(hazards) == 3
    assert HazardPhoto.objects.filter(hazard__isnull=False).count() == 4
    closed = [h for h in hazards if h.status == Hazard.Status.CLOSED]
    assert [h.checklist_item.code for h in closed] == ["EL-02"]
    for hazard in hazards:
        expect(page.locator("body")).to_contain_text(hazard.ledger_number)

    page.goto(f"{live_server.url}{reverse('inspections:premises_detail', args=[restaurant.pk])}")
    open_list = page.locator("#open-heading + ul")
    for hazard in hazards:
        if hazard.is_open:
            expect(open_list).to_contain_text(hazard.ledger_number)
    shot(page, "field-5-premises-after")
