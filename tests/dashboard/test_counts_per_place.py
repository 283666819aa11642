"""dashboard.sources.counts_per_place: counted per grid in SQL and added up per village or town,
the counts equal those of the rows themselves, place by place."""

from collections import Counter

import pytest
from django.db.models import Count, Q

from dashboard.scopes import GRID, TOWN, VILLAGE
from dashboard.sources import counts_per_place
from premises.models import Premises
from tests.factories import GridFactory, PremisesFactory, TownFactory, VillageFactory

pytestmark = pytest.mark.django_db

OPERATING = Premises.Status.OPERATING
COUNTS = {
    "premises": Count("grid"),
    "operating": Count("grid", filter=Q(status=OPERATING)),
}


@pytest.fixture
def premises() -> list[Premises]:
    """Two towns, three villages, five grids, premises of both statuses unevenly spread."""
    north, south = TownFactory(), TownFactory()
    villages = [VillageFactory(town=north), VillageFactory(town=north), VillageFactory(town=south)]
    grids = [GridFactory(village=villages[n % 3]) for n in range(5)]
    return [
        PremisesFactory(grid=grids[n % 5], status=OPERATING if n % 3 else Premises.Status.CLOSED)
        for n in range(23)
    ]


def counted(premises: list[Premises], place) -> dict:
    """The counts per place, counted in Python from the premises themselves."""
    all_of, operating = Counter(), Counter()
    for one in premises:
        all_of[place(one)] += 1
        operating[place(one)] += one.status == OPERATING
    return {key: {"premises": all_of[key], "operating": operating[key]} for key in all_of}


@pytest.mark.parametrize(
    ("by", "place"),
    [
        (TOWN, lambda premises: premises.grid.village.town_id),
        (VILLAGE, lambda premises: premises.grid.village_id),
        (GRID, lambda premises: premises.grid_id),
        (None, lambda premises: None),
    ],
)
def test_counts_per_place_equal_the_rows(premises, by, place):
    assert counts_per_place(Premises.objects.all(), COUNTS, by) == counted(premises, place)


def test_a_scope_with_no_rows_counts_nothing(premises):
    nothing = Premises.objects.filter(pk__in=[])
    assert counts_per_place(nothing, COUNTS, TOWN) == {}
    assert counts_per_place(nothing, COUNTS, None) == {None: {"premises": 0, "operating": 0}}
