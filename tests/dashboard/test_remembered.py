"""A dashboard is kept while nothing it counts changes (dashboard/remembered.py): asked for again,
it is not read again; after any change to its rows, made in any way, the next page shows it."""

import re
from datetime import date

import psycopg
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from config import kept
from dashboard import concurrent, remembered
from dashboard.board import build
from dashboard.periods import Period
from dashboard.scopes import scope_from
from grids.models import Department, Village
from hazards.models import Hazard, Inspection, Severity
from premises.models import Premises
from tests.dashboard import known_town
from tests.dashboard.known_town import NOW, PERIOD, TODAY, at
from tests.dashboard.test_concurrent import board_as_shown
from tests.factories import AccidentFactory, HazardFactory, InspectionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def shown(town, period: Period = PERIOD, **params):
    scope = scope_from(params, town.office)
    return board_as_shown(build(town.office, scope, period, today=TODAY, now=NOW))


def read_afresh(town, settings, **params):
    settings.KEPT_SECONDS = 0
    try:
        return shown(town, **params)
    finally:
        settings.KEPT_SECONDS = 60


def test_asked_again_unchanged_it_is_not_read_again(town):
    scope = scope_from({}, town.office)
    first = build(town.office, scope, PERIOD, today=TODAY, now=NOW)
    with CaptureQueriesContext(connection) as queries:
        again = build(town.office, scope, PERIOD, today=TODAY, now=NOW)

    assert board_as_shown(again) == board_as_shown(first)
    assert [q["sql"] for q in queries] == [
        "SELECT tbl, sum(n)::bigint, pg_current_snapshot()::text FROM gw_change_count GROUP BY tbl"
    ]


def _tables_read(queries) -> set[str]:
    return {table for q in queries for table in re.findall(r'(?:FROM|JOIN) "(\w+)"', q["sql"])}


def test_after_a_hazard_is_edited_only_the_reads_of_hazards_run_again(town, settings):
    scope = scope_from({}, town.office)
    build(town.office, scope, PERIOD, today=TODAY, now=NOW)
    # A description: no figure moves, and no tally; the hazards are read again all the same.
    Hazard.objects.filter(pk=town.h["h3"].pk).update(description="灭火器已过期两个月")
    with CaptureQueriesContext(connection) as queries:
        again = build(town.office, scope, PERIOD, today=TODAY, now=NOW)

    assert board_as_shown(again) == read_afresh(town, settings)
    tables = _tables_read(queries)
    assert "hazards_hazard" in tables
    # Kept: the month tallies, the visits, the premises' figures, the accidents, the places.
    for table in ("dashboard_gridmonth", "hazards_inspection", "hazards_accident", "grids_town"):
        assert table not in tables
    # The premises are read again only for the offenders (premises with such hazards).
    premises_alone = [
        q["sql"]
        for q in queries
        if 'FROM "premises_premises"' in q["sql"] and "hazards_hazard" not in q["sql"]
    ]
    assert premises_alone == []


def _new_hazard(town):
    HazardFactory(premises=town.p["p1"], reported_at=at(2026, 3, 1))


def _closed_by_a_queryset_update(town):
    Hazard.objects.filter(pk=town.h["h2"].pk).update(status=Hazard.Status.CLOSED, closed_at=NOW)


def _made_major_by_raw_sql(town):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE hazards_hazard SET severity = %s WHERE id = %s",
            [Severity.MAJOR, town.h["h3"].pk],
        )


def _inspection_deleted(town):
    Inspection.objects.filter(premises=town.p["p4"]).delete()


def _premises_closed_down(town):
    premises = town.p["p2"]
    premises.status = Premises.Status.CLOSED
    premises.save()


def _village_renamed(town):
    Village.objects.filter(pk=town.v2.pk).update(name="西山村")


def _accident_reported(town):
    AccidentFactory(occurred_on=date(2026, 5, 1), village=town.v1, deaths=2)


def _inspection_filed(town):
    InspectionFactory(premises=town.p["p3"], visited_at=at(2026, 6, 2, 9))


def _premises_moved_to_the_other_village(town):
    premises = town.p["p1"]
    premises.grid = town.g3
    premises.save()


def _department_renamed(town):
    Department.objects.filter(pk=town.fire.pk).update(name="县消防救援大队")


@pytest.mark.parametrize(
    "change",
    [
        _new_hazard,
        _closed_by_a_queryset_update,
        _made_major_by_raw_sql,
        _inspection_deleted,
        _premises_closed_down,
        _village_renamed,
        _accident_reported,
        _inspection_filed,
        _premises_moved_to_the_other_village,
        _department_renamed,
    ],
)
def test_the_next_page_after_a_change_shows_it(town, settings, change):
    before = shown(town)
    change(town)
    after = shown(town)

    assert after != before
    assert after == read_afresh(town, settings)


def test_reads_kept_on_three_threads_show_a_change_as_one_thread_reads_it(town, settings):
    """Served, a board's reads run on threads of their own, each on its own connection
    (dashboard/concurrent.py): each records and keeps its own tables."""
    settings.DASHBOARD_QUERY_THREADS = 3
    before = shown(town)
    _closed_by_a_queryset_update(town)
    after = shown(town)
    _inspection_filed(town)
    later = shown(town)
    concurrent.close()

    settings.DASHBOARD_QUERY_THREADS = 1
    assert before != after != later
    assert later == read_afresh(town, settings)


def test_each_place_period_and_language_has_its_own_board(town, settings):
    town_wide, village = shown(town), shown(town, village=town.v1.pk)
    earlier = shown(town, Period(date(2025, 1, 1), date(2025, 7, 31)))
    with translation.override("en"):
        english = shown(town)
        english_afresh = read_afresh(town, settings)

    assert village == read_afresh(town, settings, village=town.v1.pk) != town_wide
    assert earlier["figures"]["found"][0] == known_town.EXPECTED_TOWN["found_prev"]
    assert english == english_afresh
    assert english["breakdowns"] != town_wide["breakdowns"]  # the categories' names


def test_a_kept_board_is_dropped_after_its_time(town, settings):
    before = shown(town)
    # A change no trigger sees, to the hazards and the tallies: the counts stand still.
    tables = ("hazards_hazard", "dashboard_gridmonth", "dashboard_sectormonth")
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER gw_count_change")
        try:
            _new_hazard(town)
        finally:
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER gw_count_change")
    assert shown(town) == before

    with time_machine.travel(NOW.timestamp() + 61, tick=False):
        assert shown(town) == read_afresh(town, settings) != before


def test_a_long_write_does_not_hold_up_another_writer(town, settings):
    """A registry import holds its transaction open for a minute: an officer's change made
    meanwhile goes through at once, and both count."""
    dsn = connection.get_connection_params()
    params = {k: dsn[k] for k in ("dbname", "user", "host", "port") if dsn.get(k)}
    p1, h3 = town.p["p1"].pk, town.h["h3"].pk
    count_before = kept.change_count()
    with psycopg.connect(**params) as importing, psycopg.connect(**params) as officer:
        importing.execute("UPDATE premises_premises SET name = name WHERE id = %s", [p1])
        officer.execute("SET lock_timeout = '2s'")
        officer.execute("UPDATE hazards_hazard SET description = '' WHERE id = %s", [h3])
        officer.commit()
        importing.commit()
    assert kept.change_count() == count_before + 2


def test_a_change_after_a_savepoint_rolled_back_still_counts(town):
    """A table is counted once per transaction (migration 0006): the mark that says so goes
    back with a savepoint rolled back, as the count does, so the change after it counts."""
    from django.db import transaction

    h3 = town.h["h3"].pk
    before = kept.change_counts()["hazards_hazard"]
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            Hazard.objects.filter(pk=h3).update(description="先记一笔")
            raise RuntimeError("the officer's form had an error")
        Hazard.objects.filter(pk=h3).update(description="灭火器已更换")
        Hazard.objects.filter(pk=h3).update(description="灭火器已更换并复查")
    assert kept.change_counts()["hazards_hazard"] == before + 1


def test_inside_a_transaction_nothing_is_kept(town):
    from django.db import transaction

    with transaction.atomic():
        assert not remembered.keeps(town.office)
    assert remembered.keeps(town.office)


def _found_on_page(client, query: str = "") -> tuple[int, str]:
    html = client.get(reverse("dashboard:index") + query).content.decode()
    return int(re.search(r'data-kpi="found" data-count="(\d+)"', html).group(1)), html


def test_the_page_shows_a_change_at_once_and_each_period_typed_its_own_errors(client, town):
    client.force_login(town.office)
    period = "?period=custom&start=2026-01-01&end=2026-07-31"
    found, _html = _found_on_page(client, period)
    assert found == known_town.EXPECTED_TOWN["found"]

    _new_hazard(town)
    assert _found_on_page(client, period)[0] == found + 1

    _found, html = _found_on_page(client, "?period=custom&start=2026-07-31&end=2026-01-01")
    assert "data-period-error" in html  # the same board as the year to date, and the error
    assert "data-period-error" not in _found_on_page(client, "?period=ytd")[1]
