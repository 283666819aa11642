"""A visit in the user's scope, or 404 (docs/scope.md)."""

from django.shortcuts import get_object_or_404

from inspections.models import Inspection
from premises.models import Premises


def get_inspection_for(user, pk: int) -> Inspection:
    visible = Premises.objects.visible_to(user).values("pk")
    return get_object_or_404(
        Inspection.objects.select_related("premises__grid__village", "inspector"),
        pk=pk,
        premises__in=visible,
    )
