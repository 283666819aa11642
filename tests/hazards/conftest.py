"""Fixtures shared by the hazard tests."""

import pytest

from accounts.roles import Role
from tests.factories import (
    BusinessTypeFactory,
    DepartmentFactory,
    GridFactory,
    PremisesFactory,
    UserFactory,
    VillageFactory,
)


@pytest.fixture
def town(db):
    """A premises in a grid of one village, every role in and out of its scope."""
    users = {
        "officer": UserFactory(role=Role.GRID_OFFICER),
        "leader": UserFactory(role=Role.VILLAGE_LEADER),
        "department": UserFactory(role=Role.DEPARTMENT_OFFICER),
        "office": UserFactory(role=Role.SAFETY_OFFICE),
        "registry": UserFactory(role=Role.REGISTRY_ADMIN),
        "other_officer": UserFactory(role=Role.GRID_OFFICER),
        "other_leader": UserFactory(role=Role.VILLAGE_LEADER),
    }
    department = DepartmentFactory(members=[users["department"]])
    grid = GridFactory(
        officers=[users["officer"]], village=VillageFactory(leaders=[users["leader"]])
    )
    GridFactory(
        officers=[users["other_officer"]], village=VillageFactory(leaders=[users["other_leader"]])
    )
    premises = PremisesFactory(grid=grid, business_type=BusinessTypeFactory(department=department))
    return premises, users
