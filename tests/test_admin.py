"""The Django admin as a registry admin uses it: lists, edits, refused deletes, query counts."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.shortcuts import resolve_url
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from grids.models import Department, Grid, Village
from hazards.models import Hazard, HazardEvent, HazardPhoto, LedgerSequence
from inspections.models import Inspection
from notifications.models import Delivery, Notification
from premises.models import BusinessType, Premises
from premises.validators import credit_code_check_char
from tests.factories import (
    AccidentFactory,
    BusinessTypeFactory,
    ChecklistItemFactory,
    DepartmentFactory,
    EnforcementActionFactory,
    GridFactory,
    HazardEventFactory,
    HazardFactory,
    InspectionFactory,
    NotificationFactory,
    PremisesFactory,
    RectificationNoticeFactory,
    TagFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

REGISTERED = sorted(model._meta.label_lower for model in admin.site._registry)
# Outside the registry admin's role (accounts/roles.py): role definitions, other people's
# inboxes, the number counters and the sign-in throttle's records (django-axes). A superuser
# sees them.
NOT_FOR_REGISTRY_ADMIN = {
    "auth.group",
    "notifications.notification",
    "hazards.ledgersequence",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
}
# Session, user, 2 × permissions, the user's roles and unread count (context processors), 2 related
# list filters, COUNT, the page, and the session save (savepoint, update, release): none per row.
PREMISES_LIST_QUERIES = 13
HAZARD_LIST_QUERIES = 13
FIRST17 = "91330106MA2H12345"
VALID_CODE = FIRST17 + credit_code_check_char(FIRST17)


def url(label: str, view: str, *args) -> str:
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


@pytest.fixture
def registry_admin():
    return UserFactory(is_staff=True, role=Role.REGISTRY_ADMIN)


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def one_of_everything():
    """A row in every registered model, so each changelist renders its columns."""
    hazard = HazardFactory(
        premises=PremisesFactory(tags=[TagFactory()]),
        inspection=InspectionFactory(),
        checklist_item=ChecklistItemFactory(),
        department=DepartmentFactory(),
    )
    GridFactory(officers=[UserFactory()])
    VillageFactory(leaders=[UserFactory()])
    HazardEventFactory(hazard=hazard)
    HazardPhoto.objects.create(
        hazard=hazard,
        stage=HazardPhoto.Stage.FINDING,
        image="hazards/ab/abcdef.jpg",
        thumbnail="hazards/ab/abcdef_t.jpg",
        uploaded_by=hazard.reported_by,
    )
    RectificationNoticeFactory(premises=hazard.premises)
    EnforcementActionFactory(hazard=hazard)
    AccidentFactory(premises=hazard.premises)
    note = NotificationFactory()
    Delivery.objects.create(
        key=f"email:{note.pk}",
        channel=Delivery.Channel.EMAIL,
        notification=note,
        address="officer@example.com",
        subject=note.title,
        text=note.title,
    )
    LedgerSequence.objects.create(prefix="YH", year=2026, last=1)
    return hazard


# --- Who gets in ---------------------------------------------------------------------------


@pytest.mark.parametrize("label", sorted(set(REGISTERED) - NOT_FOR_REGISTRY_ADMIN))
def test_registry_admin_opens_every_registry_changelist(
    client, registry_admin, one_of_everything, label
):
    client.force_login(registry_admin)

    response = client.get(url(label, "changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize("label", sorted(NOT_FOR_REGISTRY_ADMIN))
def test_registry_admin_is_refused_lists_outside_the_role(client, registry_admin, label):
    client.force_login(registry_admin)

    assert client.get(url(label, "changelist")).status_code == 403


@pytest.mark.parametrize("label", REGISTERED)
def test_superuser_opens_every_changelist(client, superuser, one_of_everything, label):
    client.force_login(superuser)

    assert client.get(url(label, "changelist")).status_code == 200


def test_every_hazard_side_change_page_renders(client, superuser, one_of_everything):
    client.force_login(superuser)

    for model in (Hazard, HazardEvent, HazardPhoto, Inspection, Notification):
        obj = model.objects.first()
        response = client.get(url(model._meta.label_lower, "change", obj.pk))
        assert response.status_code == 200, model


def test_grid_officer_is_sent_away_from_the_admin(client):
    client.force_login(UserFactory(role=Role.GRID_OFFICER))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/admin/premises/premises/")

    # LoginRequiredMiddleware answers first, with the app's own login page.
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


# --- Premises ------------------------------------------------------------------------------


def premises_post_data(premises: Premises | None = None, **overrides) -> dict:
    grid = premises.grid if premises else GridFactory()
    business_type = premises.business_type if premises else BusinessTypeFactory()
    data = {
        "name": premises.name if premises else "老王小吃",
        "address": "人民路1号",
        "grid": grid.pk,
        "business_type": business_type.pk,
        "status": Premises.Status.OPERATING,
        "credit_code": "",
        "operator_name": "王五",
        "operator_phone": "13812345678",
        "floor_area": "80",
        "floors": "1",
        "staff_count": "3",
        "latitude": "",
        "longitude": "",
        "commitment_signed_on": "",
        "insurer": "",
        "insurance_policy_no": "",
        "insurance_expires_on": "",
    }
    return {**data, **overrides}


def test_registry_admin_opens_a_premises_change_page(client, registry_admin):
    premises = PremisesFactory(name="老王小吃")
    client.force_login(registry_admin)

    response = client.get(url("premises.premises", "change", premises.pk))

    assert response.status_code == 200
    assert "老王小吃" in response.text


def test_registry_admin_adds_a_premises_and_is_recorded_as_its_creator(client, registry_admin):
    client.force_login(registry_admin)

    response = client.post(
        url("premises.premises", "add"),
        premises_post_data(credit_code=f" {VALID_CODE.lower()}", operator_phone="138 1234 5678"),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    premises = Premises.objects.get()
    assert premises.created_by == registry_admin
    assert premises.credit_code == VALID_CODE
    assert premises.operator_phone == "13812345678"


def test_premises_edit_in_the_admin_is_kept_in_the_history(client, registry_admin):
    premises = PremisesFactory(name="老王小吃")
    client.force_login(registry_admin)

    response = client.post(
        url("premises.premises", "change", premises.pk),
        premises_post_data(premises, name="王记小吃", status=Premises.Status.CLOSED),
    )

    assert response.status_code == 302
    premises.refresh_from_db()
    assert (premises.name, premises.status) == ("王记小吃", Premises.Status.CLOSED)
    latest = premises.history.latest("history_date")
    assert (latest.name, latest.history_user) == ("王记小吃", registry_admin)


def test_premises_history_page_lists_admin_edits(client, registry_admin):
    premises = PremisesFactory(name="老王小吃")
    client.force_login(registry_admin)
    client.post(
        url("premises.premises", "change", premises.pk),
        premises_post_data(premises, name="王记小吃"),
    )

    response = client.get(url("premises.premises", "history", premises.pk))

    assert response.status_code == 200
    assert "王记小吃" in response.text


def test_duplicate_credit_code_in_the_admin_is_a_form_error(client, registry_admin):
    PremisesFactory(credit_code=VALID_CODE)
    client.force_login(registry_admin)

    response = client.post(
        url("premises.premises", "add"), premises_post_data(credit_code=VALID_CODE)
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("credit_code", code="unique")
    assert Premises.objects.count() == 1


def test_premises_cannot_be_deleted_even_by_a_superuser(client, superuser):
    premises = PremisesFactory()
    client.force_login(superuser)

    response = client.post(url("premises.premises", "delete", premises.pk), {"post": "yes"})

    assert response.status_code == 403
    assert Premises.objects.filter(pk=premises.pk).exists()


# --- Refused deletes -----------------------------------------------------------------------


def test_registry_admin_cannot_delete_a_grid_with_premises(client, registry_admin):
    premises = PremisesFactory(name="老王小吃")
    grid = premises.grid
    client.force_login(registry_admin)

    response = client.post(
        url("grids.grid", "delete", grid.pk), {"post": "yes"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert "Cannot delete" in response.text
    assert "protected related objects" in response.text
    assert "老王小吃" in response.text  # names the premises that still sit in the grid
    assert Grid.objects.filter(pk=grid.pk).exists()
    assert Premises.objects.filter(pk=premises.pk).exists()


def test_registry_admin_deletes_an_empty_grid(client, registry_admin):
    grid = GridFactory(officers=[UserFactory()])
    client.force_login(registry_admin)

    response = client.post(url("grids.grid", "delete", grid.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Grid.objects.filter(pk=grid.pk).exists()


@pytest.mark.parametrize(
    ("model", "in_use"),
    [
        (Village, lambda: GridFactory().village),
        (BusinessType, lambda: PremisesFactory().business_type),
        (Department, lambda: BusinessTypeFactory(department=DepartmentFactory()).department),
        (Department, lambda: HazardFactory(department=DepartmentFactory()).department),
    ],
)
def test_unit_in_use_is_not_deleted_even_by_a_superuser(client, superuser, model, in_use):
    obj = in_use()
    client.force_login(superuser)

    response = client.post(
        url(model._meta.label_lower, "delete", obj.pk), {"post": "yes"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert "Cannot delete" in response.text
    assert response.context["protected"]
    assert model.objects.filter(pk=obj.pk).exists()


def test_bulk_delete_of_grids_in_use_is_refused(client, registry_admin):
    grid = PremisesFactory().grid
    client.force_login(registry_admin)

    response = client.post(
        url("grids.grid", "changelist"),
        {"action": "delete_selected", "_selected_action": [grid.pk], "post": "yes"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "Cannot delete" in response.text
    assert Grid.objects.filter(pk=grid.pk).exists()


@pytest.mark.parametrize(
    "label",
    [
        "hazards.hazard",
        "hazards.hazardevent",
        "hazards.hazardphoto",
        "inspections.inspection",
        "notifications.notification",
    ],
)
def test_loop_records_offer_no_delete_even_to_a_superuser(
    client, superuser, one_of_everything, label
):
    obj = admin.site._registry[_model(label)].model.objects.first()
    client.force_login(superuser)

    changelist = client.get(url(label, "changelist"))
    delete = client.post(url(label, "delete", obj.pk), {"post": "yes"})

    assert 'value="delete_selected"' not in changelist.text
    assert delete.status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_hazard_events_cannot_be_added_or_changed_in_the_admin(client, superuser):
    event = HazardEventFactory(note="first")
    client.force_login(superuser)

    add = client.get(url("hazards.hazardevent", "add"))
    change = client.post(url("hazards.hazardevent", "change", event.pk), {"note": "rewritten"})

    assert add.status_code == 403
    assert change.status_code == 403
    assert HazardEvent.objects.get(pk=event.pk).note == "first"


def test_hazard_status_cannot_be_changed_in_the_admin(client, superuser):
    hazard = HazardFactory()
    client.force_login(superuser)

    page = client.get(url("hazards.hazard", "change", hazard.pk))
    post = client.post(
        url("hazards.hazard", "change", hazard.pk), {"status": "closed", "description": "x"}
    )

    assert page.status_code == 200
    assert 'name="status"' not in page.text
    assert post.status_code == 403
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.REPORTED


# --- Users ---------------------------------------------------------------------------------


def user_post_data(user, **overrides) -> dict:
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "phone": "13812345678",
        "email": user.email,
        "groups": [g.pk for g in user.groups.all()],
        "is_active": "on",
        "is_staff": "on",
    }
    return {**data, **overrides}


def test_registry_admin_creates_a_grid_officer(client, registry_admin):
    client.force_login(registry_admin)

    response = client.post(
        url("accounts.user", "add"),
        {
            "username": "wang",
            "usable_password": "true",
            "password1": "gridwatch-demo-2026",
            "password2": "gridwatch-demo-2026",
            "full_name": "王网格",
            "phone": "13812345678",
            "email": "",
            "groups": [Group.objects.get(name=Role.GRID_OFFICER).pk],
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="wang")
    assert (user.full_name, user.phone) == ("王网格", "13812345678")
    assert user.has_role(Role.GRID_OFFICER)
    assert user.check_password("gridwatch-demo-2026")
    assert not user.is_staff


def test_registry_admin_cannot_make_anyone_superuser(client, registry_admin):
    client.force_login(registry_admin)

    response = client.post(
        url("accounts.user", "change", registry_admin.pk),
        user_post_data(registry_admin, is_superuser="on", full_name="管理员"),
    )

    assert response.status_code == 302
    registry_admin.refresh_from_db()
    assert registry_admin.full_name == "管理员"
    assert not registry_admin.is_superuser


def test_registry_admin_cannot_change_a_superuser(client, registry_admin, superuser):
    client.force_login(registry_admin)

    response = client.post(
        url("accounts.user", "change", superuser.pk), user_post_data(superuser, is_active="")
    )

    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.is_active


def test_user_list_shows_roles(client, registry_admin):
    UserFactory(username="wang", role=Role.GRID_OFFICER)
    client.force_login(registry_admin)

    response = client.get(url("accounts.user", "changelist"), HTTP_ACCEPT_LANGUAGE="en")

    assert "Grid officer" in response.text


# --- Query counts --------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [5, 25])
def test_premises_changelist_queries_do_not_grow_with_rows(
    client, registry_admin, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        PremisesFactory(grid=GridFactory(village=VillageFactory()), tags=[TagFactory()])
    client.force_login(registry_admin)

    with django_assert_max_num_queries(PREMISES_LIST_QUERIES):
        response = client.get(url("premises.premises", "changelist"))

    assert response.context["cl"].result_count == rows


@pytest.mark.parametrize("rows", [5, 25])
def test_hazard_changelist_queries_do_not_grow_with_rows(
    client, registry_admin, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        HazardFactory(department=DepartmentFactory())
    client.force_login(registry_admin)

    with django_assert_max_num_queries(HAZARD_LIST_QUERIES):
        response = client.get(url("hazards.hazard", "changelist"))

    assert response.context["cl"].result_count == rows


def _model(label: str):
    return next(m for m in admin.site._registry if m._meta.label_lower == label)
