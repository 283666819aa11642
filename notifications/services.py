"""Creating notifications. Callers name their target by type and id; nothing here knows hazards."""

from collections.abc import Iterable
from datetime import date

from notifications.models import Notification


def notify(
    recipients: Iterable,
    *,
    kind: str,
    day: date,
    title: str,
    target_type: str = "",
    target_id: int = 0,
    body: str = "",
    link: str = "",
) -> int:
    """Put one notification per recipient in their inbox; idempotent per (recipient, kind, target,
    day): a second call on the same day creates nothing. Returns how many rows exist for it now."""
    rows = [
        Notification(
            recipient=recipient,
            kind=kind,
            target_type=target_type,
            target_id=target_id,
            day=day,
            title=title[:200],
            body=body,
            link=link,
        )
        for recipient in {r.pk: r for r in recipients}.values()
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
