"""Field work without signal, server side: the service worker and manifest, the officer's offline
bundle and form shell, and the JSON answers the phone's outbox gets when it sends a filing
(docs/workflow.md, Offline). The browser side is tests/e2e/test_offline.py."""

import json
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from hazards.models import Hazard, HazardPhoto
from inspections.models import ChecklistItem, Inspection
from inspections.views.offline import PRECACHE, build_bundle
from premises.models import Premises
from tests.factories import (
    BusinessTypeFactory,
    ChecklistItemFactory,
    GridFactory,
    InspectionFactory,
    PremisesFactory,
    TagFactory,
    UserFactory,
    VillageFactory,
)
from tests.hazards import photo_files
from tests.inspections.test_inspection import answers, key, url

JSON = {"HTTP_ACCEPT": "application/json", "HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def site(db):
    officer = UserFactory(username="officer", role=Role.GRID_OFFICER)
    village = VillageFactory()
    grid = GridFactory(officers=[officer], village=village)
    food = BusinessTypeFactory(code="FOOD")
    hotel = BusinessTypeFactory(code="HOTEL")
    lpg = TagFactory(code="USES_LPG")
    premises = PremisesFactory(grid=grid, business_type=food, tags=[lpg], name="老王小吃店")
    items = {
        "ext": ChecklistItemFactory(code="FF-01", applies_to_all=True, default_days=3),
        "exit": ChecklistItemFactory(
            code="EV-02", applies_to_all=True, severity=ChecklistItem.ItemSeverity.MAJOR
        ),
        "hose": ChecklistItemFactory(
            code="GS-01",
            tags=[lpg],
            severity=ChecklistItem.ItemSeverity.CONDITIONAL,
            major_when_zh="软管老化开裂",
        ),
        "plug": ChecklistItemFactory(code="EL-02", business_types=[food], default_days=0),
        "hotel_only": ChecklistItemFactory(code="FF-03", business_types=[hotel]),
    }
    return {"officer": officer, "premises": premises, "items": items, "grid": grid}


@pytest.fixture
def officer_client(client, site):
    client.force_login(site["officer"])
    return client


# The service worker and the manifest ---------------------------------------------------------


def test_service_worker_is_public_at_the_root_and_never_cached(client, db):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    for name in PRECACHE:
        assert json.dumps(f"{settings.STATIC_URL}{name}") in body
    assert "importScripts(" in body and "/static/js/outbox.js" in body
    # The icon font as the icon CSS asks for it: the HTTP cache answers it.
    assert "/static/vendor/bootstrap-icons/fonts/icons.woff2" in body


def test_everything_the_service_worker_keeps_exists(db):
    missing = [name for name in PRECACHE if not finders.find(name)]

    assert missing == []


def test_manifest_is_public_and_installable(client, db):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["name"] == "网格安全"
    assert manifest["start_url"] == reverse("inspections:premises_list")
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix(settings.STATIC_URL))


def test_csrf_token_can_be_read_by_the_outbox_at_send_time():
    # static/js/offline.js reads the cookie `csrftoken` when it sends a kept filing.
    assert settings.CSRF_COOKIE_NAME == "csrftoken"
    assert not settings.CSRF_COOKIE_HTTPONLY
    assert not getattr(settings, "CSRF_USE_SESSIONS", False)


def test_pages_link_the_manifest_and_load_the_outbox_for_a_signed_in_user(officer_client):
    body = officer_client.get(reverse("inspections:premises_list")).content.decode()

    assert 'rel="manifest"' in body
    assert "data-outbox-badge" in body
    assert f'data-bundle="{reverse("inspections:offline_bundle")}"' in body
    assert "js/offline.js" in body and "<script>" not in body


def test_login_page_loads_no_offline_script(client, db):
    body = client.get(reverse("accounts:login")).content.decode()

    assert 'rel="manifest"' in body
    assert "offline.js" not in body and "offline-config" not in body


def test_leader_gets_no_bundle_to_keep(client, site):
    leader = UserFactory(role=Role.VILLAGE_LEADER)
    site["grid"].village.leaders.add(leader)
    client.force_login(leader)

    body = client.get(reverse("inspections:premises_list")).content.decode()

    assert "offline-config" in body and "data-bundle=" not in body


# The offline bundle ---------------------------------------------------------------------------


def test_bundle_needs_a_session(client, db):
    response = client.get(reverse("inspections:offline_bundle"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_bundle_holds_the_operating_premises_of_the_officers_grids_only(officer_client, site):
    closed = PremisesFactory(grid=site["grid"], status=Premises.Status.CLOSED)
    elsewhere = PremisesFactory(grid=GridFactory(village=site["grid"].village))

    bundle = officer_client.get(reverse("inspections:offline_bundle")).json()

    ids = [p["id"] for p in bundle["premises"]]
    assert ids == [site["premises"].pk]
    assert closed.pk not in ids and elsewhere.pk not in ids
    row = bundle["premises"][0]
    assert (row["name"], row["risk"]) == ("老王小吃店", site["premises"].risk_level)
    assert bundle["user"] == site["officer"].pk
    assert bundle["inspect_url"].replace("/0/", f"/{row['id']}/") == url(site["premises"])


def test_bundle_names_the_same_items_as_the_form(officer_client, site):
    hotel = BusinessTypeFactory(code="HOTEL")
    bare = PremisesFactory(grid=site["grid"], business_type=hotel)
    ChecklistItemFactory(code="XX-09", applies_to_all=True, active=False)

    bundle = officer_client.get(reverse("inspections:offline_bundle")).json()

    for row in bundle["premises"]:
        premises = Premises.objects.get(pk=row["id"])
        expected = list(ChecklistItem.objects.applicable_to(premises).values_list("pk", flat=True))
        assert bundle["profiles"][row["profile"]] == expected
    assert bare.pk in [p["id"] for p in bundle["premises"]]


def test_premises_alike_share_one_profile(officer_client, site):
    twin = PremisesFactory(
        grid=site["grid"],
        business_type=site["premises"].business_type,
        tags=[*site["premises"].tags.all()],
    )

    bundle = officer_client.get(reverse("inspections:offline_bundle")).json()

    profiles = {p["id"]: p["profile"] for p in bundle["premises"]}
    assert profiles[twin.pk] == profiles[site["premises"].pk]
    assert len(bundle["profiles"]) == 1


def test_bundle_costs_the_same_queries_for_a_large_grid(site):
    def queries() -> int:
        officer = User.objects.get(pk=site["officer"].pk)  # nothing cached on the user
        with CaptureQueriesContext(connection) as captured:
            build_bundle(officer)
        return len(captured)

    small = queries()
    for n in range(60):
        PremisesFactory(grid=site["grid"], tags=[TagFactory(code=f"T{n % 5}")])

    assert queries() == small <= 9


def test_unchanged_bundle_answers_304(officer_client):
    first = officer_client.get(reverse("inspections:offline_bundle"))

    again = officer_client.get(
        reverse("inspections:offline_bundle"), HTTP_IF_NONE_MATCH=first["ETag"]
    )

    assert first["Cache-Control"] == "private, no-cache"
    assert again.status_code == 304


def test_bundle_changes_when_a_premises_closes(officer_client, site):
    first = officer_client.get(reverse("inspections:offline_bundle"))
    Premises.objects.filter(pk=site["premises"].pk).update(status=Premises.Status.CLOSED)

    again = officer_client.get(
        reverse("inspections:offline_bundle"), HTTP_IF_NONE_MATCH=first["ETag"]
    )

    assert again.status_code == 200 and again.json()["premises"] == []


# The offline shell -----------------------------------------------------------------------------


def test_shell_holds_every_active_item_and_its_version(officer_client, site):
    retired = ChecklistItemFactory(code="XX-09", applies_to_all=True, active=False)

    response = officer_client.get(reverse("inspections:offline_shell"))

    body = response.content.decode()
    for item in site["items"].values():
        assert f'data-shell-item="{item.pk}"' in body
    assert f'data-shell-item="{retired.pk}"' not in body
    bundle = officer_client.get(reverse("inspections:offline_bundle")).json()
    assert response["X-Shell-Version"] == bundle["checklist"]
    assert "<script>" not in body


def test_shell_version_changes_when_the_checklist_changes(officer_client, site):
    before = officer_client.get(reverse("inspections:offline_bundle")).json()["checklist"]
    item = site["items"]["plug"]
    item.text_zh = "插座改过了"
    item.save()

    after = officer_client.get(reverse("inspections:offline_bundle")).json()["checklist"]

    assert after != before


def test_outbox_page_is_for_signed_in_users(client, officer_client):
    assert officer_client.get(reverse("inspections:outbox")).status_code == 200
    client.logout()
    assert client.get(reverse("inspections:outbox")).status_code == 302


# Sending a kept filing: the JSON answers --------------------------------------------------------


def test_filing_sent_by_the_outbox_answers_json(officer_client, site):
    data = answers(
        site,
        **{
            key(site, "ext"): "fail",
            key(site, "ext", "photos"): photo_files.jpeg(),
            "extra-0-description": "电动车在楼道内充电",
        },
    )

    response = officer_client.post(url(site["premises"]), data, **JSON)

    assert response.status_code == 200
    inspection = Inspection.objects.get()
    assert response.json() == {
        "status": "filed",
        "inspection": reverse("inspections:inspection_detail", args=[inspection.pk]),
        "created": True,
    }
    assert Hazard.objects.count() == 2
    assert HazardPhoto.objects.filter(hazard__isnull=False).count() == 1


def test_resend_after_a_lost_answer_files_nothing_twice(officer_client, site):
    data = answers(
        site, **{key(site, "ext"): "fail", key(site, "ext", "photos"): photo_files.jpeg()}
    )
    first = officer_client.post(url(site["premises"]), data, **JSON).json()
    data[key(site, "ext", "photos")] = photo_files.jpeg()

    again = officer_client.post(url(site["premises"]), data, **JSON)

    assert again.status_code == 200
    assert again.json() == {**first, "created": False}
    assert Inspection.objects.count() == 1
    assert Hazard.objects.count() == 1
    assert HazardPhoto.objects.count() == 1


def test_resend_is_filed_even_if_the_premises_closed_meanwhile(officer_client, site):
    data = answers(site)
    officer_client.post(url(site["premises"]), data, **JSON)
    Premises.objects.filter(pk=site["premises"].pk).update(status=Premises.Status.CLOSED)

    again = officer_client.post(url(site["premises"]), data, **JSON)

    assert again.status_code == 200 and again.json()["status"] == "filed"


@pytest.mark.parametrize("status", ["suspended", "closed"])
def test_premises_closed_meanwhile_is_a_conflict_with_a_message(officer_client, site, status):
    Premises.objects.filter(pk=site["premises"].pk).update(status=status)

    response = officer_client.post(url(site["premises"]), answers(site), **JSON)

    assert response.status_code == 409
    body = response.json()
    assert (body["status"], body["reason"]) == ("conflict", "not_operating")
    assert "老王小吃店" in body["message"]
    assert not Inspection.objects.exists()


def test_premises_moved_out_of_the_officers_grids_is_a_conflict(officer_client, site):
    Premises.objects.filter(pk=site["premises"].pk).update(grid=GridFactory())

    response = officer_client.post(url(site["premises"]), answers(site), **JSON)

    assert response.status_code == 404
    assert response.json()["reason"] == "not_found"
    assert not Inspection.objects.exists()


def test_item_no_longer_applying_is_refused_with_the_problem(officer_client, site):
    data = answers(site, **{key(site, "plug"): "fail"})
    ChecklistItem.objects.filter(pk=site["items"]["plug"].pk).update(active=False)

    response = officer_client.post(url(site["premises"]), data, **JSON)

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "invalid"
    assert body["problems"] == ["The form named a checklist item that does not apply here."]
    assert not Inspection.objects.exists()


def test_new_item_unanswered_is_refused_with_errors_by_field(officer_client, site):
    data = answers(site)
    added = ChecklistItemFactory(code="FF-09", applies_to_all=True)

    response = officer_client.post(url(site["premises"]), data, **JSON)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [f"item-{added.pk}-answer"]
    assert errors[f"item-{added.pk}-answer"] == ["Answer this item: pass, fail or not applicable."]


def test_visit_time_kept_by_the_phone_is_recorded(officer_client, site):
    saved = timezone.now() - timedelta(hours=20)

    officer_client.post(url(site["premises"]), answers(site, visited_at=saved.isoformat()), **JSON)

    assert Inspection.objects.get().visited_at == saved


@pytest.mark.parametrize("offset", [timedelta(days=8), timedelta(hours=-1)])
def test_visit_time_out_of_the_week_or_in_the_future_is_ignored(officer_client, site, offset):
    before = timezone.now()
    claimed = (before - offset).isoformat()

    officer_client.post(url(site["premises"]), answers(site, visited_at=claimed), **JSON)

    assert Inspection.objects.get().visited_at >= before


def test_another_users_key_is_not_reported_as_filed(officer_client, site):
    taken = InspectionFactory(premises=site["premises"], idempotency_key=uuid.uuid4())

    response = officer_client.post(
        url(site["premises"]), answers(site, idempotency_key=str(taken.idempotency_key)), **JSON
    )

    assert response.status_code == 409
    assert Inspection.objects.count() == 1


def test_html_form_still_redirects_without_the_json_header(officer_client, site):
    response = officer_client.post(url(site["premises"]), answers(site))

    assert response.status_code == 302
