"""The dashboard's numbers as the pages, the export and the report use them: a figure with the
link to the rows behind it, a ranking row, a breakdown row, a short list, and the board."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dashboard.periods import Period
from dashboard.scopes import Scope

COUNT, SUM, RATE, DAYS, MONEY = "count", "sum", "rate", "days", "money"
RECTIFICATION_TARGET = 95.0  # per cent (docs/figures.md)
RANK_ORDERS = {
    "rate": _("Rectification rate"),
    "overdue": _("Overdue"),
    "coverage": _("Coverage"),
    "days": _("Mean days to close"),
    "name": _("Name"),
}
DEFAULT_RANK = "rate"


def percent(part: int, whole: int) -> float | None:
    return None if not whole else 100.0 * part / whole


@dataclass
class Figure:
    """A number on the page. `url` opens exactly the rows a count counts; `previous` is the same
    figure for the same period one year earlier (None for snapshots of "now")."""

    key: str
    label: Promise | str
    value: Any
    url: str = ""
    kind: str = COUNT
    previous: Any = None
    previous_url: str = ""
    compares: bool = True
    bad_when_positive: bool = False
    # Which way is good, for colouring the change: "up", "down" or "" (neither).
    better: str = ""
    # Counts shown under the figure on its card (e.g. closed and found under the rate).
    parts: list["Figure"] = field(default_factory=list)

    @property
    def change(self) -> float | None:
        """Year on year: per cent for counts, percentage points for rates."""
        if not self.compares or self.value is None or self.previous is None:
            return None
        if self.kind == RATE:
            return self.value - self.previous
        if not self.previous:
            return None
        return 100.0 * (float(self.value) - float(self.previous)) / float(self.previous)

    @property
    def is_count(self) -> bool:
        return self.kind == COUNT


@dataclass
class RankRow:
    place: Model
    title: str
    board_url: str
    found: Figure
    closed: Figure
    rate: float | None
    overdue: Figure
    open_major: Figure
    covered: Figure
    operating: Figure
    coverage: float | None
    time_to_close: float | None
    closed_in: Figure


@dataclass
class BreakdownRow:
    label: str
    found: Figure
    closed: Figure
    rate: float | None
    overdue: Figure


@dataclass
class ShortList:
    """The first rows of a list, how many there are in all, and the link to all of them."""

    key: str
    title: Promise | str
    items: list
    total: Figure
    extra_url: str = ""


@dataclass
class Board:
    scope: Scope
    period: Period
    previous: Period
    today: date
    figures: dict[str, Figure]
    ranking: list[RankRow] = field(default_factory=list)
    child_label: Promise | str = ""
    trend: list[dict] = field(default_factory=list)
    breakdowns: dict[str, list[BreakdownRow]] = field(default_factory=dict)
    lists: dict[str, ShortList] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return percent(self.figures["closed"].value, self.figures["found"].value)

    @property
    def coverage(self) -> float | None:
        return percent(self.figures["covered"].value, self.figures["operating"].value)

    @property
    def zeroing_holds(self) -> bool:
        """动态清零: no open major hazard past its deadline, each with interim measures."""
        return not (
            self.figures["open_major_overdue"].value or self.figures["open_major_no_interim"].value
        )

    def links(self) -> list[Figure]:
        """Every count on the page that links to rows: for the drill-down test."""
        counted = [f for f in self.figures.values() if f.is_count and f.url]
        for row in self.ranking:
            counted += [row.found, row.closed, row.overdue, row.open_major, row.covered]
            counted += [row.operating, row.closed_in]
        for rows in self.breakdowns.values():
            for row in rows:
                counted += [row.found, row.closed, row.overdue]
        for month in self.trend:
            counted += [month["found"], month["closed"]]
        counted += [short.total for short in self.lists.values()]
        return counted
