"""Values kept in a worker's memory while the rows they were read from have not changed.

PostgreSQL counts every change to the tables that dashboards and the ledger read, per table
(dashboard migrations 0005 and 0006: statement triggers that add one to `gw_change_count` in the
same transaction as the change, however it is made). A value kept under the count it was read at
is as new as the rows: the first request after any change reads them again. `read_kept` keeps a
value under the count of every table; `read_by_tables` under the counts of the tables its
statements read, so a change to a hazard leaves a kept count of premises standing.

Values are kept as they are, not pickled as a cache backend would (unpickling a county's board
took as long as the rest of its page), each for at most `settings.KEPT_SECONDS`, and not kept
at all on SQLite (no count) or inside a transaction (there the count may include the
transaction's own changes, which it might yet roll back).
"""

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

T = TypeVar("T")

# A table a statement reads: Django quotes the names it writes; raw SQL may not.
_TABLE = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)
_counted_tables: frozenset[str] | None = None


def keeping() -> bool:
    return (
        settings.KEPT_SECONDS > 0
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )


def change_count() -> int:
    """The count of changes to every counted table."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(n), 0) FROM gw_change_count")
        return cursor.fetchone()[0]


def change_counts() -> dict[str, int]:
    """The count of changes to each counted table, by its name."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tbl, sum(n)::bigint FROM gw_change_count GROUP BY tbl")
        return dict(cursor.fetchall())


def counted_tables() -> frozenset[str]:
    """The tables whose every change moves the count (read from the triggers, once)."""
    global _counted_tables
    if _counted_tables is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger "
                "WHERE tgname = 'gw_count_change'"
            )
            _counted_tables = frozenset(name.strip('"') for (name,) in cursor.fetchall())
    return _counted_tables


def reads_only_counted(sql: str) -> bool:
    """Whether a statement reads no table but those the count watches (a grid's officers, say,
    are not watched: a statement that reads them may change with the count unmoved)."""
    return set(_TABLE.findall(sql)) <= counted_tables()


MISSING = object()


class Kept:
    """At most `size` values, each for at most KEPT_SECONDS; the least recently used goes
    first. Shared by the threads of a worker."""

    def __init__(self, size: int):
        self.size = size
        self._values: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, read: Callable[[], Any]) -> Any:
        """The value kept under `key`, or what `read` returns, kept under it. Read the change
        count (part of the key) before the rows, so the rows are at least as new as the key."""
        value = self.peek(key)
        if value is MISSING:
            value = read()
            self.put(key, value)
        return value

    def peek(self, key: Hashable) -> Any:
        """The value kept under `key`, or MISSING."""
        with self._lock:
            dropped_at, value = self._values.get(key, (0.0, MISSING))
            if dropped_at > time.time():
                self._values.move_to_end(key)
                return value
            self._values.pop(key, None)
            return MISSING

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            now = time.time()
            for old in [k for k, (dropped_at, _v) in self._values.items() if dropped_at <= now]:
                del self._values[old]
            self._values[key] = (now + settings.KEPT_SECONDS, value)
            while len(self._values) > self.size:
                self._values.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


def read_kept(store: Kept, rows: QuerySet, read: Callable[[], T], *depends_on: Hashable) -> T:
    """What `read` makes of `rows`, kept in `store` under the change count and the statement
    that reads them (so every filter and every user's scope is kept apart) and whatever else
    the value `depends_on` (the language of its labels, say). Read afresh where nothing can be
    kept, or where the statement reads a table the count does not watch."""
    if not keeping():
        return read()
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # a filter that matches nothing, known before asking
        return read()
    if not reads_only_counted(sql):
        return read()
    return store.get((change_count(), sql, repr(params), *depends_on), read)


# --- kept while the tables read stand still -----------------------------------------------------

_recorders = threading.local()


@contextmanager
def recording_tables() -> Iterator[set[str]]:
    """The names of the tables read inside: by the statements run on this thread's connection,
    and by the kept values served (`note`), which run none."""
    seen: set[str] = set()

    def record(execute, sql, params, many, context):
        seen.update(_TABLE.findall(sql))
        return execute(sql, params, many, context)

    stack = _recorders.__dict__.setdefault("stack", [])
    stack.append(seen)
    try:
        with connection.execute_wrapper(record):
            yield seen
    finally:
        stack.pop()


def note(tables: Iterable[str]) -> None:
    """Count these tables as read by every recording under way on this thread (a value read
    once and handed out again, a kept one, reads its tables for each reader)."""
    tables = tuple(tables)
    for seen in _recorders.__dict__.get("stack", ()):
        seen.update(tables)


def read_by_tables(store: Kept, key: Hashable, read: Callable[[], T], counts: dict[str, int]) -> T:
    """What `read` returns, kept in `store` under `key` while none of the tables its statements
    read has changed. `counts`: the change counts of every table (`change_counts()`), read
    before `read` runs. Not kept when it reads a table the count does not watch, or none."""
    found = store.peek(key)
    if found is not MISSING:
        value, read_at = found
        if all(counts.get(table) == n for table, n in read_at):
            note(table for table, _n in read_at)
            return value
    with recording_tables() as tables:
        value = read()
    if tables and tables <= counts.keys():
        store.put(key, (value, tuple((table, counts[table]) for table in sorted(tables))))
    return value
