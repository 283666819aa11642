"""The grid officer's pages: my premises, a premises, scan to open, its QR label."""

from io import BytesIO

import qrcode
import qrcode.image.svg
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control

from hazards import rights
from hazards.models import OPEN_STATUSES, Hazard
from inspections.filters import MyPremisesFilter
from premises.access import get_premises_for
from premises.models import Premises

PAGE_SIZE = 25


def _open_hazard_count():
    """Open hazards of the premises in the row; a correlated subquery runs for the page's rows
    only, where a JOIN + GROUP BY would count over every premises in scope."""
    return Coalesce(
        Subquery(
            Hazard.objects.filter(premises=OuterRef("pk"), status__in=OPEN_STATUSES)
            .order_by()
            .values("premises")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def premises_list(request):
    scope = Premises.objects.visible_to(request.user).filter(status=Premises.Status.OPERATING)
    filters = MyPremisesFilter(request.GET, queryset=scope)
    rows = (
        filters.qs.select_related("business_type", "grid__village")
        .patrol_order()
        .annotate(open_hazards=_open_hazard_count())
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "inspections/premises_list.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "today": timezone.localdate(),
        },
    )


def premises_detail(request, pk: int):
    premises = get_premises_for(
        request.user,
        pk,
        queryset=Premises.objects.select_related("grid__village", "business_type__department"),
    )
    today = timezone.localdate()
    open_hazards = premises.hazards.open().order_by("rectify_by", "pk")
    visits = premises.inspections.select_related("inspector").order_by("-visited_at")[:5]
    return render(
        request,
        "inspections/premises_detail.html",
        {
            "premises": premises,
            "tags": list(premises.tags.all()),
            "open_hazards": open_hazards,
            "visits": visits,
            "today": today,
            "can_inspect": rights.can_report(request.user, premises),
            "phone_visible": rights.sees_phone(request.user, premises),
            "insurance_expiring": premises.insurance_expiring(today),
        },
    )


def scan(request, token: str):
    """一场所一码: the QR code on the door opens the premises, if it is in the user's scope."""
    premises = get_object_or_404(Premises.objects.visible_to(request.user), qr_token=token)
    return redirect("inspections:premises_detail", pk=premises.pk)


def scan_url(request, premises: Premises) -> str:
    return request.build_absolute_uri(reverse("inspections:scan", args=[premises.qr_token]))


@cache_control(private=True, max_age=3600)
def premises_qr(request, pk: int):
    premises = get_premises_for(request.user, pk)
    image = qrcode.make(
        scan_url(request, premises),
        image_factory=qrcode.image.svg.SvgPathImage,
        border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    buffer = BytesIO()
    image.save(buffer)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


def premises_label(request, pk: int):
    premises = get_premises_for(
        request.user, pk, queryset=Premises.objects.select_related("grid__village")
    )
    return render(
        request,
        "inspections/premises_label.html",
        {"premises": premises, "scan_url": scan_url(request, premises)},
    )
