"""Read-only queries for the home pages. Each takes the user and the time from the view.

Every function starts from a scope helper (`visible_to`) or the user's own memberships, so a
number never counts anything the user may not see. Costs depend on the page size, not on the
size of the tables: counts are done in SQL and lists are sliced.
"""

from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.base import in_language
from grids.models import Department, Grid, Village
from hazards.models import Hazard, Severity
from premises.models import Premises

PATROL_LIST_SIZE = 20
OVERDUE_LIST_SIZE = 10


def _count_per_grid(premises: QuerySet) -> Coalesce:
    """A correlated COUNT of `premises` in the outer grid, 0 when there are none."""
    counted = (
        premises.filter(grid=OuterRef("pk"))
        .order_by()
        .values("grid")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def officer_grids(user, *, today: date) -> list[Grid]:
    """The grids the user patrols, each with `operating` and `patrol_due` premises counts.

    One query; the counts reuse the premises queryset methods, so they agree with the list.
    """
    return list(
        Grid.objects.filter(officers=user)
        .select_related("village")
        .annotate(
            operating=_count_per_grid(Premises.objects.operating()),
            patrol_due=_count_per_grid(Premises.objects.patrol_due(today)),
        )
        .order_by("village__code", "code")
    )


# What the home's patrol list shows (templates/dashboard/_due_premises_item.html):
# the premises' other 20 columns and their grid and village doubled its cost (docs/decisions.md).
DUE_PREMISES_FIELDS = (
    *("name", "address", "risk_level", "last_inspected_at"),
    *("business_type__name_zh", "business_type__name_en"),
)


def patrol_due_premises(user, *, today: date, limit: int = PATROL_LIST_SIZE) -> list[Premises]:
    """The premises in scope due for a patrol, never visited first, then the longest unvisited."""
    return list(
        Premises.objects.visible_to(user)
        .patrol_due(today)
        .patrol_order()
        .select_related("business_type")
        .only(*DUE_PREMISES_FIELDS)[:limit]
    )


def patrol_due_count(user, *, today: date) -> int:
    return Premises.objects.visible_to(user).patrol_due(today).count()


def premises_counts(user, *, today: date) -> dict[str, int]:
    """Operating premises in scope and how many of them are due for a patrol."""
    return {
        "operating": Premises.objects.visible_to(user).operating().count(),
        "patrol_due": patrol_due_count(user, today=today),
    }


def hazard_counts(user, *, today: date) -> dict[str, int]:
    """Open, overdue and open major hazards in scope, in one aggregate query.

    "Overdue" is open with a deadline before today, as `HazardQuerySet.overdue` defines it.
    """
    return (
        Hazard.objects.visible_to(user)
        .open()
        .aggregate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(rectify_by__lt=today)),
            open_major=Count("pk", filter=Q(severity=Severity.MAJOR)),
        )
    )


def most_overdue_hazards(user, *, today: date, limit: int = OVERDUE_LIST_SIZE) -> list[Hazard]:
    """The open hazards in scope furthest past their deadline, each with `days_overdue` set."""
    hazards = list(
        Hazard.objects.visible_to(user)
        .overdue(today)
        .select_related("premises")
        .order_by("rectify_by", "pk")[:limit]
    )
    for hazard in hazards:
        hazard.days_overdue = (today - hazard.rectify_by).days
    return hazards


def scope_names(user) -> list[str]:
    """What the user's numbers cover, by name: led villages and departments (empty = town)."""
    if user.sees_whole_town:
        return []
    villages = Village.objects.filter(leaders=user).values_list("name", flat=True)
    departments = Department.objects.filter(members=user).values_list("name", "name_en")
    return [*villages, *(in_language(zh, en) for zh, en in departments)]
