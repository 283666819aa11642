"""Requests at a given concurrency: each thread has its own signed-in session, like a person."""

import threading
import time
from collections.abc import Callable

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
) -> list[float]:
    """`each` requests from each of `concurrency` threads at once; the seconds of every one.
    `before(slot)`, if given, runs in the thread before each request, off the clock."""
    times: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(concurrency)

    def worker(slot: int) -> None:
        session = sessions.get(username, slot)
        start.wait()
        try:
            for _ in range(each):
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
