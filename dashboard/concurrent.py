"""A dashboard page's independent reads, run at once on PostgreSQL.

A page asks a dozen aggregate queries that do not depend on one another. One after another,
the server's second core idles while one of them runs; run on a few threads, each with its own
database connection, they overlap each other and the Python that shapes their results. Every
query already ran in a snapshot of its own (autocommit), so the figures agree no less than
before.

One after another instead: on SQLite (one writer, and its test database lives in one
connection), inside a transaction (a test case, or any caller in an atomic block: other
connections would not see its rows), and when `DASHBOARD_QUERY_THREADS` is below 2.
"""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, connections

_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()


def threads() -> int:
    """How many threads a page's reads may use now (1: one after another, in this thread)."""
    wanted = getattr(settings, "DASHBOARD_QUERY_THREADS", 1)
    if wanted < 2 or connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return wanted


def _executor(size: int) -> ThreadPoolExecutor:
    # Made in the process that uses it (after a gunicorn worker forks), kept for its life: the
    # threads keep their connections between pages as the request thread does (CONN_MAX_AGE).
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="dashboard-read")
            _pool_size = size
        return _pool


def _on_own_connection(task: Callable[[], Any]) -> Any:
    # What Django does around each request: drop this thread's connection if it is past its
    # age or broke in an earlier task (a database restart), so the task reconnects.
    close_old_connections()
    try:
        return task()
    finally:
        close_old_connections()


def run_all(tasks: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Each task's result by name. Give the slowest first: they start in that order."""
    size = threads()
    if size == 1:
        return {name: task() for name, task in tasks.items()}
    pool = _executor(size)
    futures = {name: pool.submit(_on_own_connection, task) for name, task in tasks.items()}
    return {name: future.result() for name, future in futures.items()}


def close() -> None:
    """Close the threads' connections and stop them (a test run ends, its database is dropped:
    PostgreSQL refuses while a connection is open)."""
    global _pool
    with _pool_lock:
        pool, _pool, size = _pool, None, _pool_size
    if pool is None:
        return
    # One closing task per thread: each waits at the barrier until every thread has taken one.
    barrier = threading.Barrier(size)

    def close_own() -> None:
        connections.close_all()
        barrier.wait(timeout=10)

    for future in [pool.submit(close_own) for _ in range(size)]:
        future.result()
    pool.shutdown()
