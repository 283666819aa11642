"""Every dashboard figure still equals its recount: the monthly tallies against the rows they
summarise, and the boards the office is served (which read the tallies) against the same boards
counted from the rows alone (dashboard/sources.py, Sources.tallied)."""

import time
from decimal import Decimal
from unittest import mock

from django.utils import timezone

from dashboard.board import build
from dashboard.periods import period_from
from dashboard.scopes import scope_from


def tally_check() -> dict:
    """The dashboard's monthly tallies against the rows they summarise (dashboard/tallies.py)."""
    from dashboard.models import GridMonth, PremisesYear, SectorMonth, TownMonth
    from dashboard.tallies import drift

    started = time.monotonic()
    differences = drift()
    return {
        "grid_months": GridMonth.objects.count(),
        "town_months": TownMonth.objects.count(),
        "sector_months": SectorMonth.objects.count(),
        "premises_years": PremisesYear.objects.count(),
        "differences": len(differences),
        "first": differences[:3],
        "seconds": time.monotonic() - started,
    }


def _number(value):
    """A figure's value as shown: sums of days and money may differ in their last bits."""
    if isinstance(value, float | Decimal):
        return round(float(value), 2)
    return value


def _value(figure) -> tuple:
    return _number(figure.value), _number(figure.previous)


def board_numbers(board) -> dict[str, object]:
    """Every number a board shows, by where it is shown."""
    numbers = {f"figure {key}": _value(figure) for key, figure in board.figures.items()}
    for month in board.trend:
        numbers[f"trend {month['month']:%Y-%m}"] = (
            month["found"].value,
            month["closed"].value,
        )
    for row in board.ranking:
        numbers[f"ranking {row.title}"] = (
            *(getattr(row, name).value for name in ("found", "closed", "overdue", "open_major")),
            *(getattr(row, name).value for name in ("covered", "operating", "closed_in")),
            _number(row.time_to_close),
        )
    for by, rows in board.breakdowns.items():
        for row in rows:
            numbers[f"{by} {row.label}"] = (row.found.value, row.closed.value, row.overdue.value)
    return numbers


def _board(user, params: dict, *, tallied: bool):
    now = timezone.now()
    today = timezone.localdate(now)
    scope = scope_from(params, user)
    period, _form = period_from(params, today=today)
    if tallied:
        return build(user, scope, period, today=today, now=now)
    with mock.patch("dashboard.tallies.usable", return_value=False):
        return build(user, scope, period, today=today, now=now)


def headline_check(user, boards: dict[str, dict]) -> dict:
    """Each board (name → its GET parameters) as the user is served it, with the tallies,
    against the same board counted from the rows; the numbers that differ."""
    started = time.monotonic()
    compared, differences = 0, []
    for name, params in boards.items():
        served = board_numbers(_board(user, params, tallied=True))
        recounted = board_numbers(_board(user, params, tallied=False))
        compared += len(served)
        for key in sorted(served.keys() | recounted.keys()):
            if served.get(key) != recounted.get(key):
                differences.append(f"{name}, {key}: {served.get(key)} ≠ {recounted.get(key)}")
    return {
        "boards": list(boards),
        "numbers": compared,
        "differences": len(differences),
        "first": differences[:3],
        "seconds": time.monotonic() - started,
    }
