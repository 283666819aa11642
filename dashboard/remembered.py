"""A dashboard's board, kept while nothing it counts has changed.

The people who watch a dashboard ask for the same page again and again (the office's screen, the
leaders opening it from a message); in a town, hours go by between the changes it counts. Each
board is kept in the worker's memory under the count of changes (migration 0005) it was read at,
the day and everything else it depends on: the first request after any change to a premises,
an inspection, a hazard, an accident or a place reads the rows again, so a kept board is never
older than the rows. The count is one for the whole database: in a county, a change in any town
reads every board again. Two figures move with the clock as well as the rows (a 90-day window ends
every moment): a board is kept at most `DASHBOARD_KEEP_SECONDS`, so such an edge passes at most
that late.

Boards are kept as they are, not pickled as a cache backend would (unpickling a county's board
took as long as the rest of the page): nothing changes a board once it is built but the HTML
the page makes of it, which it keeps (`Board.rendered`). A worker keeps at most `MAX_KEPT`.

Kept only on PostgreSQL (SQLite has no count), for users who see the whole town (everyone else
sees a slice of their own), and outside a transaction: inside one, the count may include the
transaction's own changes, which it might yet roll back.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.db import connection
from django.utils.translation import get_language

from dashboard import tallies
from dashboard.figures import Board
from dashboard.periods import Period
from dashboard.scopes import Scope

MAX_KEPT = 50

_kept: OrderedDict[tuple, tuple[float, Board]] = OrderedDict()  # key: (dropped at, board)
_lock = threading.Lock()


def change_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(n), 0) FROM gw_change_count")
        return cursor.fetchone()[0]


def keeps(user) -> bool:
    return (
        settings.DASHBOARD_KEEP_SECONDS > 0
        and tallies.usable(user)
        and not connection.in_atomic_block
    )


def board(
    user,
    scope: Scope,
    period: Period,
    *,
    today: date,
    options: tuple,
    read: Callable[[], Board],
) -> Board:
    """The board `read` returns, or the one it returned for the same rows and arguments.
    `options` are the other arguments the board depends on (its ranking, the user's links)."""
    if not keeps(user):
        return read()
    # The count first: rows read after it are at least as new as it says.
    key = (
        change_count(),
        today,
        get_language(),
        scope.kind,
        tuple(sorted(scope.params.items())),
        tuple(sorted(period.as_query().items())),
        *options,
    )
    kept = _kept_board(key)
    if kept is None:
        kept = read()
        _keep(key, kept)
    return kept


def _kept_board(key: tuple) -> Board | None:
    with _lock:
        dropped_at, board = _kept.get(key, (0.0, None))
        if dropped_at <= time.time():
            _kept.pop(key, None)
            return None
        _kept.move_to_end(key)
        return board


def _keep(key: tuple, board: Board) -> None:
    with _lock:
        now = time.time()
        for old in [k for k, (dropped_at, _board) in _kept.items() if dropped_at <= now]:
            del _kept[old]
        _kept[key] = (now + settings.DASHBOARD_KEEP_SECONDS, board)
        while len(_kept) > MAX_KEPT:
            _kept.popitem(last=False)


def forget_all() -> None:
    with _lock:
        _kept.clear()
