"""Values kept in a worker's memory while the rows they were read from have not changed.

PostgreSQL counts every change to the tables that dashboards and the ledger read, per table
(dashboard migrations 0005 and 0006: statement triggers that add one to `gw_change_count` in the
same transaction as the change, however it is made). A value kept under the count it was read at
is as new as the rows: the first request after any change reads them again. `read_kept` keeps a
value under the count of every table; `read_by_tables` under the counts of the tables its
statements read, so a change to a hazard leaves a kept count of premises standing; and
`read_in_parts` a value made of parts, one per place, of which a change to the hazards reads
again only the places it was in (migration 0008 logs the grids of every change to them).

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
from contextvars import ContextVar
from typing import Any, Protocol, TypeVar

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
        getattr(settings, "KEPT_SECONDS", 0) > 0
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )


_first_count: ContextVar[list[int] | None] = ContextVar("first_count", default=None)


def change_count() -> int:
    """The count of changes to every counted table (inside `one_change_count`, the first one
    read there)."""
    first = _first_count.get()
    if first:
        return first[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(n), 0) FROM gw_change_count")
        count = cursor.fetchone()[0]
    if first is not None:
        first.append(count)
    return count


@contextmanager
def one_change_count() -> Iterator[None]:
    """Every kept value read inside goes by the change count read first: for a page that writes
    nothing (a ledger page read it five times, once per kept value). Its values are still at
    least as new as their key, which is all a key must be: the count was read before them."""
    token = _first_count.set([])
    try:
        yield
    finally:
        _first_count.reset(token)


class Counts(dict):
    """The count of changes to each counted table, by its name, and the snapshot they were read
    in (`changed_grids`). One page's: it also keeps what the page's reads asked the database
    about the changes since (`once`), so that each asks once however many reads need it."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.snapshot = ""
        self._answers: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def once(self, key: Hashable, ask: Callable[[], T]) -> T:
        with self._lock:  # the page's reads run on threads of their own
            if key not in self._answers:
                self._answers[key] = ask()
            return self._answers[key]


def change_counts() -> Counts:
    """The count of changes to each counted table, as committed now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tbl, sum(n)::bigint, pg_current_snapshot()::text FROM gw_change_count"
            " GROUP BY tbl"
        )
        rows = cursor.fetchall()
    counts = Counts((table, n) for table, n, _snapshot in rows)
    counts.snapshot = rows[0][2] if rows else snapshot()
    return counts


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

    def put(self, key: Hashable, value: Any, *, read_at: float | None = None) -> None:
        """Keep `value` for KEPT_SECONDS from when it was read (`read_at`: by default, now)."""
        with self._lock:
            now = time.time()
            for old in [k for k, (dropped_at, _v) in self._values.items() if dropped_at <= now]:
                del self._values[old]
            self._values[key] = ((read_at or now) + settings.KEPT_SECONDS, value)
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


# --- kept in parts, one per place ---------------------------------------------------------------

# The tables whose changes are logged per grid (dashboard migration 0008).
GRID_LOGGED = frozenset({"hazards_hazard"})


def snapshot() -> str:
    """What the database has committed now, as a PostgreSQL snapshot (`changed_grids`)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_snapshot()::text")
        return cursor.fetchone()[0]


def changed_grids(since: str, tables: Iterable[str]) -> tuple[frozenset[int] | None, str]:
    """The grids in which these tables changed after the snapshot `since` (None: any grid, or
    it cannot be told), and the snapshot this answer is as of."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT upto IS NULL OR upto < pg_snapshot_xmin(%(since)s::pg_snapshot)"
            "        FROM gw_grid_change_pruned),"
            " ARRAY(SELECT DISTINCT grid_id FROM gw_grid_change"
            "       WHERE xid >= pg_snapshot_xmin(%(since)s::pg_snapshot) AND tbl = ANY(%(tables)s)"
            "       AND NOT pg_visible_in_snapshot(xid, %(since)s::pg_snapshot)),"
            " pg_current_snapshot()::text",
            {"since": since, "tables": sorted(tables)},
        )
        complete, grids, now = cursor.fetchone()
    if not complete or 0 in grids:
        return None, now
    return frozenset(grids), now


class InParts(Protocol[T]):
    """A value made of parts, one per place (dashboard/remembered.py, ByPlace)."""

    def parts_of(self, places: frozenset | None) -> dict:
        """The parts of these places (None: of every place), as {place: part}."""

    def combine(self, parts: dict) -> T:
        """The value of every place's parts."""

    def combine_again(self, value: T, before: dict, parts: dict, places: frozenset) -> T:
        """The value after the parts of `places` were read again: `before`, the parts `value`
        was made of. MISSING: it cannot be told from the parts; read every place again."""

    level: str  # a grid's place, as a lookup from the grid (places_of)

    def places_of(self, grids: frozenset[int]) -> frozenset:
        """The places these grids are in."""


def read_in_parts(store: Kept, key: Hashable, read: InParts[T], counts: Counts) -> T:
    """What `read` makes of the parts of every place, kept like `read_by_tables`; after a
    change to tables logged per grid (GRID_LOGGED), only the parts of the places it was in are
    read again. `counts`: as `change_counts()` returns them, read before `read` runs."""
    found = store.peek(key)
    if found is not MISSING:
        value, parts, read_at, since, born = found
        moved = {table for table, n in read_at if counts.get(table) != n}
        if not moved:
            note(table for table, _n in read_at)
            return value
        if moved <= GRID_LOGGED:
            grids, now = counts.once(
                ("changed", since, *sorted(moved)), lambda: changed_grids(since, moved)
            )
            if grids is not None:
                with recording_tables() as tables:
                    places = counts.once(
                        ("places", read.level, grids), lambda: read.places_of(grids)
                    )
                    fresh = read.parts_of(places) if places else {}
                    if fresh != {p: parts[p] for p in places if p in parts}:
                        # (Else: a change elsewhere, or none the value shows. It stays the
                        # same object, so a board made of it can stay, dashboard/remembered.)
                        before = parts
                        parts = {p: part for p, part in parts.items() if p not in places} | fresh
                        value = read.combine_again(value, before, parts, places)
                if value is not MISSING:
                    # Kept no longer than the parts read first: some figures move with the
                    # clock too (dashboard/remembered.py), in the places no change was in as well.
                    tables |= {table for table, _n in read_at}
                    _keep(store, key, (value, parts), tables, counts, now, born)
                    return value
    since = counts.snapshot  # taken before the rows are read
    born = time.time()
    with recording_tables() as tables:
        parts = read.parts_of(None)
        value = read.combine(parts)
    _keep(store, key, (value, parts), tables, counts, since, born)
    return value


def _keep(
    store: Kept, key: Hashable, kept: tuple, tables: set, counts: dict, since: str, born: float
) -> None:
    if tables and tables <= counts.keys():
        read_at = tuple((table, counts[table]) for table in sorted(tables))
        store.put(key, (*kept, read_at, since, born), read_at=born)
