"""A hazard's copy of its premises' grid and business type (Hazard.grid) follows the premises,
whatever writes the rows: the triggers of hazards/migrations/0006_hazard_place.py, on SQLite and
PostgreSQL alike. Officers' scopes, the ledger's place filters and the dashboard read the copy."""

import pytest
from django.db import connection
from django.urls import reverse

from accounts.roles import Role
from dashboard import tallies
from hazards.models import Hazard
from tests.factories import (
    BusinessTypeFactory,
    GridFactory,
    HazardFactory,
    PremisesFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def place_of(hazard: Hazard) -> tuple[int, int]:
    return tuple(Hazard.objects.values_list("grid_id", "business_type_id").get(pk=hazard.pk))


def test_a_new_hazard_takes_its_premises_grid_and_business_type():
    premises = PremisesFactory()

    hazard = HazardFactory(premises=premises)

    assert place_of(hazard) == (premises.grid_id, premises.business_type_id)


def test_hazards_written_in_bulk_take_them_too():
    premises = PremisesFactory()
    template = HazardFactory.build(
        premises=premises, reported_by=UserFactory(), ledger_number="YH-2026-900001"
    )

    Hazard.objects.bulk_create([template])

    created = Hazard.objects.get(ledger_number="YH-2026-900001")
    assert place_of(created) == (premises.grid_id, premises.business_type_id)


def test_a_stale_value_saved_from_python_is_put_right():
    premises = PremisesFactory()
    hazard = HazardFactory(premises=premises)
    hazard.grid_id, hazard.business_type_id = None, None  # as an instance made before it knew

    hazard.description = "灭火器过期"
    hazard.save()

    assert place_of(hazard) == (premises.grid_id, premises.business_type_id)


def test_a_hazard_moved_to_another_premises_takes_that_one_s():
    hazard = HazardFactory()
    other = PremisesFactory()

    Hazard.objects.filter(pk=hazard.pk).update(premises=other)

    assert place_of(hazard) == (other.grid_id, other.business_type_id)


def test_a_premises_moved_or_reclassified_moves_its_hazards_along():
    premises = PremisesFactory()
    hazards = HazardFactory.create_batch(2, premises=premises)
    elsewhere = HazardFactory()
    grid, kind = GridFactory(), BusinessTypeFactory()

    premises.grid, premises.business_type = grid, kind
    premises.save()

    assert {place_of(hazard) for hazard in hazards} == {(grid.pk, kind.pk)}
    assert place_of(elsewhere) == (elsewhere.premises.grid_id, elsewhere.premises.business_type_id)


def test_after_a_move_the_new_grid_s_officer_has_the_hazard_and_the_old_one_not(client):
    """What a user notices: the registry admin moves a premises to another grid; its open
    hazard is now on the new grid officer's ledger and gone from the old one's."""
    old_officer, new_officer = UserFactory.create_batch(2, role=Role.GRID_OFFICER)
    premises = PremisesFactory(grid=GridFactory(officers=[old_officer]))
    hazard = HazardFactory(premises=premises, rectifying=True)
    new_grid = GridFactory(officers=[new_officer], village=premises.grid.village)
    client.force_login(UserFactory(role=Role.REGISTRY_ADMIN))

    client.post(
        reverse("premises:move", args=[premises.pk]), {"grid": new_grid.pk, "reason": "划片调整"}
    )

    client.force_login(new_officer)
    assert hazard.ledger_number in client.get(reverse("hazards:ledger")).content.decode()
    assert client.get(reverse("hazards:hazard_detail", args=[hazard.pk])).status_code == 200
    client.force_login(old_officer)
    assert hazard.ledger_number not in client.get(reverse("hazards:ledger")).content.decode()
    assert client.get(reverse("hazards:hazard_detail", args=[hazard.pk])).status_code == 404


def test_the_check_after_every_test_finds_a_copy_that_went_wrong():
    """dashboard.tallies.drift (run after every PostgreSQL test, tests/conftest.py) names a
    hazard whose copy differs from its premises'. The trigger that would put it right is
    dropped inside the test's transaction, which the test runner rolls back."""
    hazard, elsewhere = HazardFactory(), GridFactory()
    table = " ON hazards_hazard" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER gw_hazard_place_update{table}")
        cursor.execute(
            "UPDATE hazards_hazard SET grid_id = %s WHERE id = %s", [elsewhere.pk, hazard.pk]
        )

    assert [line.split(":")[0] for line in tallies.drift()] == [f"hazard {hazard.pk}"]
    tallies.rebuild()  # what `recount_tallies --repair` does
    assert tallies.drift() == []
