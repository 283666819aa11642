"""The figures of DESIGN.md §6 for a period and a scope, counted in SQL.

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

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from dashboard.periods import Period
from dashboard.scopes import GRID, TOWN, VILLAGE, Scope
from hazards.accidents import accidents_visible_to
from hazards.models import OPEN_STATUSES, Hazard, HazardQuerySet, Inspection, Severity
from premises.models import Premises

NOT_DISMISSED = ~Q(status=Hazard.Status.DISMISSED)
IS_CLOSED = Q(status=Hazard.Status.CLOSED)
IS_OPEN = Q(status__in=OPEN_STATUSES)
IS_MAJOR = Q(severity=Severity.MAJOR)
OPERATING = Q(status=Premises.Status.OPERATING)
TIME_TO_CLOSE = ExpressionWrapper(F("closed_at") - F("reported_at"), output_field=DurationField())
ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=2))
# Premises lookup of the place each row of a ranking stands for.
CHILD_KEYS = {TOWN: "grid__village__town", VILLAGE: "grid__village", GRID: "grid"}


@dataclass(frozen=True)
class Sources:
    """The scoped querysets every figure of one dashboard page starts from."""

    hazards: HazardQuerySet
    premises: QuerySet
    inspections: QuerySet
    accidents: QuerySet


def inspections_visible_to(user) -> QuerySet:
    """Inspections of the premises the user may see."""
    if user.is_authenticated and user.is_active and user.sees_whole_town:
        return Inspection.objects.all()
    return Inspection.objects.filter(premises__in=Premises.objects.visible_to(user).values("pk"))


def sources(user, scope: Scope) -> Sources:
    return Sources(
        hazards=Hazard.objects.visible_to(user).filter(**scope.filter_on("premises__")),
        premises=Premises.objects.visible_to(user).filter(**scope.filter_on()),
        inspections=inspections_visible_to(user).filter(**scope.filter_on("premises__")),
        accidents=accidents_visible_to(user).filter(**scope.accident_filter),
    )


def within(field: str, period: Period) -> Q:
    """`field` (a datetime) falls in the period: local midnight to local midnight, end exclusive."""
    return Q(**{f"{field}__gte": period.since, f"{field}__lt": period.until})


def days(duration: timedelta | None) -> float | None:
    return None if duration is None else duration.total_seconds() / 86400


# --- hazards ---------------------------------------------------------------------------------


def _hazard_counts(period: Period, *, suffix: str = "") -> tuple[Q, dict[str, Any]]:
    """The WHERE that keeps only rows some figure counts, and the figures for one period."""
    found_in, closed_in = within("reported_at", period), within("closed_at", period) & IS_CLOSED
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
    overdue = IS_OPEN & Q(rectify_by__lt=today)
    return {
        "open": Count("pk", filter=IS_OPEN),
        "overdue": Count("pk", filter=overdue),
        "open_major": Count("pk", filter=IS_OPEN & IS_MAJOR),
        "open_major_overdue": Count("pk", filter=overdue & IS_MAJOR),
        "open_major_no_interim": Count("pk", filter=IS_OPEN & IS_MAJOR & Q(interim_measures="")),
    }


def hazard_groups(
    hazards: QuerySet, period: Period, *, today: date, by: str | None = None
) -> dict[Any, dict[str, Any]]:
    """Found, closed, closed in the period with their total time to close (for the period and a
    year earlier), and the open figures now — per place one level down (`by`: town, village,
    grid), or for all the rows under the key None. One query: the headline figures are the sum
    of a ranking's rows, so a page reads the hazards once for both."""
    where, counts = _hazard_counts(period)
    where_before, counts_before = _hazard_counts(period.year_earlier(), suffix="_prev")
    rows = hazards.filter(where | where_before | IS_OPEN).order_by()
    aggregates = {**counts, **counts_before, **_open_counts(today)}
    if by is None:
        return {None: rows.aggregate(**aggregates)}
    key = f"premises__{CHILD_KEYS[by]}"
    return {row.pop(key): row for row in rows.values(key).annotate(**aggregates)}


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


def hazard_figures(hazards: QuerySet, period: Period, *, today: date) -> dict[str, Any]:
    """The hazard figures of all the rows (see hazard_groups). One query."""
    figures = hazard_groups(hazards, period, today=today)[None]
    return with_mean_days(dict(figures))


# --- premises, inspections, accidents ----------------------------------------------------------


def _premises_counts(today: date) -> dict[str, Any]:
    return {
        "operating": Count("pk"),
        "covered": Count("pk", filter=Q(patrol_due_on__gt=today)),
        "never_inspected": Count("pk", filter=Q(last_inspected_at__isnull=True)),
    }


def premises_groups(
    premises: QuerySet, *, today: date, by: str | None = None
) -> dict[Any, dict[str, int]]:
    """Operating premises, those inside their patrol interval (covered), never inspected — now,
    per place one level down (`by`) or for all under the key None. One query."""
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

    Four narrow queries: a COUNT(*) per period reads the visited_at index only. For a period
    running up to now, "visited at least once since the start" is `last_inspected_at >= start`
    on premises (hazards.services.record_inspection keeps it at the latest visit), which spares
    a DISTINCT over every visit; a period in the past counts distinct premises of its visits."""
    figures: dict[str, int] = {}
    for suffix, span in (("", period), ("_prev", period.year_earlier())):
        visits = src.inspections.filter(within("visited_at", span))
        figures[f"inspections{suffix}"] = visits.count()
        if span.until > now:
            visited = src.premises.filter(last_inspected_at__gte=span.since).count()
        else:
            visited = visits.order_by().values("premises").distinct().count()
        figures[f"premises_inspected{suffix}"] = visited
    return figures


def accident_figures(accidents: QuerySet, period: Period) -> dict[str, Any]:
    """Accidents, deaths, injuries and direct loss in the period and a year earlier. One query."""
    figures: dict[str, Any] = {}
    where = Q()
    for suffix, span in (("", period), ("_prev", period.year_earlier())):
        on = Q(occurred_on__gte=span.start, occurred_on__lte=span.end)
        where |= on
        figures[f"accidents{suffix}"] = Count("pk", filter=on)
        for name, zero in (("deaths", Value(0)), ("injuries", Value(0)), ("direct_loss", ZERO)):
            # Aliased apart from the field: Sum("deaths") must not read an aggregate "deaths".
            figures[f"total_{name}{suffix}"] = Coalesce(Sum(name, filter=on), zero)
    totals = accidents.filter(where).aggregate(**figures)
    return {key.removeprefix("total_"): value for key, value in totals.items()}


# --- rankings, trend, breakdowns --------------------------------------------------------------


def trend(hazards: QuerySet, period: Period) -> dict[date, dict[str, int]]:
    """Hazards found and hazards closed per calendar month of the period. One query (UNION)."""
    zone = timezone.get_default_timezone()

    def per_month(field: str, condition: Q, series: str) -> QuerySet:
        return (
            hazards.filter(within(field, period) & condition)
            .order_by()
            .annotate(month=TruncMonth(field, tzinfo=zone))
            .values("month")
            .annotate(n=Count("pk"), series=Value(series))
            .values_list("series", "month", "n")
        )

    months: dict[date, dict[str, int]] = {
        piece.start.replace(day=1): {"found": 0, "closed": 0} for piece in period.months()
    }
    found = per_month("reported_at", NOT_DISMISSED, "found")
    closed = per_month("closed_at", IS_CLOSED, "closed")
    for series, month, n in found.union(closed, all=True):
        day = timezone.localtime(month, zone).date() if timezone.is_aware(month) else month.date()
        months.setdefault(day, {"found": 0, "closed": 0})[series] = n
    return months


BREAKDOWN_KEYS = {
    "category": ("category",),
    "business_type": (
        "premises__business_type",
        "premises__business_type__name_zh",
        "premises__business_type__name_en",
    ),
    "department": ("department", "department__name", "department__name_en"),
}


def breakdowns(hazards: QuerySet, period: Period, *, today: date) -> dict[str, list[dict]]:
    """Found and closed (of those found in the period) and overdue now, per category, business
    type and responsible department; most found first.

    One GROUP BY query over the three keys together (at most categories × departments × business
    types groups), added up per key in Python."""
    _where, counts = _hazard_counts(period)
    overdue = IS_OPEN & Q(rectify_by__lt=today)
    keys = [name for names in BREAKDOWN_KEYS.values() for name in names]
    rows = (
        hazards.filter((within("reported_at", period) & NOT_DISMISSED) | overdue)
        .order_by()
        .values(*keys)
        .annotate(
            found=counts["found"], closed=counts["closed"], overdue=Count("pk", filter=overdue)
        )
    )
    tables: dict[str, dict[tuple, dict]] = {by: {} for by in BREAKDOWN_KEYS}
    for row in rows:
        for by, names in BREAKDOWN_KEYS.items():
            group = tuple(row[name] for name in names)
            empty = {**dict(zip(names, group, strict=True)), "found": 0, "closed": 0, "overdue": 0}
            total = tables[by].setdefault(group, empty)
            for figure in ("found", "closed", "overdue"):
                total[figure] += row[figure]
    return {
        by: sorted(
            table.values(),
            key=lambda row, first=BREAKDOWN_KEYS[by][0]: (
                -row["found"],
                -row["overdue"],
                str(row[first]),
            ),
        )
        for by, table in tables.items()
    }
