"""The rectification notice a visit may leave (整改通知书), ordering the hazards it found."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.base import TimeStamped
from config import inputs
from config.inputs import LimitedTextField
from premises.models import Premises


class RectificationNotice(TimeStamped):
    """整改通知书: one per premises and visit, ordering the hazards found."""

    number = models.CharField(_("notice number"), max_length=30, unique=True)
    premises = models.ForeignKey(
        Premises, on_delete=models.PROTECT, related_name="notices", verbose_name=_("premises")
    )
    # Named by label, not imported: inspections imports hazards (docs/architecture.md).
    inspection = models.ForeignKey(
        "inspections.Inspection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("inspection"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_on = models.DateField(_("issued on"))
    deadline = models.DateField(_("deadline"))
    interim_measures = LimitedTextField(_("interim measures"), blank=True, max_length=inputs.PLAN)
    review_date = models.DateField(_("review date"), null=True, blank=True)
    consequence = LimitedTextField(
        _("consequence of not complying"), blank=True, max_length=inputs.PLAN
    )
    signed_on = models.DateField(_("recipient signed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification notice")
        verbose_name_plural = _("rectification notices")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("issued_on")),
                name="hazards_notice_deadline_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return self.number
