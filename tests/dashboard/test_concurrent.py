"""A dashboard page runs its independent reads at once on PostgreSQL (dashboard/concurrent.py):
the page shows what it shows when they run one after another."""

import threading

import pytest
import time_machine
from django.db import connection

from dashboard import concurrent, kpis
from dashboard.board import build
from dashboard.scopes import scope_from
from tests.dashboard import known_town
from tests.dashboard.known_town import NOW, PERIOD, TODAY


def board_as_shown(board) -> dict:
    """What a user reads on the page: every figure with its link, each table and list."""

    def figure(f):
        return (f.value, f.url, f.previous)

    return {
        "figures": {key: figure(f) for key, f in board.figures.items()},
        "ranking": [
            (row.title, figure(row.found), figure(row.closed), figure(row.overdue), row.rate)
            for row in board.ranking
        ],
        "trend": [(m["month"], figure(m["found"]), figure(m["closed"])) for m in board.trend],
        "breakdowns": {
            by: [(row.label, figure(row.found), figure(row.overdue)) for row in rows]
            for by, rows in board.breakdowns.items()
        },
        "lists": {
            key: ([item.pk for item in short.items], figure(short.total))
            for key, short in board.lists.items()
        },
    }


@pytest.mark.django_db(transaction=True)
def test_the_reads_run_at_once_and_the_page_is_the_same(settings, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the reads run at once on PostgreSQL only")
    settings.KEPT_SECONDS = 0  # both boards read, not the second kept
    with time_machine.travel(NOW, tick=False):
        town = known_town.build()
        scope = scope_from({}, town.office)
        settings.DASHBOARD_QUERY_THREADS = 1
        one_by_one = board_as_shown(build(town.office, scope, PERIOD, today=TODAY, now=NOW))

        settings.DASHBOARD_QUERY_THREADS = 3
        read_on = set()
        hazard_groups = kpis.hazard_groups

        def noting_the_thread(*args, **kwargs):
            read_on.add(threading.current_thread().name)
            return hazard_groups(*args, **kwargs)

        monkeypatch.setattr(kpis, "hazard_groups", noting_the_thread)
        at_once = board_as_shown(build(town.office, scope, PERIOD, today=TODAY, now=NOW))

    assert read_on and all(name.startswith("dashboard-read") for name in read_on)
    assert at_once == one_by_one
    assert at_once["figures"]["found"][0] == known_town.EXPECTED_TOWN["found"]


@pytest.mark.django_db
def test_inside_a_transaction_the_reads_stay_on_its_connection(settings):
    """Other connections would not see the transaction's rows (a test case's, for one)."""
    settings.DASHBOARD_QUERY_THREADS = 3
    assert connection.in_atomic_block
    assert concurrent.threads() == 1
    assert concurrent.run_all({"where": lambda: threading.current_thread().name}) == {
        "where": threading.current_thread().name
    }


@pytest.mark.django_db(transaction=True)
def test_a_failed_read_fails_the_page_instead_of_showing_a_gap(settings):
    settings.DASHBOARD_QUERY_THREADS = 3
    with pytest.raises(ZeroDivisionError):
        concurrent.run_all({"fine": lambda: 1, "broken": lambda: 1 / 0})
