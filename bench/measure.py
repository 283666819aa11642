"""Timing one page through gunicorn: p50 and p95 of one client's requests, and the machine's CPU
a request while eight clients ask for it (docs/decisions.md, Targets).

How the dashboard's cache (config/data_cache.py, Redis as in production) stands before each
request is the page's kind (bench/pages.py): emptied before every request (every cache
empty), filled once and left (asked again while nothing changed), or a change committed before
every request, as an officer's save commits it, so that the next request counts afresh.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import psycopg
import redis
from django.db import transaction
from django.utils import timezone

from bench import common, load
from bench.common import percentile
from bench.pages import AFTER_CHANGE, COLD, EXPORT, REPEAT, Page

WARM_UPS = 3
EIGHT = 8


class Cache:
    """The Redis database gunicorn's cache is in: emptied before a request, off the clock."""

    def __init__(self, url: str) -> None:
        self.redis = redis.Redis.from_url(url)

    def empty(self, _slot: int = 0) -> None:
        self.redis.flushdb()


class Change:
    """An officer's step on a hazard of the town, committed before each request (off the
    clock): a rectification submitted, or sent back to rectifying. Saved through the model, it
    moves the cache's generation on commit, as every save does (config/data_cache.py)."""

    def __init__(self, town_id: int) -> None:
        from hazards.models import Hazard

        self.hazard = (
            Hazard.objects.filter(status=Hazard.Status.RECTIFYING, grid__village__town=town_id)
            .order_by("pk")
            .first()
        )
        self.first = (self.hazard.status, self.hazard.submitted_at)
        self.made = 0

    def __call__(self, _slot: int = 0) -> None:
        from hazards.models import Hazard

        hazard = self.hazard
        if hazard.status == Hazard.Status.RECTIFYING:
            hazard.status = Hazard.Status.SUBMITTED
            hazard.submitted_at = hazard.submitted_at or timezone.now()
        else:
            hazard.status = Hazard.Status.RECTIFYING
        self._save()
        self.made += 1

    def undo(self) -> None:
        self.hazard.status, self.hazard.submitted_at = self.first
        self._save()

    def _save(self) -> None:
        with transaction.atomic():
            self.hazard.save(update_fields=["status", "submitted_at", "updated_at"])


class Processes:
    """The benchmark's own processes: this one (the clients), gunicorn's, the PostgreSQL
    backends of the benchmark database, and PostgreSQL's processes that ended meanwhile (its
    parallel workers live for one query), counted from what the postmaster reaped. The machine
    is shared: its busy time also counts whatever else ran meanwhile."""

    REAPED = -1  # the key of the postmaster's ended children

    def __init__(self, server, admin_dsn: str, database: str) -> None:
        self.server, self.database = server, database
        self.admin = psycopg.connect(admin_dsn, autocommit=True)
        backend = self.admin.execute("SELECT pg_backend_pid()").fetchone()[0]
        self.postmaster = common.parent_pid(backend)

    def pids(self) -> list[int]:
        backends = self.admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.database]
        ).fetchall()
        gunicorn = [self.server.pid, *common.worker_pids(self.server)]
        return [os.getpid(), *gunicorn, *(pid for (pid,) in backends)]

    def ticks(self) -> dict[int, int]:
        ticks = common.process_ticks(self.pids())
        ticks[self.REAPED] = common.reaped_ticks(self.postmaster)
        return ticks

    def close(self) -> None:
        self.admin.close()


def _own_ms(before: dict[int, int], after: dict[int, int], requests: int) -> float:
    """Milliseconds a request of the processes' time between two readings. A process that
    started in between counts whole; one that ended is in the postmaster's reaped time
    (`Processes.REAPED`) with its time before the first reading, which is taken off."""
    ticks = sum(n - before.get(pid, 0) for pid, n in after.items())
    ticks -= sum(n for pid, n in before.items() if pid not in after)
    return ticks * 1000 / os.sysconf("SC_CLK_TCK") / max(requests, 1)


@dataclass
class Bench:
    """What every page is measured with."""

    sessions: load.Sessions
    cache: Cache
    change: Change
    processes: Processes
    requests: int


def _before(page: Page, bench: Bench) -> Callable[[int], None] | None:
    if page.kind == COLD:
        return bench.cache.empty
    if page.kind == AFTER_CHANGE:
        return bench.change
    return None


def _eight(page: Page, bench: Bench, before, each: int) -> tuple[list[float], dict]:
    """Eight clients at once, `each` requests apiece, after one apiece that warms every worker
    on the page; their times and the CPU a request."""
    load.run(bench.sessions, page.user, page.url, concurrency=EIGHT, each=1, before=before)
    machine, own = common.cpu_jiffies(), bench.processes.ticks()
    times = load.run(
        bench.sessions, page.user, page.url, concurrency=EIGHT, each=each, before=before
    )
    cpu = common.cpu_use(machine, common.cpu_jiffies(), len(times))
    cpu["own_ms"] = _own_ms(own, bench.processes.ticks(), len(times))
    return times, cpu


def measure_page(page: Page, bench: Bench) -> dict:
    """CPU a request at c=8, then `WARM_UPS` requests and `bench.requests` timed ones at c=1.
    A change is made by one client only: c=1."""
    before = _before(page, bench)
    if page.kind == REPEAT:
        bench.cache.empty()  # the page's own content is then read once and kept
    eight, cpu = [], {}
    if page.kind != AFTER_CHANGE:
        each = 1 if page.kind == EXPORT else bench.requests // EIGHT
        eight, cpu = _eight(page, bench, before, each)
    run = partial(load.run, bench.sessions, page.user, page.url, concurrency=1, before=before)
    run(each=WARM_UPS)
    load_at_start = common.load_average()
    single = run(each=bench.requests)
    return {
        "load": f"{load_at_start} → {common.load_average()}",
        "requests": [len(single), len(eight)],
        "cpu": cpu,
        "c1_p50": percentile(single, 0.5) * 1000,
        "c1_p95": percentile(single, 0.95) * 1000,
        "c8_p50": percentile(eight, 0.5) * 1000 if eight else None,
        "c8_p95": percentile(eight, 0.95) * 1000 if eight else None,
    }


def export_memory(env: dict, port: int, user: str, exports: list[tuple[str, int]]) -> list[dict]:
    """One worker exporting more and more rows: its peak memory stays flat when the rows are
    streamed (read in chunks, written by openpyxl's write-only mode to a temporary file)."""
    server = common.start_gunicorn(env, port, 1)
    figures = []
    try:
        worker = common.worker_pids(server)[0]
        sessions = load.Sessions(f"http://127.0.0.1:{port}", common.PASSWORD)
        load.run(sessions, user, "/", concurrency=1, each=1)
        figures.append({"rows": 0, "seconds": 0, "peak_mb": common.peak_rss_mb(worker)})
        for url, rows in exports:
            seconds = load.run(sessions, user, url, concurrency=1, each=1)[0]
            figures.append(
                {"rows": rows, "seconds": seconds, "peak_mb": common.peak_rss_mb(worker)}
            )
    finally:
        server.terminate()
        server.wait(timeout=20)
    return figures
