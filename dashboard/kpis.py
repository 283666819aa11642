"""The figures of docs/figures.md for a period and a scope, counted in SQL.

Every figure starts from the scope helpers (`visible_to`) narrowed to the scope, so a number
never counts what the user may not see. Headline figures are one aggregate query per table
(`COUNT(...) FILTER (WHERE ...)` for the period and the same period a year earlier at once);
rankings and breakdowns are one GROUP BY query per table — never a query per village.

Definitions (the ledger links in dashboard/links.py select the same rows):
- inspections: visits in the period; premises inspected: distinct premises visited;
- found: hazards reported in the period, less dismissed; closed: of those, the ones closed now;
- overdue, open major: now (open statuses, deadline before today);
- coverage: operating premises whose next patrol is due after today ÷ operating premises, now;
- mean days to close: closed_at − reported_at over the hazards closed in the period.
"""

import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncMonth
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from config import kept
from dashboard import tallies
from dashboard.models import PremisesYear
from dashboard.periods import Period
from dashboard.scopes import COUNTY, GRID, TOWN, VILLAGE, Scope
from grids.models import Department
from hazards.accidents import accidents_visible_to
from hazards.models import OPEN_STATUSES, Hazard, HazardQuerySet, Inspection, Severity
from premises.models import BusinessType, Premises

T = TypeVar("T")

NOT_DISMISSED = ~Q(status=Hazard.Status.DISMISSED)
IS_CLOSED = Q(status=Hazard.Status.CLOSED)
IS_OPEN = Q(status__in=OPEN_STATUSES)
IS_MAJOR = Q(severity=Severity.MAJOR)
OPERATING = Q(status=Premises.Status.OPERATING)
TIME_TO_CLOSE = ExpressionWrapper(F("closed_at") - F("reported_at"), output_field=DurationField())
# The place each row of a ranking stands for, seen from a premises or a hazard (both have a
# grid: the hazard's is its premises', Hazard.grid).
CHILD_KEYS = {TOWN: "grid__village__town", VILLAGE: "grid__village", GRID: "grid"}


@dataclass(frozen=True)
class Sources:
    """The scoped querysets every figure of one dashboard page starts from, and whether the
    period figures may be read from the monthly tallies (dashboard/tallies.py): `grid_filter`
    narrows GridMonth (and hazards, through their grid) to the scope, `town_filter`
    SectorMonth (None: a village or a grid, whose sector rows are not kept)."""

    hazards: HazardQuerySet
    premises: QuerySet
    inspections: QuerySet
    accidents: QuerySet
    tallied: bool = False
    sees_all: bool = False  # no premises hidden from the user within the scope
    grid_filter: dict[str, Any] = field(default_factory=dict)
    town_filter: dict[str, Any] | None = None
    child_key: str | None = None  # the places one level down, as a grid lookup
    tables: dict = field(default_factory=dict, compare=False, repr=False)
    # The months a page will ask for, read at the first ask; the lock: a page's reads may run
    # at once (dashboard/concurrent.py), and one read of the tallies serves them all.
    wanted: set = field(default_factory=set, compare=False, repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)
    # The change count of each table, read as the page began: the month tallies are kept while
    # theirs stands still (config/kept.py). None: read every time.
    counts: dict[str, int] | None = field(default=None, compare=False, repr=False)

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
        one level down): read once a page for the hazard figures, the visits and the trend."""
        key = key or self.child_key
        with self.lock:
            table = self.tables.get(key)
            if table is None or not table.covers(months):
                wanted = sorted(self.wanted.union(months))
                table = self.tables[key] = self._month_table(key, wanted)
            kept.note(table.tables_read)  # for every read it serves, not only the first
            return table

    def _month_table(self, key: str | None, months: list[date]) -> tallies.MonthTable:
        scope = tuple(sorted(self.grid_filter.items()))
        return self.tally_read(
            ("months", scope, key, tuple(months)),
            lambda: tallies.MonthTable(self.grid_filter, key, months),
        )

    def tally_read(self, key: tuple, read: Callable[[], T]) -> T:
        """What `read` returns, kept under `key` while the tables it reads stand still (when
        the page keeps anything): the tallies, which change less often than the rows."""
        if self.counts is None:
            return read()
        return kept.read_by_tables(_tally_reads, key, read, self.counts)


_tally_reads = kept.Kept(size=100)


def forget_tally_reads() -> None:
    _tally_reads.clear()


def inspections_visible_to(user) -> QuerySet:
    """Inspections of the premises the user may see."""
    if user.is_authenticated and user.is_active and user.sees_whole_town:
        return Inspection.objects.all()
    return Inspection.objects.filter(premises__in=Premises.objects.visible_to(user).values("pk"))


def sources(user, scope: Scope, counts: dict[str, int] | None = None) -> Sources:
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
        counts=counts,
    )


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


# --- hazards ---------------------------------------------------------------------------------


def _hazard_counts(spans: list[Period], *, suffix: str = "") -> tuple[Q, dict[str, Any]]:
    """The WHERE that keeps only rows some figure counts, and the figures for some spans."""
    found_in = within_any("reported_at", spans)
    closed_in = within_any("closed_at", spans) & IS_CLOSED
    return found_in | closed_in, {
        f"found{suffix}": Count("pk", filter=found_in & NOT_DISMISSED),
        f"closed{suffix}": Count("pk", filter=found_in & IS_CLOSED),
        f"closed_in{suffix}": Count("pk", filter=closed_in),
        f"days_to_close{suffix}": Sum(TIME_TO_CLOSE, filter=closed_in),
    }


def found_and_closed(hazards: QuerySet, period: Period) -> dict[str, int]:
    """Hazards found in the period (less dismissed) and, of those, the closed. One query."""
    found_in = within("reported_at", period)
    return hazards.filter(found_in).aggregate(
        found=Count("pk", filter=NOT_DISMISSED), closed=Count("pk", filter=IS_CLOSED)
    )


def _open_counts(today: date) -> dict[str, Any]:
    """Of the open hazards, counting a column the open-hazard indexes hold (not the key, which
    they do not): the table itself is not read (hazards_hazard_open_deadline, _open_grid)."""
    return {
        "open": Count("rectify_by"),
        "overdue": Count("rectify_by", filter=Q(rectify_by__lt=today)),
    }


def _open_major_counts(today: date) -> dict[str, Any]:
    """Of the open major hazards (a county has a few hundred): they read the interim measures,
    text that no index holds."""
    return {
        "open_major": Count("pk"),
        "open_major_overdue": Count("pk", filter=Q(rectify_by__lt=today)),
        "open_major_no_interim": Count("pk", filter=Q(interim_measures="")),
    }


def hazard_groups(
    src: Sources,
    period: Period,
    *,
    today: date,
    by: str | None = None,
    only: Collection | None = None,
) -> dict[Any, dict[str, Any]]:
    """Found, closed, closed in the period with their total time to close (for the period and a
    year earlier), and the open figures now — per place one level down (`by`: town, village,
    grid), or for all the rows under the key None.

    Three queries over the hazards — the open ones, the open major ones, those of the period's
    days — and, with tallies, one over the months' tallies. The headline figures are the sum
    of a ranking's rows, so a page reads them once for both. `only`: of these places alone."""
    plan, before = src.split(period), src.split(period.year_earlier())
    where, aggregates = Q(pk__in=[]), {}
    for spans, suffix in (
        (plan.plus, ""),
        (plan.minus, LESS),
        (before.plus, "_prev"),
        (before.minus, f"_prev{LESS}"),
    ):
        if spans:
            condition, counts = _hazard_counts(spans, suffix=suffix)
            where, aggregates = where | condition, {**aggregates, **counts}
    key, hazards = _in_places(src, by, only)
    # The open hazards apart from the period's: each query then has an index to itself (open
    # hazards by deadline or grid; hazards found or closed in a few days by date).
    groups = _grouped(hazards.filter(IS_OPEN), key, _open_counts(today))
    for place, figures in _grouped(
        hazards.filter(IS_OPEN & IS_MAJOR), key, _open_major_counts(today)
    ).items():
        groups.setdefault(place, {}).update(figures)
    if aggregates:
        for place, figures in _grouped(hazards.filter(where), key, aggregates).items():
            groups.setdefault(place, {}).update(figures)
    months = [*plan.months, *before.months]
    table = src.months(months, key) if months else None
    tallied = (
        table.hazard_sums(plan.months, before.months, by_place=key is not None) if table else {}
    )
    for place, sums in tallied.items():
        if only is None or place in only:
            _add_tallied(groups.setdefault(place, {}), sums)
    return {place: net(group) for place, group in groups.items()}


def _in_places(
    src: Sources, by: str | None, only: Collection | None
) -> tuple[str | None, QuerySet]:
    """The grid lookup of the places one level down (`by`; None: no places) and the scope's
    hazards, of the places `only` alone if given."""
    key = CHILD_KEYS[by] if by else None
    return key, src.hazards if only is None else src.hazards.filter(**{f"{key}__in": only})


def grid_level(by: str) -> str:
    """The place one level down (`by`) of a grid, as a lookup from the grid ("pk": itself)."""
    return CHILD_KEYS[by].removeprefix("grid").removeprefix("__") or "pk"


def _grouped(hazards: QuerySet, key: str | None, aggregates: dict) -> dict[Any, dict[str, Any]]:
    """The aggregates over the hazards per place (`key`, a grid lookup) or under None."""
    hazards = hazards.order_by()
    if key is None:
        return {None: hazards.aggregate(**aggregates)}
    rows = hazards.values(key).annotate(**aggregates)
    return {row.pop(key): row for row in rows}


# Suffixes of the figures of rows a period counts beside its tallied months, and of rows a
# tallied month counts but the period leaves out.
PLUS, LESS = "_plus", "_less"


def _plus(a, b):
    return b if a is None else a if b is None else a + b


def net(group: dict[str, Any]) -> dict[str, Any]:
    """The figures less their `_less` parts (see tallies.Plan)."""
    result = {name: value for name, value in group.items() if not name.endswith(LESS)}
    for name, value in group.items():
        if name.endswith(LESS) and value:
            base = name.removesuffix(LESS)
            result[base] = _plus(result.get(base), -value)
    return result


def _add_tallied(group: dict[str, Any], sums: dict[str, Any]) -> None:
    for name, value in sums.items():
        if name.startswith("close_microseconds"):
            if not value:  # as a SUM over no rows: None, not a zero duration
                continue
            name = name.replace("close_microseconds", "days_to_close")
            value = timedelta(microseconds=value)
        group[name] = _plus(group.get(name), value)


# The counts of hazard_groups and premises_groups: zero when a scope has no rows at all.
COUNTS = (
    *(f"{name}{suffix}" for name in ("found", "closed", "closed_in") for suffix in ("", "_prev")),
    *("open", "overdue", "open_major", "open_major_overdue", "open_major_no_interim"),
    *("operating", "covered", "never_inspected"),
)


def summed(groups: dict[Any, dict[str, Any]]) -> dict[str, Any]:
    """The groups' figures added up; mean days to close from the total time and count."""
    total: dict[str, Any] = dict.fromkeys(COUNTS, 0)
    for row in groups.values():
        for name, value in row.items():
            if value is not None:
                total[name] = total[name] + value if total.get(name) is not None else value
    return with_mean_days(total)


def with_mean_days(figures: dict[str, Any]) -> dict[str, Any]:
    """`time_to_close` (mean days) from `days_to_close` (total time) and `closed_in`."""
    for suffix in ("", "_prev"):
        total, n = figures.get(f"days_to_close{suffix}"), figures.get(f"closed_in{suffix}")
        figures[f"time_to_close{suffix}"] = days(total / n) if total is not None and n else None
    return figures


def hazard_figures(src: Sources, period: Period, *, today: date) -> dict[str, Any]:
    """The hazard figures of the whole scope (see hazard_groups)."""
    figures = hazard_groups(src, period, today=today)[None]
    return with_mean_days(dict(figures))


# --- premises, inspections, accidents ----------------------------------------------------------


def _premises_counts(today: date) -> dict[str, Any]:
    """Counting the grid, which the index of operating premises by grid holds (the key is not):
    an index-only scan (premises_operating_grid)."""
    return {
        "operating": Count("grid"),
        "covered": Count("grid", filter=Q(patrol_due_on__gt=today)),
        "never_inspected": Count("grid", filter=Q(last_inspected_at__isnull=True)),
    }


def premises_groups(
    premises: QuerySet, *, today: date, by: str | None = None
) -> dict[Any, dict[str, int]]:
    """Operating premises, those inside their patrol interval (covered), never inspected — now,
    per place one level down (`by`) or for all under the key None. One query, an index-only
    scan of the operating premises by grid (premises_operating_grid)."""
    operating = premises.filter(OPERATING).order_by()
    if by is None:
        return {None: operating.aggregate(**_premises_counts(today))}
    key = CHILD_KEYS[by]
    return {row.pop(key): row for row in operating.values(key).annotate(**_premises_counts(today))}


def premises_figures(premises: QuerySet, *, today: date) -> dict[str, Any]:
    figures = dict(premises_groups(premises, today=today)[None])
    return with_patrol_due(figures)


def with_patrol_due(figures: dict[str, Any]) -> dict[str, Any]:
    figures.setdefault("operating", 0)
    figures.setdefault("covered", 0)
    figures.setdefault("never_inspected", 0)
    figures["patrol_due"] = figures["operating"] - figures["covered"]
    return figures


def inspection_figures(src: Sources, period: Period, *, now: datetime) -> dict[str, int]:
    """Inspections (visits) and distinct premises visited, in the period and a year earlier.

    Visits: one COUNT over the rows of both periods (their days, with tallies) plus the months'
    tallies. Premises visited: for a period running up to now, "visited at least once since the
    start" is `last_inspected_at >= start` on premises (hazards.services.record_inspection keeps
    it at the latest visit), which spares a DISTINCT over every visit; for a period in the past,
    premises with a visit in it."""
    return {**visit_figures(src, period), **visited_figures(src, period, now=now)}


def visit_figures(src: Sources, period: Period) -> dict[str, int]:
    """Inspections (visits) in the period and a year earlier (see inspection_figures)."""
    spans = {"": period, "_prev": period.year_earlier()}
    return _visits(src, {suffix: src.split(span) for suffix, span in spans.items()})


def visited_figures(src: Sources, period: Period, *, now: datetime) -> dict[str, int]:
    """Premises inspected in the period and a year earlier (see inspection_figures): read
    apart from the visits, from other tables, and kept apart by a dashboard."""
    spans = {"": period, "_prev": period.year_earlier()}
    figures = {}
    for suffix, span in spans.items():
        if span.until > now:
            visited = src.premises.filter(last_inspected_at__gte=span.since).count()
        elif src.tallied:
            visited = premises_visited(src, span)
        else:
            # Premises in scope with a visit in the span: an index probe per premises
            # (premises, visited_at) instead of a DISTINCT over a year of visits.
            visits = Inspection.objects.filter(within("visited_at", span), premises=OuterRef("pk"))
            visited = src.premises.filter(Exists(visits)).count()
        figures[f"premises_inspected{suffix}"] = visited
    return figures


def premises_visited(src: Sources, period: Period) -> int:
    """How many premises of the scope had a visit in the period: rows of PremisesYear (kept on
    PostgreSQL) with one of the period's days set — per year, the days as a bit mask."""
    scoped = {f"premises__{lookup}": value for lookup, value in src.grid_filter.items()}
    condition = Q(pk__in=[])
    for year, mask in tallies.day_masks(period).items():
        hits = RawSQL(
            'bit_count("dashboard_premisesyear"."days" & %s::bit(366))',
            [mask],
            output_field=IntegerField(),
        )
        condition |= Q(year=year) & GreaterThan(hits, 0)
    rows = PremisesYear.objects.filter(condition, **scoped)
    if period.start.year == period.end.year:
        return rows.count()
    return rows.values("premises_id").distinct().count()  # a premises may have two years


def _visits(src: Sources, plans: dict[str, tallies.Plan]) -> dict[str, int]:
    """Inspections of each plan (by suffix): the months' tallies, plus and less the rows of some
    days — the rows of every plan in one query."""
    signed, days = {}, []
    for suffix, plan in plans.items():
        for sign, spans in ((PLUS, plan.plus), (LESS, plan.minus)):
            if spans:
                signed[f"inspections{suffix}{sign}"] = Count(
                    "pk", filter=within_any("visited_at", spans)
                )
                days += spans
    figures = dict.fromkeys(signed, 0)
    if signed:
        figures.update(src.inspections.filter(within_any("visited_at", days)).aggregate(**signed))
    for suffix, plan in plans.items():
        total = src.months(plan.months).inspections(plan.months) if plan.months else 0
        total += figures.pop(f"inspections{suffix}{PLUS}", 0)
        total -= figures.pop(f"inspections{suffix}{LESS}", 0)
        figures[f"inspections{suffix}"] = total
    return figures


def accident_figures(accidents: QuerySet, period: Period) -> dict[str, Any]:
    """Accidents, deaths, injuries and direct loss in the period and a year earlier. One query
    for the rows of both (a county has a few dozen accidents a year), added up here."""
    spans = {"": period, "_prev": period.year_earlier()}
    figures: dict[str, Any] = {}
    where = Q()
    for suffix, span in spans.items():
        where |= Q(occurred_on__gte=span.start, occurred_on__lte=span.end)
        figures |= {f"accidents{suffix}": 0, f"deaths{suffix}": 0, f"injuries{suffix}": 0}
        figures[f"direct_loss{suffix}"] = Decimal(0)
    rows = accidents.filter(where).order_by()
    for day, deaths, injuries, loss in rows.values_list(
        "occurred_on", "deaths", "injuries", "direct_loss"
    ):
        for suffix, span in spans.items():
            if span.start <= day <= span.end:
                figures[f"accidents{suffix}"] += 1
                figures[f"deaths{suffix}"] += deaths
                figures[f"injuries{suffix}"] += injuries
                figures[f"direct_loss{suffix}"] += loss or 0
    return figures


# --- rankings, trend, breakdowns --------------------------------------------------------------


def trend(src: Sources, period: Period) -> dict[date, dict[str, int]]:
    """Hazards found and hazards closed per calendar month of the period: the months' tallies
    when there are some, plus and less the rows of some days in one query (UNION)."""
    return trend_months(src, period, trend_parts(src, period))


def trend_parts(
    src: Sources, period: Period, *, by: str | None = None, only: Collection | None = None
) -> dict[Any, dict[date, dict[str, int]]]:
    """The trend's counts of the hazards' rows (not the tallies'), per place one level down
    (`by`) or all under None; `only`: of these places alone."""
    zone = timezone.get_default_timezone()
    plan = src.split(period)
    key, hazards = _in_places(src, by, only)
    place = [key] if key else []

    def per_month(field: str, spans: list[Period], condition: Q, series: str) -> QuerySet:
        return (
            hazards.filter(within_any(field, spans) & condition)
            .order_by()
            .annotate(month=TruncMonth(field, tzinfo=zone))
            .values(*place, "month")
            .annotate(n=Count("pk"), series=Value(series))
            .values_list("series", *place, "month", "n")
        )

    parts = [
        per_month(field, spans, condition, series)
        for spans, sign in ((plan.plus, ""), (plan.minus, LESS))
        if spans
        for field, condition, series in (
            ("reported_at", NOT_DISMISSED, f"found{sign}"),
            ("closed_at", IS_CLOSED, f"closed{sign}"),
        )
    ]
    counts: dict[Any, dict[date, dict[str, int]]] = {}
    if parts:
        for row in parts[0].union(*parts[1:], all=True):
            series, month, n = row[0], row[-2], row[-1]
            day = (
                timezone.localtime(month, zone).date() if timezone.is_aware(month) else month.date()
            )
            months = counts.setdefault(row[1] if key else None, {})
            figures = months.setdefault(day, {"found": 0, "closed": 0})
            base = series.removesuffix(LESS)
            figures[base] += -n if series.endswith(LESS) else n
    return counts


def trend_months(
    src: Sources, period: Period, parts: dict[Any, dict[date, dict[str, int]]]
) -> dict[date, dict[str, int]]:
    """The trend of every place's parts (`trend_parts`) and the months' tallies."""
    plan = src.split(period)
    counts: dict[date, dict[str, int]] = {
        piece.start.replace(day=1): {"found": 0, "closed": 0} for piece in period.months()
    }
    if plan.months:
        tallied = src.months(plan.months).per_month(plan.months)
        counts.update({month: dict(figures) for month, figures in tallied.items()})
    for months in parts.values():
        for month, figures in months.items():
            total = counts.setdefault(month, {"found": 0, "closed": 0})
            total["found"] += figures["found"]
            total["closed"] += figures["closed"]
    return counts


BREAKDOWN_KEYS = {
    "category": ("category",),
    "business_type": ("business_type", "business_type__name_zh", "business_type__name_en"),
    "department": ("department", "department__name", "department__name_en"),
}


def breakdowns(src: Sources, period: Period, *, today: date) -> dict[str, list[dict]]:
    """Found and closed (of those found in the period) and overdue now, per category, business
    type and responsible department; most found first.

    GROUP BY queries over the three keys together (at most categories × departments × business
    types groups): the overdue, the found in the period's days and, for the county or a town
    with tallies, the months' sector tallies (see tallies.Plan); added up per key in Python."""
    return breakdown_tables(src, period, breakdown_parts(src, period, today=today))


def breakdown_parts(
    src: Sources,
    period: Period,
    *,
    today: date,
    by: str | None = None,
    only: Collection | None = None,
) -> dict[Any, dict[str, dict[tuple, dict]]]:
    """The breakdowns of the hazards' rows (not the tallies'), per place one level down (`by`)
    or all under None; `only`: of these places alone."""
    plan = src.split(period) if src.town_filter is not None else tallies.Plan(plus=[period])
    key, hazards = _in_places(src, by, only)
    keys = [name for names in BREAKDOWN_KEYS.values() for name in names]
    if key:
        keys.append(key)

    def grouped(hazards: QuerySet, counts: dict) -> list[dict]:
        return [net(row) for row in hazards.order_by().values(*keys).annotate(**counts)]

    # The overdue apart from the period's: each query has an index to itself.
    rows = grouped(hazards.overdue(today), {"overdue": Count("*")})  # an index-only scan
    where, counts = Q(pk__in=[]), {}
    for spans, suffix in ((plan.plus, ""), (plan.minus, LESS)):
        if spans:
            found_in = within_any("reported_at", spans) & NOT_DISMISSED
            where |= found_in
            counts[f"found{suffix}"] = Count("pk", filter=found_in)
            counts[f"closed{suffix}"] = Count("pk", filter=found_in & IS_CLOSED)
    if counts:
        rows += grouped(hazards.filter(where), counts)
    places: dict[Any, list[dict]] = {}
    for row in rows:
        places.setdefault(row.pop(key) if key else None, []).append(row)
    return {place: _breakdown_sums(rows) for place, rows in places.items()}


def _breakdown_sums(rows: list[dict]) -> dict[str, dict[tuple, dict]]:
    """Rows of the three keys added up per key: {key: {group: row}}."""
    tables: dict[str, dict[tuple, dict]] = {by: {} for by in BREAKDOWN_KEYS}
    for row in rows:
        found, closed, overdue = row.get("found", 0), row.get("closed", 0), row.get("overdue", 0)
        for by, names in BREAKDOWN_KEYS.items():
            group = tuple(row[name] for name in names)
            total = tables[by].get(group)
            if total is None:
                total = tables[by][group] = dict(zip(names, group, strict=True))
                total |= {"found": 0, "closed": 0, "overdue": 0}
            total["found"] += found
            total["closed"] += closed
            total["overdue"] += overdue
    return tables


def breakdown_tables(
    src: Sources, period: Period, parts: dict[Any, dict[str, dict[tuple, dict]]]
) -> dict[str, list[dict]]:
    """The breakdowns of every place's parts (`breakdown_parts`) and the months' sector
    tallies, most found first."""
    plan = src.split(period) if src.town_filter is not None else tallies.Plan()
    pieces = list(parts.values())
    if plan.months:
        town = tuple(sorted(src.town_filter.items()))
        months = tuple(plan.months)
        pieces.append(
            src.tally_read(
                ("sectors", town, months),
                lambda: _breakdown_sums(_sector_rows(src.town_filter, months)),
            )
        )
    tables: dict[str, dict[tuple, dict]] = {by: {} for by in BREAKDOWN_KEYS}
    for piece in pieces:
        for by, groups in piece.items():
            table = tables[by]
            for group, row in groups.items():
                total = table.get(group)
                if total is None:
                    table[group] = dict(row)
                else:
                    for figure in ("found", "closed", "overdue"):
                        total[figure] += row[figure]
    return {
        by: sorted(
            (row for row in table.values() if row["found"] or row["closed"] or row["overdue"]),
            key=lambda row, first=BREAKDOWN_KEYS[by][0]: (
                -row["found"],
                -row["overdue"],
                str(row[first]),
            ),
        )
        for by, table in tables.items()
    }


def _sector_rows(town_filter: dict[str, Any], months: list[date]) -> list[dict]:
    """The sector tallies as rows shaped like the hazards' GROUP BY rows."""
    rows = list(tallies.sector_rows(town_filter, months))
    types = BusinessType.objects.in_bulk({row["business_type_key"] for row in rows})
    departments = Department.objects.in_bulk({row["department_key"] for row in rows} - {0})
    shaped = []
    for row in rows:
        kind, department = types[row["business_type_key"]], departments.get(row["department_key"])
        shaped.append(
            {
                "category": row["category"],
                "business_type": kind.pk,
                "business_type__name_zh": kind.name_zh,
                "business_type__name_en": kind.name_en,
                "department": department.pk if department else None,
                "department__name": department.name if department else None,
                "department__name_en": department.name_en if department else None,
                "found": row["found_n"],
                "closed": row["closed_n"],
                "overdue": 0,
            }
        )
    return shaped
