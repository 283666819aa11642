"""The accident register (事故): the accidents behind the dashboard's year-on-year figures.

The table keeps the name it had in the hazards app (`Meta.db_table`; docs/decisions.md, Apps
cut by what people do)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.base import TimeStamped
from config import inputs
from config.inputs import LimitedTextField
from grids.models import Village
from premises.models import Premises


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
        db_table = "hazards_accident"
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
