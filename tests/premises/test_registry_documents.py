"""Commitment letter scans and insurance: accepted by content, served only after a scope check."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.roles import Role
from premises.models import Premises
from tests.factories import GridFactory, PremisesFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, "PNG")
    return buffer.getvalue()


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(role=Role.REGISTRY_ADMIN))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def edit(client, premises: Premises, scan: SimpleUploadedFile, **extra):
    data = {
        "name": premises.name,
        "address": premises.address,
        "business_type": premises.business_type_id,
        "operator_phone": premises.operator_phone,
        "commitment_signed_on": "2026-01-15",
        "commitment_scan": scan,
        **extra,
    }
    return client.post(reverse("premises:edit", args=[premises.pk]), data)


@pytest.mark.parametrize(
    ("name", "data", "extension"),
    [("letter.pdf", PDF, "pdf"), ("scan.PNG", png(), "png"), ("photo.jpeg", jpeg(), "jpg")],
)
def test_pdf_jpeg_and_png_scans_are_stored_under_a_random_name(admin_client, name, data, extension):
    premises = PremisesFactory()

    response = edit(admin_client, premises, SimpleUploadedFile(name, data))

    assert response.status_code == 302
    premises.refresh_from_db()
    assert premises.commitment_signed_on.isoformat() == "2026-01-15"
    stored = premises.commitment_scan.name
    assert stored.startswith("commitments/") and stored.endswith(f".{extension}")
    assert name.split(".")[0] not in stored


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("letter.pdf", b"<html><script>alert(1)</script></html>"),  # a name is not a type
        ("scan.png", b"\x89PNG\r\n\x1a\nbroken"),  # a PNG header on no image
        ("letter.docx", b"PK\x03\x04" + bytes(100)),
    ],
)
def test_a_file_that_is_not_really_a_pdf_jpeg_or_png_is_refused(admin_client, name, data):
    premises = PremisesFactory()

    response = edit(admin_client, premises, SimpleUploadedFile(name, data))

    assert response.status_code == 200
    assert response.context["form"].has_error("commitment_scan", code="file_type")
    premises.refresh_from_db()
    assert not premises.commitment_scan


def test_a_scan_over_10_mb_is_refused(admin_client):
    premises = PremisesFactory()

    response = edit(
        admin_client, premises, SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024))
    )

    assert response.context["form"].has_error("commitment_scan", code="too_big")


def test_the_scan_is_served_to_who_may_see_the_premises_and_404_to_others(admin_client, client):
    officer = UserFactory(role=Role.GRID_OFFICER)
    premises = PremisesFactory(grid=GridFactory(officers=[officer]))
    edit(admin_client, premises, SimpleUploadedFile("letter.pdf", PDF))
    url = reverse("premises:commitment_scan", args=[premises.pk])

    response = admin_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF

    client.force_login(officer)
    assert client.get(url).status_code == 200
    client.force_login(UserFactory(role=Role.GRID_OFFICER))  # another grid's officer
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_the_premises_page_shows_commitment_and_insurance_status(admin_client):
    today = timezone.localdate()
    expiring = PremisesFactory(
        commitment_signed_on=today,
        insurer="人保财险",
        insurance_expires_on=today + timedelta(days=5),
    )
    uncovered = PremisesFactory()

    html = admin_client.get(reverse("premises:detail", args=[expiring.pk])).content.decode()
    assert "Letter signed" in html and "text-bg-warning" in html and "人保财险" in html

    html = admin_client.get(reverse("premises:detail", args=[uncovered.pk])).content.decode()
    assert "No commitment letter" in html and "No insurance" in html
