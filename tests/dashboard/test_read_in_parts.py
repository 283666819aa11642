"""After an officer's step, a dashboard reads again only the places the step was in
(config/kept.py, read_in_parts; dashboard migration 0008 logs the grids of every change to the
hazards): what it shows is still, after any run of changes, what a fresh read shows."""

import random
import re
from datetime import timedelta

import psycopg
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config import kept
from dashboard import lists
from dashboard.board import build
from dashboard.scopes import scope_from
from dashboard.tasks import prune_grid_change_log
from hazards.models import Hazard, Severity
from tests.dashboard.known_town import NOW, PERIOD, TODAY, at
from tests.dashboard.test_concurrent import board_as_shown
from tests.dashboard.test_remembered import read_afresh, shown
from tests.factories import HazardFactory

pytestmark = pytest.mark.django_db(transaction=True)

S = Hazard.Status
HAZARDS = "hazards_hazard"


def _other_connection() -> psycopg.Connection:
    dsn = connection.get_connection_params()
    params = {k: dsn[k] for k in ("dbname", "user", "host", "port") if dsn.get(k)}
    return psycopg.connect(**params)


def test_a_step_in_one_village_reads_again_the_hazards_of_that_village_alone(town, settings):
    scope = scope_from({}, town.office)  # the town: a row per village
    build(town.office, scope, PERIOD, today=TODAY, now=NOW)
    step = town.h["h3"]
    Hazard.objects.filter(pk=step.pk).update(status=S.SUBMITTED, submitted_at=NOW)
    with CaptureQueriesContext(connection) as queries:
        again = build(town.office, scope, PERIOD, today=TODAY, now=NOW)

    assert board_as_shown(again) == read_afresh(town, settings)
    village, grid = step.premises.grid.village_id, step.premises.grid_id
    narrowed = re.compile(rf"IN \(({village}|{grid})\)")
    read_hazards = [q["sql"] for q in queries if f'FROM "{HAZARDS}"' in q["sql"]]
    assert read_hazards
    assert [sql for sql in read_hazards if not narrowed.search(sql)] == []


def _step(town, rng):
    hazard = rng.choice(list(Hazard.objects.filter(status__in=[S.REPORTED, S.RECTIFYING])))
    Hazard.objects.filter(pk=hazard.pk).update(status=S.SUBMITTED, submitted_at=NOW)


def _closed(town, rng):
    hazard = rng.choice(list(Hazard.objects.exclude(status__in=[S.CLOSED, S.DISMISSED])))
    Hazard.objects.filter(pk=hazard.pk).update(status=S.CLOSED, closed_at=at(2026, 7, 20))


def _dismissed(town, rng):
    hazard = rng.choice(list(Hazard.objects.exclude(status=S.DISMISSED)))
    hazard.status, hazard.dismissed_at = S.DISMISSED, NOW
    hazard.save()


def _found(town, rng):
    premises = rng.choice(list(town.p.values()))
    HazardFactory(
        premises=premises,
        reported_at=at(2026, rng.randint(1, 8), rng.randint(1, 28), 9),
        rectify_by=TODAY - timedelta(days=rng.randint(-5, 60)),
        severity=rng.choice([Severity.MAJOR, Severity.GENERAL]),
        interim_measures="设置警示标志",
    )


def _deadline_passed(town, rng):
    hazard = rng.choice(list(Hazard.objects.all()))
    Hazard.objects.filter(pk=hazard.pk).update(rectify_by=TODAY - timedelta(days=45))


def _rejected_twice(town, rng):
    hazard = rng.choice(list(Hazard.objects.all()))
    Hazard.objects.filter(pk=hazard.pk).update(reject_count=2)


def _deleted(town, rng):
    rng.choice(list(Hazard.objects.all())).delete()


def _premises_moved(town, rng):
    premises = rng.choice(list(town.p.values()))
    premises.grid = rng.choice([town.g1, town.g2, town.g3])
    premises.save()


CHANGES = [
    _step,
    _closed,
    _dismissed,
    _found,
    _deadline_passed,
    _rejected_twice,
    _deleted,
    _premises_moved,
]


@pytest.mark.parametrize("seed", [1, 2])
def test_after_every_change_of_a_run_the_boards_show_what_a_fresh_read_shows(town, settings, seed):
    rng = random.Random(seed)
    places = [{}, {"village": town.v1.pk}]
    for place in places:
        shown(town, **place)
    for _ in range(12):
        change = rng.choice(CHANGES)
        change(town, rng)
        for place in places:
            assert shown(town, **place) == read_afresh(town, settings, **place), change.__name__


def test_a_full_list_whose_first_row_is_closed_shows_the_next_from_any_grid(town, settings):
    for n in range(lists.LIST_SIZE + 2):  # overdue hazards in every grid, more than a list shows
        premises = [town.p["p1"], town.p["p3"], town.p["p4"]][n % 3]
        HazardFactory(
            premises=premises, reported_at=at(2026, 6, 1), rectify_by=TODAY - timedelta(days=30 + n)
        )
    before = shown(town)
    first = before["lists"]["overdue"][0][0]
    Hazard.objects.filter(pk=first).update(status=S.CLOSED, closed_at=NOW)
    after = shown(town)

    assert first not in after["lists"]["overdue"][0]
    assert len(after["lists"]["overdue"][0]) == lists.LIST_SIZE
    assert after == read_afresh(town, settings)


def test_the_log_names_the_grids_a_transaction_changed_after_a_snapshot(town):
    g1_hazard = Hazard.objects.filter(premises__grid=town.g1).first()
    with _other_connection() as officer:
        # Begun before the snapshot, committed after it: a reader that kept figures as of the
        # snapshot must still read this grid again.
        officer.execute("UPDATE hazards_hazard SET description = 'x' WHERE id = %s", [g1_hazard.pk])
        since = kept.snapshot()
        officer.commit()
    grids, now = kept.changed_grids(since, [HAZARDS])
    assert grids == {town.g1.pk}
    assert kept.changed_grids(now, [HAZARDS])[0] == frozenset()


def test_a_hazard_moved_with_its_premises_changes_both_grids(town):
    since = kept.snapshot()
    premises = town.p["p1"]
    premises.grid = town.g3
    premises.save()  # the database copies the grid to its hazards
    assert kept.changed_grids(since, [HAZARDS])[0] == {town.g1.pk, town.g3.pk}


def test_a_reader_older_than_the_pruned_log_reads_everything_again(town):
    since = kept.snapshot()
    Hazard.objects.filter(pk=town.h["h3"].pk).update(description="y")
    with connection.cursor() as cursor:
        cursor.execute("SELECT gw_prune_grid_changes('0 seconds')")
    assert kept.changed_grids(since, [HAZARDS])[0] is None


def test_the_hourly_prune_drops_log_rows_older_than_an_hour_only(town):
    Hazard.objects.filter(pk=town.h["h3"].pk).update(description="an hour ago")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE gw_grid_change SET at = now() - interval '61 minutes'")
    Hazard.objects.filter(pk=town.h["h2"].pk).update(description="just now")

    assert prune_grid_change_log.delay().get() >= 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT grid_id FROM gw_grid_change")
        assert [grid for (grid,) in cursor.fetchall()] == [town.h["h2"].premises.grid_id]


def test_a_step_that_moves_no_figure_leaves_the_board_and_a_new_description_shows(town):
    scope = scope_from({}, town.office)
    first = build(town.office, scope, PERIOD, today=TODAY, now=NOW)
    major = first.lists["open_major"].items[0]
    Hazard.objects.filter(pk=major.pk).update(status=S.SUBMITTED, submitted_at=NOW)
    after_the_step = build(town.office, scope, PERIOD, today=TODAY, now=NOW)
    Hazard.objects.filter(pk=major.pk).update(description="燃气软管已更换为金属波纹管")
    after_the_edit = build(town.office, scope, PERIOD, today=TODAY, now=NOW)

    assert after_the_step is first  # and so is the HTML made of it
    assert after_the_edit is not first
    assert after_the_edit.lists["open_major"].items[0].description == "燃气软管已更换为金属波纹管"


def _hazard_reads_after_a_step(town, scope, hazard, at_time) -> list[str]:
    with time_machine.travel(at_time, tick=False):
        Hazard.objects.filter(pk=hazard.pk).update(description=f"{at_time}")
        with CaptureQueriesContext(connection) as queries:
            build(town.office, scope, PERIOD, today=TODAY, now=NOW)
    return [q["sql"] for q in queries if f'FROM "{HAZARDS}"' in q["sql"]]


def test_parts_are_read_whole_again_a_minute_after_the_first_read_however_often_changed(town):
    """Some figures move with the clock too: parts refreshed by change after change are still
    dropped KEPT_SECONDS after they were read whole."""
    scope = scope_from({}, town.office)
    build(town.office, scope, PERIOD, today=TODAY, now=NOW)
    step = town.h["h3"]
    narrowed = re.compile(rf"IN \(({step.premises.grid.village_id}|{step.premises.grid_id})\)")
    start = NOW.timestamp()

    within = _hazard_reads_after_a_step(town, scope, step, start + 40)
    later = _hazard_reads_after_a_step(town, scope, step, start + 61)

    assert within and all(narrowed.search(sql) for sql in within)
    assert any(not narrowed.search(sql) for sql in later)
