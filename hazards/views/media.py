from django.http import FileResponse, Http404
from django.views.decorators.cache import cache_control

from hazards.access import get_photo_for


@cache_control(private=True, max_age=86400)
def photo(request, pk: int, variant: str):
    """Photos are served only here, after a scope check — never from a public media URL."""
    if variant not in ("full", "thumb"):
        raise Http404
    item = get_photo_for(request.user, pk)
    stored = item.image if variant == "full" else item.thumbnail
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, content_type="image/jpeg")
