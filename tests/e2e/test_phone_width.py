"""On a phone: a premises with the reference data's longest tag (三合一/多合一…) must not make
the page scroll sideways (Bootstrap's badges never wrap; this one is wider than a 375-pixel
screen), and the unread count stands in the top bar, not inside the collapsed menu."""

import pytest
from django.apps import apps
from django.urls import reverse

from accounts.roles import Role, sync_role_groups
from inspections.reference import load_reference
from notifications.models import Notification
from premises.models import Tag
from tests.e2e.conftest import login
from tests.factories import GridFactory, NotificationFactory, PremisesFactory, UserFactory

PHONE_WIDTH = 375


@pytest.fixture
def premises(transactional_db):
    sync_role_groups(apps)  # a flushed transactional database has lost the role groups
    load_reference()
    UserFactory(username="registry", role=Role.REGISTRY_ADMIN)
    grid = GridFactory(officers=[UserFactory(username="officer", role=Role.GRID_OFFICER)])
    longest = max(Tag.objects.all(), key=lambda tag: len(tag.name_zh))
    site = PremisesFactory(grid=grid, name="南湖夜市烤串摊")
    site.tags.set([longest])
    return site


def width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_premises_with_a_long_tag_fits_a_phone(live_server, premises, phone_page, shot):
    pages = {
        "registry": [reverse("premises:list"), reverse("premises:detail", args=[premises.pk])],
        "officer": [reverse("inspections:premises_detail", args=[premises.pk])],
    }
    for username, paths in pages.items():
        for path in paths:
            login(phone_page, live_server.url, username, path)
            assert premises.tags.get().name_zh in phone_page.inner_text("main")
            assert width(phone_page) <= PHONE_WIDTH, f"{path} scrolls sideways on a phone"
    shot(phone_page, "premises-long-tag-phone")


def test_the_unread_count_shows_in_the_top_bar_of_a_phone(live_server, premises, phone_page):
    officer = premises.grid.officers.get()
    NotificationFactory.create_batch(2, recipient=officer)
    login(phone_page, live_server.url, "officer", reverse("home"))

    count = phone_page.locator("nav [data-unread-count]")
    assert count.is_visible() and count.inner_text() == "2"
    assert not phone_page.locator("#main-nav").is_visible()  # the menu is still folded
    box = phone_page.locator("nav [data-inbox-link]").bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    assert box["x"] + box["width"] <= PHONE_WIDTH
    phone_page.locator("nav [data-inbox-link]").click()
    phone_page.wait_for_url(f"**{reverse('notifications:inbox')}")
    assert phone_page.locator(".list-group-item").count() == 2
    assert Notification.objects.filter(recipient=officer, read_at=None).count() == 2
