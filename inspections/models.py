"""Field visits: what an officer checks (the checklist) and the visit itself (排查).

The tables keep the names they had in the hazards app (`Meta.db_table`): the models moved with
a state-only migration (docs/decisions.md, Apps cut by what people do) and the triggers of
`dashboard/` and `hazards/` name these tables."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.base import TimeStamped, in_language
from config import inputs
from config.inputs import LimitedTextField
from hazards.models import Category
from premises.models import BusinessType, Premises, Tag


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
        db_table = "hazards_checklistitem"
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


class Inspection(TimeStamped):
    class Kind(models.TextChoices):
        ROUTINE = "routine", _("Routine patrol")
        REVIEW = "review", _("Review")
        JOINT = "joint", _("Joint inspection")
        CAMPAIGN = "campaign", _("Campaign")

    class Outcome(models.TextChoices):
        NO_HAZARD = "no_hazard", _("No hazard")
        HAZARDS_FOUND = "hazards_found", _("Hazards found")

    premises = models.ForeignKey(
        Premises, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("premises")
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("inspector"),
    )
    visited_at = models.DateTimeField(_("visited at"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ROUTINE)
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices)
    notes = LimitedTextField(_("notes"), blank=True, max_length=inputs.DESCRIPTION)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # Generated by the form when it is first shown: a double tap or a retried POST finds the
    # inspection already made instead of making a second one.
    idempotency_key = models.UUIDField(_("idempotency key"), unique=True)

    objects = models.Manager()

    class Meta:
        db_table = "hazards_inspection"
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-visited_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="hazards_inspection_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="hazards_inspection_longitude_range",
            ),
        ]
        indexes = [
            # Premises page "last visits" and the patrol history of one premises.
            models.Index(fields=["premises", "-visited_at"], name="hazards_insp_premises_visited"),
            # Inspection-count KPI for a period.
            models.Index(fields=["visited_at"], name="hazards_insp_visited"),
        ]

    def __str__(self) -> str:
        return f"{self.premises} @ {self.visited_at:%Y-%m-%d}"
