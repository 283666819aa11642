import hashlib
from datetime import UTC
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message for one person about one thing on one day.

    Unique per (recipient, kind, target, day): a reminder sweep run twice creates nothing new.
    The target is named by type and id so this app needs nothing from the apps that call it.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Deadline approaching")
        OVERDUE = "overdue", _("Overdue")
        ESCALATED = "escalated", _("Escalated")
        REVIEW_OVERDUE = "review_overdue", _("Review overdue")
        PATROL_DUE = "patrol_due", _("Patrol due")
        COMMITMENT_MISSING = "commitment_missing", _("Commitment letter missing")
        INSURANCE_EXPIRING = "insurance_expiring", _("Insurance expiring")
        MAJOR_HAZARD = "major_hazard", _("Major hazard verified")
        DOWNGRADED = "downgraded", _("Major hazard verified as general")
        ASSIGNED = "assigned", _("Handed to your department")
        REPORTED = "reported", _("Hazard to verify")
        SENT_BACK = "sent_back", _("Fix sent back")
        CLOSED = "closed", _("Hazard closed")
        EXTENDED = "extended", _("Deadline extended")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    target_type = models.CharField(_("target type"), max_length=20, blank=True)
    target_id = models.BigIntegerField(_("target id"), default=0)  # 0: a digest, no single target
    day = models.DateField(_("day"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=200, blank=True)
    # A digest lists its items: [{"label": "...", "url": "/hazards/12/"}, ...]
    items = models.JSONField(_("items"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "target_type", "target_id", "day"],
                name="notifications_notification_once_per_day",
            ),
        ]
        indexes = [
            # Unread count in the navigation bar on every page.
            models.Index(
                fields=["recipient"],
                name="notifications_unread",
                condition=Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One message to send over one channel, sent once.

    `key` names the message (e.g. "email:<notification id>", "wecom:<village>:<kind>:<day>"), so
    making the same delivery twice is a no-op. A worker claims the row with a compare-and-set
    before sending; a claim left by a worker that died is taken over once it is stale, and if
    that worker died after the message was accepted, it goes again: for email under the same
    Message-ID (notifications/delivery.py).
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        WECOM = "wecom", _("WeCom group")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.CharField(_("key"), max_length=120, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("notification"),
    )
    address = models.CharField(_("address"), max_length=500)
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    log = models.JSONField(_("attempt log"), default=list, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="notifications_delivery_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(claimed_at__isnull=False),
                name="notifications_delivery_sending_is_claimed",
            ),
        ]
        indexes = [
            # The sweep's catch-up: deliveries not yet sent, oldest first.
            models.Index(
                fields=["created_at"],
                name="notifications_delivery_unsent",
                condition=Q(status__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def message_id(self) -> str:
        """The email's Message-ID: the same on every attempt, so a copy sent again (a worker
        killed after the SMTP server accepted it, before the row was marked sent) is the same
        message to the mailbox, which keeps one. The key and creation time are hashed in, so a
        database started afresh under the same SITE_URL never reuses an id for a new message."""
        created = self.created_at.astimezone(UTC).isoformat()
        digest = hashlib.sha256(f"{self.key}|{created}".encode()).hexdigest()[:16]
        domain = urlsplit(settings.SITE_URL).hostname or "localhost"
        return f"<delivery.{self.pk}.{digest}@{domain}>"
