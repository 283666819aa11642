"""事故: who sees which accidents of the register (docs/scope.md, applied to accidents).

The safety office and registry admins see every accident; a village leader the accidents of
their villages; a grid officer those at premises of their grids; a department officer those at
premises of the business types their department supervises.
"""

from django.db.models import Q, QuerySet

from accidents.models import Accident
from grids.models import departments_of, grids_of, villages_of


def accidents_visible_to(user) -> QuerySet:
    """The one door to accidents for every view and the dashboard."""
    if not user.is_authenticated or not user.is_active:
        return Accident.objects.none()
    if user.sees_whole_town:
        return Accident.objects.all()
    return Accident.objects.filter(
        Q(village__in=villages_of(user))
        | Q(premises__grid__in=grids_of(user))
        | Q(premises__business_type__department__in=departments_of(user))
    )
