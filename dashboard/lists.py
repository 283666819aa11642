"""The dashboard's short lists: where to push next. Each is one sliced query; its full length is
a figure of dashboard/kpis.py (or one COUNT here) and its "all" link opens every row."""

from collections.abc import Callable
from datetime import date, datetime

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, Q, QuerySet

from dashboard.sources import Sources
from enforcement.offenders import long_overdue, recurred, rejected_twice
from grids.models import Grid, Village
from hazards.models import Hazard
from premises.models import Premises

LIST_SIZE = 10
HAZARD_RELATIONS = ("premises__grid__village", "premises__business_type", "department")
PREMISES_RELATIONS = ("grid__village", "business_type")
# What the lists show (`short_list` in dashboard/jinja2/dashboard/_parts.html): ten rows of
# a few columns each instead of every column of five tables.
HAZARD_SHOWN = (
    *("ledger_number", "severity", "rectify_by", "description", "premises", "grid"),
    *("premises__name", "premises__grid__name", "premises__grid__village__name"),
)
PREMISES_SHOWN = (
    *("name", "risk_level", "last_inspected_at", "grid", "business_type"),
    *("grid__name", "grid__village__name", "business_type__name_zh", "business_type__name_en"),
)


def _hazards_shown(hazards: QuerySet) -> QuerySet:
    return hazards.select_related("premises__grid__village").only(*HAZARD_SHOWN)


def _premises_shown(premises: QuerySet) -> QuerySet:
    return premises.select_related(*PREMISES_RELATIONS).only(*PREMISES_SHOWN)


def _with_days_overdue(hazards: list[Hazard], today: date) -> list[Hazard]:
    for hazard in hazards:
        hazard.days_overdue = max(0, (today - hazard.rectify_by).days)
    return hazards


def open_major_hazards(src: Sources, *, today: date, limit: int = LIST_SIZE) -> list[Hazard]:
    """Open major hazards, the nearest (or most passed) deadline first."""
    return _first_by_deadline(src.hazards.open().major(), today=today, limit=limit)


def overdue_hazards(src: Sources, *, today: date, limit: int = LIST_SIZE) -> list[Hazard]:
    """Open hazards past their deadline, the longest overdue first."""
    return _first_by_deadline(src.hazards.overdue(today), today=today, limit=limit)


def _first_by_deadline(hazards: QuerySet, *, today: date, limit: int) -> list[Hazard]:
    rows = _hazards_shown(hazards).order_by("rectify_by", "pk")[:limit]
    return _with_days_overdue(list(rows), today)


def is_offender(*, today: date, now: datetime) -> Q:
    """Premises meeting one of the rules of enforcement/offenders.py (钉子户), as a filter: one
    `IN (… UNION ALL …)` (PostgreSQL hashes it once; three OR-ed IN subqueries made it test
    every premises of the county three times)."""
    return Q(pk__in=_rules_union(lambda hazards: hazards.values("premises_id"), today, now))


def _rules_union(shape: Callable[[QuerySet], QuerySet], today: date, now: datetime) -> QuerySet:
    """The hazards of each rule of enforcement/offenders.py, shaped alike, as one UNION ALL."""
    rules = (long_overdue(today=today), rejected_twice(now=now), recurred(now=now))
    first, *others = (shape(hazards.order_by()) for hazards in rules)
    return first.union(*others, all=True)


def offenders(src: Sources, *, today: date, now: datetime) -> tuple[list[Premises], int]:
    """The first persistent offenders in scope by village and name, and how many there are."""
    per_grid = offenders_per_grid(src, today=today, now=now)
    return first_offenders(src, per_grid, today=today, now=now)


def offenders_per_grid(src: Sources, *, today: date, now: datetime) -> dict[int, tuple[str, int]]:
    """How many premises offend in each grid in scope, by grid: (its village's code, the
    count). With `first_offenders`, the dashboard's list of persistent
    offenders: a county has ~12,000, and reading each one's premises to sort them by name was
    slow (docs/decisions.md); the rules' hazards carry their premises' grid (Hazard.grid), so
    the offenders are counted per grid (index scans of the hazards), then the premises of the
    first villages' grids only are read. Without the offenders page's per-rule flags (three
    EXISTS a row)."""
    return _count_per_grid(_offending(src, today=today, now=now, with_grid=True))


def first_offenders(
    src: Sources,
    per_grid: dict[int, tuple[str, int]],
    *,
    today: date,
    now: datetime,
    limit: int = LIST_SIZE,
) -> tuple[list[Premises], int]:
    """The first persistent offenders in scope by village and name, of the grids' counts
    (`offenders_per_grid`), and how many there are."""
    hazards = _offending(src, today=today, now=now, grids=_first_grids(per_grid, limit))
    rows = _premises_shown(Premises.objects.filter(pk__in=hazards)).order_by(
        "grid__village__code", "name", "pk"
    )
    return list(rows[:limit]), _total(per_grid)


def _total(per_grid: dict[int, tuple[str, int]]) -> int:
    return sum(n for _village, n in per_grid.values())


def _first_grids(per_grid: dict[int, tuple[str, int]], limit: int) -> list[int]:
    """The grids of the first villages (by code) that have `limit` offenders between them."""
    first, counted, last_village = [], 0, None
    for village, grid, n in sorted((village, grid, n) for grid, (village, n) in per_grid.items()):
        if counted >= limit and village != last_village:
            break  # the first villages are complete: their names sort before the others'
        first.append(grid)
        counted, last_village = counted + n, village
    return first


def _offending(
    src: Sources, *, today: date, now: datetime, grids=None, with_grid: bool = False
) -> QuerySet:
    """(grid, premises) or premises of the rules' hazards in scope, as one UNION ALL: the
    premises the page counts (the scope's grids, and for a user who does not see every
    premises, those the user sees), narrowed to some grids."""

    def in_scope(hazards: QuerySet) -> QuerySet:
        hazards = hazards.filter(**src.grid_filter)
        if not src.sees_all:
            hazards = hazards.filter(premises__in=src.premises.values("pk"))
        if grids is not None:
            hazards = hazards.filter(grid__in=grids)
        return (
            hazards.values("grid_id", "premises_id") if with_grid else hazards.values("premises_id")
        )

    return _rules_union(in_scope, today, now)


def _count_per_grid(offending: QuerySet) -> dict[int, tuple[str, int]]:
    """How many premises offend in each grid, by grid: (village code, count); a premises'
    hazards are all in its grid. The ORM cannot group a UNION: its SQL is wrapped here, and
    PostgreSQL sends back ~1,500 rows instead of ~13,000; counted per grid before the grids
    are joined to their villages (docs/decisions.md, Counting per grid first)."""
    try:
        sql, params = offending.query.sql_with_params()
    except EmptyResultSet:  # no grids asked for
        return {}
    grids, villages = Grid._meta.db_table, Village._meta.db_table
    # The ORM's own SQL and its parameters, passed apart: nothing from the request is spliced.
    per_grid = (
        "SELECT rules.grid_id, COUNT(DISTINCT rules.premises_id) AS n "  # noqa: S608
        f"FROM ({sql}) AS rules GROUP BY rules.grid_id"
    )
    grouped = (
        f"SELECT v.code, g.id, per_grid.n FROM ({per_grid}) AS per_grid "  # noqa: S608
        f"JOIN {grids} g ON g.id = per_grid.grid_id JOIN {villages} v ON v.id = g.village_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(grouped, params)
        return {grid: (code, n) for code, grid, n in cursor.fetchall()}


def patrol_due_premises(src: Sources, *, today: date, limit: int = LIST_SIZE) -> list[Premises]:
    """Operating premises past their patrol date, the longest overdue first (the never inspected
    have their own list and come last). Walks the operating-by-due-date index: no sort."""
    rows = _premises_shown(src.premises.patrol_due(today)).order_by(
        F("patrol_due_on").asc(nulls_last=True), "pk"
    )
    return list(rows[:limit])


def never_inspected_premises(src: Sources, *, limit: int = LIST_SIZE) -> list[Premises]:
    """Operating premises with no inspection at all, the first registered first."""
    rows = _premises_shown(src.premises.operating().filter(last_inspected_at__isnull=True))
    rows = rows.order_by("pk")
    return list(rows[:limit])
