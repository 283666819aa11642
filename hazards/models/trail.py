"""What a hazard keeps of its way through the loop: its photos and its append-only events."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.base import TimeStamped
from config import inputs
from config.inputs import LimitedTextField
from hazards.models.hazard import Hazard


def photo_path(instance: "HazardPhoto", filename: str) -> str:
    # The caller gives a random name; the folder spreads files over months.
    return f"hazards/{filename[:2]}/{filename}"


class HazardPhoto(TimeStamped):
    class Stage(models.TextChoices):
        FINDING = "finding", _("Finding")
        RECTIFICATION = "rectification", _("Rectification")
        REVIEW = "review", _("Review")

    hazard = models.ForeignKey(
        Hazard,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("hazard"),
    )
    # A photo uploaded with a form that came back with errors is kept as a draft, named by the
    # form's idempotency key and field, so the officer never has to take it again.
    draft_key = models.UUIDField(_("draft key"), null=True, blank=True)
    draft_field = models.CharField(_("draft field"), max_length=60, blank=True)
    stage = models.CharField(_("stage"), max_length=14, choices=Stage.choices)
    image = models.ImageField(_("image"), upload_to=photo_path)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=photo_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        verbose_name = _("hazard photo")
        verbose_name_plural = _("hazard photos")
        ordering = ["hazard", "stage", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hazard__isnull=False) | Q(draft_key__isnull=False),
                name="hazards_hazardphoto_attached_or_draft",
            ),
        ]
        indexes = [
            # Re-showing a form's kept photos; clearing old drafts.
            models.Index(
                fields=["draft_key"],
                name="hazards_photo_draft",
                condition=Q(hazard__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hazard} {self.get_stage_display()}"


class AppendOnlyError(Exception):
    pass


class HazardEvent(models.Model):
    """The audit trail of a hazard. Append-only: rows are never changed or deleted."""

    class Action(models.TextChoices):
        REPORT = "report", _("Reported")
        VERIFY = "verify", _("Verified")
        DISMISS = "dismiss", _("Dismissed")
        SUBMIT_FIX = "submit_fix", _("Fix submitted")
        ACCEPT = "accept", _("Accepted and closed")
        REJECT = "reject", _("Fix rejected")
        EXTEND = "extend", _("Deadline extended")
        ESCALATE = "escalate", _("Escalated")
        ENFORCE = "enforce", _("Enforcement action")

    hazard = models.ForeignKey(
        Hazard, on_delete=models.PROTECT, related_name="events", verbose_name=_("hazard")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty when the system acted (the reminder sweep)."),
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    from_status = models.CharField(
        _("from status"), max_length=10, choices=Hazard.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("to status"), max_length=10, choices=Hazard.Status.choices, blank=True
    )
    # A step's note and, for a change of severity, its reason.
    note = LimitedTextField(_("note"), blank=True, max_length=inputs.PLAN)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("hazard event")
        verbose_name_plural = _("hazard events")
        ordering = ["at", "pk"]
        indexes = [
            # Timeline on the hazard page.
            models.Index(fields=["hazard", "at"], name="hazards_event_hazard_at"),
        ]

    def __str__(self) -> str:
        return f"{self.hazard} {self.get_action_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Hazard events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Hazard events are append-only.")
