"""事故: the accident register. The safety office records and corrects accidents; everyone with a
role lists those in their scope (accidents/scope.py), with totals for the filtered rows."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accidents.forms import AccidentFilter, AccidentForm
from accidents.scope import accidents_visible_to
from grids.models import Town

PAGE_SIZE = 50


@permission_required("accidents.view_accident", raise_exception=True)
def accident_list(request):
    filters = AccidentFilter(
        request.GET, queryset=accidents_visible_to(request.user), user=request.user
    )
    rows = filters.qs.order_by("-occurred_on", "-pk")
    totals = rows.aggregate(
        accidents=Count("pk"),
        deaths=Coalesce(Sum("deaths"), Value(0)),
        injuries=Coalesce(Sum("injuries"), Value(0)),
        direct_loss=Sum("direct_loss"),
    )
    page = Paginator(rows.select_related("village", "premises__grid"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accidents/accident_list.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "totals": totals,
            "several_towns": Town.objects.count() > 1,
            "can_record": request.user.has_perm("accidents.add_accident"),
            "can_edit": request.user.has_perm("accidents.change_accident"),
        },
    )


def _form_page(request, form, accident=None):
    return render(request, "accidents/accident_form.html", {"form": form, "accident": accident})


@permission_required("accidents.add_accident", raise_exception=True)
def accident_create(request):
    form = AccidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        accident = form.save()
        messages.success(
            request, _("Accident of %(day)s recorded.") % {"day": accident.occurred_on}
        )
        return redirect("accidents:accident_list")
    return _form_page(request, form)


@permission_required("accidents.change_accident", raise_exception=True)
def accident_edit(request, pk: int):
    accident = get_object_or_404(accidents_visible_to(request.user), pk=pk)
    form = AccidentForm(request.POST or None, instance=accident, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Accident of %(day)s saved.") % {"day": accident.occurred_on})
        return redirect("accidents:accident_list")
    return _form_page(request, form, accident)
