"""manage.py seed_demo: the demo town, its logins, and running it twice or in production."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db.models import Count, F, OuterRef, Subquery
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from demo.words import DEMO_PASSWORD, HOME_GRID, TOWN_CODE
from grids.models import Department, Grid, Town, Village
from hazards.models import Hazard, HazardEvent, HazardPhoto, Severity
from inspections.models import Inspection
from notifications.models import Notification
from premises.models import BusinessType, Premises, Tag
from premises.validators import validate_credit_code, validate_phone

pytestmark = pytest.mark.django_db
SMALL = "40"  # premises in a quick seed; the default (300) is checked once


@pytest.fixture(autouse=True)
def demo_settings(settings):
    settings.DEBUG = True  # pytest-django turns it off; the command refuses without --force
    # One password hash per seed and per login check; the default hasher is slow by design.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def demo_counts() -> dict[str, int]:
    models = [User, Town, Village, Grid, Premises, Premises.history.model, Inspection]
    models += [Hazard, HazardEvent, HazardPhoto, Notification, Premises.tags.through]
    return {model.__name__: model.objects.count() for model in models}


def test_default_seed_builds_the_whole_demo_town():
    output = seed()

    today = timezone.localdate()
    town = Town.objects.get(code=TOWN_CODE)
    premises = Premises.objects.filter(grid__village__town=town)
    hazards = Hazard.objects.filter(premises__in=premises)
    assert Village.objects.filter(town=town).count() >= 3
    assert Grid.objects.filter(village__town=town).count() >= 8
    assert premises.count() >= 300
    assert set(premises.values_list("business_type__code", flat=True)) == set(
        BusinessType.objects.values_list("code", flat=True)
    )
    assert set(premises.filter(tags__isnull=False).values_list("tags__code", flat=True)) == set(
        Tag.objects.values_list("code", flat=True)
    )
    assert premises.filter(tags__code="SANHEYI").exists()
    assert premises.filter(commitment_signed_on__isnull=True).exists()
    assert premises.filter(insurance_expires_on__range=(today, today + timedelta(30))).exists()
    assert premises.filter(status=Premises.Status.SUSPENDED).exists()
    assert premises.filter(status=Premises.Status.CLOSED).exists()
    assert Inspection.objects.filter(premises__in=premises).count() >= 12 * 300 // 2
    assert Inspection.objects.filter(visited_at__lt=timezone.now() - timedelta(days=330)).exists()
    assert set(hazards.values_list("status", flat=True)) == set(Hazard.Status.values)
    assert hazards.overdue(today).exists()
    assert hazards.filter(severity=Severity.MAJOR).exists()
    assert hazards.filter(fixed_on_spot=True).exists()
    assert hazards.filter(escalation_level__gt=0).exists()
    assert hazards.filter(recurrence_of__isnull=False).exists()
    assert hazards.filter(reject_count__gt=0).exists()
    assert "Seeded demo town" in output and "closed" in output


def test_demo_premises_carry_valid_identifiers():
    seed("--premises", SMALL)

    premises = Premises.objects.all()
    codes = [p.credit_code for p in premises if p.credit_code]
    assert codes and len(codes) == len(set(codes))
    for premises_ in premises:
        validate_phone(premises_.operator_phone)
        if premises_.credit_code:
            validate_credit_code(premises_.credit_code)
    assert premises.filter(operator_phone__regex=r"^1[3-9]\d{9}$").count() == premises.count()


def test_every_hazard_status_and_trail_in_a_small_town():
    seed("--premises", SMALL)

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
    seed("--premises", SMALL)

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
    seed("--premises", SMALL)

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
    seed("--premises", SMALL)

    today = timezone.localdate()
    mine = Hazard.objects.filter(premises__grid__code=HOME_GRID)
    assert mine.overdue(today).count() >= 2
    assert mine.open().filter(rectify_by__range=(today, today + timedelta(days=3))).count() >= 2
    assert mine.filter(status="submitted").exists()
    assert mine.filter(status="reported").exists()
    assert mine.open().filter(severity=Severity.MAJOR).exists()


def test_second_run_creates_nothing():
    seed("--premises", SMALL)
    before = demo_counts()

    output = seed("--premises", SMALL)

    assert "already seeded" in output
    assert demo_counts() == before


def test_second_run_restores_demo_roles_but_keeps_changed_passwords():
    seed("--premises", SMALL)
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


def test_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        seed("--premises", SMALL)
    assert not Town.objects.exists()

    seed("--premises", SMALL, "--force")
    assert Town.objects.filter(code=TOWN_CODE).exists()


def test_refuses_too_few_premises():
    with pytest.raises(CommandError, match="at least"):
        seed("--premises", "5")
    assert not Town.objects.exists()
