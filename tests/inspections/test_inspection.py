"""Filing an inspection from the phone form (docs/workflow.md, Filing a visit), through the HTTP
client."""

import uuid
from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.roles import Role
from hazards.models import Hazard, HazardPhoto, RectificationNotice
from inspections.models import ChecklistItem, Inspection
from premises.models import Premises
from tests.factories import (
    BusinessTypeFactory,
    ChecklistItemFactory,
    DepartmentFactory,
    GridFactory,
    PremisesFactory,
    TagFactory,
    UserFactory,
    VillageFactory,
)
from tests.hazards import photo_files

Sev = ChecklistItem.ItemSeverity


@pytest.fixture
def site(db):
    officer = UserFactory(username="officer", role=Role.GRID_OFFICER)
    grid = GridFactory(officers=[officer], village=VillageFactory())
    food = BusinessTypeFactory(code="FOOD")
    lpg = TagFactory(code="USES_LPG")
    premises = PremisesFactory(grid=grid, business_type=food, tags=[lpg])
    items = {
        "ext": ChecklistItemFactory(code="FF-01", applies_to_all=True, default_days=3),
        "exit": ChecklistItemFactory(code="EV-02", applies_to_all=True, severity=Sev.MAJOR),
        "hose": ChecklistItemFactory(
            code="GS-01",
            tags=[lpg],
            severity=Sev.CONDITIONAL,
            major_when_zh="软管老化开裂",
            default_days=7,
        ),
        "plug": ChecklistItemFactory(code="EL-02", business_types=[food], default_days=0),
        "hotel_only": ChecklistItemFactory(
            code="FF-03", business_types=[BusinessTypeFactory(code="HOTEL")]
        ),
    }
    return {"officer": officer, "premises": premises, "items": items}


def url(premises):
    return reverse("inspections:inspection_new", args=[premises.pk])


def answers(site, **overrides):
    """A complete POST body: every applicable item passes unless overridden."""
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "kind": "routine",
        "notes": "",
        "extra-TOTAL_FORMS": "1",
        "extra-INITIAL_FORMS": "0",
        "extra-MIN_NUM_FORMS": "0",
        "extra-MAX_NUM_FORMS": "10",
        "extra-0-category": "OTHER",
    }
    for name in ("ext", "exit", "hose", "plug"):
        data[f"item-{site['items'][name].pk}-answer"] = "pass"
    data.update(overrides)
    return data


def key(site, name, field="answer"):
    return f"item-{site['items'][name].pk}-{field}"


@pytest.fixture
def officer_client(client, site):
    client.force_login(site["officer"])
    return client


def test_form_lists_only_items_that_apply(officer_client, site):
    response = officer_client.get(url(site["premises"]))
    assert response.status_code == 200
    body = response.content.decode()
    for code in ("FF-01", "EV-02", "GS-01", "EL-02"):
        assert code in body
    assert "FF-03" not in body
    assert 'capture="environment"' in body and 'accept="image/*"' in body


def test_visit_with_no_failed_item_is_a_valid_inspection(officer_client, site):
    response = officer_client.post(url(site["premises"]), answers(site))
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("inspections:inspection_detail", args=[inspection.pk])
    assert inspection.outcome == Inspection.Outcome.NO_HAZARD
    assert not Hazard.objects.exists()
    premises = Premises.objects.get(pk=site["premises"].pk)
    assert premises.last_inspected_at == inspection.visited_at
    assert premises.patrol_due_on is not None


def test_failed_items_become_hazards_with_photos_and_a_notice(officer_client, site):
    data = answers(
        site,
        **{
            key(site, "ext"): "fail",
            key(site, "ext", "location"): "后厨",
            key(site, "ext", "photos"): [photo_files.jpeg("a.jpg"), photo_files.jpeg("b.jpg")],
            key(site, "hose"): "fail",
            key(site, "hose", "major_condition"): "on",
            key(site, "hose", "photos"): photo_files.png(),
            key(site, "hose", "interim"): "",
            key(site, "plug"): "fail",
            key(site, "plug", "fixed_on_spot"): "on",
            key(site, "plug", "photos"): photo_files.jpeg("before.jpg"),
            key(site, "plug", "fix_photos"): photo_files.jpeg("after.jpg", color="green"),
        },
    )
    response = officer_client.post(url(site["premises"]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    ext, hose, plug = (
        Hazard.objects.get(checklist_item=site["items"][n]) for n in ("ext", "hose", "plug")
    )
    today = timezone.localdate()
    assert (ext.severity, ext.status, ext.location) == ("general", "reported", "后厨")
    assert ext.rectify_by == today + timedelta(days=3)
    assert ext.description == site["items"]["ext"].text_zh
    assert ext.photos.filter(stage="finding").count() == 2
    assert hose.severity == "major"
    assert (plug.status, plug.fixed_on_spot) == ("closed", True)
    assert list(plug.events.values_list("action", flat=True)) == ["report", "accept"]
    assert plug.photos.filter(stage="rectification").count() == 1
    assert not HazardPhoto.objects.filter(hazard__isnull=True).exists()
    inspection = Inspection.objects.get()
    assert inspection.outcome == Inspection.Outcome.HAZARDS_FOUND
    notice = RectificationNotice.objects.get()
    assert set(notice.hazards.all()) == {ext, hose}
    summary = officer_client.get(response.url).content.decode()
    for hazard in (ext, hose, plug):
        assert hazard.ledger_number in summary
    assert reverse("hazards:notice_detail", args=[notice.pk]) in summary
    assert Premises.objects.get(pk=site["premises"].pk).risk_level == "red"


def test_extra_hazard_not_on_checklist(officer_client, site):
    data = answers(
        site,
        **{
            "extra-0-category": "ELEC",
            "extra-0-description": "电动车在楼道内充电",
            "extra-0-photos": photo_files.jpeg(),
        },
    )
    assert officer_client.post(url(site["premises"]), data).status_code == 302
    hazard = Hazard.objects.get()
    assert (hazard.category, hazard.checklist_item) == ("ELEC", None)
    assert hazard.rectify_by == timezone.localdate() + timedelta(days=7)


def test_double_submit_creates_one_inspection(officer_client, site):
    data = answers(site, **{key(site, "ext"): "fail"})
    first = officer_client.post(url(site["premises"]), data)
    second = officer_client.post(url(site["premises"]), data)
    assert Inspection.objects.count() == 1
    assert Hazard.objects.count() == 1
    assert first.url == second.url


def test_missing_answer_keeps_answers_and_photos(officer_client, site):
    data = answers(
        site,
        **{
            key(site, "ext"): "fail",
            key(site, "ext", "description"): "灭火器只有一具",
            key(site, "ext", "photos"): photo_files.jpeg(),
        },
    )
    del data[key(site, "plug")]
    response = officer_client.post(url(site["premises"]), data)
    assert response.status_code == 400
    body = response.content.decode()
    page = response.context["page"]
    missing = next(f for f in page.answers if f.item == site["items"]["plug"])
    assert missing.errors["answer"]
    assert "灭火器只有一具" in body
    assert data["idempotency_key"] in body
    draft = HazardPhoto.objects.get(hazard__isnull=True)
    assert reverse("hazards:photo", args=[draft.pk, "thumb"]) in body
    assert Inspection.objects.count() == 0
    # Answer the missing item and send again without choosing the photo again.
    data.pop(key(site, "ext", "photos"))
    data[key(site, "plug")] = "pass"
    data[key(site, "ext", "photos_kept")] = str(draft.pk)
    assert officer_client.post(url(site["premises"]), data).status_code == 302
    hazard = Hazard.objects.get()
    assert list(hazard.photos.values_list("pk", flat=True)) == [draft.pk]


def test_deadline_in_the_past_is_refused(officer_client, site):
    yesterday = timezone.localdate() - timedelta(days=1)
    data = answers(
        site, **{key(site, "ext"): "fail", key(site, "ext", "rectify_by"): yesterday.isoformat()}
    )
    response = officer_client.post(url(site["premises"]), data)
    assert response.status_code == 400
    assert not Hazard.objects.exists()


@pytest.mark.parametrize(
    "upload",
    [photo_files.renamed_pdf, photo_files.truncated_jpeg, photo_files.huge_png],
    ids=["renamed-pdf", "truncated-jpeg", "100-megapixel-png"],
)
def test_bad_photo_is_refused_and_nothing_stored(officer_client, site, settings, upload):
    data = answers(site, **{key(site, "ext"): "fail", key(site, "ext", "photos"): upload()})
    response = officer_client.post(url(site["premises"]), data)
    assert response.status_code == 400
    assert not HazardPhoto.objects.exists()
    assert not Inspection.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_seven_photos_on_one_hazard_are_refused(officer_client, site):
    photos = [photo_files.jpeg(f"p{n}.jpg") for n in range(7)]
    data = answers(site, **{key(site, "ext"): "fail", key(site, "ext", "photos"): photos})
    response = officer_client.post(url(site["premises"]), data)
    assert response.status_code == 400
    assert "6" in response.content.decode()
    assert not HazardPhoto.objects.exists()


def test_officer_cannot_inspect_another_grids_premises(officer_client, site):
    elsewhere = PremisesFactory(grid=GridFactory())
    assert officer_client.get(url(elsewhere)).status_code == 404
    assert officer_client.post(url(elsewhere), answers(site)).status_code == 404
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("status", ["suspended", "closed"])
def test_premises_not_operating_gets_a_clear_message(officer_client, site, status):
    Premises.objects.filter(pk=site["premises"].pk).update(status=status)
    response = officer_client.post(url(site["premises"]), answers(site), follow=True)
    assert not Inspection.objects.exists()
    assert response.redirect_chain[-1][0] == reverse(
        "inspections:premises_detail", args=[site["premises"].pk]
    )
    assert list(response.context["messages"])


def test_forged_checklist_item_is_refused(officer_client, site):
    data = answers(site, **{key(site, "hotel_only"): "fail"})
    response = officer_client.post(url(site["premises"]), data)
    assert response.status_code == 400
    assert not Inspection.objects.exists()


def test_fixed_on_spot_needs_a_fix_photo(officer_client, site):
    data = answers(site, **{key(site, "plug"): "fail", key(site, "plug", "fixed_on_spot"): "on"})
    assert officer_client.post(url(site["premises"]), data).status_code == 400
    assert not Hazard.objects.exists()


def test_stored_photo_is_upright_without_exif_and_bounded(officer_client, site):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x8825] = {1: "N", 2: (30.0, 15.0, 0.0)}  # GPS
    upload = photo_files.jpeg(size=(3000, 1000), exif=exif.tobytes())
    data = answers(site, **{key(site, "ext"): "fail", key(site, "ext", "photos"): upload})
    assert officer_client.post(url(site["premises"]), data).status_code == 302
    photo = HazardPhoto.objects.get()
    stored = Image.open(photo.image.path)
    assert stored.format == "JPEG"
    assert max(stored.size) <= 2048
    assert stored.size[1] > stored.size[0], "EXIF orientation was not applied"
    assert not stored.getexif()
    assert max(Image.open(photo.thumbnail.path).size) <= 400
    assert photo.image.name.count("photo") == 0  # random name, not the phone's


def test_photo_served_only_within_scope(client, officer_client, site):
    data = answers(
        site, **{key(site, "ext"): "fail", key(site, "ext", "photos"): photo_files.jpeg()}
    )
    officer_client.post(url(site["premises"]), data)
    photo = HazardPhoto.objects.get()
    address = reverse("hazards:photo", args=[photo.pk, "thumb"])
    response = officer_client.get(address)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    Image.open(BytesIO(b"".join(response.streaming_content)))
    stranger = UserFactory(role=Role.GRID_OFFICER)
    GridFactory(officers=[stranger])
    client.force_login(stranger)
    assert client.get(address).status_code == 404


def test_qr_scan_opens_premises_in_scope_only(client, site):
    premises = site["premises"]
    address = reverse("inspections:scan", args=[premises.qr_token])
    anonymous = client.get(address)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url
    client.force_login(site["officer"])
    assert client.get(address).url == reverse("inspections:premises_detail", args=[premises.pk])
    assert client.get(reverse("inspections:scan", args=["not-a-token"])).status_code == 404
    other = PremisesFactory(grid=GridFactory())
    assert client.get(reverse("inspections:scan", args=[other.qr_token])).status_code == 404
    label = client.get(reverse("inspections:premises_qr", args=[premises.pk]))
    assert label.status_code == 200 and b"<svg" in label.content


def test_operator_phone_is_masked_for_a_department_officer(client, site):
    premises = site["premises"]
    department = DepartmentFactory()
    premises.business_type.department = department
    premises.business_type.save()
    inspector = UserFactory(role=Role.DEPARTMENT_OFFICER)
    department.members.add(inspector)
    page = reverse("inspections:premises_detail", args=[premises.pk])
    client.force_login(inspector)
    body = client.get(page).content.decode()
    assert premises.masked_phone in body and premises.operator_phone not in body
    client.force_login(site["officer"])
    assert f'href="tel:{premises.operator_phone}"' in client.get(page).content.decode()


@pytest.mark.parametrize(("fmt", "name"), [("WEBP", "a.webp"), ("HEIF", "IMG_0001.HEIC")])
def test_webp_and_heic_photos_are_stored_as_jpeg(officer_client, site, fmt, name):
    upload = photo_files.phone_format(fmt, name)
    data = answers(site, **{key(site, "ext"): "fail", key(site, "ext", "photos"): upload})
    assert officer_client.post(url(site["premises"]), data).status_code == 302
    stored = Image.open(HazardPhoto.objects.get().image.path)
    assert (stored.format, stored.size) == ("JPEG", (640, 480))
