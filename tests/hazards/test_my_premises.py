"""An officer's "My premises" rows and the patrol list of the officer's home
(hazards/templatetags/premises_rows.py): what each shows, in Chinese, every value escaped, and
the same markup the templates' loops made."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import Role
from hazards.templatetags.premises_rows import due_premises_rows, premises_rows
from hazards.views.field import _open_hazard_count
from premises.models import Premises
from tests.factories import (
    BusinessTypeFactory,
    GridFactory,
    HazardFactory,
    PremisesFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROWS_TEMPLATE = (Path(__file__).parent / "premises_rows_template.html").read_text()
DUE_ITEM_TEMPLATE = (
    Path(__file__).parents[1] / "dashboard" / "due_premises_item_template.html"
).read_text()


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


def _rows(grid):
    return list(
        Premises.objects.filter(grid=grid)
        .select_related("business_type")
        .annotate(open_hazards=_open_hazard_count())
        .order_by("pk")
    )


def _without_layout(html: str) -> str:
    """The markup without the whitespace a browser does not show (around block tags, at the
    ends of a span); between inline ones a space shows, and is kept."""
    html = re.sub(r"\s+", " ", html)
    html = re.sub(r"<span> | </span>", lambda m: m.group(0).strip(), html)
    return re.sub(r"\s*(</?(?:div|ul|li|a)\b[^>]*>)\s*", r"\1", html).strip()


def test_the_rows_are_the_template_loop_s_rows(grid):
    rows, today = _rows(grid[0]), timezone.localdate()
    with translation.override("zh-hans"):
        through_template = Template(ROWS_TEMPLATE).render(
            Context({"page": {"object_list": rows}, "today": today})
        )
        assert _without_layout(premises_rows(rows, today)) == _without_layout(through_template)


def test_a_row_shows_its_premises_escaped_with_its_visit_patrol_and_open_hazards(client, grid):
    client.force_login(grid[1])
    body = client.get(reverse("hazards:premises_list")).content.decode()

    assert "&lt;b&gt;阿强&lt;/b&gt;烧烤" in body and "<b>阿强</b>" not in body
    assert "&lt;i&gt;小&lt;/i&gt;餐饮 · 人民路 1 号 &amp; 2 号" in body
    assert body.count("从未检查") == 1  # the barbecue
    assert body.count('<span class="badge text-bg-warning ms-1">待巡查</span>') == 2
    assert "2 条未销号隐患" in body


def test_the_patrol_list_is_the_template_s_items(grid):
    rows = _rows(grid[0])
    item = Template(DUE_ITEM_TEMPLATE)
    with translation.override("zh-hans"):
        through_template = "".join(item.render(Context({"premises": p})) for p in rows)
        html = due_premises_rows(rows)
    assert _without_layout(html) == _without_layout(through_template)
    assert "&lt;b&gt;阿强&lt;/b&gt;烧烤" in html and "从未检查" in html


def test_the_officer_home_lists_the_premises_due_for_a_patrol(client, grid):
    client.force_login(grid[1])
    body = client.get(reverse("home")).content.decode()
    due = re.search(r'<section[^>]*aria-labelledby="due-heading".*?</section>', body, re.S)
    names = re.findall(r'class="item-title stretched-link[^>]*>([^<]*)</a>', due.group(0))
    assert set(names) == {"&lt;b&gt;阿强&lt;/b&gt;烧烤", "老王面馆", "便利店"}
