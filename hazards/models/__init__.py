"""The hazards app's models, by what they record (docs/architecture.md). Everything is
importable from `hazards.models`, as Django and the migrations expect."""

from hazards.models.hazard import (
    OPEN_GROUPED_BY,
    OPEN_STATUSES,
    Category,
    Hazard,
    HazardQuerySet,
    LedgerSequence,
    Severity,
    is_overdue,
)
from hazards.models.notice import RectificationNotice
from hazards.models.trail import AppendOnlyError, HazardEvent, HazardPhoto, photo_path

__all__ = [
    "OPEN_GROUPED_BY",
    "OPEN_STATUSES",
    "AppendOnlyError",
    "Category",
    "Hazard",
    "HazardEvent",
    "HazardPhoto",
    "HazardQuerySet",
    "LedgerSequence",
    "RectificationNotice",
    "Severity",
    "is_overdue",
    "photo_path",
]
