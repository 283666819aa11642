"""Roles are Groups made by a data migration; scope flags on the user follow from them."""

import pytest
from django.contrib.auth.models import Group

from accounts.roles import ROLE_PERMISSIONS, Role
from tests.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_a_group_with_exactly_its_permissions(role):
    group = Group.objects.get(name=role)

    granted = {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }
    assert granted == set(ROLE_PERMISSIONS[role])


@pytest.mark.parametrize("role", [Role.SAFETY_OFFICE, Role.REGISTRY_ADMIN])
def test_town_wide_roles_see_the_whole_town(role):
    assert UserFactory(role=role).sees_whole_town


@pytest.mark.parametrize("role", [Role.GRID_OFFICER, Role.VILLAGE_LEADER, Role.DEPARTMENT_OFFICER])
def test_local_roles_do_not_see_the_whole_town(role):
    assert not UserFactory(role=role).sees_whole_town


def test_superuser_sees_the_whole_town_without_a_role():
    assert UserFactory(is_superuser=True).sees_whole_town


def test_primary_role_is_the_widest_role_held():
    user = UserFactory(role=[Role.GRID_OFFICER, Role.VILLAGE_LEADER])

    assert user.primary_role == Role.VILLAGE_LEADER
    assert user.has_role(Role.GRID_OFFICER)
    assert not user.has_role(Role.SAFETY_OFFICE)


def test_user_without_a_role_has_no_primary_role():
    assert UserFactory().primary_role is None


def test_user_is_named_by_full_name_then_username():
    assert str(UserFactory(username="wang", full_name="王网格")) == "王网格"
    assert str(UserFactory(username="li", full_name="")) == "li"


def test_factory_user_signs_in_with_the_demo_password():
    user = UserFactory()

    assert user.check_password(DEMO_PASSWORD)
    assert not user.check_password("wrong")
