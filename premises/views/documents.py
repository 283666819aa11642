"""The safety commitment letter's scan, served only after a scope check."""

from pathlib import Path

from django.http import FileResponse, Http404
from django.views.decorators.cache import cache_control

from premises.access import get_premises_for
from premises.forms import SCAN_CONTENT_TYPES


@cache_control(private=True, no_cache=True)
def commitment_scan(request, pk: int):
    """The scan, to anyone who may see the premises (its officers too), 404 to anyone else.
    Never from a public media URL; its type was checked by content when it was uploaded."""
    premises = get_premises_for(request.user, pk)
    scan = premises.commitment_scan
    extension = Path(scan.name).suffix.lstrip(".").lower() if scan else ""
    if extension not in SCAN_CONTENT_TYPES:
        raise Http404
    try:
        handle = scan.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=SCAN_CONTENT_TYPES[extension],
        filename=f"commitment-letter-{premises.pk}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
