"""Writes that span models, other than hazard status changes (those live in workflow.py)."""

import uuid
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from hazards.models import Hazard, Inspection, LedgerSequence
from premises.models import Premises
from premises.risk import compute_risk, patrol_due_on


def next_number(prefix: str, year: int) -> str:
    """The next number of a yearly series, e.g. YH-2026-000123. Call inside a transaction: the
    sequence row stays locked until commit, so two callers never get the same number."""
    try:
        with transaction.atomic():
            LedgerSequence.objects.get_or_create(prefix=prefix, year=year)
    except IntegrityError:
        pass  # another transaction created the row first; the update below waits for it
    LedgerSequence.objects.filter(prefix=prefix, year=year).update(last=F("last") + 1)
    last = LedgerSequence.objects.values_list("last", flat=True).get(prefix=prefix, year=year)
    return f"{prefix}-{year}-{last:06d}"


def refresh_premises_state(premises: Premises, *, today: date) -> Premises:
    """Recompute the risk colour and next patrol date (DESIGN.md §6) and save what changed."""
    hazards = Hazard.objects.filter(premises=premises).open()
    risk = compute_risk(
        base=premises.business_type.base_risk,
        raising_tags=set(premises.tags.filter(raises_risk=True).values_list("code", flat=True)),
        over_size_limit=premises.over_size_limit,
        has_overdue_hazard=hazards.filter(rectify_by__lt=today).exists(),
        has_open_major_hazard=hazards.major().exists(),
    )
    last_visit = (
        timezone.localdate(premises.last_inspected_at) if premises.last_inspected_at else None
    )
    due = patrol_due_on(last_visit, risk, premises.grid.patrol_interval_days)
    changed = []
    if risk != premises.risk_level:
        premises.risk_level, changed = risk, [*changed, "risk_level"]
    if due != premises.patrol_due_on:
        premises.patrol_due_on, changed = due, [*changed, "patrol_due_on"]
    if changed:
        # update() rather than save(): these derived fields are not registry edits, so they
        # stay out of the premises' change history.
        Premises.objects.filter(pk=premises.pk).update(**{f: getattr(premises, f) for f in changed})
    return premises


@transaction.atomic
def record_inspection(
    premises: Premises,
    *,
    by,
    outcome: str,
    idempotency_key: uuid.UUID,
    visited_at: datetime | None = None,
    kind: str = Inspection.Kind.ROUTINE,
    notes: str = "",
) -> tuple[Inspection, bool]:
    """Record a visit; returns (inspection, created). Idempotent on the key: a retried POST
    returns the inspection made the first time and changes nothing."""
    existing = Inspection.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing, False
    visited_at = visited_at or timezone.now()
    try:
        with transaction.atomic():
            inspection = Inspection.objects.create(
                premises=premises,
                inspector=by,
                visited_at=visited_at,
                kind=kind,
                outcome=outcome,
                notes=notes,
                idempotency_key=idempotency_key,
            )
    except IntegrityError:
        # The same form posted twice at once: the other request won; return its inspection.
        return Inspection.objects.get(idempotency_key=idempotency_key), False
    if premises.last_inspected_at is None or visited_at > premises.last_inspected_at:
        premises.last_inspected_at = visited_at
        Premises.objects.filter(pk=premises.pk).update(last_inspected_at=visited_at)
    refresh_premises_state(premises, today=timezone.localdate(visited_at))
    return inspection, True
