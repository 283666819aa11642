"""QR labels to print on A4 (3 × 8 a sheet) for a grid, a village, any filter, or a selection."""

import re
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.views_registry import registry_admin_required
from config.inputs import parse_ids
from premises.models import Premises
from premises.views.registry import filtered_premises

LABELS_PER_SHEET = 24  # 3 columns × 8 rows
LABELS_PER_PRINTOUT = LABELS_PER_SHEET * 10  # each QR code is slow to draw (docs/decisions.md)
MAX_SELECTED = LABELS_PER_PRINTOUT


@dataclass
class Label:
    premises: Premises
    qr: SafeString


def qr_svg(url: str) -> SafeString:
    """An inline SVG QR code, sized by CSS. Safe: drawn here, and the URL is only in the modules."""
    image = qrcode.make(
        url,
        image_factory=qrcode.image.svg.SvgPathImage,
        border=1,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    svg = image.to_string(encoding="unicode").replace(' id="qr-path"', "")  # ids must be unique
    svg = re.sub(
        r'^<svg width="[^"]*" height="[^"]*"',
        '<svg class="qr-svg" aria-hidden="true" shape-rendering="crispEdges"',
        svg,
    )
    return mark_safe(svg)  # noqa: S308 - our own SVG


@registry_admin_required
def label_sheet(request):
    selected = parse_ids(request.GET.getlist("ids"))
    if selected:
        premises = Premises.objects.visible_to(request.user).filter(pk__in=selected[:MAX_SELECTED])
        scope = _("%(count)s selected premises") % {"count": len(selected[:MAX_SELECTED])}
    else:
        filters = filtered_premises(request)
        premises = filters.qs
        if not request.GET.get("status"):
            premises = premises.exclude(status=Premises.Status.CLOSED)  # no door to label
        scope = _scope(filters)
    premises = premises.select_related("grid__village").order_by(
        "grid__village__code", "grid__code", "address", "pk"
    )
    page = Paginator(premises, LABELS_PER_PRINTOUT).get_page(request.GET.get("page"))
    labels = [
        Label(
            item,
            qr_svg(request.build_absolute_uri(reverse("inspections:scan", args=[item.qr_token]))),
        )
        for item in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "premises/label_sheet.html",
        {
            "sheets": [
                labels[i : i + LABELS_PER_SHEET] for i in range(0, len(labels), LABELS_PER_SHEET)
            ],
            "page": page,
            "query": query.urlencode(),
            "scope": scope,
        },
    )


def _scope(filters) -> str:
    """What the sheet covers, for its title: a grid, a village, or the filters of the list."""
    data = filters.form.cleaned_data if filters.form.is_valid() else {}
    if data.get("grid"):
        return str(data["grid"])
    if data.get("village"):
        return str(data["village"])
    return _("the filtered registry") if filters.is_filtered else _("the whole registry")
