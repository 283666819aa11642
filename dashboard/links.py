"""Where each number on the dashboard and the home pages leads: the ledger, the inspection
list, the premises lists or the accident register, filtered to exactly the rows it counts.

`where` is a scope's GET parameters (`{"village": 3}`); a period becomes the lists' date ranges,
whose end day is included (see dashboard/periods.py). tests/dashboard/test_drilldown.py follows
every link of the page and compares the rows behind it with the number shown.
"""

from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.urls import get_script_prefix, reverse

from dashboard.periods import Period

# The ledger's status choice for "every hazard found, less the dismissed ones" (发现隐患).
FOUND = "found"


@lru_cache(maxsize=32)
def _path(name: str, script_prefix: str) -> str:
    # A board holds a few hundred links to a handful of pages: each page's path reversed once
    # (docs/decisions.md, HTML in templates). Keyed by the script prefix the path begins with.
    return reverse(name)


def _url(name: str, params: dict[str, Any]) -> str:
    query = urlencode({key: value for key, value in params.items() if value not in (None, "")})
    path = _path(name, get_script_prefix())
    return f"{path}?{query}" if query else path


def _dates(prefix: str, period: Period) -> dict[str, str]:
    return {f"{prefix}_after": period.start.isoformat(), f"{prefix}_before": period.end.isoformat()}


def ledger(where: dict, **params: Any) -> str:
    return _url("hazards:ledger", {**where, **params})


def found(where: dict, period: Period, **params: Any) -> str:
    """Hazards found in the period, less dismissed."""
    return ledger(where, **_dates("reported", period), status=FOUND, **params)


def closed(where: dict, period: Period, **params: Any) -> str:
    """Of the hazards found in the period, those closed (by now)."""
    return ledger(where, **_dates("reported", period), status="closed", **params)


def closed_in(where: dict, period: Period, **params: Any) -> str:
    """Hazards closed in the period, whenever found (the mean days to close)."""
    return ledger(where, **_dates("closed", period), status="closed", **params)


def overdue(where: dict, **params: Any) -> str:
    return ledger(where, overdue="true", **params)


def open_major(where: dict, **params: Any) -> str:
    return ledger(where, status="open", severity="major", **params)


def ledger_export(where: dict, **params: Any) -> str:
    return _url("hazards:ledger_export", {**where, **params})


def inspections(where: dict, period: Period) -> str:
    return _url("dashboard:inspection_list", {**where, **_dates("visited", period)})


def premises(where: dict, **params: Any) -> str:
    return _url("dashboard:premises_list", {**where, **params})


def premises_inspected(where: dict, period: Period) -> str:
    return premises(where, **_dates("inspected", period))


def accidents(where: dict, period: Period) -> str:
    return _url("accidents:accident_list", {**where, **_dates("occurred", period)})


def offender_page() -> str:
    return reverse("enforcement:offender_list")


def _home_hazards() -> dict[str, str]:
    """Where a home page's hazard figures lead: the ledger, scoped to its user as they are."""
    return {"open": ledger({}, status="open"), "overdue": overdue({}), "open_major": open_major({})}


def officer_home() -> dict[str, str]:
    """Where each figure of a grid officer's home page leads: the rows it counts."""
    return {**_home_hazards(), "patrol_due": _url("inspections:premises_list", {"patrol": "due"})}


def overview_home() -> dict[str, str]:
    """Where each figure of the other roles' home page leads (each of them may open the
    dashboard's premises list)."""
    return {
        **_home_hazards(),
        "operating": premises({}, status="operating"),
        "patrol_due": premises({}, patrol="due"),
    }


def board(name: str, where: dict, period: Period | None = None, **params: Any) -> str:
    """A dashboard page (index, export, report) for a scope and period."""
    return _url(name, {**where, **(period.as_query() if period else {}), **params})
