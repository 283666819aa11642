"""The closed loop (docs/workflow.md): every transition × every role, allowed and refused."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from PIL import Image

from hazards import workflow
from hazards.models import Category, Hazard, HazardEvent, HazardPhoto, Severity
from hazards.workflow import WorkflowError
from premises.models import Premises
from tests.factories import ChecklistItemFactory, HazardFactory

S = Hazard.Status
ROLES = ["officer", "leader", "department", "office", "registry", "other_officer", "other_leader"]
PLAN = {
    "plan_measures": "更换燃气软管并加装泄漏报警器",
    "plan_funds": 3000,
    "plan_responsible": "王老板",
    "plan_deadline": timezone.localdate() + timedelta(days=30),
    "interim_measures": "停用燃气灶具,关闭气瓶阀门",
    "emergency_plan": "发现泄漏立即疏散并报警",
}


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in English; the zh-hans catalogue translates them for users."""
    with translation.override("en"):
        yield


def add_photo(hazard, *, by, stage=HazardPhoto.Stage.RECTIFICATION):
    buffer = BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, "JPEG")
    return HazardPhoto.objects.create(
        hazard=hazard,
        stage=stage,
        image=ContentFile(buffer.getvalue(), name="fix.jpg"),
        thumbnail=ContentFile(buffer.getvalue(), name="fix_t.jpg"),
        uploaded_by=by,
    )


def make(premises, users, status, severity=Severity.GENERAL):
    """A hazard brought to `status` through the workflow itself."""
    hazard = workflow.report(
        premises,
        by=users["officer"],
        category=Category.GAS,
        description="液化气瓶与灶具距离不足",
        severity=severity,
    )
    if status == S.REPORTED:
        return hazard
    plan = PLAN if severity == Severity.MAJOR else None
    hazard = workflow.verify(hazard, by=users["leader"], plan=plan)
    if status == S.RECTIFYING:
        return hazard
    add_photo(hazard, by=users["officer"])
    return workflow.submit_fix(hazard, by=users["officer"])


def attempt(fn, hazard, user, **kwargs):
    before = Hazard.objects.get(pk=hazard.pk)
    events_before = HazardEvent.objects.filter(hazard=hazard).count()
    try:
        fn(hazard, by=user, **kwargs)
    except WorkflowError:
        after = Hazard.objects.get(pk=hazard.pk)
        assert (after.status, after.rectify_by, after.escalation_level) == (
            before.status,
            before.rectify_by,
            before.escalation_level,
        ), "a refused transition changed the hazard"
        assert HazardEvent.objects.filter(hazard=hazard).count() == events_before
        return False
    assert HazardEvent.objects.filter(hazard=hazard).count() == events_before + 1
    return True


MANAGERS = {"leader", "office"}
TRANSITIONS = [
    # (name, starting status, severity, kwargs, roles allowed)
    ("verify", S.REPORTED, Severity.GENERAL, {}, MANAGERS),
    ("dismiss", S.REPORTED, Severity.GENERAL, {"reason": "重复上报"}, MANAGERS),
    ("submit_fix", S.RECTIFYING, Severity.GENERAL, {}, {"officer", "leader"}),
    ("accept", S.SUBMITTED, Severity.GENERAL, {}, {"leader", "office"}),
    ("reject", S.SUBMITTED, Severity.GENERAL, {"reason": "整改不到位"}, {"leader", "office"}),
    ("accept", S.SUBMITTED, Severity.MAJOR, {}, {"department", "office"}),
    ("reject", S.SUBMITTED, Severity.MAJOR, {"reason": "整改不到位"}, {"department", "office"}),
    ("extend", S.RECTIFYING, Severity.GENERAL, {"reason": "需采购配件", "days": 10}, MANAGERS),
    ("escalate", S.RECTIFYING, Severity.GENERAL, {"note": "拒不整改"}, MANAGERS),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "status", "severity", "kwargs", "allowed"),
    TRANSITIONS,
    ids=[f"{t[0]}-{t[2]}" for t in TRANSITIONS],
)
def test_transition_by_role(town, role, name, status, severity, kwargs, allowed):
    premises, users = town
    hazard = make(premises, users, status, severity)
    kwargs = dict(kwargs)
    if "days" in kwargs:
        kwargs["rectify_by"] = hazard.rectify_by + timedelta(days=kwargs.pop("days"))
    if name == "submit_fix":
        add_photo(hazard, by=users[role])
    ok = attempt(getattr(workflow, name), hazard, users[role], **kwargs)
    assert ok == (role in allowed), f"{role} {name}: {'allowed' if ok else 'refused'}"


@pytest.mark.parametrize("role", ROLES)
def test_report_by_role(town, role):
    premises, users = town
    allowed = role in {"officer", "leader", "office"}
    try:
        workflow.report(
            premises,
            by=users[role],
            category=Category.ELEC,
            description="插线板串接使用",
            severity=Severity.GENERAL,
        )
    except WorkflowError:
        assert not allowed
        assert not Hazard.objects.exists()
    else:
        assert allowed
        assert Hazard.objects.get().status == S.REPORTED


def test_report_assigns_ledger_number_event_and_department(town):
    premises, users = town
    first = make(premises, users, S.REPORTED)
    second = make(premises, users, S.REPORTED)
    year = timezone.localdate().year
    assert first.ledger_number == f"YH-{year}-000001"
    assert second.ledger_number == f"YH-{year}-000002"
    assert first.department == premises.business_type.department
    event = first.events.get()
    assert (event.action, event.to_status, event.actor) == ("report", S.REPORTED, users["officer"])


def test_report_deadline_defaults_from_checklist_item(town):
    premises, users = town
    item = ChecklistItemFactory(default_days=3, applies_to_all=True)
    hazard = workflow.report(
        premises,
        by=users["officer"],
        category=item.category,
        description=item.text_zh,
        severity=Severity.GENERAL,
        checklist_item=item,
    )
    assert hazard.rectify_by == timezone.localdate() + timedelta(days=3)


def test_report_refuses_past_deadline(town):
    premises, users = town
    with pytest.raises(WorkflowError):
        workflow.report(
            premises,
            by=users["officer"],
            category=Category.ELEC,
            description="x",
            severity=Severity.GENERAL,
            rectify_by=timezone.localdate() - timedelta(days=1),
        )


@pytest.mark.parametrize("status", [Premises.Status.SUSPENDED, Premises.Status.CLOSED])
def test_report_refused_at_premises_not_operating(town, status):
    premises, users = town
    Premises.objects.filter(pk=premises.pk).update(status=status)
    with pytest.raises(WorkflowError, match="operating"):
        make(premises, users, S.REPORTED)


def test_major_verify_requires_treatment_plan(town):
    premises, users = town
    hazard = make(premises, users, S.REPORTED, Severity.MAJOR)
    incomplete = {k: v for k, v in PLAN.items() if k != "emergency_plan"}
    with pytest.raises(WorkflowError):
        workflow.verify(hazard, by=users["leader"], plan=incomplete)
    hazard = workflow.verify(hazard, by=users["leader"], plan=PLAN)
    assert hazard.status == S.RECTIFYING
    assert hazard.interim_measures == PLAN["interim_measures"]


def test_major_verify_notifies_office_and_department(town):
    premises, users = town
    hazard = make(premises, users, S.RECTIFYING, Severity.MAJOR)
    notified = set(
        users["office"].notifications.filter(target_id=hazard.pk).values_list("kind", flat=True)
    )
    assert notified == {"major_hazard"}
    assert users["department"].notifications.filter(target_id=hazard.pk).exists()
    assert not users["officer"].notifications.exists()


def test_submit_fix_requires_a_rectification_photo(town):
    premises, users = town
    hazard = make(premises, users, S.RECTIFYING)
    add_photo(hazard, by=users["officer"], stage=HazardPhoto.Stage.FINDING)
    with pytest.raises(WorkflowError, match="photo"):
        workflow.submit_fix(hazard, by=users["officer"])


def test_resubmission_after_reject_needs_a_new_photo(town):
    premises, users = town
    hazard = make(premises, users, S.SUBMITTED)
    workflow.reject(hazard, by=users["leader"], reason="灭火器仍未到位")
    with pytest.raises(WorkflowError):
        workflow.submit_fix(hazard, by=users["officer"])
    add_photo(hazard, by=users["officer"])
    assert workflow.submit_fix(hazard, by=users["officer"]).status == S.SUBMITTED


def test_four_eyes_submitter_cannot_accept_own_fix(town):
    premises, users = town
    hazard = make(premises, users, S.RECTIFYING)
    add_photo(hazard, by=users["leader"])
    workflow.submit_fix(hazard, by=users["leader"])
    with pytest.raises(WorkflowError, match="someone else"):
        workflow.accept(hazard, by=users["leader"])
    assert workflow.accept(hazard, by=users["office"]).status == S.CLOSED


@pytest.mark.parametrize("name", ["reject", "dismiss"])
def test_reason_required(town, name):
    premises, users = town
    hazard = make(premises, users, S.SUBMITTED if name == "reject" else S.REPORTED)
    with pytest.raises(WorkflowError, match="reason"):
        getattr(workflow, name)(hazard, by=users["office"], reason="   ")


def test_transition_not_allowed_now_changes_nothing(town):
    premises, users = town
    hazard = make(premises, users, S.REPORTED)
    assert not attempt(workflow.accept, hazard, users["office"])
    assert not attempt(workflow.submit_fix, hazard, users["officer"])


def test_full_loop_closes_with_timeline(town):
    premises, users = town
    hazard = make(premises, users, S.SUBMITTED)
    workflow.reject(
        hazard,
        by=users["leader"],
        reason="照片不清晰",
        rectify_by=timezone.localdate() + timedelta(days=3),
    )
    add_photo(hazard, by=users["officer"])
    workflow.submit_fix(hazard, by=users["officer"])
    hazard = workflow.accept(hazard, by=users["leader"])
    assert hazard.status == S.CLOSED
    assert hazard.reviewed_by == users["leader"]
    assert hazard.reject_count == 1
    actions = list(hazard.events.values_list("action", flat=True))
    assert actions == ["report", "verify", "submit_fix", "reject", "submit_fix", "accept"]


def test_close_on_spot_needs_fix_photo_and_general_severity(town):
    premises, users = town
    hazard = make(premises, users, S.REPORTED)
    with pytest.raises(WorkflowError):
        workflow.close_on_spot(hazard, by=users["officer"])
    add_photo(hazard, by=users["officer"])
    hazard = workflow.close_on_spot(hazard, by=users["officer"])
    assert (hazard.status, hazard.fixed_on_spot) == (S.CLOSED, True)
    assert list(hazard.events.values_list("action", flat=True)) == ["report", "accept"]
    major = make(premises, users, S.REPORTED, Severity.MAJOR)
    add_photo(major, by=users["officer"])
    with pytest.raises(WorkflowError):
        workflow.close_on_spot(major, by=users["officer"])


def test_extend_must_move_deadline_later(town):
    premises, users = town
    hazard = make(premises, users, S.RECTIFYING)
    with pytest.raises(WorkflowError):
        workflow.extend(hazard, by=users["leader"], rectify_by=hazard.rectify_by, reason="再等等")
    later = hazard.rectify_by + timedelta(days=5)
    hazard = workflow.extend(hazard, by=users["leader"], rectify_by=later, reason="等待配件")
    assert hazard.rectify_by == later
    assert "等待配件" in hazard.events.last().note


def test_system_escalation_raises_level_with_no_actor(town):
    premises, users = town
    hazard = make(premises, users, S.RECTIFYING)
    hazard = workflow.escalate(hazard, by=None, note="逾期7天")
    hazard = workflow.escalate(hazard, by=None, note="逾期14天")
    assert hazard.escalation_level == 2
    assert hazard.events.filter(action="escalate", actor=None).count() == 2


def test_recurrence_within_180_days_is_linked(town):
    premises, users = town
    item = ChecklistItemFactory(applies_to_all=True)
    first = workflow.report(
        premises,
        by=users["officer"],
        category=item.category,
        description="a",
        severity=Severity.GENERAL,
        checklist_item=item,
    )
    add_photo(first, by=users["officer"])
    workflow.close_on_spot(first, by=users["officer"])
    again = workflow.report(
        premises,
        by=users["officer"],
        category=item.category,
        description="b",
        severity=Severity.GENERAL,
        checklist_item=item,
    )
    assert again.recurrence_of == first
    other = HazardFactory(premises=premises, checklist_item=None)
    assert other.recurrence_of is None


def test_open_major_turns_premises_red_and_closing_restores(town):
    premises, users = town
    premises.business_type.base_risk = "blue"
    premises.business_type.save()
    hazard = make(premises, users, S.RECTIFYING, Severity.MAJOR)
    premises.refresh_from_db()
    assert premises.risk_level == "red"
    add_photo(hazard, by=users["officer"])
    workflow.submit_fix(hazard, by=users["officer"])
    workflow.accept(hazard, by=users["office"])
    premises.refresh_from_db()
    assert premises.risk_level == "blue"
