import secrets
from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.base import TimeStamped, in_language
from grids.models import Department, Grid, membership_of
from premises.risk import RiskLevel
from premises.validators import mask_phone, validate_credit_code, validate_phone


class BusinessType(TimeStamped):
    class Group(models.TextChoices):
        NINE_SMALL = "nine_small", _("Nine kinds of small premises")
        NEW_FORM = "new_form", _("New business form")

    code = models.CharField(_("code"), max_length=20, unique=True)
    group = models.CharField(_("group"), max_length=12, choices=Group.choices)
    name_zh = models.CharField(_("Chinese name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    size_limit = models.CharField(_("size limit"), max_length=100, blank=True)
    base_risk = models.CharField(
        _("base risk colour"), max_length=6, choices=RiskLevel.choices, default=RiskLevel.BLUE
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="business_types",
        verbose_name=_("supervising department"),
    )

    class Meta:
        verbose_name = _("business type")
        verbose_name_plural = _("business types")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_zh, self.name_en)


class Tag(TimeStamped):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    raises_risk = models.BooleanField(_("raises the risk colour"), default=False)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_zh, self.name_en)


class PremisesQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PremisesQuerySet":
        """The one door to premises for every view (docs/scope.md)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_whole_town:
            return self
        member = membership_of(user)
        scope = Q()
        if member.grids:
            scope |= Q(grid_id__in=member.grids)
        if member.villages:
            scope |= Q(grid__village_id__in=member.villages)
        if member.departments:
            scope |= Q(business_type__department_id__in=member.departments)
        return self.filter(scope) if scope else self.none()

    def operating(self) -> "PremisesQuerySet":
        return self.filter(status=Premises.Status.OPERATING)

    def patrol_due(self, today: date) -> "PremisesQuerySet":
        """Operating premises never inspected or past their patrol interval."""
        return self.operating().filter(Q(patrol_due_on__isnull=True) | Q(patrol_due_on__lte=today))

    def patrol_order(self) -> "PremisesQuerySet":
        """Never visited first, then the longest since the last visit."""
        return self.order_by(models.F("last_inspected_at").asc(nulls_first=True), "pk")


def new_qr_token() -> str:
    return secrets.token_urlsafe(16)


class Premises(TimeStamped):
    class Status(models.TextChoices):
        OPERATING = "operating", _("Operating")
        SUSPENDED = "suspended", _("Suspended")
        # "Closed" alone is the hazard status 已销号; a premises that closed down is 已关停.
        CLOSED = "closed", pgettext_lazy("premises status", "Closed")

    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    # Indexed by premises_grid_last_visit, whose first column is the grid.
    grid = models.ForeignKey(
        Grid,
        on_delete=models.PROTECT,
        related_name="premises",
        verbose_name=_("grid"),
        db_index=False,
    )
    business_type = models.ForeignKey(
        BusinessType,
        on_delete=models.PROTECT,
        related_name="premises",
        verbose_name=_("business type"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="premises", verbose_name=_("tags"))
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
    )
    operator_name = models.CharField(_("operator"), max_length=60, blank=True)
    operator_phone = models.CharField(
        _("operator phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    floor_area = models.DecimalField(
        _("floor area (m²)"),
        max_digits=9,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    floors = models.PositiveSmallIntegerField(
        _("floors"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
    )
    staff_count = models.PositiveIntegerField(_("staff"), null=True, blank=True)
    over_size_limit = models.BooleanField(_("over the size limit of its type"), default=False)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPERATING
    )
    risk_level = models.CharField(
        _("risk colour"), max_length=6, choices=RiskLevel.choices, default=RiskLevel.BLUE
    )
    commitment_signed_on = models.DateField(_("commitment letter signed on"), null=True, blank=True)
    commitment_scan = models.FileField(
        _("commitment letter scan"), upload_to="commitments/%Y/", blank=True
    )
    insurer = models.CharField(_("insurer"), max_length=60, blank=True)
    insurance_policy_no = models.CharField(_("policy number"), max_length=60, blank=True)
    insurance_expires_on = models.DateField(_("insurance valid until"), null=True, blank=True)
    qr_token = models.CharField(
        _("QR token"), max_length=32, unique=True, default=new_qr_token, editable=False
    )
    last_inspected_at = models.DateTimeField(_("last inspected at"), null=True, blank=True)
    # Denormalised from last_inspected_at, risk colour and grid interval (premises.risk), so
    # "patrol due" is one indexed comparison for the officer home, reminders and coverage KPI.
    patrol_due_on = models.DateField(_("next patrol due"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    history = HistoricalRecords(
        excluded_fields=["last_inspected_at", "patrol_due_on", "updated_at"]
    )

    objects = PremisesQuerySet.as_manager()

    class Meta:
        verbose_name = _("premises")
        verbose_name_plural = _("premises")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="premises_premises_unique_credit_code",
            ),
            models.CheckConstraint(
                condition=Q(floor_area__isnull=True) | Q(floor_area__gte=0),
                name="premises_premises_floor_area_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(floors__isnull=True) | Q(floors__gte=1),
                name="premises_premises_floors_positive",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="premises_premises_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="premises_premises_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["operating", "suspended", "closed"]),
                name="premises_premises_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(risk_level__in=["blue", "yellow", "orange", "red"]),
                name="premises_premises_risk_level_valid",
            ),
        ]
        indexes = [
            # "My premises" and every grid-scoped list: premises of a grid in patrol order; and,
            # holding the key, the premises of some grids without reading the table (the town
            # dashboard's visits: docs/decisions.md, Counting per grid first).
            models.Index(
                fields=["grid", "last_inspected_at"],
                include=["id"],
                name="premises_grid_last_visit",
            ),
            # Patrol-due reminders and the coverage KPI: operating premises by due date.
            models.Index(
                fields=["patrol_due_on"],
                name="premises_operating_patrol_due",
                condition=Q(status="operating"),
            ),
            # The dashboard's "never inspected" list, first registered first: without it, the
            # county's ten are found by filtering ~100,000 premises in key order.
            models.Index(
                fields=["id"],
                name="premises_never_inspected",
                condition=Q(status="operating", last_inspected_at__isnull=True),
            ),
            # The dashboard's coverage figures per place: operating premises per grid, with
            # what they count (dashboard.kpis.premises_groups), without reading the table.
            models.Index(
                fields=["grid"],
                include=["patrol_due_on", "last_inspected_at"],
                name="premises_operating_grid",
                condition=Q(status="operating"),
            ),
            # Registry filters and dashboard breakdowns by type and colour.
            models.Index(fields=["business_type", "risk_level"], name="premises_type_risk"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.operator_phone) if self.operator_phone else ""

    def insurance_expiring(self, today: date, within_days: int = 30) -> bool:
        if self.insurance_expires_on is None:
            return False
        return (self.insurance_expires_on - today).days <= within_days
