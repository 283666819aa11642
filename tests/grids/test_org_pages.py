"""Villages, grids, departments and users, as registry admins keep them in the registry pages."""

import pytest
from django.contrib.auth import authenticate
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from grids.models import Department, Grid, Village
from inspections.models import Inspection
from tests.factories import (
    DEMO_PASSWORD,
    DepartmentFactory,
    GridFactory,
    InspectionFactory,
    TownFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Qingshan-2026-grid"


@pytest.fixture
def admin(client):
    user = UserFactory(role=Role.REGISTRY_ADMIN)
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return user


def test_org_index_lists_villages_grids_officers_and_counts_in_few_queries(
    client, admin, django_assert_max_num_queries
):
    for _n in range(3):
        village = VillageFactory(leaders=[UserFactory(role=Role.VILLAGE_LEADER)])
        for _m in range(3):
            GridFactory(village=village, officers=[UserFactory(role=Role.GRID_OFFICER)])
    DepartmentFactory()

    with django_assert_max_num_queries(12):
        response = client.get(reverse("premises:grids:index"))

    assert response.status_code == 200
    html = response.content.decode()
    for grid in Grid.objects.all():
        assert f'data-grid-labels="{grid.pk}"' in html


def test_admin_creates_a_village_and_a_grid_with_its_officers(client, admin):
    town = TownFactory()
    leader = UserFactory(role=Role.VILLAGE_LEADER)
    officer = UserFactory(role=Role.GRID_OFFICER)

    client.post(
        reverse("premises:grids:village_create"),
        {
            "town": town.pk,
            "name": "北山村",
            "code": "BS",
            "kind": "village",
            "leaders": [leader.pk],
        },
    )
    village = Village.objects.get(code="BS")
    response = client.post(
        reverse("premises:grids:grid_create"),
        {"village": village.pk, "name": "第一网格", "code": "BS-1", "officers": [officer.pk]},
    )

    assert response.status_code == 302
    grid = Grid.objects.get(code="BS-1")
    assert list(grid.officers.all()) == [officer]
    assert list(village.leaders.all()) == [leader]


def test_only_users_with_the_matching_role_are_offered(client, admin):
    officer = UserFactory(role=Role.GRID_OFFICER, username="officer-a")
    UserFactory(role=Role.SAFETY_OFFICE, username="office-a")
    UserFactory(role=Role.GRID_OFFICER, username="gone", is_active=False)

    response = client.get(reverse("premises:grids:grid_create"))

    offered = set(response.context["form"].fields["officers"].queryset)
    assert offered == {officer}


def test_a_deactivated_officer_stays_on_the_grid_when_it_is_saved(client, admin):
    gone = UserFactory(role=Role.GRID_OFFICER, is_active=False)
    grid = GridFactory(officers=[gone])

    client.post(
        reverse("premises:grids:grid_edit", args=[grid.pk]),
        {"village": grid.village_id, "name": "改名", "code": grid.code, "officers": [gone.pk]},
    )

    grid.refresh_from_db()
    assert grid.name == "改名"
    assert list(grid.officers.all()) == [gone]


def test_department_members_are_kept_on_the_department(client, admin):
    member = UserFactory(role=Role.DEPARTMENT_OFFICER)

    client.post(
        reverse("premises:grids:department_create"),
        {"name": "消防救援站", "code": "FIRE", "members": [member.pk]},
    )

    assert list(Department.objects.get(code="FIRE").members.all()) == [member]


def test_admin_creates_a_user_with_roles_who_can_then_sign_in(client, admin):
    response = client.post(
        reverse("premises:grids:user_create"),
        {
            "username": "chen",
            "full_name": "陈晓东",
            "phone": "138 5712 0001",
            "email": "",
            "roles": [Role.GRID_OFFICER],
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    user = User.objects.get(username="chen")
    assert response.status_code == 302
    assert user.phone == "13857120001"
    assert user.role_codes == {Role.GRID_OFFICER}
    assert authenticate(username="chen", password=NEW_PASSWORD) == user
    assert not user.is_superuser and not user.is_staff


def test_a_new_user_needs_matching_passwords(client, admin):
    response = client.post(
        reverse("premises:grids:user_create"),
        {"username": "chen", "password1": NEW_PASSWORD, "password2": "other"},
    )

    assert response.context["form"].has_error("password2")
    assert not User.objects.filter(username="chen").exists()


def test_editing_roles_keeps_the_password_unless_a_new_one_is_typed(client, admin):
    user = UserFactory(role=Role.GRID_OFFICER, username="li")

    client.post(
        reverse("premises:grids:user_edit", args=[user.pk]),
        {"username": "li", "full_name": "李", "roles": [Role.VILLAGE_LEADER]},
    )

    user = User.objects.get(pk=user.pk)
    assert user.role_codes == {Role.VILLAGE_LEADER}
    assert user.check_password(DEMO_PASSWORD)


def test_assignments_page_sets_where_a_user_works(client, admin):
    user = UserFactory(role=[Role.GRID_OFFICER, Role.VILLAGE_LEADER])
    grid, village, department = GridFactory(), VillageFactory(), DepartmentFactory()

    client.post(
        reverse("premises:grids:user_assignments", args=[user.pk]),
        {"grids": [grid.pk], "villages": [village.pk], "departments": [department.pk]},
    )

    assert list(user.patrolled_grids.all()) == [grid]
    assert list(user.led_villages.all()) == [village]
    assert list(user.departments.all()) == [department]


def test_deactivating_a_user_keeps_everything_they_recorded(client, admin):
    officer = UserFactory(role=Role.GRID_OFFICER)
    grid = GridFactory(officers=[officer])
    inspection = InspectionFactory(inspector=officer)

    response = client.post(
        reverse("premises:grids:user_set_active", args=[officer.pk]), {"active": "no"}
    )

    assert response.status_code == 302
    officer.refresh_from_db()
    assert not officer.is_active
    assert authenticate(username=officer.username, password=DEMO_PASSWORD) is None
    assert Inspection.objects.get(pk=inspection.pk).inspector == officer
    assert list(grid.officers.all()) == [officer]

    client.post(reverse("premises:grids:user_set_active", args=[officer.pk]), {"active": "yes"})
    officer.refresh_from_db()
    assert officer.is_active


def test_an_admin_cannot_deactivate_themselves(client, admin):
    client.post(reverse("premises:grids:user_set_active", args=[admin.pk]), {"active": "no"})

    admin.refresh_from_db()
    assert admin.is_active


def test_a_registry_admin_cannot_touch_a_superuser(client, admin):
    root = UserFactory(is_superuser=True, is_staff=True)

    assert client.get(reverse("premises:grids:user_edit", args=[root.pk])).status_code == 403
    response = client.post(
        reverse("premises:grids:user_set_active", args=[root.pk]), {"active": "no"}
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.is_active


def test_users_are_never_deleted_through_the_registry(client, admin):
    user = UserFactory()

    client.delete(reverse("premises:grids:user_edit", args=[user.pk]))
    client.post(reverse("premises:grids:user_edit", args=[user.pk]), {"delete": "yes"})

    assert User.objects.filter(pk=user.pk).exists()


def test_user_list_filters_by_role_and_activity(client, admin):
    officer = UserFactory(role=Role.GRID_OFFICER)
    UserFactory(role=Role.GRID_OFFICER, is_active=False)
    UserFactory(role=Role.SAFETY_OFFICE)

    response = client.get(
        reverse("premises:grids:user_list"), {"role": Role.GRID_OFFICER, "active": "yes"}
    )

    assert list(response.context["page"].object_list) == [officer]


@pytest.mark.parametrize("role", [Role.GRID_OFFICER, Role.SAFETY_OFFICE])
def test_org_pages_are_for_registry_admins_only(client, role):
    client.force_login(UserFactory(role=role))
    grid = GridFactory()

    for url in (
        reverse("premises:grids:index"),
        reverse("premises:grids:grid_edit", args=[grid.pk]),
        reverse("premises:grids:user_create"),
    ):
        assert client.get(url).status_code == 403
