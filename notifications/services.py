"""Creating notifications and their deliveries. Callers name their target by type and id and
pass ready-made text; nothing here knows hazards or premises."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from notifications.models import Delivery, Notification

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Item:
    label: str
    url: str = ""  # a path on this site; emails and group messages put SITE_URL in front


def queue_delivery(delivery_id: int) -> None:
    """Hand a delivery to Celery once the transaction commits. A broker that is down is logged,
    never raised: the page or sweep that made the delivery carries on, and the next sweep queues
    everything still unsent from the database."""

    def send() -> None:
        from notifications.tasks import deliver_task

        try:
            deliver_task.delay(delivery_id)
        except Exception:  # any broker failure must not reach the user
            log.exception("could not queue delivery %s; the next sweep will retry", delivery_id)

    transaction.on_commit(send)


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
    """Put one notification per recipient in their inbox; idempotent per (recipient, kind,
    target, day): a second call on the same day creates nothing. Returns how many rows it made."""
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


@transaction.atomic
def send_digest(
    recipient, *, kind: str, day: date, title: str, items: list[Item], link: str = ""
) -> Notification | None:
    """One digest per person per kind per day: into the inbox, and by email where the person has
    an address. Returns the new notification, or None when today's digest already exists."""
    notification, created = Notification.objects.get_or_create(
        recipient=recipient,
        kind=kind,
        target_type="digest",
        target_id=0,
        day=day,
        defaults={
            "title": title[:200],
            "link": link,
            "items": [{"label": i.label, "url": i.url} for i in items],
        },
    )
    if not created:
        return None
    if recipient.email:
        context = {
            "title": title,
            "items": items,
            "link": link,
            "recipient": recipient,
            "site_url": settings.SITE_URL,
        }
        _make_delivery(
            key=f"email:{notification.pk}",
            channel=Delivery.Channel.EMAIL,
            notification=notification,
            address=recipient.email,
            subject=title,
            text=render_to_string("notifications/email_digest.txt", context),
            html=render_to_string("notifications/email_digest.html", context),
        )
    return notification


def send_group_message(*, key: str, webhook_url: str, title: str, items: list[Item]) -> bool:
    """A markdown message to a group robot (WeCom), once per key. True when newly made."""
    lines = [
        f"- [{item.label}]({settings.SITE_URL}{item.url})" if item.url else f"- {item.label}"
        for item in items
    ]
    return _make_delivery(
        key=f"wecom:{key}",
        channel=Delivery.Channel.WECOM,
        address=webhook_url,
        subject=title,
        text="\n".join(lines),
    )


def _make_delivery(*, key: str, **fields) -> bool:
    delivery, created = Delivery.objects.get_or_create(key=key, defaults=fields)
    if created:
        queue_delivery(delivery.pk)
    return created
