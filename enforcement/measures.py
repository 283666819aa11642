"""Enforcement actions (执法措施): 约谈, 罚款, 停产停业, 查封扣押, 媒体曝光.

Suspension and sealing close the premises (status suspended) while they are in force; lifting
the last one still in force reopens it. Each write is one transaction that locks the premises
row, so two officers recording or lifting at once never leave the status wrong, and writes a
HazardEvent ("enforce") when the action is tied to a hazard.
"""

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.models import EnforcementAction
from grids.models import Department
from hazards.models import Hazard, HazardEvent
from hazards.rights import is_department_of, is_office, member_ids
from hazards.workflow import require
from premises.models import Premises

Kind = EnforcementAction.Kind
# Measures that stop the business while they are in force.
STOPPING = (Kind.SUSPEND, Kind.SEAL)


def can_enforce(user, hazard: Hazard) -> bool:
    """Department officers of the hazard's department, and the safety office."""
    return is_office(user) or is_department_of(user, hazard)


def departments_for(user, hazard: Hazard):
    """The departments this user may record a measure for on this hazard."""
    if is_office(user):
        return Department.objects.all()
    return Department.objects.filter(pk__in=member_ids(user, "departments"))


def _lock_premises(premises_id: int) -> Premises:
    return Premises.objects.select_for_update(of=("self",)).get(pk=premises_id)


def _event(hazard: Hazard, *, by, note: str, at: datetime) -> None:
    HazardEvent.objects.create(
        hazard=hazard,
        actor=by,
        action=HazardEvent.Action.ENFORCE,
        from_status=hazard.status,
        to_status=hazard.status,
        note=note,
        at=at,
    )


def _set_status(premises: Premises, status: str, *, by) -> None:
    if premises.status != status:
        premises.status = status
        premises._history_user = by  # named even without a request (a script, a task)
        # save(), not update(): a change of status is a registry fact and belongs in its history.
        premises.save(update_fields=["status", "updated_at"])


@transaction.atomic
def record_action(
    hazard: Hazard,
    *,
    by,
    kind: str,
    department: Department,
    decided_on: date,
    fine_amount: Decimal | None = None,
    note: str = "",
    at: datetime | None = None,
) -> EnforcementAction:
    """Record a measure taken over a hazard; a suspension or seal suspends the premises."""
    at = at or timezone.now()
    premises = _lock_premises(hazard.premises_id)
    hazard = Hazard.objects.select_for_update(of=("self",)).get(pk=hazard.pk)
    require(can_enforce(by, hazard), _("You may not record enforcement on this hazard."))
    require(
        is_office(by) or department.pk in member_ids(by, "departments"),
        _("You may record measures only for your own department."),
    )
    require(decided_on <= timezone.localdate(at), _("The date cannot be in the future."))
    require(kind in Kind.values, _("Unknown enforcement measure."))
    if kind == Kind.FINE:
        require(fine_amount is not None and fine_amount > 0, _("Enter the amount of the fine."))
    else:
        fine_amount = None
    action = EnforcementAction.objects.create(
        hazard=hazard,
        premises=premises,
        kind=kind,
        department=department,
        decided_on=decided_on,
        fine_amount=fine_amount,
        note=note,
        recorded_by=by,
    )
    if kind in STOPPING and premises.status == Premises.Status.OPERATING:
        _set_status(premises, Premises.Status.SUSPENDED, by=by)
    summary = f"{action.get_kind_display()} · {department.name}"
    _event(hazard, by=by, note=f"{summary}: {note}" if note else summary, at=at)
    return action


@transaction.atomic
def lift_action(
    action: EnforcementAction,
    *,
    by,
    lifted_on: date,
    note: str = "",
    at: datetime | None = None,
) -> EnforcementAction:
    """Lift a suspension or seal; the premises reopens when no other one is still in force."""
    at = at or timezone.now()
    premises = _lock_premises(action.premises_id)
    action = EnforcementAction.objects.select_for_update(of=("self",)).get(pk=action.pk)
    hazard = action.hazard
    require(
        is_office(by) or (hazard is not None and can_enforce(by, hazard)),
        _("You may not lift this measure."),
    )
    require(action.kind in STOPPING, _("Only a suspension or a seal can be lifted."))
    require(action.lifted_on is None, _("This measure was already lifted."))
    require(lifted_on >= action.decided_on, _("It cannot be lifted before it was decided."))
    require(lifted_on <= timezone.localdate(at), _("The date cannot be in the future."))
    action.lifted_on = lifted_on
    action.save(update_fields=["lifted_on", "updated_at"])
    still_in_force = EnforcementAction.objects.filter(
        premises=premises, kind__in=STOPPING, lifted_on__isnull=True
    ).exists()
    if premises.status == Premises.Status.SUSPENDED and not still_in_force:
        _set_status(premises, Premises.Status.OPERATING, by=by)
    if hazard is not None:
        summary = _("Lifted: %(kind)s") % {"kind": action.get_kind_display()}
        _event(hazard, by=by, note=f"{summary}: {note}" if note else summary, at=at)
    return action
