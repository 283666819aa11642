"""What the closed loop tells people when a step hands work on (docs/workflow.md): the
notifications a step sends, after it has changed the hazard."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from hazards.models import Hazard
from notifications.models import Notification
from notifications.services import notify


def _major_audience(hazard: Hazard):
    """Who hears of a major hazard: the safety office and the responsible department."""
    from accounts.models import User

    recipients = User.objects.filter(is_active=True, groups__name=Role.SAFETY_OFFICE)
    if hazard.department_id:
        recipients = recipients | User.objects.filter(
            is_active=True, departments=hazard.department_id
        )
    return recipients.distinct()


def notify_major(hazard: Hazard, *, at: datetime) -> None:
    notify(
        _major_audience(hazard),
        kind=Notification.Kind.MAJOR_HAZARD,
        day=timezone.localdate(at),
        title=_("Major hazard %(number)s at %(premises)s")
        % {"number": hazard.ledger_number, "premises": hazard.premises.name},
        target_type="hazard",
        target_id=hazard.pk,
    )


def notify_downgraded(hazard: Hazard, *, reason: str, at: datetime) -> None:
    notify(
        _major_audience(hazard),
        kind=Notification.Kind.DOWNGRADED,
        day=timezone.localdate(at),
        title=_("Hazard %(number)s at %(premises)s, reported as major, verified as general")
        % {"number": hazard.ledger_number, "premises": hazard.premises.name},
        body=reason.strip(),
        target_type="hazard",
        target_id=hazard.pk,
    )
