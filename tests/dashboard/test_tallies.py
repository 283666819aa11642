"""The monthly tallies (dashboard/models.py): kept exact by triggers on both databases through
every kind of change, and read by the dashboard with the same answers as counting the rows."""

import dataclasses
import io
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from dashboard import breakdowns, kpis, tallies
from dashboard.models import GridMonth, PremisesYear, TownMonth
from dashboard.periods import Period
from dashboard.scopes import COUNTY, scope_from
from dashboard.sources import sources
from hazards.models import Category, Hazard
from inspections.models import Inspection
from tests.dashboard import known_town
from tests.dashboard.known_town import NOW, TODAY, at
from tests.factories import (
    BusinessTypeFactory,
    DepartmentFactory,
    GridFactory,
    HazardFactory,
    InspectionFactory,
    PremisesFactory,
    TownFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db


def test_a_period_is_counted_as_tallied_months_corrected_by_the_rows_of_some_days():
    plan = tallies.split(Period(date(2026, 1, 15), date(2026, 4, 10)))
    # January 15–31 is more than half of January: its tally less January 1–14.
    assert plan.months == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert plan.minus == [Period(date(2026, 1, 1), date(2026, 1, 14))]
    # April 1–10 is the smaller part of April: its rows.
    assert plan.plus == [Period(date(2026, 4, 1), date(2026, 4, 10))]
    # Year to date on 29 November: November's tally less its 30th (no rows yet).
    ytd = tallies.split(Period(date(2026, 1, 1), date(2026, 11, 29)))
    assert len(ytd.months) == 11
    assert (ytd.plus, ytd.minus) == ([], [Period(date(2026, 11, 30), date(2026, 11, 30))])
    whole_year = tallies.split(Period(date(2026, 1, 1), date(2026, 12, 31)))
    assert (len(whole_year.months), whole_year.plus, whole_year.minus) == (12, [], [])


@pytest.fixture
def town():
    with time_machine.travel(NOW, tick=False):
        yield known_town.build()


def test_tallies_follow_every_kind_of_change(town):
    """Each change below goes through a different path (ORM save, queryset update, delete,
    a premises or a grid or a village moved to another town); the suite's autouse check
    compares tallies and rows once more at the end."""
    hazard = Hazard.objects.filter(status=Hazard.Status.RECTIFYING).first()
    hazard.status, hazard.closed_at = Hazard.Status.CLOSED, timezone.now()
    hazard.save()
    assert tallies.drift() == []
    Hazard.objects.filter(pk=hazard.pk).update(category=Category.GAS, department=None)
    Hazard.objects.filter(status=Hazard.Status.REPORTED).update(
        status=Hazard.Status.DISMISSED, dismissed_at=timezone.now()
    )
    assert tallies.drift() == []
    Inspection.objects.filter(pk=Inspection.objects.first().pk).update(
        visited_at=timezone.now() - timedelta(days=400)
    )
    assert tallies.drift() == []
    other_town = TownFactory()
    far_grid = GridFactory(village=VillageFactory(town=other_town))
    premises = hazard.premises
    premises.grid, premises.business_type = far_grid, BusinessTypeFactory()
    premises.save()
    assert tallies.drift() == []
    grid = town.g1
    grid.village = VillageFactory(town=TownFactory())
    grid.save()
    village = far_grid.village
    village.town = TownFactory()
    village.save()
    assert tallies.drift() == []
    HazardFactory(premises=premises, department=DepartmentFactory(), ledger_number="YH-T-0001")
    InspectionFactory(premises=premises)
    assert tallies.drift() == []


def _tally_counts() -> tuple[dict, dict]:
    grids, sectors, _years = tallies.stored()
    return grids, sectors


def test_only_a_change_of_what_the_tallies_count_touches_them(town):
    """Rectifying and submitting leave a hazard found and not closed: the tallies are not
    written. Closing is counted."""
    hazard = Hazard.objects.filter(status=Hazard.Status.REPORTED).first()
    before = _tally_counts()
    Hazard.objects.filter(pk=hazard.pk).update(status=Hazard.Status.RECTIFYING)
    Hazard.objects.filter(pk=hazard.pk).update(status=Hazard.Status.SUBMITTED, submitted_at=NOW)
    assert _tally_counts() == before

    Hazard.objects.filter(pk=hazard.pk).update(status=Hazard.Status.CLOSED, closed_at=NOW)
    assert _tally_counts() != before
    assert tallies.drift() == []


def test_the_days_a_premises_was_visited_follow_its_visits(town):
    """A visit sets its local day of its year; a visit moved or deleted clears the day it left,
    unless another visit is on it. The first day set follows."""
    premises = town.p["p3"]

    def days(year: int) -> list[int]:
        row = PremisesYear.objects.filter(premises=premises, year=year).first()
        if row is None:
            return []
        set_days = [n + 1 for n, bit in enumerate(row.days) if bit == "1"]
        assert row.first_day == set_days[0]
        return set_days

    new_years_eve = InspectionFactory(premises=premises, visited_at=at(2025, 12, 31, 23, 30))
    InspectionFactory(premises=premises, visited_at=at(2025, 2, 1))  # local midnight: day 32
    second_visit = InspectionFactory(premises=premises, visited_at=at(2025, 2, 1, 15))
    assert days(2025) == [32, 365]
    Inspection.objects.filter(pk=new_years_eve.pk).update(visited_at=at(2026, 1, 1))
    assert (days(2025), days(2026)) == ([32], [1])
    second_visit.delete()
    assert days(2025) == [32]  # the other visit of that day stands
    InspectionFactory(premises=premises, visited_at=at(2025, 1, 3))
    assert days(2025) == [3, 32]
    Inspection.objects.filter(premises=premises).delete()
    assert (days(2025), days(2026)) == ([], [])
    assert tallies.drift() == []


def test_a_wrong_tally_is_found(town):
    row = GridMonth.objects.filter(found__gt=0).first()
    GridMonth.objects.filter(pk=row.pk).update(found=row.found + 1)
    differences = tallies.drift()
    assert len(differences) == 1
    assert "found': " in differences[0]
    tallies.rebuild()
    assert tallies.drift() == []
    PremisesYear.objects.filter(premises=town.p["p1"], year=2026).update(days="1" * 366)
    assert [line.split(" (")[0] for line in tallies.drift()] == ["premises year"]
    tallies.rebuild()
    assert tallies.drift() == []
    TownMonth.objects.filter(found__gt=0).update(found=0)
    assert tallies.drift()[0].startswith("town month")
    tallies.rebuild()
    assert tallies.drift() == []


def nonzero(groups: dict) -> dict:
    """The groups' figures that are not zero (or None): a place whose tallies are all zero
    counts as a place with no rows."""
    kept = {place: {k: v for k, v in figures.items() if v} for place, figures in groups.items()}
    return {place: figures for place, figures in kept.items() if figures}


@pytest.mark.parametrize(
    "period",
    [
        known_town.PERIOD,  # whole months only
        Period(date(2026, 1, 20), date(2026, 7, 5)),  # partial months at both ends
        Period(date(2026, 8, 1), TODAY),  # this month only: rows
        Period(date(2025, 3, 31), date(2026, 6, 1)),
        Period(date(2026, 2, 3), date(2026, 2, 26)),  # most of a month: its tally less two ends
        Period(date(2026, 7, 30), date(2026, 8, 2)),
    ],
)
def test_tallies_give_the_figures_the_rows_give(town, period):
    """The dashboard reads whole months from the tallies on PostgreSQL; its figures equal
    those counted from the rows alone, for the town and for a village's ranking."""
    with time_machine.travel(NOW, tick=False):
        src = sources(town.office, scope_from({}, town.office))
        rows_only = dataclasses.replace(src, tallied=False)
        for by in (None, "village"):
            tallied = kpis.hazard_groups(src, period, today=TODAY, by=by)
            counted = kpis.hazard_groups(rows_only, period, today=TODAY, by=by)
            assert nonzero(tallied) == nonzero(counted)
        assert breakdowns.trend(src, period) == breakdowns.trend(rows_only, period)
        assert breakdowns.breakdowns(src, period, today=TODAY) == breakdowns.breakdowns(
            rows_only, period, today=TODAY
        )
        now = datetime.combine(TODAY, datetime.min.time(), tzinfo=NOW.tzinfo)
        assert kpis.inspection_figures(src, period, now=now) == kpis.inspection_figures(
            rows_only, period, now=now
        )


def test_the_county_reads_its_towns_months_with_the_rows_answers(town):
    """With two towns the office's board is the county's, its ranking per town read from the
    town-months (TownMonth); its figures equal those counted from the rows alone."""
    far = PremisesFactory(grid=GridFactory(village=VillageFactory(town=TownFactory())))
    InspectionFactory(premises=far, visited_at=at(2026, 3, 4))
    HazardFactory(premises=far, reported_at=at(2026, 3, 4), ledger_number="YH-T-0002")
    HazardFactory(premises=far, closed=True, reported_at=at(2025, 5, 6), closed_at=at(2026, 2, 1))
    with time_machine.travel(NOW, tick=False):
        src = sources(town.office, scope_from({}, town.office))
        assert scope_from({}, town.office).kind == COUNTY
        rows_only = dataclasses.replace(src, tallied=False)
        for period in (known_town.PERIOD, Period(date(2026, 1, 20), TODAY)):
            tallied = kpis.hazard_groups(src, period, today=TODAY, by="town")
            assert nonzero(tallied) == nonzero(
                kpis.hazard_groups(rows_only, period, today=TODAY, by="town")
            )
            assert len(nonzero(tallied)) == 2
            assert breakdowns.trend(src, period) == breakdowns.trend(rows_only, period)
            assert kpis.visit_figures(src, period) == kpis.visit_figures(rows_only, period)


def test_recount_tallies_finds_and_repairs_a_wrong_tally(town):
    out = io.StringIO()
    row = GridMonth.objects.filter(inspections__gt=0).first()
    GridMonth.objects.filter(pk=row.pk).update(inspections=row.inspections + 5)
    with pytest.raises(CommandError, match="1 tallies differ"):
        call_command("recount_tallies", stdout=out)
    call_command("recount_tallies", "--repair", stdout=out)
    assert "Tallies equal the rows" in out.getvalue()
    assert tallies.drift() == []
