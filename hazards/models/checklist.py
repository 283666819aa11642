"""What an officer checks: the checklist items, their categories and severities."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.base import TimeStamped, in_language
from config import inputs
from config.inputs import LimitedTextField
from premises.models import BusinessType, Premises, Tag


class Category(models.TextChoices):
    FIRE_FAC = "FIRE_FAC", _("Fire-fighting equipment")
    EVAC = "EVAC", _("Evacuation")
    MIXED = "MIXED", _("Mixed use and lodging")
    ELEC = "ELEC", _("Electrical")
    GAS = "GAS", _("Gas")
    FLAM = "FLAM", _("Flammable materials")
    BUILD = "BUILD", _("Building and decoration")
    MGMT = "MGMT", _("Safety management")
    OTHER = "OTHER", _("Other")


class Severity(models.TextChoices):
    GENERAL = "general", _("General")
    MAJOR = "major", _("Major")


class ChecklistItemQuerySet(models.QuerySet):
    def applicable_to(self, premises: Premises) -> "ChecklistItemQuerySet":
        """Items for every premises, its business type or one of its tags (docs/workflow.md,
        Filing a visit)."""
        by_type = ChecklistItem.business_types.through.objects.filter(
            businesstype_id=premises.business_type_id
        ).values("checklistitem_id")
        by_tag = ChecklistItem.tags.through.objects.filter(
            tag__in=premises.tags.values("pk")
        ).values("checklistitem_id")
        return self.filter(
            Q(applies_to_all=True) | Q(pk__in=by_type) | Q(pk__in=by_tag), active=True
        ).order_by("category", "code")


class ChecklistItem(TimeStamped):
    class ItemSeverity(models.TextChoices):
        GENERAL = "general", _("General")
        MAJOR = "major", _("Major")
        CONDITIONAL = "conditional", _("Major when the condition holds")

    code = models.CharField(_("code"), max_length=20, unique=True)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    text_zh = LimitedTextField(_("Chinese text"), max_length=inputs.NOTE)
    text_en = LimitedTextField(_("English text"), blank=True, max_length=inputs.NOTE)
    applies_to_all = models.BooleanField(_("applies to every premises"), default=False)
    business_types = models.ManyToManyField(
        BusinessType, blank=True, related_name="checklist_items", verbose_name=_("business types")
    )
    tags = models.ManyToManyField(
        Tag, blank=True, related_name="checklist_items", verbose_name=_("tags")
    )
    severity = models.CharField(
        _("severity when failed"), max_length=12, choices=ItemSeverity.choices
    )
    major_when_zh = models.CharField(_("major when (Chinese)"), max_length=200, blank=True)
    major_when_en = models.CharField(_("major when (English)"), max_length=200, blank=True)
    default_days = models.PositiveSmallIntegerField(_("default rectification days"))
    fix_on_spot = models.BooleanField(_("usually fixed on the spot"), default=False)
    active = models.BooleanField(_("active"), default=True)

    objects = ChecklistItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(severity="conditional") | ~Q(major_when_zh=""),
                name="hazards_checklistitem_conditional_states_condition",
            ),
            models.CheckConstraint(
                condition=Q(default_days__lte=365),
                name="hazards_checklistitem_default_days_within_a_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    @property
    def text(self) -> str:
        return in_language(self.text_zh, self.text_en)

    @property
    def major_when(self) -> str:
        return in_language(self.major_when_zh, self.major_when_en)
