"""The registry list: who may open it, what each filter keeps, and what it costs."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from premises.models import Premises
from tests.factories import (
    BusinessTypeFactory,
    GridFactory,
    PremisesFactory,
    TagFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

# Session, user, roles (context processor + decorator), the filter form's four choice lists
# (village, grid, business type, tag), COUNT, the page, its tags: none per row.
LIST_QUERIES = 14


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(role=Role.REGISTRY_ADMIN))
    return client


def names(response) -> set[str]:
    return {premises.name for premises in response.context["page"].object_list}


@pytest.mark.parametrize(
    "role",
    [Role.GRID_OFFICER, Role.VILLAGE_LEADER, Role.DEPARTMENT_OFFICER, Role.SAFETY_OFFICE, None],
)
def test_other_roles_get_403_on_every_registry_page(client, role):
    premises = PremisesFactory()
    client.force_login(UserFactory(role=role))
    pages = [
        reverse("premises:list"),
        reverse("premises:create"),
        reverse("premises:detail", args=[premises.pk]),
        reverse("premises:edit", args=[premises.pk]),
        reverse("premises:move", args=[premises.pk]),
        reverse("premises:history", args=[premises.pk]),
        reverse("premises:import"),
        reverse("premises:import_template", args=["xlsx"]),
        reverse("premises:labels"),
        reverse("premises:grids:index"),
        reverse("premises:grids:user_list"),
    ]

    for page in pages:
        assert client.get(page).status_code == 403, page
    assert client.post(reverse("premises:status", args=[premises.pk])).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("premises:list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_superuser_reaches_the_registry_and_sees_the_nav_link(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    response = client.get(reverse("premises:list"))

    assert response.status_code == 200
    assert f'href="{reverse("premises:list")}"' in response.content.decode()


def test_registry_admin_sees_the_whole_town_with_risk_badges(admin_client):
    PremisesFactory(name="甲", risk_level="red")
    PremisesFactory(name="乙", status=Premises.Status.CLOSED)

    response = admin_client.get(reverse("premises:list"))

    assert names(response) == {"甲", "乙"}
    assert 'class="badge risk-badge risk-red"' in response.content.decode()


def test_each_filter_keeps_only_its_premises(admin_client):
    today = timezone.localdate()
    village = VillageFactory()
    grid = GridFactory(village=village)
    food = BusinessTypeFactory()
    lpg = TagFactory()
    PremisesFactory(
        name="全有",
        grid=grid,
        business_type=food,
        tags=[lpg],
        risk_level="orange",
        commitment_signed_on=today,
        insurance_expires_on=today + timedelta(days=200),
        last_inspected_at=timezone.now(),
    )
    PremisesFactory(name="无承诺书", insurance_expires_on=today + timedelta(days=10))
    PremisesFactory(name="已过期", insurance_expires_on=today - timedelta(days=1))
    PremisesFactory(name="停业", status=Premises.Status.SUSPENDED, last_inspected_at=timezone.now())
    cases = {
        "village": (village.pk, {"全有"}),
        "grid": (grid.pk, {"全有"}),
        "business_type": (food.pk, {"全有"}),
        "tag": (lpg.pk, {"全有"}),
        "risk_level": ("orange", {"全有"}),
        "status": ("suspended", {"停业"}),
        "commitment_missing": ("true", {"无承诺书", "已过期", "停业"}),
        "insurance_expiring": ("true", {"无承诺书", "已过期"}),
        "never_inspected": ("true", {"无承诺书", "已过期"}),
        "q": ("承诺", {"无承诺书"}),
    }

    for name, (value, expected) in cases.items():
        response = admin_client.get(reverse("premises:list"), {name: value})
        assert names(response) == expected, name


def test_list_queries_do_not_grow_with_the_page(admin_client, django_assert_max_num_queries):
    for _n in range(30):
        PremisesFactory(tags=[TagFactory()])

    with django_assert_max_num_queries(LIST_QUERIES):
        response = admin_client.get(reverse("premises:list"))

    assert len(response.context["page"].object_list) == 30


@pytest.mark.parametrize(
    ("role", "shown"), [(Role.REGISTRY_ADMIN, True), (Role.SAFETY_OFFICE, False)]
)
def test_the_registry_nav_link_is_shown_to_registry_admins_only(client, role, shown):
    client.force_login(UserFactory(role=role))

    html = client.get(reverse("home")).content.decode()

    assert (f'href="{reverse("premises:list")}"' in html) is shown
