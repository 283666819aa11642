"""Photos uploaded with a form are kept as drafts at once, so a form returned with errors (or a
request retried after a timeout) never asks the officer to take them again."""

from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from config.inputs import parse_ids
from hazards.models import HazardPhoto
from hazards.photos import MAX_PHOTOS, process_photo


def keep_uploads(form, field: str, *, stage: str, user, key) -> list[HazardPhoto]:
    """Process this field's new uploads into draft photos and return every photo kept for it.

    Kept photos come back from the form's hidden `<field>_kept` list; ones ticked in
    `<field>_remove` are dropped. Errors are added to the form field, in the user's language."""
    prefix = form.add_prefix(field)
    data, files = _lists(form.data), _lists(form.files)
    removed = set(parse_ids(data.getlist(f"{prefix}_remove")))
    kept = list(
        HazardPhoto.objects.filter(
            pk__in=parse_ids(data.get(f"{prefix}_kept", "")),
            hazard__isnull=True,
            draft_key=key,
            uploaded_by=user,
        )
        .exclude(pk__in=removed)
        .order_by("pk")
    )
    uploads = files.getlist(prefix)
    if len(kept) + len(uploads) > MAX_PHOTOS:
        form.add_error(
            field,
            _("At most %(max)d photos per hazard; you chose %(count)d.")
            % {"max": MAX_PHOTOS, "count": len(kept) + len(uploads)},
        )
        return kept
    for upload in uploads:
        try:
            processed = process_photo(upload)
        except ValidationError as error:
            form.add_error(field, f"{upload.name}: {' '.join(error.messages)}")
            continue
        kept.append(
            HazardPhoto.objects.create(
                draft_key=key,
                draft_field=prefix,
                stage=stage,
                image=processed.image,
                thumbnail=processed.thumbnail,
                uploaded_by=user,
            )
        )
    return kept


def _lists(values) -> MultiValueDict:
    """A form's data or files as lists per name. A form set given no files at all hands its
    forms a plain {} (an empty request.FILES is falsy), which has no getlist."""
    if isinstance(values, MultiValueDict):
        return values
    return MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in values.items()})
