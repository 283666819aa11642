"""Enforcement actions (执法措施) on a premises, usually for one of its hazards.

The table keeps the name it had in the hazards app (`Meta.db_table`; docs/decisions.md, Apps
cut by what people do)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.base import TimeStamped
from config import inputs
from config.inputs import LimitedTextField
from grids.models import Department
from hazards.models import Hazard
from premises.models import Premises


class EnforcementAction(TimeStamped):
    class Kind(models.TextChoices):
        INTERVIEW = "interview", _("Formal interview")
        FINE = "fine", _("Fine")
        SUSPEND = "suspend", _("Suspension of business")
        SEAL = "seal", _("Sealing or seizure")
        MEDIA = "media", _("Public exposure in the media")

    hazard = models.ForeignKey(
        Hazard,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enforcement_actions",
        verbose_name=_("hazard"),
    )
    premises = models.ForeignKey(
        Premises,
        on_delete=models.PROTECT,
        related_name="enforcement_actions",
        verbose_name=_("premises"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="enforcement_actions",
        verbose_name=_("department"),
    )
    decided_on = models.DateField(_("decided on"))
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)
    fine_amount = models.DecimalField(
        _("fine (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    note = LimitedTextField(_("note"), blank=True, max_length=inputs.DESCRIPTION)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        db_table = "hazards_enforcementaction"
        verbose_name = _("enforcement action")
        verbose_name_plural = _("enforcement actions")
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lifted_on__isnull=True) | Q(lifted_on__gte=models.F("decided_on")),
                name="hazards_enforcement_lifted_after_decided",
            ),
            models.CheckConstraint(
                condition=Q(fine_amount__isnull=True) | Q(fine_amount__gt=0),
                name="hazards_enforcement_fine_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.premises} {self.get_kind_display()}"
