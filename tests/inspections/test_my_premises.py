"""An officer's "My premises" rows (templates/inspections/_premises_row.html) and the patrol list
of the officer's home (templates/dashboard/_due_premises_item.html): what each shows, in
Chinese, every value escaped, each row a link to its premises."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from premises.models import Premises
from tests.factories import (
    BusinessTypeFactory,
    GridFactory,
    HazardFactory,
    PremisesFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid():
    officer = UserFactory(role=Role.GRID_OFFICER)
    grid = GridFactory(officers=[officer])
    today = timezone.localdate()
    kind = BusinessTypeFactory(name_zh="<i>小</i>餐饮")
    PremisesFactory(
        grid=grid, name="<b>阿强</b>烧烤", business_type=kind, address="人民路 1 号 & 2 号"
    )
    PremisesFactory(grid=grid, name="老王面馆", last_inspected_at=timezone.now() - timedelta(40),
                    patrol_due_on=today - timedelta(3))  # fmt: skip
    due_today = PremisesFactory(grid=grid, name="便利店", patrol_due_on=today,
                                last_inspected_at=timezone.now())  # fmt: skip
    HazardFactory(premises=due_today)
    HazardFactory(premises=due_today)
    return grid, officer


def test_a_row_shows_its_premises_escaped_with_its_visit_patrol_and_open_hazards(client, grid):
    client.force_login(grid[1])
    body = client.get(reverse("inspections:premises_list")).content.decode()

    assert "&lt;b&gt;阿强&lt;/b&gt;烧烤" in body and "<b>阿强</b>" not in body
    assert "&lt;i&gt;小&lt;/i&gt;餐饮 · 人民路 1 号 &amp; 2 号" in body
    assert body.count("从未检查") == 1  # the barbecue
    assert body.count('<span class="badge text-bg-warning ms-1">待巡查</span>') == 2
    assert "2 条未销号隐患" in body
    assert body.count('class="badge text-bg-danger">') == 1  # only the premises with hazards
    links = re.findall(r'href="(/[^"]*)"><div class="d-flex', _without_space(body))
    shown = Premises.objects.filter(grid=grid[0]).patrol_order()
    assert links == [reverse("inspections:premises_detail", args=[p.pk]) for p in shown]


def test_the_officer_home_lists_the_premises_due_for_a_patrol(client, grid):
    client.force_login(grid[1])
    body = client.get(reverse("home")).content.decode()
    due = re.search(r'<section[^>]*aria-labelledby="due-heading".*?</section>', body, re.S)
    names = re.findall(r'class="item-title stretched-link[^>]*>([^<]*)</a>', due.group(0))
    assert set(names) == {"&lt;b&gt;阿强&lt;/b&gt;烧烤", "老王面馆", "便利店"}
    barbecue = re.search(r"<li[^>]*>(?:(?!</li>).)*阿强(?:(?!</li>).)*</li>", due.group(0), re.S)
    assert "从未检查" in barbecue.group(0)
    assert "&lt;i&gt;小&lt;/i&gt;餐饮 · 人民路 1 号 &amp; 2 号" in barbecue.group(0)
    assert 'class="badge risk-badge risk-' in barbecue.group(0)


def _without_space(html: str) -> str:
    return re.sub(r">\s+<", "><", html)
