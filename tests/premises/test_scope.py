"""Premises.objects.visible_to: what each role sees (docs/scope.md)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.roles import Role
from premises.models import Premises
from tests.factories import (
    BusinessTypeFactory,
    DepartmentFactory,
    GridFactory,
    PremisesFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    """Village 1 has grids A and B; village 2 has grid C. The department supervises hotels."""
    department = DepartmentFactory()
    hotel = BusinessTypeFactory(department=department)
    shop = BusinessTypeFactory()
    village_1, village_2 = VillageFactory(), VillageFactory()
    grid_a, grid_b = GridFactory(village=village_1), GridFactory(village=village_1)
    grid_c = GridFactory(village=village_2)
    return {
        "department": department,
        "village_1": village_1,
        "grid_a": grid_a,
        "grid_b": grid_b,
        "a": PremisesFactory(grid=grid_a, business_type=shop),
        "b": PremisesFactory(grid=grid_b, business_type=shop),
        "c": PremisesFactory(grid=grid_c, business_type=hotel),
    }


def names(queryset, town) -> set[str]:
    keys = {town[key].pk: key for key in ("a", "b", "c")}
    return {keys[pk] for pk in queryset.values_list("pk", flat=True)}


def test_officer_sees_own_grids_premises_only(town):
    officer = UserFactory(role=Role.GRID_OFFICER)
    town["grid_a"].officers.add(officer)

    assert names(Premises.objects.visible_to(officer), town) == {"a"}


def test_officer_cannot_see_other_grids_premises(town):
    officer = UserFactory(role=Role.GRID_OFFICER)
    town["grid_a"].officers.add(officer)
    visible = Premises.objects.visible_to(officer)

    assert not visible.filter(pk=town["b"].pk).exists()  # same village, other grid
    assert not visible.filter(pk=town["c"].pk).exists()  # other village


def test_village_leader_sees_whole_village_but_not_another(town):
    leader = UserFactory(role=Role.VILLAGE_LEADER)
    town["village_1"].leaders.add(leader)

    assert names(Premises.objects.visible_to(leader), town) == {"a", "b"}


def test_department_officer_sees_premises_of_the_types_it_supervises(town):
    officer = UserFactory(role=Role.DEPARTMENT_OFFICER)
    town["department"].members.add(officer)

    assert names(Premises.objects.visible_to(officer), town) == {"c"}


def test_member_of_another_department_sees_nothing(town):
    officer = UserFactory(role=Role.DEPARTMENT_OFFICER)
    DepartmentFactory(members=[officer])

    assert not Premises.objects.visible_to(officer).exists()


@pytest.mark.parametrize("role", [Role.SAFETY_OFFICE, Role.REGISTRY_ADMIN])
def test_town_wide_roles_see_every_premises(town, role):
    assert names(Premises.objects.visible_to(UserFactory(role=role)), town) == {"a", "b", "c"}


def test_inactive_officer_sees_nothing(town):
    officer = UserFactory(role=Role.GRID_OFFICER, is_active=False)
    town["grid_a"].officers.add(officer)

    assert not Premises.objects.visible_to(officer).exists()


def test_inactive_safety_office_user_sees_nothing(town):
    user = UserFactory(role=Role.SAFETY_OFFICE, is_active=False)

    assert not Premises.objects.visible_to(user).exists()


@pytest.mark.parametrize("role", [Role.GRID_OFFICER, Role.VILLAGE_LEADER, Role.DEPARTMENT_OFFICER])
def test_user_with_a_role_but_no_membership_sees_nothing(town, role):
    assert not Premises.objects.visible_to(UserFactory(role=role)).exists()


def test_anonymous_user_sees_nothing(town):
    assert not Premises.objects.visible_to(AnonymousUser()).exists()


def test_officer_of_two_grids_gets_each_premises_once(town):
    officer = UserFactory(role=[Role.GRID_OFFICER, Role.VILLAGE_LEADER])
    town["grid_a"].officers.add(officer)
    town["grid_b"].officers.add(officer)
    town["village_1"].leaders.add(officer)
    PremisesFactory.create_batch(2, grid=town["grid_a"])

    visible = Premises.objects.visible_to(officer)

    assert visible.count() == visible.distinct().count() == 4
    assert len(list(visible)) == 4
