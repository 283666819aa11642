"""Filing a whole visit at once: the inspection, its hazards, their photos and the notice.

One transaction for the database rows; photos were already processed and saved as drafts by the
form, so a crash here loses nothing the officer took.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hazards import handoffs, rights, workflow
from hazards.calendar import add_working_days
from hazards.models import Hazard, HazardPhoto, RectificationNotice
from hazards.services import next_number
from inspections.models import ChecklistItem, Inspection
from inspections.services import record_inspection
from premises.models import Premises

REVIEW_WORKING_DAYS = 3


@dataclass
class Finding:
    """One hazard as the officer described it on the form."""

    category: str
    description: str
    severity: str
    rectify_by: date
    checklist_item: ChecklistItem | None = None
    location: str = ""
    fixed_on_spot: bool = False
    photo_ids: list[int] = field(default_factory=list)
    fix_photo_ids: list[int] = field(default_factory=list)


@dataclass
class FilingResult:
    inspection: Inspection
    created: bool
    hazards: list[Hazard] = field(default_factory=list)
    notice: RectificationNotice | None = None


def _attach(photo_ids: list[int], hazard: Hazard, stage: str, *, by, key: uuid.UUID) -> None:
    HazardPhoto.objects.filter(
        pk__in=photo_ids, hazard__isnull=True, draft_key=key, uploaded_by=by
    ).update(hazard=hazard, stage=stage)


def _file_finding(finding: Finding, *, premises, inspection, by, key, at) -> Hazard:
    hazard = workflow.report(
        premises,
        by=by,
        inspection=inspection,
        checklist_item=finding.checklist_item,
        category=finding.category,
        description=finding.description,
        severity=finding.severity,
        rectify_by=finding.rectify_by,
        location=finding.location,
        at=at,
    )
    _attach(finding.photo_ids, hazard, HazardPhoto.Stage.FINDING, by=by, key=key)
    if finding.fixed_on_spot:
        _attach(finding.fix_photo_ids, hazard, HazardPhoto.Stage.RECTIFICATION, by=by, key=key)
        hazard = workflow.close_on_spot(hazard, by=by, note=_("Fixed on the spot"), at=at)
    else:
        handoffs.notify_reported(hazard, by=by, at=at)
    return hazard


def issue_notice(
    *, premises: Premises, inspection: Inspection, hazards: list[Hazard], by, at: datetime
) -> RectificationNotice:
    """整改通知书 ordering the open hazards of one visit."""
    issued_on = timezone.localdate(at)
    deadline = max(h.rectify_by for h in hazards)
    notice = RectificationNotice.objects.create(
        number=next_number("ZG", issued_on.year),
        premises=premises,
        inspection=inspection,
        issued_by=by,
        issued_on=issued_on,
        deadline=deadline,
        review_date=add_working_days(deadline, REVIEW_WORKING_DAYS),
        interim_measures=_(
            "Until each item is fixed, take interim safety measures and keep escape routes clear."
        ),
        consequence=_(
            "If the hazards are not rectified by the deadline, the authorities may order "
            "suspension of business and impose penalties according to law."
        ),
    )
    Hazard.objects.filter(pk__in=[h.pk for h in hazards]).update(notice=notice)
    return notice


@transaction.atomic
def file_inspection(
    premises: Premises,
    *,
    by,
    idempotency_key: uuid.UUID,
    findings: list[Finding],
    kind: str = Inspection.Kind.ROUTINE,
    notes: str = "",
    at: datetime | None = None,
) -> FilingResult:
    """Record the visit and every finding. Idempotent on the key: a retried POST files nothing
    new and returns what the first one filed."""
    at = at or timezone.now()
    workflow.require(rights.can_report(by, premises), _("You may not inspect this premises."))
    workflow.require(
        premises.status == Premises.Status.OPERATING,
        _("This premises is %(status)s; only operating premises can be inspected.")
        % {"status": premises.get_status_display()},
    )
    outcome = Inspection.Outcome.HAZARDS_FOUND if findings else Inspection.Outcome.NO_HAZARD
    inspection, created = record_inspection(
        premises,
        by=by,
        outcome=outcome,
        idempotency_key=idempotency_key,
        visited_at=at,
        kind=kind,
        notes=notes,
    )
    if not created:
        return FilingResult(inspection=inspection, created=False)
    hazards = [
        _file_finding(
            f, premises=premises, inspection=inspection, by=by, key=idempotency_key, at=at
        )
        for f in findings
    ]
    still_open = [h for h in hazards if h.is_open]
    notice = None
    if still_open:
        notice = issue_notice(
            premises=premises, inspection=inspection, hazards=still_open, by=by, at=at
        )
    return FilingResult(inspection=inspection, created=True, hazards=hazards, notice=notice)
