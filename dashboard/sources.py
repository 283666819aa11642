"""The rows a dashboard page counts: the user's scoped querysets, and how a period is read.

Every figure starts from the scope helpers (`visible_to`) narrowed to the scope, so a number
never counts what the user may not see (docs/scope.md). A period's whole months are read from
the monthly tallies when the user sees the whole town and the database keeps them
(dashboard/tallies.py); its other days, and everything for everyone else, from the rows.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, Q, QuerySet

from accidents.scope import accidents_visible_to
from dashboard import tallies
from dashboard.periods import Period
from dashboard.scopes import COUNTY, GRID, TOWN, VILLAGE, Scope
from grids.models import Grid, Village
from hazards.models import Hazard, HazardQuerySet
from inspections.models import Inspection
from premises.models import Premises

# The place each row of a ranking stands for, seen from a premises or a hazard (both have a
# grid: the hazard's is its premises', Hazard.grid).
CHILD_KEYS = {TOWN: "grid__village__town", VILLAGE: "grid__village", GRID: "grid"}


@dataclass
class Sources:
    """The scoped querysets every figure of one dashboard page starts from, and whether the
    period figures may be read from the monthly tallies: `grid_filter` narrows GridMonth (and
    hazards, through their grid) to the scope, `town_filter` SectorMonth (None: a village or a
    grid, whose sector rows are not kept)."""

    hazards: HazardQuerySet
    premises: QuerySet
    inspections: QuerySet
    accidents: QuerySet
    tallied: bool = False
    sees_all: bool = False  # no premises hidden from the user within the scope
    grid_filter: dict[str, Any] = field(default_factory=dict)
    town_filter: dict[str, Any] | None = None
    child_key: str | None = None  # the places one level down, as a grid lookup
    # The months the page will ask for (`expect`), and the tallies read of them per place key:
    # one read of the tallies serves the headline, the ranking, the visits and the trend.
    wanted: set = field(default_factory=set, repr=False)
    tables: dict = field(default_factory=dict, repr=False)

    def split(self, period: Period) -> tallies.Plan:
        """Which months to read from the tallies and which days from the rows."""
        return tallies.split(period) if self.tallied else tallies.Plan(plus=[period])

    def expect(self, *periods: Period) -> None:
        """Read the tallied months of these periods with the first months asked for."""
        if self.tallied:
            for period in periods:
                self.wanted.update(self.split(period).months)

    def months(self, months: list[date], key: str | None = None) -> tallies.MonthTable:
        """The tallies of these months (and the expected ones) per place (`key`, by default
        one level down), read once a page."""
        key = key or self.child_key
        table = self.tables.get(key)
        if table is None or not table.covers(months):
            wanted = sorted(self.wanted.union(months))
            table = self.tables[key] = tallies.MonthTable(self.grid_filter, key, wanted)
        return table


def inspections_visible_to(user) -> QuerySet:
    """Inspections of the premises the user may see."""
    if user.is_authenticated and user.is_active and user.sees_whole_town:
        return Inspection.objects.all()
    return Inspection.objects.filter(premises__in=Premises.objects.visible_to(user).values("pk"))


def sources(user, scope: Scope) -> Sources:
    town_filter = None
    if scope.kind == COUNTY or (scope.kind == TOWN and not scope.params):
        town_filter = {}
    elif scope.kind == TOWN:
        town_filter = {"town": scope.obj}
    return Sources(
        # A hazard carries its premises' grid: scoped and grouped without the premises.
        hazards=Hazard.objects.visible_to(user).filter(**scope.filter_on()),
        premises=Premises.objects.visible_to(user).filter(**scope.filter_on()),
        inspections=inspections_visible_to(user).filter(**scope.filter_on("premises__")),
        accidents=accidents_visible_to(user).filter(**scope.accident_filter),
        tallied=tallies.usable(user),
        sees_all=user.is_authenticated and user.is_active and user.sees_whole_town,
        grid_filter=scope.filter_on(),
        town_filter=town_filter,
        child_key=CHILD_KEYS.get(scope.child_kind or ""),
    )


def counts_per_place(rows: QuerySet, counts: dict[str, Any], by: str | None) -> dict[Any, dict]:
    """The `counts` (COUNT aggregates) of rows that have a grid, per place one level down (`by`:
    town, village or grid), or for all the rows under the key None.

    Per village or town the rows are counted per grid first, and only the grids' rows (~1,500
    in a county) are joined to their village and town and added up: joining every counted row
    to its place first made the county's counts twice as slow (docs/decisions.md, Counting per
    grid first). The ORM cannot join a grouped subquery: its SQL is wrapped here, its
    parameters passed apart, nothing from the request spliced in."""
    rows = rows.order_by()
    if by is None:
        return {None: rows.aggregate(**counts)}
    per_grid = rows.values(place_grid=F("grid")).annotate(**counts)
    if by == GRID:
        return {row.pop("place_grid"): row for row in per_grid}
    try:
        sql, params = per_grid.query.sql_with_params()
    except EmptyResultSet:  # a scope that can hold no rows
        return {}
    quote = connection.ops.quote_name
    sums = ", ".join(f"CAST(SUM(per_grid.{quote(name)}) AS BIGINT)" for name in counts)
    place_column = "v.town_id" if by == TOWN else "g.village_id"
    joins = f"JOIN {Grid._meta.db_table} g ON g.id = per_grid.place_grid"
    if by == TOWN:
        joins += f" JOIN {Village._meta.db_table} v ON v.id = g.village_id"
    summed = (
        f"SELECT {place_column}, {sums} FROM ({sql}) AS per_grid {joins} "  # noqa: S608
        f"GROUP BY {place_column}"
    )
    with connection.cursor() as cursor:
        cursor.execute(summed, params)
        per_place = cursor.fetchall()
    return {place: dict(zip(counts, figures, strict=True)) for place, *figures in per_place}


def within(field: str, period: Period) -> Q:
    """`field` (a datetime) falls in the period: local midnight to local midnight, end exclusive."""
    return Q(**{f"{field}__gte": period.since, f"{field}__lt": period.until})


def within_any(field: str, spans: list[Period]) -> Q:
    """`field` falls in one of the spans; a condition no row meets when there are none."""
    if not spans:
        return Q(pk__in=[])
    condition = Q()
    for span in spans:
        condition |= within(field, span)
    return condition


def days(duration: timedelta | None) -> float | None:
    return None if duration is None else duration.total_seconds() / 86400
