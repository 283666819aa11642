"""The whole closed loop (闭环销号) in a real browser, with four logins.

`officer` reports a general and a major hazard from a phone; `leader` verifies both; `officer`
submits fixes with photos; `leader` rejects the general fix with a reason; `officer` resubmits;
`office` accepts the major one and `leader` the general one. The hazard page's timeline and the
ledger show every step, and the Excel export of the filtered ledger holds the page's rows.
"""

from datetime import timedelta
from io import BytesIO

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import expect

from accounts.roles import Role, sync_role_groups
from hazards.models import Hazard
from inspections.models import ChecklistItem
from tests.e2e.conftest import login
from tests.factories import (
    BusinessTypeFactory,
    ChecklistItemFactory,
    DepartmentFactory,
    GridFactory,
    PremisesFactory,
    UserFactory,
    VillageFactory,
)

S = Hazard.Status


@pytest.fixture
def town(transactional_db):
    sync_role_groups(apps)  # a flushed transactional database has lost the role groups
    officer = UserFactory(username="officer", full_name="陈晓东", role=Role.GRID_OFFICER)
    leader = UserFactory(username="leader", full_name="李建国", role=Role.VILLAGE_LEADER)
    UserFactory(username="office", full_name="王海燕", role=Role.SAFETY_OFFICE)
    fire = DepartmentFactory(name="消防工作站")
    grid = GridFactory(
        name="第一网格",
        officers=[officer],
        village=VillageFactory(name="东岭村", leaders=[leader]),
    )
    items = {
        "general": ChecklistItemFactory(
            code="FF-01",
            text_zh="灭火器数量不足或失效",
            applies_to_all=True,
            default_days=3,
        ),
        "major": ChecklistItemFactory(
            code="EV-01",
            text_zh="安全出口锁闭或堵塞",
            applies_to_all=True,
            severity=ChecklistItem.ItemSeverity.MAJOR,
            default_days=30,
        ),
    }
    premises = PremisesFactory(
        grid=grid,
        name="老王小吃店",
        address="东岭村振兴路18号",
        business_type=BusinessTypeFactory(department=fire),
    )
    return {"premises": premises, "items": items}


def photo(tmp_path, name: str, color: str) -> str:
    path = tmp_path / name
    buffer = BytesIO()
    Image.new("RGB", (1200, 900), color).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def hazard_path(hazard: Hazard) -> str:
    return reverse("hazards:hazard_detail", args=[hazard.pk])


def take(page, action: str, **fields) -> None:
    """Open the action's form on the hazard page, fill it in and send it."""
    form = page.locator(f"details[data-action={action}]")
    if form.get_attribute("open") is None:
        form.locator("summary").click()
    for name, value in fields.items():
        field = page.locator(f"#id_{action}-{name}")
        if name == "photos":
            field.set_input_files(value)
        else:
            field.fill(value)
    form.locator(f"[data-submit={action}]").click()
    expect(page.locator(".alert-success")).to_be_visible()


def status_of(hazard: Hazard) -> str:
    return Hazard.objects.get(pk=hazard.pk).status


def test_the_whole_loop_with_four_logins(
    live_server, town, phone_page, desktop_page, shot, tmp_path
):
    base, premises = live_server.url, town["premises"]
    phone, desk = phone_page, desktop_page

    # 1. officer reports two hazards on the phone.
    login(phone, base, "officer", reverse("inspections:inspection_new", args=[premises.pk]))
    phone.locator("[data-all-pass]").click()
    for name, color in (("general", "red"), ("major", "orange")):
        prefix = f"item-{town['items'][name].pk}"
        phone.locator(f"label[for=id_{prefix}-answer_1]").click()
        phone.set_input_files(f"#id_{prefix}-photos", photo(tmp_path, f"{name}.jpg", color))
    phone.locator("[data-submit]").click()
    expect(phone.locator(".alert-success")).to_be_visible()
    general = Hazard.objects.get(checklist_item=town["items"]["general"])
    major = Hazard.objects.get(checklist_item=town["items"]["major"])
    assert (general.severity, major.severity) == ("general", "major")
    phone.locator(f"a[href='{hazard_path(general)}']").click()
    expect(phone.locator("[data-hazard-status]")).to_be_visible()
    assert not phone.locator("details[data-action]").count()  # an officer cannot verify
    shot(phone, "loop-1-officer-reported")

    # 2. leader verifies both; the major one with its treatment plan.
    login(desk, base, "leader", reverse("hazards:ledger"))
    expect(desk.locator("[data-ledger] .hazard-row")).to_have_count(2)
    shot(desk, "loop-2-leader-ledger")
    desk.goto(f"{base}{hazard_path(general)}")
    take(desk, "verify", note="属实,限期整改")
    desk.goto(f"{base}{hazard_path(major)}")
    plan_deadline = (timezone.localdate() + timedelta(days=30)).isoformat()
    take(
        desk,
        "verify",
        plan_measures="拆除出口处堆放的货架,更换为推闩式安全门",
        plan_funds="3000",
        plan_responsible="王老板",
        plan_deadline=plan_deadline,
        interim_measures="营业期间专人值守出口,保持畅通",
        emergency_plan="发生火情立即疏散顾客并报警",
    )
    assert status_of(general) == status_of(major) == S.RECTIFYING
    shot(desk, "loop-3-leader-verified-major")

    # 3. officer submits both fixes with photos.
    login(phone, base, "officer", hazard_path(general))
    take(phone, "submit_fix", photos=photo(tmp_path, "fixed1.jpg", "green"), note="已补配灭火器")
    phone.goto(f"{base}{hazard_path(major)}")
    take(phone, "submit_fix", photos=photo(tmp_path, "fixed2.jpg", "green"), note="出口已清理")
    assert status_of(general) == status_of(major) == S.SUBMITTED
    shot(phone, "loop-4-officer-submitted")

    # 4. leader rejects the general fix with a reason; the major one is not theirs to review.
    login(desk, base, "leader", hazard_path(major))
    assert not desk.locator("details[data-action=accept]").count()
    desk.goto(f"{base}{hazard_path(general)}")
    take(desk, "reject", reason="灭火器压力表指针在红区,需更换")
    assert status_of(general) == S.RECTIFYING

    # 5. officer resubmits.
    login(phone, base, "officer", hazard_path(general))
    take(phone, "submit_fix", photos=photo(tmp_path, "fixed3.jpg", "blue"), note="已更换新灭火器")

    # 6. office accepts the major one, leader the general one.
    login(desk, base, "office", hazard_path(major))
    take(desk, "accept", note="现场复查合格")
    login(desk, base, "leader", hazard_path(general))
    take(desk, "accept", note="复查合格,予以销号")
    assert status_of(general) == status_of(major) == S.CLOSED

    # The timeline shows each step.
    timeline = desk.locator("[data-timeline] [data-event]")
    actions = [timeline.nth(i).get_attribute("data-event") for i in range(timeline.count())]
    assert actions == ["report", "verify", "submit_fix", "reject", "submit_fix", "accept"]
    expect(desk.locator("[data-timeline]")).to_contain_text("灭火器压力表指针在红区")
    expect(desk.locator(".photo-stages img")).to_have_count(3)  # finding, two fixes, no review
    shot(desk, "loop-5-general-closed")

    # The ledger shows both closed; the export of the filtered ledger holds the same rows.
    desk.goto(f"{base}{reverse('hazards:ledger')}?status=closed")
    rows = desk.locator("[data-ledger] .hazard-row")
    expect(rows).to_have_count(2)
    page_numbers = [rows.nth(i).get_attribute("data-ledger-number") for i in range(2)]
    assert set(page_numbers) == {general.ledger_number, major.ledger_number}
    expect(desk.locator("[data-ledger] .status-closed")).to_have_count(2)
    shot(desk, "loop-6-ledger-closed")
    with desk.expect_download() as download:
        desk.locator("[data-export]").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    saved = tmp_path / "ledger.xlsx"
    download.value.save_as(saved)
    sheet = load_workbook(saved).active
    exported = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert exported == page_numbers
    desk.goto(f"{base}{reverse('hazards:ledger')}?status=rectifying")
    expect(desk.locator("[data-ledger] .hazard-row")).to_have_count(0)
