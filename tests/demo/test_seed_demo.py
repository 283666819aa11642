"""manage.py seed_demo: the demo town, its logins, and running it twice or in production."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from demo.words import TOWN_CODE
from grids.models import Grid, Town, Village
from hazards.models import Hazard, HazardEvent, HazardPhoto, Severity
from inspections.models import Inspection
from notifications.models import Notification
from premises.models import BusinessType, Premises, Tag

pytestmark = pytest.mark.django_db
SMALL = "40"  # premises in a quick seed; the default (300) is checked once
# One password hash per seed and per login check; the default hasher is slow by design.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def demo_settings(settings):
    settings.DEBUG = True  # pytest-django turns it off; the command refuses without --force
    settings.PASSWORD_HASHERS = FAST_HASHERS


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
    # The loop told people of its steps; what is older than a week has been read.
    told = Notification.objects.filter(target_type="hazard")
    assert told.filter(kind=Notification.Kind.SENT_BACK).exists()
    assert told.filter(kind=Notification.Kind.CLOSED).exists()
    week_ago = today - timedelta(days=7)
    assert not told.filter(day__lt=week_ago, read_at__isnull=True).exists()
    assert "Seeded demo town" in output and "closed" in output


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
