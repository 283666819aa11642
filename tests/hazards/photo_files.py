"""Real image files for upload tests, made with Pillow (nothing mocked)."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def jpeg(name="photo.jpg", size=(640, 480), color="orange", exif=None) -> SimpleUploadedFile:
    buffer = BytesIO()
    image = Image.new("RGB", size, color)
    if exif is not None:
        image.save(buffer, "JPEG", exif=exif)
    else:
        image.save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def png(name="photo.png", size=(320, 240), mode="RGBA") -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def renamed_pdf() -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return SimpleUploadedFile("photo.jpg", body, content_type="image/jpeg")


def truncated_jpeg() -> SimpleUploadedFile:
    noisy = BytesIO()
    Image.effect_noise((1200, 900), 50).convert("RGB").save(noisy, "JPEG")
    data = noisy.getvalue()
    return SimpleUploadedFile("cut.jpg", data[: len(data) // 2], content_type="image/jpeg")


def huge_png() -> SimpleUploadedFile:
    """100 megapixels of one colour: a few hundred KB on disk, 300 MB once decoded."""
    buffer = BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, "PNG")
    return SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")


def phone_format(fmt: str, name: str) -> SimpleUploadedFile:
    """A photo as phones send it: WEBP from Android, HEIF (HEIC) from iPhones."""
    buffer = BytesIO()
    Image.new("RGB", (640, 480), "teal").save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")
