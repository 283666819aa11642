"""The county benchmark's own arithmetic and checks (bench/): the CPU a request of its
processes, the verdicts it writes, and the recount of the boards the office is served."""

from datetime import date

import pytest
import time_machine
from django.db import transaction
from django.db.models import F

from accounts.models import User
from bench.measure import Processes, _own_ms
from bench.recount import headline_check
from bench.report import pages_table
from dashboard.models import GridMonth
from tests.dashboard import known_town
from tests.dashboard.known_town import NOW

JANUARY, JULY = date(2026, 1, 1), date(2026, 7, 1)  # the tallied months of the year to date


def test_cpu_a_request_counts_processes_that_started_or_ended_in_between(monkeypatch):
    monkeypatch.setattr("os.sysconf", lambda name: 100)  # 10 ms a tick
    before = {1: 100, 2: 50, Processes.REAPED: 1_000}
    # 1 ran 10 ticks; 2 ended (its 50 ticks before the first reading and 5 more are in the
    # reaped time); 3 started and ran 20.
    after = {1: 110, 3: 20, Processes.REAPED: 1_055}

    assert _own_ms(before, after, requests=7) == pytest.approx((10 + 5 + 20) * 10 / 7)


def _row(**figures) -> dict:
    return {
        "title": "Officer home",
        "target_ms": 100,
        "c1_p50": 20.0,
        "c1_p95": 30.0,
        "c8_p50": None,
        "c8_p95": None,
        "cpu": {},
        "queries": 9,
        "sql_p50": 2.5,
        **figures,
    }


def test_the_table_judges_p95_at_c1_against_the_target():
    cpu = {"cpu_ms": 44.4, "own_ms": 22.2, "steal_pct": 0}
    table = pages_table([_row(), _row(c1_p95=101.0, cpu=cpu, c8_p50=90.0, c8_p95=120.0)])
    met, missed = table.splitlines()[2:]

    assert "| ≤ 100 ms | met | — | — |" in met
    assert "| ≤ 100 ms | **not met** | 44 ms (22 ms) | 90 / 120 |" in missed


@pytest.mark.django_db
def test_the_served_board_is_recounted_from_the_rows():
    with time_machine.travel(NOW, tick=False):
        town = known_town.build()
        office = User.objects.get(username="office")
        boards = {"the town": {}, "a village": {"village": str(town.v1.pk)}}

        assert headline_check(office, boards)["differences"] == 0

        with transaction.atomic():  # a tally off by one, then put back
            months = GridMonth.objects.filter(month__range=(JANUARY, JULY), found__gt=0)
            months.filter(pk=months.first().pk).update(found=F("found") + 1)
            check = headline_check(office, boards)
            transaction.set_rollback(True)

    assert check["numbers"] > 50
    assert check["differences"] > 0
    assert "figure found" in " ".join(check["first"])
