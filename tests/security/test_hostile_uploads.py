"""Hostile files through the real upload doors: inspection photos, the hazard page's fix photos,
commitment letter scans and registry import files. Each is refused with a message that says
why, and nothing reaches MEDIA_ROOT (or the import folder) — docs/inputs.md, Files.

The files are made in code (tests/security/hostile_files.py)."""

import io
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.roles import Role
from hazards.models import HazardPhoto
from inspections.models import Inspection
from premises.exporter import write_template
from premises.models import Premises
from tests.factories import (
    ChecklistItemFactory,
    GridFactory,
    HazardFactory,
    PremisesFactory,
    UserFactory,
)
from tests.security import hostile_files as hostile

pytestmark = pytest.mark.django_db

NOT_A_PHOTO = "This file is not a photo we can read (JPEG, PNG, WebP or HEIC)."
TOO_MANY_PIXELS = "This photo has more than 40 megapixels; please take it at a lower resolution."
PHOTO_MESSAGES = {
    "elf_executable": NOT_A_PHOTO,
    "pe_executable": NOT_A_PHOTO,
    "pdf_as_jpeg": NOT_A_PHOTO,
    "html_as_jpeg": NOT_A_PHOTO,
    "svg_as_jpeg": NOT_A_PHOTO,
    "svg": NOT_A_PHOTO,
    "png_bomb": TOO_MANY_PIXELS,
    "png_bomb_under_pillows_limit": TOO_MANY_PIXELS,
    "jpeg_bomb": TOO_MANY_PIXELS,
    "jpeg_with_huge_exif": "This file holds much more than a photo of its size",
    "zero_bytes": "This file is empty.",
    "truncated_jpeg": "This photo is damaged or incomplete; please take it again.",
    "jpeg_header_then_html": NOT_A_PHOTO,
}
SCAN_REFUSED = "Upload the scan as a PDF, JPEG or PNG file."
SCAN_DAMAGED = "The scan is damaged or incomplete; scan it again."
SCAN_TOO_MANY_PIXELS = "The scan has more than 40 megapixels; scan it at a lower resolution."
SCAN_MESSAGES = {
    "elf_executable": SCAN_REFUSED,
    "pe_executable": SCAN_REFUSED,
    "html_as_jpeg": SCAN_REFUSED,
    "svg_as_jpeg": SCAN_REFUSED,
    "svg": SCAN_REFUSED,
    "png_bomb": SCAN_REFUSED,  # Pillow will not even verify a 10-gigapixel header
    "png_bomb_under_pillows_limit": SCAN_TOO_MANY_PIXELS,
    "jpeg_bomb": SCAN_REFUSED,
    "jpeg_with_huge_exif": "The scan is larger than 10 MB.",
    "truncated_jpeg": SCAN_DAMAGED,
    "jpeg_header_then_html": SCAN_REFUSED,
}
NOT_A_TABLE = "This file is neither a CSV nor an XLSX file."
NO_HEADERS = "Row 1 should hold the column headers"


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def upload(key: str) -> SimpleUploadedFile:
    name, data = hostile.PHOTO_CORPUS[key]()
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


@pytest.fixture
def officer_site():
    officer = UserFactory(username="officer", role=Role.GRID_OFFICER)
    premises = PremisesFactory(grid=GridFactory(officers=[officer]))
    item = ChecklistItemFactory(applies_to_all=True)
    return officer, premises, item


def inspection_body(item, photo) -> dict:
    return {
        "idempotency_key": str(uuid.uuid4()),
        "kind": "routine",
        "extra-TOTAL_FORMS": "0",
        "extra-INITIAL_FORMS": "0",
        "extra-MIN_NUM_FORMS": "0",
        "extra-MAX_NUM_FORMS": "10",
        f"item-{item.pk}-answer": "fail",
        f"item-{item.pk}-photos": photo,
    }


@pytest.mark.parametrize("key", sorted(hostile.PHOTO_CORPUS))
def test_hostile_inspection_photo_is_refused_and_nothing_is_stored(
    client, officer_site, media_root, key
):
    officer, premises, item = officer_site
    client.force_login(officer)

    response = client.post(
        reverse("inspections:inspection_new", args=[premises.pk]),
        inspection_body(item, upload(key)),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert PHOTO_MESSAGES[key] in response.text
    assert not Inspection.objects.exists()
    assert not HazardPhoto.objects.exists()
    assert files_under(media_root) == []


@pytest.mark.parametrize("key", sorted(hostile.PHOTO_CORPUS))
def test_hostile_fix_photo_on_the_hazard_page_is_refused_and_nothing_is_stored(
    client, media_root, key
):
    officer = UserFactory(username="officer", role=Role.GRID_OFFICER)
    hazard = HazardFactory(
        premises=PremisesFactory(grid=GridFactory(officers=[officer])), rectifying=True
    )
    client.force_login(officer)

    response = client.post(
        reverse("hazards:hazard_transition", args=[hazard.pk, "submit_fix"]),
        {
            "submit_fix-key": str(uuid.uuid4()),
            "submit_fix-note": "已整改",
            "submit_fix-photos": upload(key),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert PHOTO_MESSAGES[key] in response.text
    hazard.refresh_from_db()
    assert hazard.status == "rectifying"
    assert not HazardPhoto.objects.exists()
    assert files_under(media_root) == []


@pytest.mark.parametrize("key", sorted(SCAN_MESSAGES))
def test_hostile_commitment_scan_is_refused_and_nothing_is_stored(client, media_root, key):
    premises = PremisesFactory()
    client.force_login(UserFactory(role=Role.REGISTRY_ADMIN))
    name, data = hostile.PHOTO_CORPUS[key]()

    response = client.post(
        reverse("premises:edit", args=[premises.pk]),
        {
            "name": premises.name,
            "address": premises.address,
            "business_type": premises.business_type_id,
            "operator_phone": premises.operator_phone,
            "commitment_scan": SimpleUploadedFile(name, data),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert response.context["form"].has_error("commitment_scan")
    assert SCAN_MESSAGES[key] in response.text
    premises.refresh_from_db()
    assert not premises.commitment_scan
    assert files_under(media_root) == []


def test_empty_commitment_scan_is_refused_as_no_file(client, media_root):
    premises = PremisesFactory()
    client.force_login(UserFactory(role=Role.REGISTRY_ADMIN))

    response = client.post(
        reverse("premises:edit", args=[premises.pk]),
        {
            "name": premises.name,
            "address": premises.address,
            "business_type": premises.business_type_id,
            "commitment_scan": SimpleUploadedFile("empty.pdf", b""),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.context["form"].has_error("commitment_scan", code="empty")
    assert files_under(media_root) == []


def test_a_pdf_named_jpg_is_kept_as_the_pdf_it_is(client, media_root):
    """A scan's name is not its type: PDF content is stored and served as a PDF."""
    premises = PremisesFactory()
    client.force_login(UserFactory(role=Role.REGISTRY_ADMIN))
    name, data = hostile.pdf_as_jpeg()

    client.post(
        reverse("premises:edit", args=[premises.pk]),
        {
            "name": premises.name,
            "address": premises.address,
            "business_type": premises.business_type_id,
            "commitment_scan": SimpleUploadedFile(name, data),
        },
    )
    response = client.get(reverse("premises:commitment_scan", args=[premises.pk]))

    premises.refresh_from_db()
    assert premises.commitment_scan.name.endswith(".pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_html_after_a_real_jpeg_never_reaches_the_stored_photo(client, officer_site, media_root):
    """A readable JPEG with a page glued after it is a photo; what is stored is re-encoded from
    its pixels, so nothing after the picture survives."""
    officer, premises, item = officer_site
    client.force_login(officer)
    name, data = hostile.valid_jpeg_with_html_after_it()

    response = client.post(
        reverse("inspections:inspection_new", args=[premises.pk]),
        inspection_body(item, SimpleUploadedFile(name, data)),
    )

    assert response.status_code == 302
    stored = [path.read_bytes() for path in files_under(media_root)]
    assert len(stored) == 2  # the photo and its thumbnail
    for content in stored:
        assert b"<script" not in content and b"<html" not in content
        assert Image.open(io.BytesIO(content)).format == "JPEG"


# --- registry import files ------------------------------------------------------------------------


def real_xlsx() -> bytes:
    buffer = io.BytesIO()
    write_template(buffer)
    return buffer.getvalue()


IMPORT_CORPUS = {
    "elf_executable": (hostile.elf_executable, NOT_A_TABLE),
    "pe_executable": (hostile.pe_executable, NOT_A_TABLE),
    "pdf": (hostile.pdf_as_jpeg, NOT_A_TABLE),
    "png_bomb": (hostile.png_bomb, NOT_A_TABLE),
    "html": (hostile.html_as_jpeg, NO_HEADERS),
    "svg": (hostile.svg_with_script, NO_HEADERS),
    "zero_bytes": (hostile.zero_bytes, "The file is empty."),
    "truncated_xlsx": (lambda: hostile.truncated_xlsx(real_xlsx()), NOT_A_TABLE),
    "xlsx_bomb": (
        lambda: hostile.xlsx_bomb(real_xlsx()),
        "This XLSX file unpacks to far more data than a registry list holds.",
    ),
}


@pytest.mark.parametrize("key", sorted(IMPORT_CORPUS))
def test_hostile_import_file_is_refused_and_nothing_is_kept(
    client, settings, tmp_path, media_root, key
):
    settings.VAR_DIR = tmp_path / "var"
    client.force_login(UserFactory(role=Role.REGISTRY_ADMIN))
    make, message = IMPORT_CORPUS[key]
    name, data = make()

    response = client.post(
        reverse("premises:import"),
        {"file": SimpleUploadedFile(name.rsplit(".", 1)[0] + ".csv", data)},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert message in response.text
    assert files_under(settings.VAR_DIR) == []
    assert files_under(media_root) == []
    assert not Premises.objects.exists()
