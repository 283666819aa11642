"""Reading the monthly tallies of dashboard/models.py, and checking them against the rows.

A period is read as calendar months from the tallies, corrected by the rows of the days of its
partial months (at most one at each end: "year to date" ends today) — see `split`. The
tallies count every premises, so they serve users who see the whole town; everyone else's
figures (a village leader's villages, a department's sector) are counted from the rows, which
are few for them.

Premises inspected in a past period are not a sum of months (a premises visited in two months
counts once): they are read from the days of each year each premises was visited
(PremisesYear), a row per premises and year with the days as a string of bits.
"""

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from dashboard.models import DAYS_IN_A_YEAR, GridMonth, PremisesYear, SectorMonth, TownMonth
from dashboard.periods import Period, month_end
from hazards.models import Hazard
from inspections.models import Inspection
from premises.models import Premises

ONE_DAY = timedelta(days=1)
MICROSECOND = timedelta(microseconds=1)


def usable(user) -> bool:
    """Whether the tallies count what the user sees: everything."""
    return user.is_authenticated and user.is_active and user.sees_whole_town


@dataclass(frozen=True)
class Plan:
    """How to count a period: the tallies of `months`, plus the rows in the `plus` spans, less
    the rows in the `minus` spans (the days of a tallied month outside the period)."""

    months: list[date] = field(default_factory=list)
    plus: list[Period] = field(default_factory=list)
    minus: list[Period] = field(default_factory=list)


def split(period: Period) -> Plan:
    """Whole months from the tallies; a partial month from its rows when it is the smaller half,
    else from its tally less the rows of the days left out. "Year to date" ends today: this
    month's tally less the rows after today (none) — and a year earlier, the month's tally less
    the rows of its last days."""
    plan = Plan()
    for piece in period.months():
        first, last = piece.start.replace(day=1), month_end(piece.start)
        if piece.days * 2 <= (last - first).days + 1:
            plan.plus.append(piece)
            continue
        plan.months.append(first)
        if piece.start > first:
            plan.minus.append(Period(first, piece.start - ONE_DAY))
        if piece.end < last:
            plan.minus.append(Period(piece.end + ONE_DAY, last))
    return plan


FIGURES = ("inspections", "found", "found_closed", "closed", "close_microseconds")


# A grid's town, as the places of a county are looked up from its grids.
TOWN_OF_GRID = "grid__village__town"


class MonthTable:
    """A scope's grid-month tallies for some months, per place one level down (`key`, a grid
    lookup such as "grid__village", or None) and month: read in one query, then summed in
    Python for each figure of the page — the headline and the ranking, the visits, the trend.
    The whole county's, per town, are read from its town-months (TownMonth)."""

    def __init__(self, scope_filter: dict[str, Any], key: str | None, months: list[date]):
        self.months = set(months)
        # Aliased apart from the fields (an alias "closed" would shadow the field).
        sums = {f"n_{name}": Sum(name) for name in FIGURES}
        if key == TOWN_OF_GRID and not scope_filter:
            rows, key = TownMonth.objects.filter(month__in=months).order_by(), "town"
        else:
            rows = GridMonth.objects.filter(month__in=months, **scope_filter).order_by()
        lookups = [key, "month"] if key else ["month"]
        self.rows = (
            [
                {"place": row[key] if key else None, "month": row["month"]}
                | {name: row[f"n_{name}"] for name in FIGURES}
                for row in rows.values(*lookups).annotate(**sums)
            ]
            if months
            else []
        )

    def covers(self, months: list[date]) -> bool:
        return set(months) <= self.months

    def _in(self, months: list[date]) -> list[dict]:
        wanted = set(months)
        return [row for row in self.rows if row["month"] in wanted]

    def hazard_sums(
        self, months: list[date], months_before: list[date], *, by_place: bool
    ) -> dict[Any, dict[str, Any]]:
        """Found, closed, closed in the months and their total time to close (µs), in `months`
        and (suffix `_prev`) in `months_before`, per place or all under None."""
        groups: dict[Any, dict[str, Any]] = {}
        for suffix, rows in (("", self._in(months)), ("_prev", self._in(months_before))):
            for row in rows:
                group = groups.setdefault(row["place"] if by_place else None, {})
                for name, figure in HAZARD_SUMS.items():
                    group[f"{name}{suffix}"] = group.get(f"{name}{suffix}", 0) + row[figure]
        return groups

    def inspections(self, months: list[date]) -> int:
        return sum(row["inspections"] for row in self._in(months))

    def per_month(self, months: list[date]) -> dict[date, dict[str, int]]:
        """Hazards found and closed per month (the trend chart)."""
        counts: dict[date, dict[str, int]] = {}
        for row in self._in(months):
            month = counts.setdefault(row["month"], {"found": 0, "closed": 0})
            month["found"] += row["found"]
            month["closed"] += row["closed"]
        return counts


# The names hazard_groups gives the tallies' figures.
HAZARD_SUMS = {
    "found": "found",
    "closed": "found_closed",
    "closed_in": "closed",
    "close_microseconds": "close_microseconds",
}


def sector_rows(town_filter: dict[str, Any], months: list[date]) -> QuerySet:
    """Found and closed per category, department and business type (the breakdowns)."""
    return (
        SectorMonth.objects.filter(month__in=months, **town_filter)
        .order_by()
        .values("category", "department_key", "business_type_key")
        .annotate(found_n=Sum("found"), closed_n=Sum("found_closed"))
    )


# --- checking -----------------------------------------------------------------------------------


def _month(field: str) -> TruncMonth:
    return TruncMonth(field, tzinfo=timezone.get_default_timezone())


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def counted_from_rows() -> tuple[dict, dict, dict]:
    """What the tallies should hold, counted from the rows with the ORM (independently of the
    triggers' SQL): {(grid, month): figures}, {(town, month, category, department, business
    type): figures}, leaving out all-zero rows, and {(premises, year): {"days": bits,
    "first_day": n}}."""
    grids: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    visits = Inspection.objects.values(g=F("premises__grid"), m=_month("visited_at"))
    for row in visits.annotate(n=Count("pk")).order_by():
        grids[row["g"], _day(row["m"])]["inspections"] += row["n"]
    found = Hazard.objects.values(g=F("premises__grid"), m=_month("reported_at")).annotate(
        found=Count("pk", filter=~Q(status=Hazard.Status.DISMISSED)),
        found_closed=Count("pk", filter=Q(status=Hazard.Status.CLOSED)),
    )
    for row in found.order_by():
        grids[row["g"], _day(row["m"])]["found"] += row["found"]
        grids[row["g"], _day(row["m"])]["found_closed"] += row["found_closed"]
    closed = Hazard.objects.filter(status=Hazard.Status.CLOSED).values(
        "premises__grid", "closed_at", "reported_at"
    )
    zone = timezone.get_default_timezone()
    for row in closed.order_by().iterator():
        month = timezone.localtime(row["closed_at"], zone).date().replace(day=1)
        figures = grids[row["premises__grid"], month]
        figures["closed"] += 1
        figures["close_microseconds"] += (row["closed_at"] - row["reported_at"]) // MICROSECOND
    sectors: dict[tuple, dict[str, int]] = defaultdict(lambda: {"found": 0, "found_closed": 0})
    by_sector = Hazard.objects.values(
        t=F("premises__grid__village__town"),
        m=_month("reported_at"),
        c=F("category"),
        d=F("department"),
        b=F("premises__business_type"),
    ).annotate(
        found=Count("pk", filter=~Q(status=Hazard.Status.DISMISSED)),
        found_closed=Count("pk", filter=Q(status=Hazard.Status.CLOSED)),
    )
    for row in by_sector.order_by():
        key = (row["t"], _day(row["m"]), row["c"], row["d"] or 0, row["b"])
        sectors[key]["found"] += row["found"]
        sectors[key]["found_closed"] += row["found_closed"]
    return _nonzero(grids), _nonzero(sectors), _premises_years()


def days_of_year(days: list[date]) -> str:
    """PremisesYear.days: the bits of these days of one year."""
    bits = ["0"] * DAYS_IN_A_YEAR
    for day in days:
        bits[day.timetuple().tm_yday - 1] = "1"
    return "".join(bits)


def _premises_years() -> dict[tuple[int, int], dict[str, Any]]:
    """{(premises, year): {"days": bits, "first_day": n}} from the visits."""
    visited: dict[tuple[int, int], list[date]] = defaultdict(list)
    rows = Inspection.objects.values_list(
        "premises_id", TruncDate("visited_at", tzinfo=timezone.get_default_timezone())
    )
    for premises, day in rows.distinct().order_by().iterator(chunk_size=10_000):
        visited[premises, day.year].append(day)
    return {
        key: {"days": days_of_year(days), "first_day": min(days).timetuple().tm_yday}
        for key, days in visited.items()
    }


def _nonzero(table: dict) -> dict:
    return {key: dict(value) for key, value in table.items() if any(value.values())}


def stored() -> tuple[dict, dict, dict]:
    grids = {
        (row.pop("grid_id"), row.pop("month")): row
        for row in GridMonth.objects.values("grid_id", "month", *FIGURES)
    }
    sectors = {
        (
            row.pop("town_id"),
            row.pop("month"),
            row.pop("category"),
            row.pop("department_key"),
            row.pop("business_type_key"),
        ): row
        for row in SectorMonth.objects.values(
            "town_id",
            "month",
            "category",
            "department_key",
            "business_type_key",
            "found",
            "found_closed",
        )
    }
    years = {
        (row.pop("premises_id"), row.pop("year")): row
        for row in PremisesYear.objects.values("premises_id", "year", "days", "first_day")
    }
    return _nonzero(grids), _nonzero(sectors), years


def drift() -> list[str]:
    """Where the tallies, or the copies of a premises' grid and business type on its hazards
    and its premises-years (Hazard.grid, PremisesYear.grid), disagree with the rows (empty when
    they agree)."""
    differences = [
        f"hazard {pk}: grid {grid}, business type {kind}, its premises' {p_grid}, {p_kind}"
        for pk, grid, kind, p_grid, p_kind in _misplaced_hazards()
    ]
    differences += [
        f"premises year {premises} {year}: grid {grid}, its premises' {p_grid}"
        for premises, year, grid, p_grid in _misplaced_years()
        .order_by("pk")
        .values_list("premises_id", "year", "grid_id", "premises__grid_id")[:20]
    ]
    for name, expected, actual in zip(
        ("grid month", "sector month", "premises year", "town month"),
        (*counted_from_rows(), _grid_months_per_town()),
        (*stored(), _towns_of(TownMonth.objects.values("month", "town"))),
        strict=True,
    ):
        for key in sorted(expected.keys() | actual.keys(), key=str):
            if expected.get(key) != actual.get(key):
                differences.append(
                    f"{name} {key}: rows {expected.get(key)}, tally {actual.get(key)}"
                )
    return differences


def _towns_of(rows: QuerySet) -> dict:
    """{(town, month): figures} of rows with a town and a month: grid-months added up per
    town, or the town-months."""
    sums = rows.order_by().annotate(**{f"n_{name}": Sum(name) for name in FIGURES})
    return _nonzero(
        {(row["town"], row["month"]): {name: row[f"n_{name}"] for name in FIGURES} for row in sums}
    )


def _grid_months_per_town() -> dict:
    """What the town-months should hold: the grid-months added up per town."""
    return _towns_of(GridMonth.objects.values("month", town=F(TOWN_OF_GRID)))


def _misplaced() -> QuerySet:
    """Hazards whose copy of their premises' grid or business type is not theirs."""
    same = Q(grid_id=F("premises__grid_id"), business_type_id=F("premises__business_type_id"))
    return Hazard.objects.filter(~same | Q(grid__isnull=True) | Q(business_type__isnull=True))


def _misplaced_years() -> QuerySet:
    """Premises-years whose copy of their premises' grid is not theirs."""
    return PremisesYear.objects.filter(~Q(grid_id=F("premises__grid_id")) | Q(grid__isnull=True))


def _misplaced_hazards() -> list[tuple]:
    """The first misplaced hazards, with their premises' grid and business type."""
    return list(
        _misplaced()
        .order_by("pk")
        .values_list(
            "pk", "grid_id", "business_type_id", "premises__grid_id", "premises__business_type_id"
        )[:20]
    )


@contextmanager
def paused():
    """The tally triggers idle for a bulk load in the current transaction (one aggregate
    afterwards instead of a trigger's upserts per row of a COPY of millions), then every tally
    recounted. Nothing else sees the tables in between. PostgreSQL's: the county generator
    loads no other database."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL gridwatch.tallies_paused = 'on'")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL gridwatch.tallies_paused = 'off'")
    rebuild()


def rebuild() -> None:
    """Recount every tally from the rows (after a bulk load with the triggers off; a repair),
    and copy each premises' grid and business type to its hazards and premises-years again
    where they differ."""
    own = Premises.objects.filter(pk=OuterRef("premises_id"))
    _misplaced().update(
        grid_id=Subquery(own.values("grid_id")),
        business_type_id=Subquery(own.values("business_type_id")),
    )
    _misplaced_years().update(grid_id=Subquery(own.values("grid_id")))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT gw_tally_rebuild()")
            cursor.execute("SELECT gw_premises_year_rebuild()")
    else:
        _rebuild_here()
    recounted = _grid_months_per_town()
    with transaction.atomic():
        TownMonth.objects.all().delete()
        TownMonth.objects.bulk_create(
            TownMonth(town_id=town, month=month, **figures)
            for (town, month), figures in recounted.items()
        )


def _rebuild_here() -> None:
    """The tallies recounted in Python and written (PostgreSQL's recount themselves)."""
    grids, sectors, years = counted_from_rows()
    with transaction.atomic():
        GridMonth.objects.all().delete()
        SectorMonth.objects.all().delete()
        PremisesYear.objects.all().delete()
        GridMonth.objects.bulk_create(
            GridMonth(grid_id=grid, month=month, **figures)
            for (grid, month), figures in grids.items()
        )
        SectorMonth.objects.bulk_create(
            SectorMonth(
                town_id=town,
                month=month,
                category=category,
                department_key=department,
                business_type_key=business_type,
                **figures,
            )
            for (town, month, category, department, business_type), figures in sectors.items()
        )
        PremisesYear.objects.bulk_create(
            PremisesYear(premises_id=premises, year=year, days=row["days"])
            for (premises, year), row in years.items()
        )
