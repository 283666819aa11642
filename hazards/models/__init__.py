"""The hazards app's models, by what they record (docs/architecture.md). Everything is
importable from `hazards.models`, as Django and the migrations expect."""

from hazards.models.checklist import Category, ChecklistItem, ChecklistItemQuerySet, Severity
from hazards.models.enforcement import Accident, EnforcementAction
from hazards.models.hazard import (
    OPEN_GROUPED_BY,
    OPEN_STATUSES,
    Hazard,
    HazardQuerySet,
    LedgerSequence,
    is_overdue,
)
from hazards.models.trail import AppendOnlyError, HazardEvent, HazardPhoto, photo_path
from hazards.models.visits import Inspection, RectificationNotice

__all__ = [
    "OPEN_GROUPED_BY",
    "OPEN_STATUSES",
    "Accident",
    "AppendOnlyError",
    "Category",
    "ChecklistItem",
    "ChecklistItemQuerySet",
    "EnforcementAction",
    "Hazard",
    "HazardEvent",
    "HazardPhoto",
    "HazardQuerySet",
    "Inspection",
    "LedgerSequence",
    "RectificationNotice",
    "Severity",
    "is_overdue",
    "photo_path",
]
