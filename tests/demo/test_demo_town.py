"""The demo town as `manage.py seed_demo --premises 40` leaves it, seeded once for the module:
its identifiers, its hazards' trails and photos, its logins, the officer's grid, and a second
run on top of it."""

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.db.models import Count, F, OuterRef, Subquery
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from demo.words import DEMO_PASSWORD, HOME_GRID
from grids.models import Department, Grid, Village
from hazards.models import Hazard, HazardEvent, HazardPhoto, Severity
from premises.models import Premises
from premises.validators import validate_credit_code, validate_phone
from tests.demo.test_seed_demo import FAST_HASHERS, SMALL, demo_counts, demo_settings, seed
from tests.module_data import kept_for_the_module

pytestmark = pytest.mark.django_db
demo_settings = demo_settings  # the seed's settings for every test here, as for test_seed_demo


@pytest.fixture(scope="module")
def small_town(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-media")
    with kept_for_the_module(django_db_blocker):
        with override_settings(DEBUG=True, MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_HASHERS):
            seed("--premises", SMALL)
        yield media


@pytest.fixture(autouse=True)
def media_root(settings, small_town):
    """The seeded town's photos instead of conftest's empty folder per test."""
    settings.MEDIA_ROOT = small_town
    return small_town


def test_demo_premises_carry_valid_identifiers():
    premises = Premises.objects.all()
    codes = [p.credit_code for p in premises if p.credit_code]
    assert codes and len(codes) == len(set(codes))
    for premises_ in premises:
        validate_phone(premises_.operator_phone)
        if premises_.credit_code:
            validate_credit_code(premises_.credit_code)
    assert premises.filter(operator_phone__regex=r"^1[3-9]\d{9}$").count() == premises.count()


def test_every_hazard_status_and_trail_in_a_small_town():
    hazards = Hazard.objects.all()
    assert set(hazards.values_list("status", flat=True)) == set(Hazard.Status.values)
    assert not hazards.annotate(events_count=Count("events")).filter(events_count=0).exists()
    last = HazardEvent.objects.filter(hazard=OuterRef("pk")).order_by("-at", "-pk")
    mismatched = hazards.annotate(last_to=Subquery(last.values("to_status")[:1])).exclude(
        last_to=F("status")
    )
    assert list(mismatched) == []
    assert not HazardEvent.objects.filter(at__gt=timezone.now()).exists()


def test_closed_and_submitted_hazards_have_their_photos_and_four_eyes():
    fixed = Hazard.objects.filter(status__in=["submitted", "closed"])
    assert fixed.exists()
    assert not fixed.exclude(photos__stage=HazardPhoto.Stage.RECTIFICATION).exists()
    reviewed = Hazard.objects.filter(status="closed", fixed_on_spot=False)
    assert not reviewed.filter(reviewed_by=F("submitted_by")).exists()
    for hazard in Hazard.objects.filter(status="closed", severity=Severity.MAJOR):
        reviewer = hazard.reviewed_by
        assert (
            reviewer.has_role(Role.SAFETY_OFFICE)
            or reviewer.departments.filter(pk=hazard.department_id).exists()
        )
    photo = HazardPhoto.objects.first()
    assert photo.image.size > 0 and photo.thumbnail.size > 0


def test_demo_logins_sign_in_with_their_roles():
    names = ["officer", "leader", "department", "office", "registry"]
    users = {name: authenticate(username=name, password=DEMO_PASSWORD) for name in names}
    assert all(users.values()), users
    officer_grids = Grid.objects.filter(officers=users["officer"])
    assert officer_grids.count() == 1
    assert officer_grids.get().code == HOME_GRID
    assert Village.objects.filter(leaders=users["leader"]).get() == officer_grids.get().village
    assert Department.objects.get(code="ZHIAN").members.filter(pk=users["department"].pk).exists()
    assert users["officer"].has_role(Role.GRID_OFFICER)
    assert users["leader"].has_role(Role.VILLAGE_LEADER)
    assert users["department"].has_role(Role.DEPARTMENT_OFFICER)
    assert users["office"].has_role(Role.SAFETY_OFFICE)
    assert users["registry"].has_role(Role.REGISTRY_ADMIN)
    assert users["registry"].is_staff and not users["registry"].is_superuser


def test_officer_home_grid_has_overdue_and_due_soon_hazards():
    today = timezone.localdate()
    mine = Hazard.objects.filter(premises__grid__code=HOME_GRID)
    assert mine.overdue(today).count() >= 2
    assert mine.open().filter(rectify_by__range=(today, today + timedelta(days=3))).count() >= 2
    assert mine.filter(status="submitted").exists()
    assert mine.filter(status="reported").exists()
    assert mine.open().filter(severity=Severity.MAJOR).exists()


def test_second_run_creates_nothing():
    before = demo_counts()

    output = seed("--premises", SMALL)

    assert "already seeded" in output
    assert demo_counts() == before


def test_second_run_restores_demo_roles_but_keeps_changed_passwords():
    office = User.objects.get(username="office")
    office.set_password("a-changed-password")
    office.save()
    office.groups.clear()
    Grid.objects.get(code=HOME_GRID).officers.clear()

    seed("--premises", SMALL)

    assert authenticate(username="office", password="a-changed-password") is not None
    assert authenticate(username="office", password=DEMO_PASSWORD) is None
    assert Group.objects.get(name=Role.SAFETY_OFFICE).user_set.filter(username="office").exists()
    assert Grid.objects.get(code=HOME_GRID).officers.filter(username="officer").exists()
