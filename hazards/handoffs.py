"""What the closed loop tells people when a step hands work on (docs/workflow.md, Who hears of
what): the notifications a step sends, after it has changed the hazard. Each links to the
hazard's page, where its recipient acts; nobody is told of their own step."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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


K = Notification.Kind

# What each notification says, of a hazard's ledger number and premises.
TITLES = {
    K.REPORTED: _("Hazard %(number)s at %(premises)s is waiting for you to verify it"),
    K.MAJOR_HAZARD: _("Major hazard %(number)s at %(premises)s"),
    K.DOWNGRADED: _("Hazard %(number)s at %(premises)s, reported as major, verified as general"),
    K.ASSIGNED: _("Hazard %(number)s at %(premises)s is handed to your department"),
    K.SENT_BACK: _("The fix of hazard %(number)s at %(premises)s was sent back"),
    K.CLOSED: _("Hazard %(number)s at %(premises)s is closed"),
    K.EXTENDED: _("The deadline of hazard %(number)s at %(premises)s is extended"),
}


def _tell(kind: str, recipients, hazard: Hazard, *, by, at: datetime, body: str = "") -> None:
    title = TITLES[kind] % {"number": hazard.ledger_number, "premises": hazard.premises.name}
    notify(
        [user for user in recipients if by is None or user.pk != by.pk],
        kind=kind,
        day=timezone.localdate(at),
        title=title,
        body=body.strip(),
        target_type="hazard",
        target_id=hazard.pk,
        link=reverse("hazards:hazard_detail", args=[hazard.pk]),
    )


def notify_reported(hazard: Hazard, *, by, at: datetime) -> None:
    _tell(K.REPORTED, _leaders(hazard), hazard, by=by, at=at)


def notify_major(hazard: Hazard, *, by, at: datetime) -> None:
    _tell(K.MAJOR_HAZARD, _major_audience(hazard), hazard, by=by, at=at)


def notify_downgraded(hazard: Hazard, *, by, reason: str, at: datetime) -> None:
    _tell(K.DOWNGRADED, _major_audience(hazard), hazard, by=by, at=at, body=reason)


def notify_assigned(hazard: Hazard, *, by, note: str, at: datetime) -> None:
    _tell(K.ASSIGNED, _department(hazard), hazard, by=by, at=at, body=note)


def notify_sent_back(hazard: Hazard, *, by, reason: str, at: datetime) -> None:
    fixer = [hazard.submitted_by] if hazard.submitted_by else []
    _tell(K.SENT_BACK, [*_grid_officers(hazard), *fixer], hazard, by=by, at=at, body=reason)


def notify_closed(hazard: Hazard, *, by, at: datetime) -> None:
    _tell(K.CLOSED, [hazard.reported_by], hazard, by=by, at=at)


def notify_extended(hazard: Hazard, *, by, note: str, at: datetime) -> None:
    _tell(K.EXTENDED, _grid_officers(hazard), hazard, by=by, at=at, body=note)
