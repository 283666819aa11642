"""The dashboard's short lists: where to push next. Each is one sliced query; its full length is
a figure of dashboard/kpis.py (or one COUNT here) and its "all" link opens every row."""

from datetime import date, datetime

from django.db.models import F, Q, QuerySet

from dashboard.kpis import Sources
from hazards.models import Hazard
from hazards.offenders import long_overdue, recurred, rejected_twice
from premises.models import Premises

LIST_SIZE = 10
HAZARD_RELATIONS = ("premises__grid__village", "premises__business_type", "department")
PREMISES_RELATIONS = ("grid__village", "business_type")
# What the lists show (templates/dashboard/_hazard_item.html, _premises_item.html): ten rows of
# a few columns each instead of every column of five tables.
HAZARD_SHOWN = (
    *("ledger_number", "severity", "rectify_by", "description", "premises"),
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
    rows = _hazards_shown(src.hazards.open().major()).order_by("rectify_by", "pk")[:limit]
    return _with_days_overdue(list(rows), today)


def overdue_hazards(src: Sources, *, today: date, limit: int = LIST_SIZE) -> list[Hazard]:
    """Open hazards past their deadline, the longest overdue first."""
    rows = _hazards_shown(src.hazards.overdue(today)).order_by("rectify_by", "pk")[:limit]
    return _with_days_overdue(list(rows), today)


def is_offender(*, today: date, now: datetime) -> Q:
    """Premises meeting one of the rules of hazards/offenders.py (钉子户), as a filter: one
    `IN (… UNION ALL …)` (PostgreSQL hashes it once; three OR-ed IN subqueries made it test
    every premises of the county three times)."""

    def premises_of(hazards: QuerySet) -> QuerySet:
        return hazards.order_by().values("premises_id")

    rules = (long_overdue(today=today), rejected_twice(now=now), recurred(now=now))
    first, *others = (premises_of(hazards) for hazards in rules)
    return Q(pk__in=first.union(*others, all=True))


def offenders(
    src: Sources, *, today: date, now: datetime, limit: int = LIST_SIZE
) -> tuple[list[Premises], int]:
    """The first persistent offenders in scope by village and name, and how many there are.

    Two queries: the sort keys of every offender in scope (a county has ~12,000: a sorted
    list in Python costs less than PostgreSQL's join-then-sort plan for ORDER BY … LIMIT), then
    the first ten in full. Without the offenders page's per-rule flags (three EXISTS a row)."""
    keys = sorted(
        src.premises.filter(is_offender(today=today, now=now)).values_list(
            "grid__village__code", "name", "pk"
        )
    )
    first = [pk for _code, _name, pk in keys[:limit]]
    rows = _premises_shown(Premises.objects.filter(pk__in=first)).order_by(
        "grid__village__code", "name", "pk"
    )
    return list(rows), len(keys)


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
