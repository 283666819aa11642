"""What the closed loop tells people when a step hands work on (docs/workflow.md, Who hears of
what): the notifications a step sends, after it has changed the hazard. Each links to the
hazard's page, where its recipient acts; nobody is told of their own step."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from hazards.models import Hazard
from notifications.models import Notification
from notifications.services import notify


def _active_users():
    from accounts.models import User

    return User.objects.filter(is_active=True)


def _major_audience(hazard: Hazard):
    """Who hears of a major hazard: the safety office and the responsible department."""
    users = _active_users()
    recipients = users.filter(groups__name=Role.SAFETY_OFFICE)
    if hazard.department_id:
        recipients = recipients | users.filter(departments=hazard.department_id)
    return recipients.distinct()


def _department(hazard: Hazard):
    return _active_users().filter(departments=hazard.department_id)


def _leaders(hazard: Hazard):
    """The leaders of the hazard's village: they verify and review its general hazards."""
    return _active_users().filter(led_villages=hazard.premises.grid.village_id)


def _grid_officers(hazard: Hazard):
    """The officers of the hazard's grid: they follow it until it is fixed."""
    return _active_users().filter(patrolled_grids=hazard.grid_id)


def _tell(recipients, hazard: Hazard, *, kind: str, by, at: datetime, title: str, body=""):
    notify(
        [user for user in recipients if by is None or user.pk != by.pk],
        kind=kind,
        day=timezone.localdate(at),
        title=title % {"number": hazard.ledger_number, "premises": hazard.premises.name},
        body=body.strip(),
        target_type="hazard",
        target_id=hazard.pk,
        link=reverse("hazards:hazard_detail", args=[hazard.pk]),
    )


def notify_reported(hazard: Hazard, *, by, at: datetime) -> None:
    _tell(
        _leaders(hazard),
        hazard,
        kind=Notification.Kind.REPORTED,
        by=by,
        at=at,
        title=_("Hazard %(number)s at %(premises)s is waiting for you to verify it"),
    )


def notify_major(hazard: Hazard, *, by, at: datetime) -> None:
    _tell(
        _major_audience(hazard),
        hazard,
        kind=Notification.Kind.MAJOR_HAZARD,
        by=by,
        at=at,
        title=_("Major hazard %(number)s at %(premises)s"),
    )


def notify_downgraded(hazard: Hazard, *, by, reason: str, at: datetime) -> None:
    _tell(
        _major_audience(hazard),
        hazard,
        kind=Notification.Kind.DOWNGRADED,
        by=by,
        at=at,
        title=_("Hazard %(number)s at %(premises)s, reported as major, verified as general"),
        body=reason,
    )


def notify_assigned(hazard: Hazard, *, by, note: str, at: datetime) -> None:
    _tell(
        _department(hazard),
        hazard,
        kind=Notification.Kind.ASSIGNED,
        by=by,
        at=at,
        title=_("Hazard %(number)s at %(premises)s is handed to your department"),
        body=note,
    )


def notify_sent_back(hazard: Hazard, *, by, reason: str, at: datetime) -> None:
    officers = [*_grid_officers(hazard), *([hazard.submitted_by] if hazard.submitted_by else [])]
    _tell(
        officers,
        hazard,
        kind=Notification.Kind.SENT_BACK,
        by=by,
        at=at,
        title=_("The fix of hazard %(number)s at %(premises)s was sent back"),
        body=reason,
    )


def notify_closed(hazard: Hazard, *, by, at: datetime) -> None:
    _tell(
        [hazard.reported_by],
        hazard,
        kind=Notification.Kind.CLOSED,
        by=by,
        at=at,
        title=_("Hazard %(number)s at %(premises)s is closed"),
    )


def notify_extended(hazard: Hazard, *, by, note: str, at: datetime) -> None:
    _tell(
        _grid_officers(hazard),
        hazard,
        kind=Notification.Kind.EXTENDED,
        by=by,
        at=at,
        title=_("The deadline of hazard %(number)s at %(premises)s is extended"),
        body=note,
    )
