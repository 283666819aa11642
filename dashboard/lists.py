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


def _with_days_overdue(hazards: list[Hazard], today: date) -> list[Hazard]:
    for hazard in hazards:
        hazard.days_overdue = max(0, (today - hazard.rectify_by).days)
    return hazards


def open_major_hazards(src: Sources, *, today: date, limit: int = LIST_SIZE) -> list[Hazard]:
    """Open major hazards, the nearest (or most passed) deadline first."""
    rows = (
        src.hazards.open()
        .major()
        .select_related(*HAZARD_RELATIONS)
        .order_by("rectify_by", "pk")[:limit]
    )
    return _with_days_overdue(list(rows), today)


def overdue_hazards(src: Sources, *, today: date, limit: int = LIST_SIZE) -> list[Hazard]:
    """Open hazards past their deadline, the longest overdue first."""
    rows = (
        src.hazards.overdue(today)
        .select_related(*HAZARD_RELATIONS)
        .order_by("rectify_by", "pk")[:limit]
    )
    return _with_days_overdue(list(rows), today)


def is_offender(*, today: date, now: datetime) -> Q:
    """Premises meeting one of the rules of hazards/offenders.py (钉子户), as a filter."""

    def premises_of(hazards: QuerySet) -> QuerySet:
        return hazards.order_by().values("premises_id")

    return (
        Q(pk__in=premises_of(long_overdue(today=today)))
        | Q(pk__in=premises_of(rejected_twice(now=now)))
        | Q(pk__in=premises_of(recurred(now=now)))
    )


def offenders(
    src: Sources, *, today: date, now: datetime, limit: int = LIST_SIZE
) -> tuple[list[Premises], int]:
    """The first persistent offenders in scope by village and name, and how many there are.

    Two queries, without the offenders page's per-rule flags, which cost three EXISTS per row:
    the dashboard shows ten and the count. (A COUNT window over the same rows made PostgreSQL
    join every offender to every village: 730 ms for a county instead of ~90 ms.)"""
    offending = src.premises.filter(is_offender(today=today, now=now))
    rows = list(
        offending.select_related(*PREMISES_RELATIONS).order_by("grid__village__code", "name", "pk")[
            :limit
        ]
    )
    return rows, offending.count()


def patrol_due_premises(src: Sources, *, today: date, limit: int = LIST_SIZE) -> list[Premises]:
    """Operating premises past their patrol date, the longest overdue first (the never inspected
    have their own list and come last). Walks the operating-by-due-date index: no sort."""
    rows = (
        src.premises.patrol_due(today)
        .select_related(*PREMISES_RELATIONS)
        .order_by(F("patrol_due_on").asc(nulls_last=True), "pk")
    )
    return list(rows[:limit])


def never_inspected_premises(src: Sources, *, limit: int = LIST_SIZE) -> list[Premises]:
    """Operating premises with no inspection at all, the first registered first."""
    rows = (
        src.premises.operating()
        .filter(last_inspected_at__isnull=True)
        .select_related(*PREMISES_RELATIONS)
        .order_by("pk")
    )
    return list(rows[:limit])
