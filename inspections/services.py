"""Recording a visit: the inspection row and the premises' last visit, colour and patrol date."""

import uuid
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from inspections.models import Inspection
from premises.models import Premises
from premises.services import refresh_premises_state


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
