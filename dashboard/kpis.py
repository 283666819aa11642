"""The figures of docs/figures.md for a period and a scope, counted in SQL: the hazards, the
premises, the visits and the accidents (the trend and the breakdowns: dashboard/breakdowns.py).

Headline figures are one aggregate query per table (`COUNT(...) FILTER (WHERE ...)` for the
period and the same period a year earlier at once); rankings are one GROUP BY query per table —
never a query per village.

Definitions (the ledger links in dashboard/links.py select the same rows):
- inspections: visits in the period; premises inspected: distinct premises visited;
- found: hazards reported in the period, less dismissed; closed: of those, the ones closed now;
- overdue, open major: now (open statuses, deadline before today);
- coverage: operating premises whose next patrol is due after today ÷ operating premises, now;
- mean days to close: closed_at − reported_at over the hazards closed in the period.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.lookups import GreaterThan

from dashboard import tallies
from dashboard.models import PremisesYear
from dashboard.periods import Period
from dashboard.sources import CHILD_KEYS, Sources, counts_per_place, days, within, within_any
from hazards.models import OPEN_STATUSES, Hazard, Severity
from inspections.models import Inspection
from premises.models import Premises

NOT_DISMISSED = ~Q(status=Hazard.Status.DISMISSED)
IS_CLOSED = Q(status=Hazard.Status.CLOSED)
IS_OPEN = Q(status__in=OPEN_STATUSES)
IS_MAJOR = Q(severity=Severity.MAJOR)
OPERATING = Q(status=Premises.Status.OPERATING)
TIME_TO_CLOSE = ExpressionWrapper(F("closed_at") - F("reported_at"), output_field=DurationField())


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
) -> dict[Any, dict[str, Any]]:
    """Found, closed, closed in the period with their total time to close (for the period and a
    year earlier), and the open figures now — per place one level down (`by`: town, village,
    grid), or for all the rows under the key None.

    Three queries over the hazards — the open ones, the open major ones, those of the period's
    days — and, with tallies, one over the months' tallies. The headline figures are the sum
    of a ranking's rows, so a page reads them once for both."""
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
    key, hazards = CHILD_KEYS[by] if by else None, src.hazards
    # The open hazards apart from the period's: each query then has an index to itself (open
    # hazards by deadline or grid; hazards found or closed in a few days by date).
    groups = counts_per_place(hazards.filter(IS_OPEN), _open_counts(today), by)
    majors = counts_per_place(hazards.filter(IS_OPEN & IS_MAJOR), _open_major_counts(today), by)
    for place, figures in majors.items():
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
        _add_tallied(groups.setdefault(place, {}), sums)
    return {place: net(group) for place, group in groups.items()}


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
    return counts_per_place(premises.filter(OPERATING), _premises_counts(today), by)


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
    start" is `last_inspected_at >= start` on premises (inspections.services.record_inspection keeps
    it at the latest visit), which spares a DISTINCT over every visit; for a period in the past,
    premises with a visit in it."""
    return {**visit_figures(src, period), **visited_figures(src, period, now=now)}


def visit_figures(src: Sources, period: Period) -> dict[str, int]:
    """Inspections (visits) in the period and a year earlier (see inspection_figures)."""
    spans = {"": period, "_prev": period.year_earlier()}
    return _visits(src, {suffix: src.split(span) for suffix, span in spans.items()})


def visited_figures(src: Sources, period: Period, *, now: datetime) -> dict[str, int]:
    """Premises inspected in the period and a year earlier (see inspection_figures): read
    apart from the visits, from other tables."""
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


class DaysSet(Func):
    """How many of the days `first` to `first + count - 1` (of the year) a PremisesYear's `days`
    has set: the same count on both databases, each in its own SQL (bits on PostgreSQL, text of
    "0" and "1" on SQLite)."""

    output_field = IntegerField()

    def __init__(self, first: int, count: int):
        super().__init__(F("days"), Value(first), Value(count))

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="bit_count(substring(%(expressions)s))")

    def as_sqlite(self, compiler, connection, **extra):
        days, params = self.as_sql(compiler, connection, template="substr(%(expressions)s)")
        return f"length({days}) - length(replace({days}, '1', ''))", (*params, *params)


def premises_visited(src: Sources, period: Period) -> int:
    """How many premises of the scope had a visit in the period: rows of PremisesYear with one
    of the period's days set, found by their grid (PremisesYear.grid). Days from 1 January on
    need only the first day set (PremisesYear.first_day), which an index holds."""
    condition = Q(pk__in=[])
    for year, (first, count) in _days_per_year(period).items():
        if first == 1:
            condition |= Q(year=year, first_day__lte=count)
        else:
            condition |= Q(year=year) & GreaterThan(DaysSet(first, count), 0)
    rows = PremisesYear.objects.filter(condition, **src.grid_filter)
    if period.start.year == period.end.year:
        return rows.count()
    return rows.values("premises_id").distinct().count()  # a premises may have two years


def _days_per_year(period: Period) -> dict[int, tuple[int, int]]:
    """The period's days in each of its years: (the first's number in the year, how many)."""
    spans = {}
    for year in range(period.start.year, period.end.year + 1):
        start, end = max(period.start, date(year, 1, 1)), min(period.end, date(year, 12, 31))
        spans[year] = (start.timetuple().tm_yday, (end - start).days + 1)
    return spans


def _visits(src: Sources, plans: dict[str, tallies.Plan]) -> dict[str, int]:
    """Inspections of each plan (by suffix): the months' tallies, plus and less the rows of some
    days. A count per span: one date range a statement is read from the index of visits by
    date, where OR-ed ranges made PostgreSQL probe every premises of a town for its visits
    (docs/decisions.md, Reading less)."""
    figures = {}
    for suffix, plan in plans.items():
        total = src.months(plan.months).inspections(plan.months) if plan.months else 0
        total += sum(_visits_in(src, span) for span in plan.plus)
        total -= sum(_visits_in(src, span) for span in plan.minus)
        figures[f"inspections{suffix}"] = total
    return figures


def _visits_in(src: Sources, span: Period) -> int:
    return src.inspections.filter(within("visited_at", span)).order_by().count()


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
