"""The registry list, a premises' registry page, and the changes made there."""

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.views_registry import registry_admin_required
from premises import services
from premises.access import get_premises_for
from premises.filters import INSURANCE_WARNING_DAYS, RegistryFilter
from premises.forms import MoveForm, RegistryPremisesForm, StatusForm
from premises.models import Premises, Tag

PAGE_SIZE = 50
DETAIL_RELATED = ("grid__village", "business_type__department", "created_by")


def filtered_premises(request) -> RegistryFilter:
    """The registry filters bound to the request; `.qs` is what the list, the export and the
    label sheet show."""
    return RegistryFilter(
        request.GET,
        queryset=Premises.objects.visible_to(request.user),
        today=timezone.localdate(),
    )


@registry_admin_required
def registry_list(request):
    filters = filtered_premises(request)
    rows = (
        filters.qs.select_related("grid__village", "business_type")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("code")))
        # Newest first: the primary key orders without a sort over the whole table.
        .order_by("-pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "premises/registry_list.html",
        {"filters": filters, "page": page, "query": query.urlencode(), **_dates()},
    )


def _dates() -> dict:
    """`today` and `insurance_soon` for premises/_commitment_status.html."""
    today = timezone.localdate()
    return {"today": today, "insurance_soon": today + timedelta(days=INSURANCE_WARNING_DAYS)}


@registry_admin_required
def premises_detail(request, pk: int):
    premises = get_premises_for(
        request.user, pk, queryset=Premises.objects.select_related(*DETAIL_RELATED)
    )
    allowed = services.STATUS_CHANGES[premises.status]
    status_form = StatusForm()
    status_form.fields["status"].choices = [
        (value, label) for value, label in Premises.Status.choices if value in allowed
    ]
    return render(
        request,
        "premises/premises_detail.html",
        {
            "premises": premises,
            "tags": list(premises.tags.order_by("code")),
            "status_form": status_form,
            "recent_changes": premises.history.select_related("history_user")[:5],
            **_dates(),
        },
    )


@registry_admin_required
def premises_create(request):
    form = RegistryPremisesForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        premises = services.save_premises(form, by=request.user, today=timezone.localdate())
        messages.success(request, _("Premises %(name)s registered.") % {"name": premises.name})
        return redirect("premises:detail", pk=premises.pk)
    return render(request, "premises/premises_form.html", {"form": form})


@registry_admin_required
def premises_edit(request, pk: int):
    premises = get_premises_for(request.user, pk)
    form = RegistryPremisesForm(request.POST or None, request.FILES or None, instance=premises)
    if request.method == "POST" and form.is_valid():
        services.save_premises(form, by=request.user, today=timezone.localdate())
        messages.success(request, _("Premises %(name)s saved.") % {"name": premises.name})
        return redirect("premises:detail", pk=premises.pk)
    return render(request, "premises/premises_form.html", {"form": form, "premises": premises})


@registry_admin_required
def premises_move(request, pk: int):
    premises = get_premises_for(
        request.user, pk, queryset=Premises.objects.select_related("grid__village")
    )
    form = MoveForm(request.POST or None, initial={"grid": premises.grid_id})
    if request.method == "POST" and form.is_valid():
        try:
            services.move_premises(
                premises,
                grid=form.cleaned_data["grid"],
                by=request.user,
                today=timezone.localdate(),
                reason=form.cleaned_data["reason"],
            )
        except services.RegistryError as error:
            form.add_error("grid", str(error))
        else:
            messages.success(
                request,
                _("%(name)s moved to %(grid)s.")
                % {"name": premises.name, "grid": form.cleaned_data["grid"]},
            )
            return redirect("premises:detail", pk=premises.pk)
    return render(request, "premises/premises_move.html", {"form": form, "premises": premises})


@require_POST
@registry_admin_required
def premises_status(request, pk: int):
    premises = get_premises_for(request.user, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("premises:detail", pk=premises.pk)
    try:
        premises = services.change_status(
            premises,
            status=form.cleaned_data["status"],
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except services.RegistryError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(name)s is now %(status)s.")
            % {"name": premises.name, "status": premises.get_status_display()},
        )
    return redirect("premises:detail", pk=premises.pk)
