"""Requests at a given concurrency: each thread has its own signed-in session, like a person."""

import threading
import time
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import psycopg
import requests

from bench.common import login


class Sessions:
    """Signed-in sessions per (user, thread), made once and reused across pages."""

    def __init__(self, base: str, password: str) -> None:
        self.base, self.password = base, password
        self._made: dict[tuple[str, int], requests.Session] = {}

    def get(self, username: str, slot: int) -> requests.Session:
        key = (username, slot)
        if key not in self._made:
            self._made[key] = login(self.base, username, self.password)
        return self._made[key]


def fetch(session: requests.Session, url: str) -> float:
    started = time.perf_counter()
    response = session.get(url, allow_redirects=False)
    size = len(response.content)  # the whole body, streamed or not
    elapsed = time.perf_counter() - started
    if response.status_code != 200 or not size:
        raise RuntimeError(f"{url}: HTTP {response.status_code}, {size} bytes")
    return elapsed


def run(
    sessions: Sessions,
    username: str,
    url: str,
    *,
    concurrency: int,
    each: int,
    before: Callable[[int], None] | None = None,
    seconds: float | None = None,
) -> list[float]:
    """`each` requests from each of `concurrency` threads at once (or, given `seconds`, as many
    as each thread makes in that time); the seconds of every one. `before(slot)`, if given, runs
    in the thread before each request, off the clock."""
    times: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(concurrency)

    def worker(slot: int) -> None:
        session = sessions.get(username, slot)
        start.wait()
        deadline = time.monotonic() + seconds if seconds else None
        made = 0
        try:
            while (made < each) if deadline is None else (time.monotonic() < deadline):
                made += 1
                if before:
                    before(slot)
                elapsed = fetch(session, sessions.base + url)
                with lock:
                    times.append(elapsed)
        except BaseException as error:  # noqa: BLE001 -- re-raised in the main thread
            errors.append(error)

    for slot in range(concurrency):  # sign in before the clock starts
        sessions.get(username, slot)
    threads = [threading.Thread(target=worker, args=(slot,)) for slot in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return times


class Changes:
    """An officer's step on a hazard, made by each client thread before each of its requests
    (off the clock, `run(before=...)`): a rectification submitted, or sent back to rectifying.
    Every request finds the count of changes to the hazards moved (config/kept.py) and reads
    the hazards again, as the first request after an officer's save does; what did not change
    (the premises, the visits, the monthly tallies) it may keep."""

    STEP = (
        "UPDATE hazards_hazard SET"
        " status = CASE status WHEN 'rectifying' THEN 'submitted' ELSE 'rectifying' END,"
        " submitted_at = coalesce(submitted_at, now())"
        " WHERE id = %s"
    )

    # The first hazard being rectified (in a town: the dashboard reads again what a change in
    # its scope touched, so a change elsewhere would flatter it).
    FIRST = (
        "SELECT min(h.id) FROM hazards_hazard h JOIN grids_grid g ON g.id = h.grid_id"
        " JOIN grids_village v ON v.id = g.village_id"
        " WHERE h.status = 'rectifying' AND (%(town)s::int IS NULL OR v.town_id = %(town)s)"
    )

    # A step that moves figures: the deadline passed, or moved on again (the overdue count,
    # the overdue breakdowns and the overdue list change; the tallies do not).
    DEADLINE = (
        "UPDATE hazards_hazard SET rectify_by = CASE WHEN rectify_by < current_date"
        " THEN current_date + 7 ELSE current_date - 3 END WHERE id = %s"
    )

    def __init__(
        self, dsn: str, *, every: float = 0.0, town: int | None = None, step: str = STEP
    ) -> None:
        """`every`: at most one change in that many seconds, by whichever thread comes first
        (0: before every request); `town`: a hazard of that town (None: of any); `step`: the
        change made (STEP, or DEADLINE)."""
        self.dsn, self.every, self.step = dsn, every, step
        self.made = 0
        self._last = float("-inf")
        self._lock = threading.Lock()
        self._connections: dict[int, psycopg.Connection] = {}
        with psycopg.connect(dsn) as connection:
            self._hazard = connection.execute(self.FIRST, {"town": town}).fetchone()[0]

    def __call__(self, slot: int) -> None:
        with self._lock:
            if time.monotonic() - self._last < self.every:
                return
            self._last = time.monotonic()
            self.made += 1
        if slot not in self._connections:
            self._connections[slot] = psycopg.connect(self.dsn, autocommit=True)
        self._connections[slot].execute(self.step, [self._hazard])

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()


def town_of(url: str) -> int | None:
    """The town a dashboard's URL shows (None: the county)."""
    towns = parse_qs(urlsplit(url).query).get("town")
    return int(towns[0]) if towns else None
