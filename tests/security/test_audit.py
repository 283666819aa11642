"""The audit trail holds (docs/workflow.md, Audit trail): hazard events cannot be changed or
deleted through any page or the admin, hazards and premises cannot be deleted, and every
change to a premises — from the registry pages, the import, the admin or an enforcement
measure — is in its history, naming who made it."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.urls import get_resolver, reverse
from django.utils import timezone

from accounts.roles import Role
from enforcement import measures as enforcement
from enforcement.models import EnforcementAction
from hazards.models import Hazard, HazardEvent, HazardPhoto
from inspections.models import Inspection
from premises.models import Premises
from tests import test_scope_matrix as matrix
from tests.factories import (
    BusinessTypeFactory,
    DepartmentFactory,
    GridFactory,
    HazardFactory,
    PremisesFactory,
    TagFactory,
    UserFactory,
    VillageFactory,
)
from tests.test_scope_matrix import world as world  # the scope matrix's data, reused

pytestmark = pytest.mark.django_db

# What a forged request to rewrite the audit trail might send, to any page.
FORGED = {
    "note": "rewritten",
    "action": "accept",
    "to_status": "closed",
    "from_status": "reported",
    "at": "2020-01-01T00:00:00Z",
    "actor": "1",
    "delete": "1",
    "_method": "DELETE",
}
SKIP = {"accounts:logout", "accounts:login", "set_language"}


def page_urls(world) -> list[str]:
    """Every URL outside the admin, with an object the superuser may open where it takes one."""
    urls = []
    for name, _route, namespace, _ids in matrix.walk_urls(get_resolver().url_patterns):
        if namespace == "admin" or not name or name in SKIP:
            continue
        if name in matrix.CASES:
            for case in matrix._cases(name):
                key = matrix.inside_key(case, matrix.OFFICE)
                obj = case.pick(world, key or matrix.inside_key(case, matrix.REGISTRY))
                urls.append(reverse(name, kwargs=case.kwargs(obj)))
        else:
            try:
                urls.append(reverse(name))
            except Exception:  # noqa: BLE001 - a URL with a format argument
                urls.append(reverse(name, kwargs={"fmt": "csv"}))
    return urls


def events() -> dict[int, dict]:
    return {event.pk: model_to_dict(event) for event in HazardEvent.objects.all()}


def test_no_page_changes_or_deletes_a_hazard_event(client, world):
    client.force_login(world.superuser)  # may do everything any role may
    before = events()
    counts = {m: m.objects.count() for m in (Premises, Hazard, HazardPhoto, Inspection)}
    assert before

    for url in page_urls(world):
        for payload in (FORGED, {**FORGED, "pk": str(min(before)), "id": str(min(before))}):
            client.post(url, payload)
        client.generic("DELETE", url)
        client.generic("PUT", url, "note=rewritten")

    after = events()
    assert {pk: after.get(pk) for pk in before} == before  # new events may only be added
    for model, count in counts.items():
        assert model.objects.count() >= count, f"a {model.__name__} was deleted"


def test_no_url_outside_the_admin_deletes_anything():
    names = [
        name or route
        for name, route, namespace, _ids in matrix.walk_urls(get_resolver().url_patterns)
        if namespace != "admin"
    ]

    assert not [name for name in names if "delete" in name or "remove" in name]


@pytest.mark.parametrize(
    "label",
    ["hazards.hazard", "hazards.hazardevent", "premises.premises", "inspections.inspection"],
)
def test_admin_bulk_delete_is_refused_even_to_a_superuser(client, label):
    hazard = HazardFactory()
    HazardEvent.objects.create(
        hazard=hazard, action="report", to_status="reported", at=timezone.now()
    )
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    obj = model.objects.first() or hazard.premises
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    changelist = reverse(f"admin:{label.replace('.', '_')}_changelist")

    body = {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}

    client.post(changelist, body)

    assert model.objects.filter(pk=obj.pk).exists()


def test_hazard_events_cannot_be_changed_even_when_other_fields_are_posted_in_the_admin(client):
    hazard = HazardFactory()
    event = HazardEvent.objects.create(
        hazard=hazard, action="report", to_status="reported", note="原始", at=timezone.now()
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    client.post(
        reverse("admin:hazards_hazard_change", args=[hazard.pk]),
        {"events-0-id": event.pk, "events-0-note": "改写", "events-0-DELETE": "on"},
    )

    assert HazardEvent.objects.get(pk=event.pk).note == "原始"


# --- every premises change is in its history ------------------------------------------------------


@pytest.fixture
def office():
    return UserFactory(username="office", role=Role.SAFETY_OFFICE)


def test_suspension_and_its_lifting_are_in_the_premises_history(client, office):
    premises = PremisesFactory()
    hazard = HazardFactory(premises=premises, department=DepartmentFactory())
    client.force_login(office)

    client.post(
        reverse("enforcement:enforcement_new", args=[hazard.pk]),
        {
            "kind": EnforcementAction.Kind.SUSPEND,
            "department": hazard.department_id,
            "decided_on": timezone.localdate().isoformat(),
        },
    )
    action = EnforcementAction.objects.get(hazard=hazard)
    client.post(
        reverse("enforcement:enforcement_lift", args=[action.pk]),
        {f"lift-{action.pk}-lifted_on": timezone.localdate().isoformat()},
    )

    rows = list(premises.history.order_by("history_date", "history_id"))
    assert [row.status for row in rows] == ["operating", "suspended", "operating"]
    assert [row.history_user for row in rows[1:]] == [office, office]


def test_a_new_commitment_scan_is_in_the_premises_history(client):
    admin_user = UserFactory(role=Role.REGISTRY_ADMIN)
    premises = PremisesFactory()
    client.force_login(admin_user)

    client.post(
        reverse("premises:edit", args=[premises.pk]),
        {
            "name": premises.name,
            "address": premises.address,
            "business_type": premises.business_type_id,
            "operator_phone": premises.operator_phone,
            "commitment_scan": SimpleUploadedFile("letter.pdf", b"%PDF-1.4\n%%EOF\n"),
        },
    )

    latest = premises.history.latest("history_date")
    assert latest.commitment_scan and latest.history_user == admin_user


def test_an_import_that_only_changes_tags_is_in_the_premises_history(client, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    admin_user = UserFactory(role=Role.REGISTRY_ADMIN)
    village = VillageFactory(name="东岭村")
    grid = GridFactory(village=village, name="第一网格")
    shop = BusinessTypeFactory(code="SHOP", name_zh="小商店")
    TagFactory(code="USES_LPG", name_zh="使用瓶装液化气")
    premises = PremisesFactory(name="老王小吃", address="振兴路1号", grid=grid, business_type=shop)
    before = premises.history.count()
    client.force_login(admin_user)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["名称", "地址", "村(社区)", "网格", "业态", "标签", "联系电话"])
    writer.writerow(["老王小吃", "振兴路1号", "东岭村", "第一网格", "小商店", "使用瓶装液化气", ""])

    upload = client.post(
        reverse("premises:import"),
        {"file": SimpleUploadedFile("tags.csv", out.getvalue().encode("utf-8-sig"))},
    )
    token = upload["Location"].rstrip("/").rsplit("/", 1)[-1]
    client.post(reverse("premises:import_apply", args=[token]))

    assert [tag.code for tag in premises.tags.all()] == ["USES_LPG"]
    assert premises.history.count() == before + 1
    latest = premises.history.latest("history_date")
    assert latest.history_user == admin_user
    assert "tags.csv" in latest.history_change_reason


def test_lifting_from_the_service_names_the_user_without_a_request():
    """The sweep and scripts change premises without a request: the history row still names
    the user the service was given."""
    office = UserFactory(username="office2", role=Role.SAFETY_OFFICE)
    premises = PremisesFactory()
    hazard = HazardFactory(premises=premises, department=DepartmentFactory())
    today = timezone.localdate()
    action = enforcement.record_action(
        hazard,
        by=office,
        kind=EnforcementAction.Kind.SEAL,
        department=hazard.department,
        decided_on=today - timedelta(days=1),
    )
    enforcement.lift_action(action, by=office, lifted_on=today)

    users = [row.history_user for row in premises.history.order_by("history_date")[1:]]
    assert users == [office, office]
