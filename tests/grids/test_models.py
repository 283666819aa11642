"""Database constraints and membership helpers of the organisation."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from grids.models import Grid, departments_of, grids_of, villages_of
from tests.factories import (
    DepartmentFactory,
    GridFactory,
    PremisesFactory,
    TownFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db


def test_village_names_are_unique_within_a_town():
    village = VillageFactory(name="东村")

    with (
        pytest.raises(
            IntegrityError,
            match=r"grids_village_unique_name|grids_village\.town_id, grids_village\.name",
        ),
        transaction.atomic(),
    ):
        VillageFactory(town=village.town, name="东村")


def test_two_towns_may_each_have_a_village_of_the_same_name():
    VillageFactory(name="东村")

    assert VillageFactory(town=TownFactory(), name="东村").pk


def test_grid_names_are_unique_within_a_village():
    grid = GridFactory(name="第一网格")

    with (
        pytest.raises(
            IntegrityError, match=r"grids_grid_unique_name|grids_grid\.village_id, grids_grid\.name"
        ),
        transaction.atomic(),
    ):
        GridFactory(village=grid.village, name="第一网格")


def test_grid_patrol_interval_must_be_at_least_one_day():
    grid = GridFactory()

    with (
        pytest.raises(IntegrityError, match="grids_grid_patrol_interval_positive"),
        transaction.atomic(),
    ):
        Grid.objects.filter(pk=grid.pk).update(patrol_interval_days=0)


@pytest.mark.parametrize("days", [None, 1, 60])
def test_grid_patrol_interval_may_be_empty_or_positive(days):
    assert GridFactory(patrol_interval_days=days).pk


def test_grid_in_use_cannot_be_deleted():
    premises = PremisesFactory()

    with pytest.raises(ProtectedError), transaction.atomic():
        premises.grid.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        premises.grid.village.delete()


def test_grid_is_named_with_its_village():
    grid = GridFactory(village=VillageFactory(name="东村"), name="第一网格")

    assert str(grid) == "东村 · 第一网格"


def test_membership_helpers_return_only_the_users_own_units():
    user, other = UserFactory(), UserFactory()
    grid_a, grid_b = GridFactory(officers=[user]), GridFactory(officers=[user, other])
    GridFactory(officers=[other])
    village = VillageFactory(leaders=[user])
    VillageFactory(leaders=[other])
    department = DepartmentFactory(members=[user])
    DepartmentFactory(members=[other])

    assert {row["pk"] for row in grids_of(user)} == {grid_a.pk, grid_b.pk}
    assert {row["pk"] for row in villages_of(user)} == {village.pk}
    assert {row["pk"] for row in departments_of(user)} == {department.pk}
