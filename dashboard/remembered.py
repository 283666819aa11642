"""A dashboard's board, kept while nothing it counts has changed (config/kept.py).

The people who watch a dashboard ask for the same page again and again (the office's screen, the
leaders opening it from a message); in a town, hours go by between the changes it counts. Each
board is kept in the worker's memory under the count of changes it was read at, the day and
everything else it depends on, so a kept board is never older than the rows. Two figures move
with the clock as well as the rows (a 90-day window ends every moment): a board is kept at most
`KEPT_SECONDS`, so such an edge passes at most that late.

Nothing changes a board once it is built but the HTML the page makes of it, which it keeps
(`Board.rendered`). Kept for users who see the whole town (everyone else sees a slice of their
own).
"""

from collections.abc import Callable
from datetime import date

from django.utils.translation import get_language

from config import kept
from dashboard import tallies
from dashboard.figures import Board
from dashboard.periods import Period
from dashboard.scopes import Scope

_boards = kept.Kept(size=50)


def keeps(user) -> bool:
    return kept.keeping() and tallies.usable(user)


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
    key = (
        kept.change_count(),
        today,
        get_language(),
        scope.kind,
        tuple(sorted(scope.params.items())),
        tuple(sorted(period.as_query().items())),
        *options,
    )
    return _boards.get(key, read)


def forget_all() -> None:
    _boards.clear()
