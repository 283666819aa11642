"""Writes that span models, other than hazard status changes (those live in workflow.py)."""

__all__ = ["next_number", "purge_stale_drafts", "refresh_premises_state"]

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F

from hazards.models import HazardPhoto, LedgerSequence
from premises.services import refresh_premises_state


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


DRAFT_LIFETIME = timedelta(days=7)


def purge_stale_drafts(*, now: datetime) -> int:
    """Delete draft photos nobody filed within a week (a form abandoned after an error, a filing
    the officer discarded): their files first, then the rows. Returns how many went."""
    stale = HazardPhoto.objects.filter(hazard__isnull=True, created_at__lt=now - DRAFT_LIFETIME)
    count = 0
    for photo in stale.iterator():
        photo.image.delete(save=False)
        photo.thumbnail.delete(save=False)
        HazardPhoto.objects.filter(pk=photo.pk, hazard__isnull=True).delete()
        count += 1
    return count
