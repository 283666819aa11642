from django.shortcuts import get_object_or_404

from premises.models import Premises


def get_premises_for(user, pk: int, *, queryset=None) -> Premises:
    """The premises if the user may see it; 404 otherwise — never someone else's data."""
    base = queryset if queryset is not None else Premises.objects.all()
    return get_object_or_404(base.visible_to(user), pk=pk)
