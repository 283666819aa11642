"""钉子户: persistent offenders as docs/figures.md defines them, selected in SQL.

A premises is a persistent offender when it has
- a hazard overdue by more than 30 days (open, deadline more than 30 days ago);
- a hazard whose fix was rejected twice (still open, or found within the last 180 days);
- a recurrence (死灰复燃) found within the last 180 days.

The filter is three `pk IN (SELECT premises_id FROM hazards ...)` subqueries, each served by an
index on hazards; the per-rule flags are EXISTS expressions computed for the page's rows only.
"""

from datetime import date, datetime, timedelta

from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast

from hazards.models import OPEN_STATUSES, Hazard
from hazards.workflow import RECURRENCE_WINDOW_DAYS
from premises.models import Premises

OVERDUE_DAYS = 30
REJECTIONS = 2
WINDOW_DAYS = RECURRENCE_WINDOW_DAYS  # 180


def long_overdue(*, today: date) -> QuerySet:
    return Hazard.objects.filter(
        status__in=OPEN_STATUSES, rectify_by__lt=today - timedelta(days=OVERDUE_DAYS)
    )


def rejected_twice(*, now: datetime) -> QuerySet:
    since = now - timedelta(days=WINDOW_DAYS)
    return Hazard.objects.filter(reject_count__gte=REJECTIONS).filter(
        Q(status__in=OPEN_STATUSES) | Q(reported_at__gte=since)
    )


def recurred(*, now: datetime) -> QuerySet:
    return Hazard.objects.filter(
        recurrence_of__isnull=False, reported_at__gte=now - timedelta(days=WINDOW_DAYS)
    ).exclude(status=Hazard.Status.DISMISSED)


def _flag(hazards: QuerySet):
    return Exists(hazards.filter(premises=OuterRef("pk")))


def persistent_offenders(user, *, today: date, now: datetime) -> QuerySet:
    """Premises in the user's scope meeting at least one rule, with a boolean per rule and
    `rules_met`; the worst first."""
    overdue, rejected, recurring = (
        long_overdue(today=today),
        rejected_twice(now=now),
        recurred(now=now),
    )

    def ids(hazards: QuerySet) -> QuerySet:
        return hazards.order_by().values("premises_id")

    flags = {
        "is_long_overdue": _flag(overdue),
        "is_rejected_twice": _flag(rejected),
        "is_recurrence": _flag(recurring),
    }
    as_int = {name: Cast(flag, IntegerField()) for name, flag in flags.items()}
    return (
        Premises.objects.visible_to(user)
        .filter(Q(pk__in=ids(overdue)) | Q(pk__in=ids(rejected)) | Q(pk__in=ids(recurring)))
        .select_related("grid__village", "business_type")
        .annotate(**flags)
        .annotate(rules_met=sum(as_int.values(), Value(0)))
        .order_by("-rules_met", "grid__village__code", "name", "pk")
    )
