"""Risk colours follow registry edits, the Django admin's, and `manage.py recompute_risk`."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from premises.models import Premises
from premises.services import recompute_risk, refresh_premises_state
from tests.factories import (
    BusinessTypeFactory,
    GridFactory,
    HazardFactory,
    PremisesFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_admin_edit_of_tags_recomputes_the_risk_colour(client):
    client.force_login(UserFactory(is_staff=True, role=Role.REGISTRY_ADMIN))
    premises = PremisesFactory(business_type=BusinessTypeFactory(base_risk="yellow"))
    lpg = TagFactory(raises_risk=True)

    response = client.post(
        reverse("admin:premises_premises_change", args=[premises.pk]),
        {
            "name": premises.name,
            "address": premises.address,
            "grid": premises.grid_id,
            "business_type": premises.business_type_id,
            "tags": [lpg.pk],
            "status": "operating",
            "operator_phone": premises.operator_phone,
        },
    )

    assert response.status_code == 302
    premises.refresh_from_db()
    assert premises.risk_level == "orange"


@pytest.fixture
def stale_town():
    """Premises whose stored colour and patrol date are wrong in every way the rule knows."""
    today = timezone.localdate()
    lpg = TagFactory(raises_risk=True)
    grid = GridFactory(patrol_interval_days=5)
    plain = PremisesFactory(business_type=BusinessTypeFactory(base_risk="yellow"))
    tagged = PremisesFactory(tags=[lpg], grid=grid, last_inspected_at=timezone.now())
    overdue = PremisesFactory()
    HazardFactory(premises=overdue, rectify_by=today - timedelta(days=2))
    major = PremisesFactory()
    HazardFactory(premises=major, major_rectifying=True)
    closed_hazard = PremisesFactory(risk_level="red")
    HazardFactory(premises=closed_hazard, closed=True, major=True)
    everything = [plain, tagged, overdue, major, closed_hazard]
    Premises.objects.update(risk_level="blue", patrol_due_on=None)
    Premises.objects.filter(pk=closed_hazard.pk).update(risk_level="red")
    return everything


def test_recompute_risk_gives_every_premises_the_colour_refresh_premises_state_would(stale_town):
    out = StringIO()

    call_command("recompute_risk", "--batch-size", "2", stdout=out)

    today = timezone.localdate()
    recomputed = {p.pk: (p.risk_level, p.patrol_due_on) for p in Premises.objects.all()}
    for premises in Premises.objects.all():
        expected = refresh_premises_state(premises, today=today)
        assert recomputed[premises.pk] == (expected.risk_level, expected.patrol_due_on)
    assert [recomputed[p.pk][0] for p in stale_town] == [
        "yellow",
        "yellow",
        "yellow",
        "red",
        "blue",
    ]
    assert recomputed[stale_town[1].pk][1] == today + timedelta(days=5)
    assert "5 premises checked, 5 changed" in out.getvalue()


def test_recompute_risk_twice_changes_nothing_the_second_time(stale_town):
    recompute_risk(today=timezone.localdate())

    assert recompute_risk(today=timezone.localdate()) == (5, 0)


def test_recompute_risk_costs_a_fixed_number_of_queries_per_batch(stale_town):
    with CaptureQueriesContext(connection) as one_batch:
        recompute_risk(today=timezone.localdate(), batch_size=100)
    for _n in range(20):
        PremisesFactory(tags=[TagFactory(raises_risk=True)])

    with CaptureQueriesContext(connection) as still_one:
        recompute_risk(today=timezone.localdate(), batch_size=100)

    assert len(still_one.captured_queries) <= len(one_batch.captured_queries) + 1
