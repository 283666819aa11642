"""A dashboard's board, kept while nothing it counts has changed (config/kept.py).

The people who watch a dashboard ask for the same page again and again (the office's screen, the
leaders opening it from a message); in a town, hours go by between the changes it counts. Each
board is kept in the worker's memory under the count of changes it was read at, the day and
everything else it depends on, so a kept board is never older than the rows. Two figures move
with the clock as well as the rows (a 180-day window ends every moment): a board is kept at most
`KEPT_SECONDS`, so such an edge passes at most that late.

Nothing changes a board once it is built but the HTML the page makes of it, which it keeps
(`Board.rendered`). Kept for users who see the whole town (everyone else sees a slice of their
own).

After a change, a board is read again, but only in part: each of its reads (the hazards, the
premises, the visits, the month tallies...) is kept while the tables its statements read stand
still (`parts`), so an officer's edit of a hazard reads the hazards again and not the premises.
The reads of the hazards that add up over the places one level down (`ByPlace`) read again
only the places whose grids the change was in (config/kept.py, `read_in_parts`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from django.utils.translation import get_language

from config import kept
from dashboard import kpis, tallies
from dashboard.figures import Board
from dashboard.periods import Period
from dashboard.scopes import Scope
from grids.models import Grid

T = TypeVar("T")

_boards = kept.Kept(size=50)
_parts = kept.Kept(size=500)
_last = kept.Kept(size=50)  # each place and time's last board, with the values it was made of


def keeps(user) -> bool:
    return kept.keeping() and tallies.usable(user)


def board(
    user,
    scope: Scope,
    period: Period,
    *,
    today: date,
    options: tuple,
    read: Callable[[dict[str, int] | None], Board],
) -> Board:
    """The board `read` returns, or the one it returned for the same rows and arguments.
    `options` are the other arguments the board depends on (its ranking, the user's links).
    `read` is given the change count of each table (None: keep nothing)."""
    if not keeps(user):
        return read(None)
    counts = kept.change_counts()
    key = (sum(counts.values()), *place_and_time(scope, period, today), *options)
    return _boards.get(key, lambda: read(counts))


def place_and_time(scope: Scope, period: Period, today: date) -> tuple:
    return (
        today,
        get_language(),
        scope.kind,
        tuple(sorted(scope.params.items())),
        tuple(sorted(period.as_query().items())),
    )


@dataclass(frozen=True)
class ByPlace(Generic[T]):
    """A read that adds up parts, one per place (config/kept.py, InParts): `parts_of(places)`
    reads the parts of those places (None: of every place) as {place: part}, `combine` makes
    the read's value of them, and `again`, if given, makes it again after some places' parts
    changed, from the value before (`combine_again`). `level`: a grid's place, as a lookup from
    the grid ("pk": the grid itself)."""

    parts_of: Callable[[frozenset | None], dict]
    combine: Callable[[dict], T]
    level: str
    again: Callable[[T, dict, dict, frozenset], T] | None = None

    def __call__(self) -> T:
        return self.combine(self.parts_of(None))

    def combine_again(self, value: T, before: dict, parts: dict, places: frozenset) -> T:
        if self.again is None:
            return self.combine(parts)
        return self.again(value, before, parts, places)

    def places_of(self, grids: frozenset[int]) -> frozenset:
        if not grids or self.level == "pk":
            return grids
        places = Grid.objects.filter(pk__in=grids).values_list(self.level, flat=True)
        return frozenset(places.order_by().distinct())


def parts(
    reads: dict[str, Callable[[], T]],
    scope: Scope,
    period: Period,
    *,
    today: date,
    counts: kept.Counts,
) -> dict[str, Callable[[], T]]:
    """The reads of a board, each kept while the tables it reads stand still. They depend on
    nothing else but the place, the period and the day (and, for at most KEPT_SECONDS, the
    clock)."""
    common = place_and_time(scope, period, today)  # here: the reads may run on other threads

    def kept_read(name: str, read: Callable[[], T]) -> Callable[[], T]:
        if isinstance(read, ByPlace):
            key = (name, "by place", *common)
            return lambda: kept.read_in_parts(_parts, key, read, counts)
        return lambda: kept.read_by_tables(_parts, (name, *common), read, counts)

    return {name: kept_read(name, read) for name, read in reads.items()}


def same_board(key: tuple, reads: dict[str, object], make: Callable[[], Board]) -> Board:
    """The board `make` makes of the values of a board's reads, or the last one made under
    `key` of the very same values (the same objects: a kept read's value is never changed, and
    a read kept in parts keeps its value when its parts are as they were). An officer's step
    between the open states moves no figure: the board, and the HTML made of it, stay."""
    found = _last.peek(key)
    if found is not kept.MISSING:
        last_reads, board = found
        if last_reads.keys() == reads.keys() and all(
            value is last_reads[name] for name, value in reads.items()
        ):
            return board
    board = make()
    _last.put(key, (reads, board))
    return board


def forget_all() -> None:
    _boards.clear()
    _last.clear()
    _parts.clear()
    kpis.forget_tally_reads()
