"""Each kind of input that once answered 500 or changed something silently, answered now
(docs/inputs.md). The property-based sweep over every page is tests/security/test_every_input.py;
these pin each class to what a user sees."""

import base64
import json
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, encode_multipart
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import Role
from config.inputs import DESCRIPTION, parse_ids, parse_int
from hazards.models import Hazard, HazardEvent, Severity
from inspections.models import Inspection
from notifications.models import Notification
from tests.factories import (
    DepartmentFactory,
    GridFactory,
    HazardFactory,
    PremisesFactory,
    UserFactory,
)
from tests.test_scope_matrix import jpeg_bytes

S = Hazard.Status


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """Pages in English, so the messages read as the code writes them."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def officer(db):
    return UserFactory(username="officer", role=Role.GRID_OFFICER)


@pytest.fixture
def premises(officer):
    return PremisesFactory(grid=GridFactory(officers=[officer]))


def filing(**extra) -> dict:
    """An inspection with one extra hazard and no checklist items (none apply here)."""
    return {
        "idempotency_key": str(uuid.uuid4()),
        "kind": "routine",
        "notes": "",
        "extra-TOTAL_FORMS": "1",
        "extra-INITIAL_FORMS": "0",
        "extra-MIN_NUM_FORMS": "0",
        "extra-MAX_NUM_FORMS": "10",
        "extra-0-category": "OTHER",
        "extra-0-description": "安全出口被货物堵塞",
        **extra,
    }


def with_empty_file_inputs(fields: dict, *names: str) -> bytes:
    """The body a browser sends for a form whose file inputs were left empty: a part with no
    file name and no bytes for each."""
    body = encode_multipart(BOUNDARY, fields)
    tail = f"--{BOUNDARY}--\r\n".encode()
    parts = "".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\r\n"
        for name in names
    )
    return body[: -len(tail)] + parts.encode() + tail


RAW = f"multipart/form-data; boundary={BOUNDARY}"  # equal to the client's, sent as it is


# --- 1. an optional file input left empty ---------------------------------------------------------


@pytest.mark.parametrize("as_json", [False, True])
def test_extra_hazard_without_a_photo_is_filed(client, officer, premises, as_json):
    client.force_login(officer)
    body = with_empty_file_inputs(filing(), "extra-0-photos", "extra-0-fix_photos")
    headers = {"HTTP_ACCEPT": "application/json"} if as_json else {}

    response = client.post(
        reverse("inspections:inspection_new", args=[premises.pk]), body, content_type=RAW, **headers
    )

    assert response.status_code in (200, 302)
    assert Hazard.objects.get().description == "安全出口被货物堵塞"


# --- 2. dates out of range ------------------------------------------------------------------------


@pytest.mark.parametrize("far", ["9999-12-30", "2200-01-01"])
def test_a_far_deadline_is_refused_at_inspection_with_the_form_back(client, officer, premises, far):
    client.force_login(officer)

    response = client.post(
        reverse("inspections:inspection_new", args=[premises.pk]),
        filing(**{"extra-0-rectify_by": far}),
    )

    assert response.status_code == 400
    assert "Enter a date on or before" in response.text
    assert "安全出口被货物堵塞" in response.text  # what was typed comes back
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("action", ["verify", "extend"])
def test_a_far_deadline_is_refused_and_the_hazard_page_still_opens(client, db, action):
    office = UserFactory(role=Role.SAFETY_OFFICE)
    hazard = HazardFactory()
    client.force_login(office)
    body = {f"{action}-rectify_by": "9999-12-30", f"{action}-reason": "等配件"}
    body |= {"verify-severity": "general"} if action == "verify" else {}

    response = client.post(reverse("hazards:hazard_transition", args=[hazard.pk, action]), body)

    assert response.status_code == 400
    assert "Enter a date on or before" in response.text
    hazard.refresh_from_db()
    assert hazard.rectify_by < timezone.localdate() + timedelta(days=400)
    assert client.get(reverse("hazards:hazard_detail", args=[hazard.pk])).status_code == 200


def test_an_accident_cannot_be_recorded_in_the_future(client, db):
    client.force_login(UserFactory(role=Role.SAFETY_OFFICE))
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = client.post(reverse("accidents:accident_new"), {"occurred_on": str(tomorrow)})

    assert response.status_code == 200
    assert "The date cannot be in the future." in response.text


# --- 3. a major hazard verified as general --------------------------------------------------------


def test_a_downgrade_needs_a_reason(client, db):
    leader = UserFactory(role=Role.VILLAGE_LEADER)
    hazard = HazardFactory(severity=Severity.MAJOR)
    hazard.premises.grid.village.leaders.add(leader)
    client.force_login(leader)
    url = reverse("hazards:hazard_transition", args=[hazard.pk, "verify"])
    deadline = str(timezone.localdate() + timedelta(days=7))

    response = client.post(url, {"verify-severity": "general", "verify-rectify_by": deadline})

    assert response.status_code == 400
    assert "Give the reason for changing the severity." in response.text
    hazard.refresh_from_db()
    assert (hazard.status, hazard.severity) == (S.REPORTED, Severity.MAJOR)


def test_a_downgrade_with_a_reason_is_recorded_and_told_to_the_office_and_department(client, db):
    leader = UserFactory(role=Role.VILLAGE_LEADER)
    office = UserFactory(role=Role.SAFETY_OFFICE)
    member = UserFactory(role=Role.DEPARTMENT_OFFICER)
    hazard = HazardFactory(severity=Severity.MAJOR, department=DepartmentFactory(members=[member]))
    hazard.premises.grid.village.leaders.add(leader)
    client.force_login(leader)
    deadline = str(timezone.localdate() + timedelta(days=7))

    response = client.post(
        reverse("hazards:hazard_transition", args=[hazard.pk, "verify"]),
        {
            "verify-severity": "general",
            "verify-rectify_by": deadline,
            "verify-severity_reason": "气瓶已搬离，仅余软管老化",
        },
    )

    assert response.status_code == 302
    hazard.refresh_from_db()
    assert (hazard.status, hazard.severity) == (S.RECTIFYING, Severity.GENERAL)
    event = hazard.events.get(action=HazardEvent.Action.VERIFY)
    assert "major" in event.note.lower() and "general" in event.note.lower()
    assert "气瓶已搬离，仅余软管老化" in event.note
    told = Notification.objects.filter(kind=Notification.Kind.DOWNGRADED, target_id=hazard.pk)
    assert set(told.values_list("recipient", flat=True)) == {office.pk, member.pk}
    assert told.first().body == "气瓶已搬离，仅余软管老化"


# --- 5. ledger cursors the server did not write ---------------------------------------------------


def _cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [_cursor(["\x00", 1]), _cursor([float("inf"), 1]), _cursor(["NaN", "x"]), "\x00", "²"],
)
def test_a_hand_made_ledger_cursor_is_served_by_page_number(client, db, cursor):
    client.force_login(UserFactory(role=Role.SAFETY_OFFICE))
    HazardFactory.create_batch(3)

    response = client.get(reverse("hazards:ledger"), {"after": cursor, "page": "1"})

    assert response.status_code == 200


# --- 6. digits of other scripts -------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["²", "１２", "٣٤", "𝟙", "-1", "1.0", "", " ", "9" * 19, None])
def test_only_ascii_digits_are_numbers(raw):
    assert parse_int(raw) is None


def test_ascii_digits_are_read():
    assert parse_int(" 42 ") == 42
    assert parse_ids(["3,4", "²", "5,x", "６"]) == [3, 4, 5]


@pytest.mark.parametrize("value", ["²", "１", "٣"])
def test_other_digits_in_parameters_are_ignored_not_a_server_error(client, db, value):
    client.force_login(UserFactory(role=Role.SAFETY_OFFICE, is_staff=True))

    assert client.get(reverse("dashboard:index"), {"village": value}).status_code == 200


# --- 7. control characters ------------------------------------------------------------------------


def test_a_nul_in_free_text_is_dropped_and_the_rest_kept(client, officer, premises):
    client.force_login(officer)

    response = client.post(
        reverse("inspections:inspection_new", args=[premises.pk]),
        filing(notes="燃气\x00软管\x0b老化", **{"extra-0-description": "出口\x00堵塞"}),
    )

    assert response.status_code == 302
    assert Inspection.objects.get().notes == "燃气软管老化"
    assert Hazard.objects.get().description == "出口堵塞"


def test_a_nul_in_a_search_is_no_server_error(client, db):
    client.force_login(UserFactory(role=Role.SAFETY_OFFICE))

    assert client.get(reverse("hazards:ledger"), {"q": "a\x00b"}).status_code == 200


# --- 8. length limits -----------------------------------------------------------------------------


def test_an_overlong_description_is_refused_with_the_form_back(client, officer, premises):
    client.force_login(officer)
    long_text = "堵" * (DESCRIPTION + 1)

    response = client.post(
        reverse("inspections:inspection_new", args=[premises.pk]),
        filing(**{"extra-0-description": long_text}),
    )

    assert response.status_code == 400
    assert "Ensure this value has at most 2000 characters" in response.text
    assert not Hazard.objects.exists()


def test_the_model_refuses_an_overlong_description_too(db):
    hazard = HazardFactory.build(description="x" * (DESCRIPTION + 1))

    with pytest.raises(Exception, match="at most 2000 characters"):
        hazard.full_clean(exclude=["premises", "ledger_number", "reported_by"])


def test_a_photo_kept_from_an_earlier_try_is_not_lost_by_an_odd_id(client, officer, premises):
    """The photo field's kept list with a digit of another script is ignored, not a 500."""
    client.force_login(officer)
    photo = ("IMG_1.jpg", jpeg_bytes())

    response = client.post(
        reverse("inspections:inspection_new", args=[premises.pk]),
        filing(
            **{
                "extra-0-photos_kept": "²,٣",
                "extra-0-photos": SimpleUploadedFile(*photo, content_type="image/jpeg"),
            }
        ),
    )

    assert response.status_code == 302
    assert Hazard.objects.get().photos.count() == 1
