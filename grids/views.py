"""The organisation pages of the registry: villages, grids, departments, and who works where.

Registry admins only (accounts.views_registry.registry_admin_required). Nothing here deletes:
villages, grids and departments are PROTECTed by the premises and hazards that use them, and
users are deactivated, never deleted (accounts.views_registry).
"""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.views_registry import get_user_for, registry_admin_required
from grids.forms import AssignmentForm, DepartmentForm, GridForm, VillageForm
from grids.models import Department, Grid, Village

ORG_INDEX = "premises:grids:index"


@registry_admin_required
def org_index(request):
    # Three queries for the whole organisation, however many grids: counts in SQL, people
    # prefetched once per relation.
    by_username = User.objects.order_by("username")
    grids = Grid.objects.annotate(premises_count=Count("premises")).prefetch_related(
        Prefetch("officers", queryset=by_username)
    )
    villages = (
        Village.objects.select_related("town")
        .prefetch_related(
            Prefetch("leaders", queryset=by_username),
            Prefetch("grids", queryset=grids.order_by("code")),
        )
        .order_by("code")
    )
    departments = Department.objects.annotate(member_count=Count("members")).order_by("code")
    return render(
        request, "grids/org_index.html", {"villages": villages, "departments": departments}
    )


def _edit(request, form_class, instance, *, title: str, saved: str):
    """Create or edit one organisation record on a plain form page; back to the index."""
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        record = form.save()
        messages.success(request, saved % {"name": record})
        return redirect(ORG_INDEX)
    return render(
        request,
        "grids/org_form.html",
        {"form": form, "title": title, "record": instance},
    )


@registry_admin_required
def village_create(request):
    return _edit(
        request, VillageForm, None, title=_("New village or community"), saved=_("%(name)s saved.")
    )


@registry_admin_required
def village_edit(request, pk: int):
    village = get_object_or_404(Village, pk=pk)
    return _edit(request, VillageForm, village, title=str(village), saved=_("%(name)s saved."))


@registry_admin_required
def grid_create(request):
    return _edit(request, GridForm, None, title=_("New grid"), saved=_("%(name)s saved."))


@registry_admin_required
def grid_edit(request, pk: int):
    grid = get_object_or_404(Grid.objects.select_related("village"), pk=pk)
    return _edit(request, GridForm, grid, title=str(grid), saved=_("%(name)s saved."))


@registry_admin_required
def department_create(request):
    return _edit(
        request, DepartmentForm, None, title=_("New department"), saved=_("%(name)s saved.")
    )


@registry_admin_required
def department_edit(request, pk: int):
    department = get_object_or_404(Department, pk=pk)
    return _edit(
        request, DepartmentForm, department, title=str(department), saved=_("%(name)s saved.")
    )


@registry_admin_required
def user_assignments(request, pk: int):
    """Where one user works; the same memberships the grid, village and department pages set."""
    user = get_user_for(request.user, pk)
    initial = {
        "grids": user.patrolled_grids.all(),
        "villages": user.led_villages.all(),
        "departments": user.departments.all(),
    }
    form = AssignmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user.patrolled_grids.set(form.cleaned_data["grids"])
            user.led_villages.set(form.cleaned_data["villages"])
            user.departments.set(form.cleaned_data["departments"])
        messages.success(request, _("Assignments of %(name)s saved.") % {"name": user})
        return redirect("premises:grids:user_edit", pk=user.pk)
    return render(request, "grids/user_assignments.html", {"form": form, "managed": user})
