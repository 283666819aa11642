"""A premises-year's copy of its premises' grid (PremisesYear.grid) follows the premises, whatever
writes the rows: the triggers of dashboard/migrations/0011_premises_year_grid.py, on SQLite and
PostgreSQL alike. A town's "premises inspected" in a past period reads the copy."""

from datetime import date

import pytest
import time_machine
from django.db import connection

from accounts.roles import Role
from dashboard import kpis, tallies
from dashboard.models import PremisesYear
from dashboard.periods import Period
from dashboard.scopes import scope_from
from dashboard.sources import sources
from grids.models import Town
from tests.dashboard.known_town import NOW, at
from tests.factories import (
    GridFactory,
    InspectionFactory,
    PremisesFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

LAST_YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))


def grids_of(premises) -> set[int]:
    return set(PremisesYear.objects.filter(premises=premises).values_list("grid_id", flat=True))


def test_a_visit_s_premises_year_takes_its_premises_grid():
    premises = PremisesFactory()

    InspectionFactory(premises=premises, visited_at=at(2025, 3, 1))

    assert grids_of(premises) == {premises.grid_id}


def test_a_premises_moved_to_another_grid_moves_its_years_along():
    premises = PremisesFactory()
    InspectionFactory(premises=premises, visited_at=at(2025, 3, 1))
    InspectionFactory(premises=premises, visited_at=at(2026, 3, 1))
    elsewhere = InspectionFactory(visited_at=at(2025, 3, 1)).premises
    grid = GridFactory()

    premises.grid = grid
    premises.save()

    assert grids_of(premises) == {grid.pk}
    assert grids_of(elsewhere) == {elsewhere.grid_id}


def test_a_town_counts_the_premises_it_holds_now_that_were_visited_a_year_ago():
    """What the town office notices: a premises visited last year and since moved to another
    town counts among the new town's premises inspected last year, and no longer the old's."""
    office = UserFactory(role=Role.SAFETY_OFFICE)
    premises = PremisesFactory()
    InspectionFactory(premises=premises, visited_at=at(2025, 6, 1))
    old_town, new_grid = premises.grid.village.town, GridFactory(village=VillageFactory())
    new_town = new_grid.village.town

    def visited_last_year(town: Town) -> int:
        with time_machine.travel(NOW, tick=False):
            src = sources(office, scope_from({"town": str(town.pk)}, office))
            return kpis.visited_figures(src, LAST_YEAR, now=NOW)["premises_inspected"]

    assert (visited_last_year(old_town), visited_last_year(new_town)) == (1, 0)
    premises.grid = new_grid
    premises.save()
    assert (visited_last_year(old_town), visited_last_year(new_town)) == (0, 1)


def test_the_check_after_every_test_finds_a_copy_that_went_wrong():
    """dashboard.tallies.drift names a premises-year whose grid differs from its premises'.
    The trigger that would put it right is dropped inside the test's transaction, which the
    test runner rolls back."""
    premises, elsewhere = PremisesFactory(), GridFactory()
    InspectionFactory(premises=premises, visited_at=at(2025, 3, 1))
    table = " ON dashboard_premisesyear" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER gw_premises_year_place_update{table}")
        cursor.execute(
            "UPDATE dashboard_premisesyear SET grid_id = %s WHERE premises_id = %s",
            [elsewhere.pk, premises.pk],
        )

    assert [line.split(":")[0] for line in tallies.drift()] == [f"premises year {premises.pk} 2025"]
    tallies.rebuild()  # what `recount_tallies --repair` does
    assert tallies.drift() == []
