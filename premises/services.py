"""Writes on premises that other apps and the registry share."""

from datetime import date

from django.utils import timezone

from premises.models import Premises
from premises.risk import compute_risk, patrol_due_on


def refresh_premises_state(premises: Premises, *, today: date) -> Premises:
    """Recompute the risk colour and next patrol date (DESIGN.md §6) and save what changed."""
    # Through the reverse relation: premises must not import the hazards app (DESIGN.md §2).
    hazards = premises.hazards.open()
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
