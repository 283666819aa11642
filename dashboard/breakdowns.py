"""The dashboard's trend (hazards found and closed per month) and its breakdowns (per category,
business type and responsible department), counted in SQL: the months' tallies where the page
reads them (dashboard/sources.py), plus and less the rows of some days."""

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone

from dashboard import tallies
from dashboard.kpis import IS_CLOSED, LESS, NOT_DISMISSED, net
from dashboard.periods import Period
from dashboard.sources import Sources, within_any
from grids.models import Department
from premises.models import BusinessType

# --- trend ---------------------------------------------------------------------------------------


def trend(src: Sources, period: Period) -> dict[date, dict[str, int]]:
    """Hazards found and hazards closed per calendar month of the period: the months' tallies
    when there are some, plus and less the rows of some days in one query (UNION)."""
    counts: dict[date, dict[str, int]] = {
        piece.start.replace(day=1): {"found": 0, "closed": 0} for piece in period.months()
    }
    plan = src.split(period)
    if plan.months:
        tallied = src.months(plan.months).per_month(plan.months)
        counts.update({month: dict(figures) for month, figures in tallied.items()})
    for series, month, n in _rows_per_month(src, plan):
        figures = counts.setdefault(month, {"found": 0, "closed": 0})
        figures[series.removesuffix(LESS)] += -n if series.endswith(LESS) else n
    return counts


def _rows_per_month(src: Sources, plan: tallies.Plan) -> list[tuple[str, date, int]]:
    """(series, month, count) of the hazards' rows in the plan's days: "found" and "closed",
    suffixed LESS for the days a tallied month counts but the period leaves out."""
    zone = timezone.get_default_timezone()

    def per_month(field: str, spans: list[Period], condition: Q, series: str) -> QuerySet:
        return (
            src.hazards.filter(within_any(field, spans) & condition)
            .order_by()
            .annotate(month=TruncMonth(field, tzinfo=zone))
            .values("month")
            .annotate(n=Count("pk"), series=Value(series))
            .values_list("series", "month", "n")
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
    if not parts:
        return []
    return [
        (series, _local_day(month, zone), n)
        for series, month, n in parts[0].union(*parts[1:], all=True)
    ]


def _local_day(month, zone) -> date:
    return timezone.localtime(month, zone).date() if timezone.is_aware(month) else month.date()


# --- breakdowns ----------------------------------------------------------------------------------

BREAKDOWN_KEYS = ("category", "business_type", "department")


def breakdowns(src: Sources, period: Period, *, today: date) -> dict[str, list[dict]]:
    """Found and closed (of those found in the period) and overdue now, per category, business
    type and responsible department; most found first.

    GROUP BY queries over the three keys together (at most categories × departments × business
    types groups): the overdue, the found in the period's days and, for the county or a town
    with tallies, the months' sector tallies (see tallies.Plan); added up per key in Python."""
    plan = src.split(period) if src.town_filter is not None else tallies.Plan(plus=[period])
    rows = _hazard_rows(src, plan, today=today)
    if plan.months:
        rows += _sector_rows(src.town_filter, plan.months)
    tables = {by: _most_found_first(table, by) for by, table in _breakdown_sums(rows).items()}
    _name(tables)
    return tables


def _most_found_first(table: dict[Any, dict], by: str) -> list[dict]:
    rows = (row for row in table.values() if row["found"] or row["closed"] or row["overdue"])
    return sorted(rows, key=lambda row: (-row["found"], -row["overdue"], str(row[by])))


def _name(tables: dict[str, list[dict]]) -> None:
    """The business types' and departments' names beside their keys: counted by key alone, the
    hazards are grouped without joining every row to its names (docs/decisions.md, Counting per
    grid first)."""
    for by, model, names in (
        ("business_type", BusinessType, ("name_zh", "name_en")),
        ("department", Department, ("name", "name_en")),
    ):
        found = model.objects.in_bulk({row[by] for row in tables[by]} - {None})
        for row in tables[by]:
            named = found.get(row[by])
            row |= {f"{by}__{name}": getattr(named, name, None) for name in names}


def _hazard_rows(src: Sources, plan: tallies.Plan, *, today: date) -> list[dict]:
    """The hazards' rows grouped by the three keys: the overdue now, and the found (and closed
    of those) in the plan's days, each query with an index to itself."""

    def grouped(hazards: QuerySet, counts: dict) -> list[dict]:
        return [net(row) for row in hazards.order_by().values(*BREAKDOWN_KEYS).annotate(**counts)]

    rows = grouped(src.hazards.overdue(today), {"overdue": Count("*")})  # an index-only scan
    where, counts = Q(pk__in=[]), {}
    for spans, suffix in ((plan.plus, ""), (plan.minus, LESS)):
        if spans:
            found_in = within_any("reported_at", spans) & NOT_DISMISSED
            where |= found_in
            counts[f"found{suffix}"] = Count("pk", filter=found_in)
            counts[f"closed{suffix}"] = Count("pk", filter=found_in & IS_CLOSED)
    if counts:
        rows += grouped(src.hazards.filter(where), counts)
    return rows


def _breakdown_sums(rows: list[dict]) -> dict[str, dict[Any, dict]]:
    """Rows of the three keys added up per key: {key: {value: row}}."""
    tables: dict[str, dict[Any, dict]] = {by: {} for by in BREAKDOWN_KEYS}
    for row in rows:
        found, closed, overdue = row.get("found", 0), row.get("closed", 0), row.get("overdue", 0)
        for by in BREAKDOWN_KEYS:
            total = tables[by].get(row[by])
            if total is None:
                total = tables[by][row[by]] = {by: row[by], "found": 0, "closed": 0, "overdue": 0}
            total["found"] += found
            total["closed"] += closed
            total["overdue"] += overdue
    return tables


def _sector_rows(town_filter: dict[str, Any], months: list[date]) -> list[dict]:
    """The sector tallies as rows shaped like the hazards' GROUP BY rows."""
    return [
        {
            "category": row["category"],
            "business_type": row["business_type_key"],
            "department": row["department_key"] or None,  # 0 stands for none in the tallies
            "found": row["found_n"],
            "closed": row["closed_n"],
        }
        for row in tallies.sector_rows(town_filter, months)
    ]
