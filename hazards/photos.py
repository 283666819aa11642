"""Phone photos in, safe JPEGs out.

Every upload is checked to be a real image of an allowed format within the size limits before it
is decoded, turned upright by its EXIF orientation, stripped of all metadata (GPS included),
shrunk to 2048 px on the long side, re-encoded as JPEG and given a ~400 px thumbnail. Files get
random names; they are served only through a view that checks the viewer's scope.
"""

import secrets
from dataclasses import dataclass
from io import BytesIO
from math import ceil

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

register_heif_opener()

MAX_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000
LONG_SIDE = 2048
THUMB_SIDE = 400
DRAFT_SIDE = 1500
ALLOWED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "HEIF"})
# A photo is mostly picture: 16-bit RGBA PNG, the most a pixel takes, is 8 bytes, and EXIF with
# a phone's extra pictures fits in the slack. A file far larger than its pixels hides something
# else (hundreds of metadata segments, an appended archive).
MAX_BYTES_PER_PIXEL = 8
METADATA_SLACK = 256 * 1024
# Pillow refuses anything this large outright, before our own, friendlier check can run.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class ProcessedPhoto:
    image: ContentFile
    thumbnail: ContentFile


def _refuse(message) -> None:
    raise ValidationError(message, code="bad_photo")


def _open_checked(upload) -> Image.Image:
    if upload.size > MAX_BYTES:
        _refuse(_("This photo is larger than 15 MB; please take it again at a lower resolution."))
    if upload.size == 0:
        _refuse(_("This file is empty."))
    upload.seek(0)
    too_many_pixels = _(
        "This photo has more than 40 megapixels; please take it at a lower resolution."
    )
    try:
        image = Image.open(upload)
        width, height = image.size
    except Image.DecompressionBombError:  # a header claiming billions of pixels
        _refuse(too_many_pixels)
    except (UnidentifiedImageError, OSError, ValueError):
        _refuse(_("This file is not a photo we can read (JPEG, PNG, WebP or HEIC)."))
    if image.format not in ALLOWED_FORMATS:
        _refuse(_("Only JPEG, PNG, WebP or HEIC photos are accepted."))
    if width * height > MAX_PIXELS:
        _refuse(too_many_pixels)
    if upload.size > METADATA_SLACK + MAX_BYTES_PER_PIXEL * width * height:
        _refuse(_("This file holds much more than a photo of its size; please take it again."))
    return image


def _decode(image: Image.Image) -> Image.Image:
    # For JPEG, draft() lets the decoder scale by 1/2, 1/4 or 1/8 while reading, keeping the long
    # side at DRAFT_SIDE or more: a 12 MP phone photo decodes at a quarter of the memory and time.
    if image.format in ("JPEG", "MPO"):
        scale = DRAFT_SIDE / max(image.size)
        if scale < 1:
            image.draft("RGB", (ceil(image.width * scale), ceil(image.height * scale)))
    try:
        image.load()
        upright = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        _refuse(_("This photo is damaged or incomplete; please take it again."))
    if upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGBA") if "A" in upright.getbands() else upright.convert("RGB")
        if upright.mode == "RGBA":
            background = Image.new("RGB", upright.size, "white")
            background.paste(upright, mask=upright.getchannel("A"))
            upright = background
    return upright.convert("RGB") if upright.mode != "RGB" else upright


def _jpeg(image: Image.Image, side: int, quality: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    buffer = BytesIO()
    # No exif= argument: the new file carries no metadata at all.
    copy.save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def process_photo(upload) -> ProcessedPhoto:
    """Validate and normalise one upload. Raises ValidationError with a message for the user."""
    image = _decode(_open_checked(upload))
    name = secrets.token_hex(16)
    return ProcessedPhoto(
        image=ContentFile(_jpeg(image, LONG_SIDE, 85), name=f"{name}.jpg"),
        thumbnail=ContentFile(_jpeg(image, THUMB_SIDE, 75), name=f"{name}_t.jpg"),
    )


# --- the form field -------------------------------------------------------------------------------

MAX_PHOTOS = 6


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Any number of phone photos; each is checked and normalised by hazards.photos."""

    def __init__(self, **kwargs):
        attrs = {"accept": "image/*", "capture": "environment", "class": "form-control"}
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []
