"""The hazard page and the loop's POST views (docs/workflow.md), through the HTTP client."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from hazards import rights, workflow
from hazards.clocks import legal_clocks
from hazards.models import Hazard, HazardEvent, HazardPhoto, Severity
from tests.factories import (
    DepartmentFactory,
    HazardFactory,
    InspectionFactory,
    RectificationNoticeFactory,
)
from tests.hazards import photo_files
from tests.hazards.test_workflow import PLAN, add_photo, make

S = Hazard.Status
ROLES = ["officer", "leader", "department", "office", "registry", "other_officer", "other_leader"]
MANAGERS = {"leader", "office"}


def page_url(hazard) -> str:
    return reverse("hazards:hazard_detail", args=[hazard.pk])


def post_url(hazard, action: str) -> str:
    return reverse("hazards:hazard_transition", args=[hazard.pk, action])


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def later(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def form_data(action: str, hazard, **extra) -> dict:
    """A valid POST body for each transition's form."""
    data = {
        "verify": {"severity": hazard.severity, "rectify_by": later(10), "department": ""},
        "dismiss": {"reason": "重复上报"},
        "submit_fix": {"key": "8b3c2f4e-1d7a-4a7b-9c3e-2f1a0b9d8e7c", "note": "已整改"},
        "accept": {"key": "0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f", "note": "复查合格"},
        "reject": {"key": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "reason": "整改不到位"},
        "extend": {"rectify_by": (hazard.rectify_by + timedelta(days=10)).isoformat()},
        "escalate": {"department": hazard.department_id or "", "note": "拒不整改"},
    }[action]
    if action == "extend":
        data["reason"] = "需采购配件"
    if action == "verify" and hazard.severity == Severity.MAJOR:
        data.update({k: str(v) for k, v in PLAN.items()})
    data.update(extra)
    return {f"{action}-{key}": value for key, value in data.items()}


# --- every transition × every role, through the POST view ---------------------------------------

TRANSITIONS = [
    # (action, starting status, severity, roles allowed)
    ("verify", S.REPORTED, Severity.GENERAL, MANAGERS),
    ("dismiss", S.REPORTED, Severity.GENERAL, MANAGERS),
    ("submit_fix", S.RECTIFYING, Severity.GENERAL, {"officer", "leader"}),
    ("accept", S.SUBMITTED, Severity.GENERAL, {"leader", "office"}),
    ("reject", S.SUBMITTED, Severity.GENERAL, {"leader", "office"}),
    ("accept", S.SUBMITTED, Severity.MAJOR, {"department", "office"}),
    ("reject", S.SUBMITTED, Severity.MAJOR, {"department", "office"}),
    ("extend", S.RECTIFYING, Severity.GENERAL, MANAGERS),
    ("escalate", S.RECTIFYING, Severity.GENERAL, MANAGERS),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("action", "status", "severity", "allowed"),
    TRANSITIONS,
    ids=[f"{t[0]}-{t[2]}" for t in TRANSITIONS],
)
def test_transition_view_by_role(client, town, role, action, status, severity, allowed):
    premises, users = town
    hazard = make(premises, users, status, severity)
    events_before = hazard.events.count()
    client.force_login(users[role])
    data = form_data(action, hazard)
    if action == "submit_fix":
        data["submit_fix-photos"] = photo_files.jpeg()
    response = client.post(post_url(hazard, action), data)
    after = Hazard.objects.get(pk=hazard.pk)
    if role in allowed:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert after.events.count() == events_before + 1
        assert after.events.last().action == action
    else:
        # Out of scope: 404. In scope but not allowed: a message and nothing changed.
        assert response.status_code in (302, 404)
        if response.status_code == 302:
            assert texts(response), "a refusal must say why"
        assert after.events.count() == events_before
        assert not HazardPhoto.objects.filter(hazard__isnull=True).exists(), "photo stored"
        assert (after.status, after.rectify_by, after.escalation_level) == (
            hazard.status,
            hazard.rectify_by,
            hazard.escalation_level,
        )


@pytest.mark.parametrize("role", ROLES)
def test_page_shows_only_the_actions_this_user_may_take(client, town, role):
    premises, users = town
    hazard = make(premises, users, S.REPORTED)
    client.force_login(users[role])
    response = client.get(page_url(hazard))
    if role in ("other_officer", "other_leader"):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    shown = {form.action for form in response.context["forms"]}
    assert shown == set(rights.allowed_actions(users[role], hazard))
    body = response.content.decode()
    for action in ("verify", "dismiss", "submit_fix", "accept", "reject", "extend", "escalate"):
        assert (f'data-action="{action}"' in body) == (action in shown)


# --- bad input and refusals ----------------------------------------------------------------------


def test_transition_not_allowed_now_gives_a_message_and_changes_nothing(client, town):
    premises, users = town
    hazard = make(premises, users, S.REPORTED)
    client.force_login(users["office"])
    response = client.post(post_url(hazard, "accept"), form_data("accept", hazard))
    assert response.status_code == 302
    assert response.url == page_url(hazard)
    assert texts(response)
    after = Hazard.objects.get(pk=hazard.pk)
    assert after.status == S.REPORTED
    assert after.events.count() == 1


def test_forged_post_to_a_hazard_of_another_village_is_404(client, town):
    premises, users = town
    hazard = make(premises, users, S.SUBMITTED)
    client.force_login(users["other_leader"])
    for action in ("accept", "reject", "verify", "escalate"):
        response = client.post(post_url(hazard, action), form_data(action, hazard))
        assert response.status_code == 404
    assert Hazard.objects.get(pk=hazard.pk).status == S.SUBMITTED
    assert client.get(page_url(hazard)).status_code == 404


@pytest.mark.parametrize(("action", "status"), [("reject", S.SUBMITTED), ("dismiss", S.REPORTED)])
def test_reason_is_required(client, town, action, status):
    premises, users = town
    hazard = make(premises, users, status)
    client.force_login(users["leader"])
    field = "reason"
    response = client.post(post_url(hazard, action), form_data(action, hazard, **{field: "  "}))
    assert response.status_code == 400
    bound = next(f for f in response.context["forms"] if f.action == action)
    assert bound.errors[field]
    assert Hazard.objects.get(pk=hazard.pk).status == status
    assert response.context["bound_action"] == action


def test_submitter_of_a_fix_cannot_accept_it(client, town):
    premises, users = town
    hazard = make(premises, users, S.RECTIFYING)
    add_photo(hazard, by=users["leader"])
    workflow.submit_fix(hazard, by=users["leader"])
    client.force_login(users["leader"])
    page = client.get(page_url(hazard))
    assert not any(form.action == "accept" for form in page.context["forms"])
    response = client.post(
        post_url(hazard, "accept"), form_data("accept", hazard), headers={"accept-language": "en"}
    )
    assert response.status_code == 302
    assert any("someone else must review" in text for text in texts(response))
    assert Hazard.objects.get(pk=hazard.pk).status == S.SUBMITTED


def test_unknown_action_is_404_and_get_is_refused(client, town):
    premises, users = town
    hazard = make(premises, users, S.REPORTED)
    client.force_login(users["office"])
    assert client.post(post_url(hazard, "close_on_spot"), {}).status_code == 404
    assert client.post(post_url(hazard, "delete"), {}).status_code == 404
    assert client.get(post_url(hazard, "verify")).status_code == 405


def test_verify_major_needs_the_whole_plan(client, town):
    premises, users = town
    hazard = make(premises, users, S.REPORTED, Severity.MAJOR)
    client.force_login(users["leader"])
    data = form_data("verify", hazard, emergency_plan="", plan_funds="")
    response = client.post(post_url(hazard, "verify"), data)
    assert response.status_code == 400
    form = response.context["forms"][0]
    assert set(form.errors) == {"emergency_plan", "plan_funds"}
    assert Hazard.objects.get(pk=hazard.pk).status == S.REPORTED
    response = client.post(post_url(hazard, "verify"), form_data("verify", hazard))
    assert response.status_code == 302
    after = Hazard.objects.get(pk=hazard.pk)
    assert (after.status, after.interim_measures) == (S.RECTIFYING, PLAN["interim_measures"])


def test_deadline_in_the_past_is_a_form_error(client, town):
    premises, users = town
    hazard = make(premises, users, S.REPORTED)
    client.force_login(users["leader"])
    data = form_data("verify", hazard, rectify_by=later(-1))
    assert client.post(post_url(hazard, "verify"), data).status_code == 400
    hazard = make(premises, users, S.RECTIFYING)
    data = form_data("extend", hazard, rectify_by=hazard.rectify_by.isoformat())
    assert client.post(post_url(hazard, "extend"), data).status_code == 400
    assert Hazard.objects.get(pk=hazard.pk).events.count() == 2


def test_submit_fix_needs_a_photo_and_keeps_it_when_the_form_comes_back(client, town):
    premises, users = town
    hazard = make(premises, users, S.RECTIFYING)
    client.force_login(users["officer"])
    response = client.post(post_url(hazard, "submit_fix"), form_data("submit_fix", hazard))
    assert response.status_code == 400
    assert response.context["forms"][0].errors["photos"]
    data = form_data("submit_fix", hazard)
    data["submit_fix-photos"] = [photo_files.jpeg("good.jpg"), photo_files.renamed_pdf()]
    response = client.post(post_url(hazard, "submit_fix"), data)
    assert response.status_code == 400
    draft = HazardPhoto.objects.get(hazard__isnull=True)
    assert reverse("hazards:photo", args=[draft.pk, "thumb"]) in response.content.decode()
    assert Hazard.objects.get(pk=hazard.pk).status == S.RECTIFYING
    # Send again without choosing the photo again: the kept one is enough.
    data = form_data("submit_fix", hazard)
    data["submit_fix-photos_kept"] = str(draft.pk)
    response = client.post(post_url(hazard, "submit_fix"), data)
    assert response.status_code == 302
    after = Hazard.objects.get(pk=hazard.pk)
    assert after.status == S.SUBMITTED
    assert list(after.photos.filter(stage="rectification").values_list("pk", flat=True)) == [
        draft.pk
    ]


def test_review_photos_are_attached_to_the_hazard(client, town):
    premises, users = town
    hazard = make(premises, users, S.SUBMITTED)
    client.force_login(users["leader"])
    data = form_data("reject", hazard, rectify_by=later(5))
    data["reject-photos"] = photo_files.jpeg("review.jpg")
    assert client.post(post_url(hazard, "reject"), data).status_code == 302
    after = Hazard.objects.get(pk=hazard.pk)
    assert (after.status, after.reject_count) == (S.RECTIFYING, 1)
    assert after.rectify_by == timezone.localdate() + timedelta(days=5)
    assert after.photos.filter(stage="review").count() == 1


def test_escalate_names_a_department(client, town):
    premises, users = town
    hazard = make(premises, users, S.RECTIFYING)
    other = DepartmentFactory()
    client.force_login(users["leader"])
    data = form_data("escalate", hazard, department=other.pk)
    assert client.post(post_url(hazard, "escalate"), data).status_code == 302
    after = Hazard.objects.get(pk=hazard.pk)
    assert (after.department, after.escalation_level) == (other, 1)
    data = form_data("escalate", hazard, department="999999")
    assert client.post(post_url(hazard, "escalate"), data).status_code == 400


# --- what the page shows -------------------------------------------------------------------------


def test_page_shows_facts_photos_by_stage_timeline_and_clocks(client, town):
    premises, users = town
    hazard = make(premises, users, S.SUBMITTED)
    add_photo(hazard, by=users["officer"], stage=HazardPhoto.Stage.FINDING)
    workflow.reject(hazard, by=users["leader"], reason="灭火器压力不足")
    client.force_login(users["leader"])
    response = client.get(page_url(hazard))
    body = response.content.decode()
    assert hazard.ledger_number in body and premises.name in body
    stages = dict(response.context["photo_stages"])
    assert [len(photos) for photos in stages.values()] == [1, 1, 0]
    actions = [e.action for e in response.context["events"]]
    assert actions == ["report", "verify", "submit_fix", "reject"]
    assert "灭火器压力不足" in body
    with translation.override("en"):
        labels = [str(clock.label) for clock in response.context["clocks"]]
    assert labels == ["Rectification notice", "Review"]  # a general hazard has no 10-day clock
    assert premises.operator_phone in body  # the village leader sees the operator's phone


def test_department_officer_sees_the_phone_masked(client, town):
    premises, users = town
    hazard = make(premises, users, S.SUBMITTED, Severity.MAJOR)
    client.force_login(users["department"])
    body = client.get(page_url(hazard)).content.decode()
    assert premises.masked_phone in body
    assert premises.operator_phone not in body


def test_late_clocks_and_overdue_are_marked(client, town):
    premises, users = town
    long_ago = timezone.now() - timedelta(days=40)
    hazard = HazardFactory(
        premises=premises,
        major_rectifying=True,
        reported_at=long_ago,
        rectify_by=timezone.localdate() - timedelta(days=20),
    )
    clocks = legal_clocks(hazard, today=timezone.localdate())
    assert [c.is_late for c in clocks] == [True, True, True]
    client.force_login(users["leader"])
    response = client.get(page_url(hazard))
    body = response.content.decode()
    assert response.context["overdue_days"] == 20
    assert body.count("clock-late") == 3


def test_clocks_met_on_time_are_not_late(town):
    premises, _users = town
    today = timezone.localdate()
    notice = RectificationNoticeFactory(premises=premises, issued_on=today)
    hazard = HazardFactory(premises=premises, notice=notice, closed=True, severity="major")
    clocks = legal_clocks(hazard, today=today + timedelta(days=400))
    assert [(c.is_done, c.is_late) for c in clocks] == [(True, False)] * 3


def test_fixed_on_the_spot_has_no_clocks(town):
    premises, _users = town
    hazard = HazardFactory(premises=premises, closed=True, fixed_on_spot=True)
    assert legal_clocks(hazard, today=timezone.localdate()) == []


def test_recurrence_is_flagged_on_the_hazard_and_premises_pages(client, town):
    premises, users = town
    first = HazardFactory(premises=premises, closed=True)
    again = HazardFactory(premises=premises, recurrence_of=first)
    client.force_login(users["officer"])
    body = client.get(page_url(again)).content.decode()
    assert "data-recurrence" in body and first.ledger_number in body
    assert again.ledger_number in client.get(page_url(first)).content.decode()
    premises_page = client.get(reverse("inspections:premises_detail", args=[premises.pk]))
    text = premises_page.content.decode()
    assert "data-recurrence" in text
    assert page_url(again) in text


def test_page_query_count_does_not_grow_with_events_and_photos(client, town):
    premises, users = town
    hazard = make(premises, users, S.SUBMITTED)
    client.force_login(users["leader"])
    client.get(page_url(hazard))  # warm the session

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page_url(hazard)).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(3):
        workflow.reject(hazard, by=users["leader"], reason="再整改")
        add_photo(hazard, by=users["officer"])
        add_photo(hazard, by=users["officer"], stage=HazardPhoto.Stage.REVIEW)
        workflow.submit_fix(hazard, by=users["officer"])
    assert queries() == few <= 16


def test_inspection_summary_links_to_the_hazard_page(client, town):
    premises, users = town
    inspection = InspectionFactory(premises=premises, inspector=users["officer"])
    hazard = HazardFactory(premises=premises, inspection=inspection)
    client.force_login(users["officer"])
    response = client.get(reverse("inspections:inspection_detail", args=[inspection.pk]))
    assert page_url(hazard) in response.content.decode()


def test_full_loop_over_http(client, town):
    premises, users = town
    hazard = make(premises, users, S.REPORTED)
    steps = [
        ("leader", "verify", {}),
        ("officer", "submit_fix", {"photos": photo_files.jpeg()}),
        ("leader", "reject", {"reason": "仍有问题"}),
        ("officer", "submit_fix", {"photos": photo_files.jpeg("again.jpg")}),
        ("leader", "accept", {}),
    ]
    for role, action, extra in steps:
        client.force_login(users[role])
        hazard.refresh_from_db()
        data = form_data(action, hazard)
        for key, value in extra.items():
            data[f"{action}-{key}"] = value
        response = client.post(post_url(hazard, action), data)
        assert response.status_code == 302, (action, response.content.decode()[:1500])
    hazard.refresh_from_db()
    assert hazard.status == S.CLOSED
    assert list(HazardEvent.objects.filter(hazard=hazard).values_list("action", flat=True)) == [
        "report",
        "verify",
        "submit_fix",
        "reject",
        "submit_fix",
        "accept",
    ]


def test_a_fix_waiting_for_review_shows_its_evidence_before_the_decision(client, town):
    """The reviewer sees the fix's photos and note before the accept and send-back steps; while
    the hazard is still being fixed, the steps come first."""
    premises, users = town
    hazard = make(premises, users, S.RECTIFYING)
    client.force_login(users["officer"])
    page = client.get(page_url(hazard)).content.decode()
    assert page.index('data-action="submit_fix"') < page.index('id="photos-heading"')

    add_photo(hazard, by=users["officer"])
    workflow.submit_fix(hazard, by=users["officer"], note="已更换燃气软管")
    client.force_login(users["leader"])
    page = client.get(page_url(hazard)).content.decode()
    photos, note = page.index('id="photos-heading"'), page.index("data-fix-note")
    assert photos < note < page.index('data-action="accept"')
    assert "已更换燃气软管" in page[note : page.index('data-action="accept"')]
