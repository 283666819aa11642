"""Recording and lifting enforcement measures over a hazard (执法措施)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enforcement import measures as enforcement
from enforcement.forms import EnforcementForm, LiftForm
from enforcement.models import EnforcementAction
from hazards.access import get_hazard_for
from hazards.models import Hazard
from hazards.workflow import WorkflowError


def enforcement_new(request, pk: int):
    hazard = get_hazard_for(
        request.user, pk, queryset=Hazard.objects.select_related("premises__grid__village")
    )
    if not enforcement.can_enforce(request.user, hazard):
        raise PermissionDenied(_("You may not record enforcement on this hazard."))
    today = timezone.localdate()
    form = EnforcementForm(
        request.POST or None,
        departments=enforcement.departments_for(request.user, hazard),
        initial_department=hazard.department_id,
        today=today,
    )
    if request.method == "POST" and form.is_valid():
        try:
            enforcement.record_action(hazard, by=request.user, **form.cleaned_data)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Enforcement measure recorded."))
            return redirect("hazards:hazard_detail", pk=hazard.pk)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "enforcement/enforcement_form.html",
        {"hazard": hazard, "form": form},
        status=status,
    )


@require_POST
def enforcement_lift(request, pk: int):
    """Lift a suspension or seal; its hazard must be in the user's scope (404 otherwise)."""
    action = get_object_or_404(
        EnforcementAction.objects.filter(hazard__in=Hazard.objects.visible_to(request.user)),
        pk=pk,
    )
    form = LiftForm(request.POST, action=action, today=timezone.localdate())
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("hazards:hazard_detail", pk=action.hazard_id)
    try:
        enforcement.lift_action(action, by=request.user, **form.cleaned_data)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Measure lifted."))
    return redirect("hazards:hazard_detail", pk=action.hazard_id)
