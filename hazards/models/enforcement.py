"""Enforcement actions (执法措施) and the accident register (事故)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.base import TimeStamped
from config import inputs
from config.inputs import LimitedTextField
from grids.models import Department, Village
from hazards.models.hazard import Hazard
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


class Accident(TimeStamped):
    class Kind(models.TextChoices):
        FIRE = "fire", _("Fire")
        GAS_EXPLOSION = "gas_explosion", _("Gas explosion")
        ELECTRIC = "electric", _("Electric shock")
        COLLAPSE = "collapse", _("Collapse")
        POISONING = "poisoning", _("Poisoning or suffocation")
        OTHER = "other", _("Other")

    occurred_on = models.DateField(_("occurred on"))
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="accidents", verbose_name=_("village")
    )
    premises = models.ForeignKey(
        Premises,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accidents",
        verbose_name=_("premises"),
    )
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    deaths = models.PositiveIntegerField(_("deaths"), default=0)
    injuries = models.PositiveIntegerField(_("injuries"), default=0)
    direct_loss = models.DecimalField(
        _("direct loss (10k yuan)"), max_digits=12, decimal_places=2, default=0
    )
    description = LimitedTextField(_("description"), blank=True, max_length=inputs.PLAN)

    class Meta:
        verbose_name = _("accident")
        verbose_name_plural = _("accidents")
        ordering = ["-occurred_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(direct_loss__gte=0), name="hazards_accident_loss_not_negative"
            ),
        ]
        indexes = [
            # Year-on-year accident figures on the dashboard.
            models.Index(fields=["occurred_on"], name="hazards_accident_occurred"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.get_kind_display()}"
