"""Sending a Delivery once.

A worker claims the row with a compare-and-set (pending → sending) before it talks to the
outside world, so two workers, a retried task and a re-run sweep never send the same message
twice. A claim whose worker died (killed mid-send) goes stale after CLAIM_TIMEOUT and may be
taken again, so nothing is skipped either.

One window cannot be closed: a worker killed after the channel accepted the message and before
`record_sent` wrote it down leaves a claim that looks like one that died before sending, so the
message goes again. For email the copy is harmless: every attempt carries the delivery's own
Message-ID (`Delivery.message_id`), and mail systems keep one message per id. A WeCom webhook
takes no id, so a group may see that message twice; it is sent again all the same (a day's
reminder repeated rather than lost, README "Reminders"), and the attempt is logged as retaken.
"""

import logging
from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from notifications.channels import SENDERS, ChannelError
from notifications.models import Delivery

log = logging.getLogger(__name__)
CLAIM_TIMEOUT = timedelta(minutes=10)
MAX_ATTEMPTS = 6
S = Delivery.Status


class DeliveryFailed(Exception):
    """Raised to make Celery retry with backoff."""


def claimable(now) -> Q:
    return Q(status=S.PENDING) | Q(status=S.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)


def claim(pk: int, *, now) -> Delivery | None:
    """Take the delivery for this worker, or None if it is sent or another worker holds it."""
    taken = Delivery.objects.filter(claimable(now), pk=pk).update(
        status=S.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return Delivery.objects.get(pk=pk) if taken else None


def _log(
    delivery: Delivery, *, now, error: ChannelError | None = None, retaken: bool = False
) -> list:
    entry = {"at": now.isoformat(), "ok": error is None}
    if error is not None:
        # The channel's own words, the HTTP status and WeCom's errcode; never a remote's body.
        entry["error"] = str(error)[:500]
        if error.status is not None:
            entry["status"] = error.status
        if error.errcode is not None:
            entry["errcode"] = error.errcode
    if retaken:
        entry["retaken"] = True  # an earlier attempt stopped without a result: maybe a repeat
    return [*delivery.log, entry]


def deliver(pk: int) -> bool:
    """Send one delivery if it is still due; True when this call sent it."""
    now = timezone.now()
    delivery = claim(pk, now=now)
    if delivery is None:
        return False
    # Every attempt that finishes logs one entry; one missing means a worker died mid-send.
    retaken = delivery.attempts > len(delivery.log) + 1
    if retaken:
        log.warning("delivery %s: retaking the claim of a worker that stopped", delivery.key)
    try:
        SENDERS[delivery.channel](
            address=delivery.address,
            subject=delivery.subject,
            text=delivery.text,
            html=delivery.html,
            message_id=delivery.message_id,
        )
    except ChannelError as error:
        final = error.permanent or delivery.attempts >= MAX_ATTEMPTS
        Delivery.objects.filter(pk=pk, status=S.SENDING).update(
            status=S.FAILED if final else S.PENDING,
            log=_log(delivery, now=now, error=error, retaken=retaken),
        )
        log.warning("delivery %s attempt %s failed: %s", delivery.key, delivery.attempts, error)
        if not final:
            raise DeliveryFailed(str(error)) from error
        return False
    record_sent(delivery, now=now, retaken=retaken)
    return True


def record_sent(delivery: Delivery, *, now, retaken: bool = False) -> None:
    """The one write after the channel accepted the message; a worker killed before it is the
    window the module docstring describes."""
    Delivery.objects.filter(pk=delivery.pk).update(
        status=S.SENT, sent_at=timezone.now(), log=_log(delivery, now=now, retaken=retaken)
    )


def unsent(*, now, older_than: timedelta = timedelta(minutes=2)):
    """Deliveries the sweep should queue again: pending for a while, or stale claims."""
    return Delivery.objects.filter(claimable(now), created_at__lt=now - older_than)
