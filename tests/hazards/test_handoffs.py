"""Every handoff of the loop tells who acts next (docs/workflow.md, Who hears of what): a real
step sends the notification to that person alone, and its link opens the hazard's page with
the action waiting for them."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from hazards import workflow
from hazards.models import Category, Hazard, Severity
from inspections.filing import Finding, file_inspection
from notifications.models import Notification
from tests.hazards.test_workflow import add_photo, make

S, K = Hazard.Status, Notification.Kind


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def told(users: dict, kind: str) -> dict[str, Notification]:
    """Who of the town's people got a notification of this kind, by role."""
    rows = Notification.objects.filter(kind=kind).select_related("recipient")
    by_user = {row.recipient_id: row for row in rows}
    return {role: by_user[user.pk] for role, user in users.items() if user.pk in by_user}


def opens_where_they_act(client, note: Notification, hazard: Hazard, action: str = "") -> None:
    assert note.link == reverse("hazards:hazard_detail", args=[hazard.pk])
    assert note.target_type == "hazard" and note.target_id == hazard.pk
    client.force_login(note.recipient)
    response = client.get(note.link)
    assert response.status_code == 200
    assert hazard.ledger_number in response.content.decode()
    if action:
        assert action in {form.action for form in response.context["forms"]}


def test_a_hazard_filed_on_a_visit_tells_the_village_leader_to_verify_it(client, town):
    premises, users = town
    finding = Finding(
        category=Category.GAS,
        description="液化气瓶与灶具距离不足",
        severity=Severity.GENERAL,
        rectify_by=timezone.localdate() + timedelta(days=7),
    )
    result = file_inspection(
        premises, by=users["officer"], idempotency_key=uuid.uuid4(), findings=[finding]
    )

    notes = told(users, K.REPORTED)
    assert list(notes) == ["leader"]
    assert result.hazards[0].ledger_number in notes["leader"].title
    opens_where_they_act(client, notes["leader"], result.hazards[0], "verify")


def test_a_hazard_fixed_on_the_spot_asks_nobody_to_verify_it(town):
    premises, users = town
    hazard = make(premises, users, S.REPORTED)
    add_photo(hazard, by=users["officer"])
    workflow.close_on_spot(hazard, by=users["officer"])

    assert not Notification.objects.filter(kind=K.REPORTED).exists()


def test_a_major_hazard_verified_tells_the_office_and_the_department(client, town):
    premises, users = town
    hazard = make(premises, users, S.RECTIFYING, Severity.MAJOR)

    notes = told(users, K.MAJOR_HAZARD)
    assert set(notes) == {"office", "department"}
    opens_where_they_act(client, notes["office"], hazard)


def test_a_major_hazard_verified_as_general_tells_them_why(client, town):
    premises, users = town
    hazard = make(premises, users, S.REPORTED, Severity.MAJOR)
    workflow.verify(
        hazard, by=users["office"], severity=Severity.GENERAL, severity_reason="只是软管老化"
    )

    notes = told(users, K.DOWNGRADED)
    assert set(notes) == {"department"}  # the office verified it: not told of its own step
    assert notes["department"].body == "只是软管老化"
    opens_where_they_act(client, notes["department"], hazard)


def test_a_hazard_handed_to_a_department_tells_its_members(client, town):
    premises, users = town
    hazard = make(premises, users, S.RECTIFYING)
    workflow.escalate(hazard, by=users["leader"], note="需联合执法")

    notes = told(users, K.ASSIGNED)
    assert list(notes) == ["department"]
    assert notes["department"].body == "需联合执法"
    opens_where_they_act(client, notes["department"], hazard)


def test_the_sweep_climbing_a_rung_hands_nothing_over_by_itself(town):
    premises, users = town
    hazard = make(premises, users, S.RECTIFYING)
    workflow.escalate(hazard, by=None, level=1)

    assert not Notification.objects.filter(kind=K.ASSIGNED).exists()


def test_a_fix_sent_back_tells_the_officer_why(client, town):
    premises, users = town
    hazard = make(premises, users, S.SUBMITTED)
    workflow.reject(hazard, by=users["leader"], reason="软管仍未更换")

    notes = told(users, K.SENT_BACK)
    assert list(notes) == ["officer"]
    assert notes["officer"].body == "软管仍未更换"
    opens_where_they_act(client, notes["officer"], hazard, "submit_fix")


def test_a_hazard_closed_tells_the_officer_who_found_it(client, town):
    premises, users = town
    hazard = make(premises, users, S.SUBMITTED)
    workflow.accept(hazard, by=users["leader"])

    notes = told(users, K.CLOSED)
    assert list(notes) == ["officer"]
    opens_where_they_act(client, notes["officer"], hazard)


def test_a_deadline_extended_tells_the_grid_officer(client, town):
    premises, users = town
    hazard = make(premises, users, S.RECTIFYING)
    new_deadline = hazard.rectify_by + timedelta(days=10)
    workflow.extend(hazard, by=users["leader"], rectify_by=new_deadline, reason="等待配件")

    notes = told(users, K.EXTENDED)
    assert list(notes) == ["officer"]
    assert f"{new_deadline:%Y-%m-%d}" in notes["officer"].body
    opens_where_they_act(client, notes["officer"], hazard, "submit_fix")


def test_a_major_fix_reviewed_by_the_department_tells_the_finder(town):
    premises, users = town
    hazard = make(premises, users, S.SUBMITTED, Severity.MAJOR)
    workflow.accept(hazard, by=users["department"])

    assert list(told(users, K.CLOSED)) == ["officer"]
