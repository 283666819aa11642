"""The closed loop (docs/workflow.md). Every change of a hazard's status happens here and only here.

Each transition is one function: it locks the hazard row, checks the actor's right and the
current status, changes the hazard, writes exactly one HazardEvent and commits — or changes
nothing and raises WorkflowError with a message for the user.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from config.inputs import DEADLINE_AHEAD
from grids.models import Department
from hazards import handoffs
from hazards.models import Hazard, HazardEvent, HazardPhoto, Severity
from hazards.rights import can_manage, can_report, can_review, can_submit_fix
from hazards.services import next_number, refresh_premises_state
from premises.models import Premises

S = Hazard.Status
A = HazardEvent.Action
RECURRENCE_WINDOW_DAYS = 180
DEFAULT_DAYS = {Severity.GENERAL: 7, Severity.MAJOR: 30}
PLAN_FIELDS = (
    "plan_measures",
    "plan_funds",
    "plan_responsible",
    "plan_deadline",
    "interim_measures",
    "emergency_plan",
)


class WorkflowError(Exception):
    """A transition refused; str(error) is a translated message for the user."""


def require(condition: bool, message: str) -> None:
    if not condition:
        raise WorkflowError(message)


# --- the transitions ------------------------------------------------------------------------------


def _lock(hazard: Hazard) -> Hazard:
    return (
        Hazard.objects.select_for_update(of=("self",))
        .select_related("premises__grid")
        .get(pk=hazard.pk)
    )


def _record(hazard: Hazard, *, by, action: str, at: datetime, from_status: str, note: str = ""):
    HazardEvent.objects.create(
        hazard=hazard,
        actor=by,
        action=action,
        from_status=from_status,
        to_status=hazard.status,
        note=note,
        at=at,
    )


def _finish(hazard: Hazard, fields: list[str], at: datetime) -> Hazard:
    hazard.save(update_fields=[*fields, "updated_at"])
    refresh_premises_state(hazard.premises, today=timezone.localdate(at))
    return hazard


def _check_deadline(day: date, *, today: date) -> None:
    """From today to DEADLINE_AHEAD: the forms' bound, held for every caller (docs/inputs.md)."""
    require(day >= today, _("The deadline cannot be in the past."))
    latest = today + DEADLINE_AHEAD
    require(
        day <= latest,
        _("Enter a date on or before %(day)s.") % {"day": f"{latest:%Y-%m-%d}"},
    )


# A visit and a checklist item are inspections' models: passed in, typed as Model, never
# imported (inspections imports hazards; docs/architecture.md, Which app imports which).


def default_deadline(*, severity: str, checklist_item: Model | None, found_on: date) -> date:
    days = checklist_item.default_days if checklist_item else DEFAULT_DAYS[severity]
    return found_on + timedelta(days=days)


def _recurrence_of(premises: Premises, item: Model | None, at: datetime) -> Hazard | None:
    """死灰复燃: the same item at the same premises, closed within the last 180 days."""
    if item is None:
        return None
    return (
        Hazard.objects.filter(
            premises=premises,
            checklist_item=item,
            status=S.CLOSED,
            closed_at__gte=at - timedelta(days=RECURRENCE_WINDOW_DAYS),
            closed_at__lte=at,
        )
        .order_by("-closed_at")
        .first()
    )


@transaction.atomic
def report(
    premises: Premises,
    *,
    by,
    category: str,
    description: str,
    severity: str,
    inspection: Model | None = None,
    checklist_item: Model | None = None,
    rectify_by: date | None = None,
    location: str = "",
    requirement: str = "",
    at: datetime | None = None,
) -> Hazard:
    """File a hazard at a premises: status reported, ledger number assigned."""
    at = at or timezone.now()
    found_on = timezone.localdate(at)
    premises = (
        Premises.objects.select_for_update(of=("self",))
        .select_related("grid", "business_type")
        .get(pk=premises.pk)
    )
    require(can_report(by, premises), _("You may not report hazards at this premises."))
    require(
        premises.status == Premises.Status.OPERATING,
        _("This premises is %(status)s; hazards can only be filed at operating premises.")
        % {"status": premises.get_status_display()},
    )
    rectify_by = rectify_by or default_deadline(
        severity=severity, checklist_item=checklist_item, found_on=found_on
    )
    _check_deadline(rectify_by, today=found_on)
    hazard = Hazard.objects.create(
        ledger_number=next_number("YH", found_on.year),
        premises=premises,
        inspection=inspection,
        checklist_item=checklist_item,
        category=category,
        description=description,
        location=location,
        requirement=requirement,
        severity=severity,
        status=S.REPORTED,
        rectify_by=rectify_by,
        department=premises.business_type.department,
        recurrence_of=_recurrence_of(premises, checklist_item, at),
        reported_by=by,
        reported_at=at,
    )
    _record(hazard, by=by, action=A.REPORT, at=at, from_status="")
    refresh_premises_state(premises, today=found_on)
    return hazard


@transaction.atomic
def close_on_spot(hazard: Hazard, *, by, note: str = "", at: datetime | None = None) -> Hazard:
    """A general hazard fixed during the visit: closed at once, with a photo of the fix."""
    at = at or timezone.now()
    hazard = _lock(hazard)
    require(hazard.reported_by_id == by.pk, _("Only the person who found it can close it now."))
    require(hazard.status == S.REPORTED, _("This hazard is no longer newly reported."))
    require(hazard.severity == Severity.GENERAL, _("A major hazard cannot be closed on the spot."))
    require(
        hazard.photos.filter(stage=HazardPhoto.Stage.RECTIFICATION).exists(),
        _("Add a photo of the fix to close it on the spot."),
    )
    hazard.status, hazard.fixed_on_spot = S.CLOSED, True
    hazard.submitted_at = hazard.closed_at = at
    hazard.submitted_by = hazard.reviewed_by = by
    _record(hazard, by=by, action=A.ACCEPT, at=at, from_status=S.REPORTED, note=note)
    fields = ["status", "fixed_on_spot", "submitted_at", "closed_at", "submitted_by", "reviewed_by"]
    return _finish(hazard, fields, at)


def _missing_plan_fields(plan: dict) -> list[str]:
    return [field for field in PLAN_FIELDS if plan.get(field) in (None, "")]


@transaction.atomic
def verify(
    hazard: Hazard,
    *,
    by,
    severity: str | None = None,
    rectify_by: date | None = None,
    department: Department | None = None,
    plan: dict | None = None,
    note: str = "",
    severity_reason: str = "",
    at: datetime | None = None,
) -> Hazard:
    """Confirm a reported hazard: severity and deadline settled, rectification starts.

    A major hazard needs its whole treatment plan and notifies the safety office and the
    responsible department at once. A severity other than the one reported needs its reason,
    which the event keeps; a major hazard verified as general tells those the major one would
    have told (docs/workflow.md)."""
    at = at or timezone.now()
    hazard = _lock(hazard)
    require(can_manage(by, hazard), _("You may not verify this hazard."))
    require(hazard.status == S.REPORTED, _("Only a newly reported hazard can be verified."))
    reported_severity = hazard.severity
    hazard.severity = severity or hazard.severity
    if hazard.severity != reported_severity:
        require(bool(severity_reason.strip()), _("Give the reason for changing the severity."))
        note = _severity_note(reported_severity, hazard.severity, severity_reason, note)
    hazard.rectify_by = rectify_by or hazard.rectify_by
    hazard.department = department or hazard.department
    _check_deadline(hazard.rectify_by, today=timezone.localdate(at))
    plan = plan or {}
    if hazard.severity == Severity.MAJOR:
        missing = _missing_plan_fields(plan)
        require(
            not missing,
            _("A major hazard needs its whole treatment plan: %(fields)s.")
            % {"fields": ", ".join(str(Hazard._meta.get_field(f).verbose_name) for f in missing)},
        )
        if plan.get("plan_funds") is not None:
            require(Decimal(plan["plan_funds"]) >= 0, _("Funds cannot be negative."))
    for field in PLAN_FIELDS:
        if field in plan:
            setattr(hazard, field, plan[field])
    hazard.status, hazard.verified_at = S.RECTIFYING, at
    _record(hazard, by=by, action=A.VERIFY, at=at, from_status=S.REPORTED, note=note)
    fields = ["status", "verified_at", "severity", "rectify_by", "department", *PLAN_FIELDS]
    _finish(hazard, fields, at)
    if hazard.severity == Severity.MAJOR:
        handoffs.notify_major(hazard, by=by, at=at)
    elif reported_severity == Severity.MAJOR:
        handoffs.notify_downgraded(hazard, by=by, reason=severity_reason, at=at)
    return hazard


def _severity_note(old: str, new: str, reason: str, note: str) -> str:
    labels = dict(Severity.choices)
    change = _("Severity changed from %(old)s to %(new)s: %(reason)s") % {
        "old": labels[old],
        "new": labels[new],
        "reason": reason.strip(),
    }
    return f"{change}\n{note}" if note.strip() else change


@transaction.atomic
def dismiss(hazard: Hazard, *, by, reason: str, at: datetime | None = None) -> Hazard:
    at = at or timezone.now()
    hazard = _lock(hazard)
    require(can_manage(by, hazard), _("You may not dismiss this hazard."))
    require(hazard.status == S.REPORTED, _("Only a newly reported hazard can be dismissed."))
    require(bool(reason.strip()), _("Give the reason for dismissing it."))
    hazard.status, hazard.dismissed_at = S.DISMISSED, at
    _record(hazard, by=by, action=A.DISMISS, at=at, from_status=S.REPORTED, note=reason)
    return _finish(hazard, ["status", "dismissed_at"], at)


def _last_event_at(hazard: Hazard, action: str) -> datetime | None:
    event = hazard.events.filter(action=action).order_by("-at", "-pk").first()
    return event.at if event else None


@transaction.atomic
def submit_fix(hazard: Hazard, *, by, note: str = "", at: datetime | None = None) -> Hazard:
    """The operator has fixed it: needs a rectification photo taken since the last rejection."""
    at = at or timezone.now()
    hazard = _lock(hazard)
    require(can_submit_fix(by, hazard), _("You may not submit a fix for this hazard."))
    require(hazard.status == S.RECTIFYING, _("This hazard is not waiting for a fix."))
    photos = hazard.photos.filter(stage=HazardPhoto.Stage.RECTIFICATION)
    rejected_at = _last_event_at(hazard, A.REJECT)
    if rejected_at:
        photos = photos.filter(created_at__gt=rejected_at)
    require(photos.exists(), _("Add at least one photo of the fix."))
    hazard.status, hazard.submitted_at, hazard.submitted_by = S.SUBMITTED, at, by
    _record(hazard, by=by, action=A.SUBMIT_FIX, at=at, from_status=S.RECTIFYING, note=note)
    return _finish(hazard, ["status", "submitted_at", "submitted_by"], at)


def _check_review(hazard: Hazard, by) -> None:
    require(can_review(by, hazard), _("You may not review this hazard."))
    require(hazard.status == S.SUBMITTED, _("This hazard is not waiting for review."))
    require(
        hazard.submitted_by_id != by.pk,
        _("You submitted this fix; someone else must review it."),
    )


@transaction.atomic
def accept(hazard: Hazard, *, by, note: str = "", at: datetime | None = None) -> Hazard:
    """The review passes: the hazard is closed and struck off the ledger (销号)."""
    at = at or timezone.now()
    hazard = _lock(hazard)
    _check_review(hazard, by)
    hazard.status, hazard.closed_at, hazard.reviewed_by = S.CLOSED, at, by
    _record(hazard, by=by, action=A.ACCEPT, at=at, from_status=S.SUBMITTED, note=note)
    _finish(hazard, ["status", "closed_at", "reviewed_by"], at)
    handoffs.notify_closed(hazard, by=by, at=at)
    return hazard


@transaction.atomic
def reject(
    hazard: Hazard,
    *,
    by,
    reason: str,
    rectify_by: date | None = None,
    at: datetime | None = None,
) -> Hazard:
    """The review fails: back to rectifying, optionally with a new deadline."""
    at = at or timezone.now()
    hazard = _lock(hazard)
    _check_review(hazard, by)
    require(bool(reason.strip()), _("Give the reason for rejecting the fix."))
    if rectify_by is not None:
        _check_deadline(rectify_by, today=timezone.localdate(at))
        hazard.rectify_by = rectify_by
    hazard.status, hazard.reviewed_by = S.RECTIFYING, by
    hazard.reject_count += 1
    _record(hazard, by=by, action=A.REJECT, at=at, from_status=S.SUBMITTED, note=reason)
    _finish(hazard, ["status", "reviewed_by", "reject_count", "rectify_by"], at)
    handoffs.notify_sent_back(hazard, by=by, reason=reason, at=at)
    return hazard


@transaction.atomic
def extend(
    hazard: Hazard, *, by, rectify_by: date, reason: str, at: datetime | None = None
) -> Hazard:
    at = at or timezone.now()
    hazard = _lock(hazard)
    require(can_manage(by, hazard), _("You may not extend this deadline."))
    require(
        hazard.status in (S.REPORTED, S.RECTIFYING),
        _("Only a hazard being rectified can have its deadline extended."),
    )
    require(bool(reason.strip()), _("Give the reason for the extension."))
    require(rectify_by > hazard.rectify_by, _("The new deadline must be later than the old one."))
    _check_deadline(rectify_by, today=timezone.localdate(at))
    note = f"{hazard.rectify_by:%Y-%m-%d} → {rectify_by:%Y-%m-%d}: {reason}"
    hazard.rectify_by = rectify_by
    _record(hazard, by=by, action=A.EXTEND, at=at, from_status=hazard.status, note=note)
    _finish(hazard, ["rectify_by"], at)
    handoffs.notify_extended(hazard, by=by, note=note, at=at)
    return hazard


@transaction.atomic
def escalate(
    hazard: Hazard,
    *,
    by=None,
    department: Department | None = None,
    note: str = "",
    at: datetime | None = None,
    level: int | None = None,
) -> Hazard:
    """Hand over to a department / joint enforcement; by=None is the reminder sweep.

    With `level`, climb only to that rung: when another sweep got there first (seen under the
    row lock), nothing changes and no event is written."""
    at = at or timezone.now()
    hazard = _lock(hazard)
    if level is not None and hazard.escalation_level >= level:
        return hazard
    require(by is None or can_manage(by, hazard), _("You may not escalate this hazard."))
    require(hazard.is_open, _("Only an open hazard can be escalated."))
    hazard.department = department or hazard.department
    # A person names the department; the reminder sweep may climb without one (the office hears).
    require(by is None or hazard.department is not None, _("Name the department it is handed to."))
    hazard.escalation_level += 1
    hazard.escalated_at = at
    _record(hazard, by=by, action=A.ESCALATE, at=at, from_status=hazard.status, note=note)
    _finish(hazard, ["department", "escalation_level", "escalated_at"], at)
    if by is not None:  # a person hands it over; the sweep's climb is told by the reminders
        handoffs.notify_assigned(hazard, by=by, note=note, at=at)
    return hazard
