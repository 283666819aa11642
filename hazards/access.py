"""The hazards app's objects in the user's scope, or 404 (docs/scope.md)."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from hazards.models import Hazard, HazardPhoto, RectificationNotice
from premises.models import Premises


def get_hazard_for(user, pk: int, *, queryset=None) -> Hazard:
    base = queryset if queryset is not None else Hazard.objects.all()
    return get_object_or_404(base.visible_to(user), pk=pk)


def get_notice_for(user, pk: int) -> RectificationNotice:
    visible = Premises.objects.visible_to(user).values("pk")
    return get_object_or_404(
        RectificationNotice.objects.select_related(
            "premises__grid__village__town",
            "premises__business_type",
            "issued_by",
            "inspection__inspector",
        ),
        pk=pk,
        premises__in=visible,
    )


def get_photo_for(user, pk: int) -> HazardPhoto:
    """A photo of a hazard the user may see, or the user's own draft photo; 404 otherwise."""
    photo = get_object_or_404(HazardPhoto, pk=pk)
    if photo.hazard_id is None:
        visible = photo.uploaded_by_id == user.pk
    else:
        visible = Hazard.objects.visible_to(user).filter(pk=photo.hazard_id).exists()
    if not visible:
        raise Http404
    return photo
