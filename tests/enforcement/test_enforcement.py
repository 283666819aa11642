"""Enforcement measures (执法措施): the service and its pages."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from enforcement import measures as enforcement
from enforcement.models import EnforcementAction
from hazards.models import HazardEvent
from hazards.workflow import WorkflowError
from premises.models import Premises
from tests.factories import (
    BusinessTypeFactory,
    DepartmentFactory,
    GridFactory,
    HazardFactory,
    PremisesFactory,
    UserFactory,
    VillageFactory,
)

Kind = EnforcementAction.Kind


@pytest.fixture
def town(db):
    users = {
        "officer": UserFactory(role=Role.GRID_OFFICER),
        "leader": UserFactory(role=Role.VILLAGE_LEADER),
        "department": UserFactory(role=Role.DEPARTMENT_OFFICER),
        "other_department": UserFactory(role=Role.DEPARTMENT_OFFICER),
        "office": UserFactory(role=Role.SAFETY_OFFICE),
    }
    fire = DepartmentFactory(members=[users["department"]])
    DepartmentFactory(members=[users["other_department"]])
    grid = GridFactory(
        officers=[users["officer"]], village=VillageFactory(leaders=[users["leader"]])
    )
    premises = PremisesFactory(grid=grid, business_type=BusinessTypeFactory(department=fire))
    hazard = HazardFactory(premises=premises, rectifying=True, department=fire)
    return {"users": users, "fire": fire, "premises": premises, "hazard": hazard}


def record(town, kind=Kind.SUSPEND, by="department", **kwargs):
    kwargs.setdefault("department", town["fire"])
    kwargs.setdefault("decided_on", timezone.localdate())
    return enforcement.record_action(town["hazard"], by=town["users"][by], kind=kind, **kwargs)


def status(premises) -> str:
    return Premises.objects.get(pk=premises.pk).status


def test_suspension_suspends_the_premises_and_is_on_the_timeline(town):
    action = record(town, note="拒不整改")
    assert status(town["premises"]) == Premises.Status.SUSPENDED
    event = HazardEvent.objects.get(action="enforce")
    assert event.actor == town["users"]["department"]
    assert "拒不整改" in event.note
    assert event.from_status == event.to_status == town["hazard"].status
    assert action.premises == town["premises"]


def test_seal_suspends_and_lifting_the_last_one_reopens(town):
    seal = record(town, kind=Kind.SEAL)
    suspension = record(town, kind=Kind.SUSPEND, by="office")
    today = timezone.localdate()
    enforcement.lift_action(seal, by=town["users"]["office"], lifted_on=today)
    assert status(town["premises"]) == Premises.Status.SUSPENDED  # the suspension still holds
    enforcement.lift_action(suspension, by=town["users"]["department"], lifted_on=today)
    assert status(town["premises"]) == Premises.Status.OPERATING
    assert EnforcementAction.objects.filter(lifted_on=today).count() == 2
    assert HazardEvent.objects.filter(action="enforce").count() == 4


@pytest.mark.parametrize("kind", [Kind.INTERVIEW, Kind.FINE, Kind.MEDIA])
def test_other_measures_leave_the_premises_operating(town, kind):
    amount = Decimal("2000") if kind == Kind.FINE else None
    action = record(town, kind=kind, fine_amount=amount)
    assert status(town["premises"]) == Premises.Status.OPERATING
    assert action.fine_amount == amount
    with pytest.raises(WorkflowError):
        enforcement.lift_action(action, by=town["users"]["office"], lifted_on=timezone.localdate())


def test_fine_needs_an_amount(town):
    with pytest.raises(WorkflowError):
        record(town, kind=Kind.FINE)
    assert not EnforcementAction.objects.exists()


def test_lifting_a_closed_premises_does_not_reopen_it(town):
    action = record(town)
    Premises.objects.filter(pk=town["premises"].pk).update(status=Premises.Status.CLOSED)
    enforcement.lift_action(action, by=town["users"]["office"], lifted_on=timezone.localdate())
    assert status(town["premises"]) == Premises.Status.CLOSED


def test_cannot_lift_twice_or_before_decided(town):
    today = timezone.localdate()
    action = record(town, decided_on=today - timedelta(days=2))
    with pytest.raises(WorkflowError):
        enforcement.lift_action(
            action, by=town["users"]["office"], lifted_on=today - timedelta(days=3)
        )
    enforcement.lift_action(action, by=town["users"]["office"], lifted_on=today)
    with pytest.raises(WorkflowError):
        enforcement.lift_action(action, by=town["users"]["office"], lifted_on=today)


@pytest.mark.parametrize("role", ["officer", "leader", "other_department"])
def test_only_the_department_and_the_office_may_enforce(town, role):
    with pytest.raises(WorkflowError):
        record(town, by=role)
    assert status(town["premises"]) == Premises.Status.OPERATING
    assert not HazardEvent.objects.filter(action="enforce").exists()


def test_department_officer_records_only_for_own_department(town):
    other = DepartmentFactory()
    with pytest.raises(WorkflowError):
        record(town, department=other)
    assert record(town, department=other, by="office").department == other


# --- pages ---------------------------------------------------------------------------------------


def new_url(town) -> str:
    return reverse("enforcement:enforcement_new", args=[town["hazard"].pk])


def test_department_officer_records_a_suspension_through_the_form(client, town):
    client.force_login(town["users"]["department"])
    form = client.get(new_url(town))
    assert form.status_code == 200
    assert list(form.context["form"].fields["department"].queryset) == [town["fire"]]
    response = client.post(
        new_url(town),
        {
            "kind": Kind.SUSPEND,
            "department": town["fire"].pk,
            "decided_on": timezone.localdate().isoformat(),
            "note": "责令停业整顿",
        },
    )
    assert response.status_code == 302
    assert status(town["premises"]) == Premises.Status.SUSPENDED
    page = client.get(reverse("hazards:hazard_detail", args=[town["hazard"].pk]))
    body = page.content.decode()
    assert 'data-enforcement="suspend"' in body
    assert (
        reverse("enforcement:enforcement_lift", args=[EnforcementAction.objects.get().pk]) in body
    )


def test_form_errors_come_back(client, town):
    client.force_login(town["users"]["office"])
    response = client.post(
        new_url(town),
        {
            "kind": Kind.FINE,
            "department": town["fire"].pk,
            "decided_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"decided_on", "fine_amount"}
    assert not EnforcementAction.objects.exists()


@pytest.mark.parametrize(("role", "code"), [("leader", 403), ("officer", 403)])
def test_other_roles_cannot_open_the_form(client, town, role, code):
    client.force_login(town["users"][role])
    assert client.get(new_url(town)).status_code == code


def test_out_of_scope_is_404(client, town):
    stranger = UserFactory(role=Role.DEPARTMENT_OFFICER)
    DepartmentFactory(members=[stranger])
    client.force_login(stranger)
    assert client.get(new_url(town)).status_code == 404
    action = record(town)
    lift = reverse("enforcement:enforcement_lift", args=[action.pk])
    assert client.post(lift, {f"lift-{action.pk}-lifted_on": "2020-01-01"}).status_code == 404


def test_lift_through_the_page(client, town):
    action = record(town)
    client.force_login(town["users"]["office"])
    lift = reverse("enforcement:enforcement_lift", args=[action.pk])
    today = timezone.localdate().isoformat()
    response = client.post(lift, {f"lift-{action.pk}-lifted_on": today})
    assert response.status_code == 302
    assert status(town["premises"]) == Premises.Status.OPERATING
    # Lifting again: a message, nothing changes.
    response = client.post(lift, {f"lift-{action.pk}-lifted_on": today})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)]
    assert HazardEvent.objects.filter(action="enforce").count() == 2
    assert client.get(lift).status_code == 405
