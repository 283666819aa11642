"""The hazard (隐患) on the ledger: its status, deadline, people and treatment plan."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.base import TimeStamped, choice_display
from config import inputs
from config.inputs import LimitedTextField
from grids.models import Department, Grid, membership_of
from hazards.models.notice import RectificationNotice
from premises.models import BusinessType, Premises

OPEN_STATUSES = ("reported", "rectifying", "submitted")


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


class HazardQuerySet(models.QuerySet):
    def visible_to(self, user) -> "HazardQuerySet":
        """The one door to hazards for every view (docs/scope.md)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_whole_town:
            return self
        member = membership_of(user)
        scope = Q()
        # The hazard's copies of its premises' grid and business type (see Hazard.grid).
        if member.grids:
            scope |= Q(grid_id__in=member.grids)
        if member.villages:
            scope |= Q(grid__village_id__in=member.villages)
        if member.departments:
            scope |= Q(department_id__in=member.departments) | Q(
                business_type__department_id__in=member.departments
            )
        return self.filter(scope) if scope else self.none()

    def open(self) -> "HazardQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: date) -> "HazardQuerySet":
        return self.open().filter(rectify_by__lt=today)

    def major(self) -> "HazardQuerySet":
        return self.filter(severity=Severity.MAJOR)


# What the dashboard groups open hazards by (dashboard/kpis.py), kept in its open-hazard indexes.
OPEN_GROUPED_BY = ("grid", "business_type", "category", "department", "severity")


class Hazard(TimeStamped):
    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported")
        RECTIFYING = "rectifying", _("Being rectified")
        SUBMITTED = "submitted", _("Fix submitted")
        CLOSED = "closed", _("Closed")
        DISMISSED = "dismissed", _("Dismissed")

    ledger_number = models.CharField(_("ledger number"), max_length=20, unique=True)
    premises = models.ForeignKey(
        Premises, on_delete=models.PROTECT, related_name="hazards", verbose_name=_("premises")
    )
    # Copies of the premises' grid and business type, kept equal to them by the database
    # (triggers on both tables, hazards/migrations/0006_hazard_place.py, whatever writes the
    # rows), so the dashboard's "now" figures of a county group its open hazards without
    # reading 100,000 premises. Read them; never write them.
    grid = models.ForeignKey(
        Grid,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
        db_index=False,
        verbose_name=_("grid"),
    )
    business_type = models.ForeignKey(
        BusinessType,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
        db_index=False,
        verbose_name=_("business type"),
    )
    # The visit and the checklist item are named by label, not imported: inspections files
    # hazards through the workflow, so it imports hazards and never the other way
    # (docs/architecture.md, Which app imports which).
    inspection = models.ForeignKey(
        "inspections.Inspection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hazards",
        verbose_name=_("inspection"),
    )
    notice = models.ForeignKey(
        RectificationNotice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hazards",
        verbose_name=_("rectification notice"),
    )
    checklist_item = models.ForeignKey(
        "inspections.ChecklistItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hazards",
        verbose_name=_("checklist item"),
    )
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    description = LimitedTextField(_("description"), max_length=inputs.DESCRIPTION)
    location = models.CharField(_("location on the premises"), max_length=100, blank=True)
    requirement = LimitedTextField(
        _("rectification requirement"), blank=True, max_length=inputs.DESCRIPTION
    )
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REPORTED
    )
    rectify_by = models.DateField(_("rectification deadline"))
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hazards",
        verbose_name=_("responsible department"),
    )
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    recurrence_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recurrences",
        verbose_name=_("recurrence of"),
    )
    fixed_on_spot = models.BooleanField(_("fixed on the spot"), default=False)
    reject_count = models.PositiveSmallIntegerField(_("times a fix was rejected"), default=0)

    # Major-hazard treatment plan (重大隐患治理方案), required at verification.
    plan_measures = LimitedTextField(_("treatment measures"), blank=True, max_length=inputs.PLAN)
    plan_funds = models.DecimalField(
        _("funds (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    plan_responsible = models.CharField(_("person responsible"), max_length=60, blank=True)
    plan_deadline = models.DateField(_("treatment deadline"), null=True, blank=True)
    interim_measures = LimitedTextField(
        _("interim safety measures"), blank=True, max_length=inputs.PLAN
    )
    emergency_plan = LimitedTextField(_("emergency plan"), blank=True, max_length=inputs.PLAN)

    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reported_hazards",
        verbose_name=_("found by"),
    )
    reported_at = models.DateTimeField(_("found at"))
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("fix submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fix submitted by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    objects = HazardQuerySet.as_manager()

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["-reported_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["reported", "rectifying", "submitted", "closed", "dismissed"]
                ),
                name="hazards_hazard_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(severity__in=["general", "major"]),
                name="hazards_hazard_severity_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="hazards_hazard_closed_has_closed_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="dismissed") | Q(dismissed_at__isnull=False),
                name="hazards_hazard_dismissed_has_dismissed_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="submitted") | Q(submitted_at__isnull=False),
                name="hazards_hazard_submitted_has_submitted_at",
            ),
            models.CheckConstraint(
                condition=~Q(fixed_on_spot=True) | Q(severity="general"),
                name="hazards_hazard_only_general_fixed_on_spot",
            ),
            # A verified major hazard carries its interim safety measures (动态清零 needs them).
            models.CheckConstraint(
                condition=~Q(severity="major", status__in=["rectifying", "submitted"])
                | ~Q(interim_measures=""),
                name="hazards_hazard_major_has_interim_measures",
            ),
        ]
        indexes = [
            # The reminder sweep and the overdue KPI: open hazards by deadline (with their
            # premises: the long-overdue offenders of a county without reading the hazards;
            # with what the dashboard groups them by: a county's open and overdue figures).
            models.Index(
                fields=["rectify_by", "premises"],
                include=OPEN_GROUPED_BY,
                name="hazards_hazard_open_deadline",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            # Premises page: a premises' hazards by status; risk recomputation.
            models.Index(fields=["premises", "status"], name="hazards_hazard_premises_status"),
            # Ledger default order and the "found in period" KPI.
            models.Index(fields=["reported_at"], name="hazards_hazard_reported"),
            # Ledger filter by status (and the open counts on the home pages).
            models.Index(fields=["status", "severity"], name="hazards_hazard_status_sev"),
            # The ledger filtered by status in its default order (newest first): its rows, its
            # keyset pages and its COUNT, an index-only scan (a county's closed hazards of a
            # year counted in a small fraction of the time: docs/decisions.md, Reading less).
            models.Index(fields=["status", "reported_at"], name="hazards_hazard_status_found"),
            # Department officers' scope: hazards handed to a department.
            models.Index(fields=["department", "status"], name="hazards_hazard_dept_status"),
            # The dashboard's open and overdue figures of a town or village: its grids' open
            # hazards, without reading their closed ones (nor the premises).
            models.Index(
                fields=["grid"],
                include=("rectify_by", "premises", *OPEN_GROUPED_BY[1:]),
                name="hazards_hazard_open_grid",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            # The dashboard: hazards closed in a few days (the ends of a period that its
            # months' tallies count too; dashboard/tallies.py).
            models.Index(
                fields=["closed_at"],
                name="hazards_hazard_closed",
                condition=Q(status="closed"),
            ),
            # The persistent-offender rules (enforcement/offenders.py) on the dashboard: a fix
            # rejected twice, a recurrence of the last 180 days — a few thousand of a county's
            # 300,000 hazards each, found (with their grid) without reading the table.
            models.Index(
                fields=["premises"],
                include=["grid", "status", "reported_at"],
                name="hazards_hazard_rejected_twice",
                condition=Q(reject_count__gte=2),
            ),
            models.Index(
                fields=["reported_at", "premises", "status"],
                include=["grid"],
                name="hazards_hazard_recurrences",
                condition=Q(recurrence_of__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.ledger_number

    # Every ledger row and dashboard list shows these three (Django lets a model define them).
    def get_status_display(self) -> str:
        return choice_display(self, "status")

    def get_severity_display(self) -> str:
        return choice_display(self, "severity")

    def get_category_display(self) -> str:
        return choice_display(self, "category")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: date) -> bool:
        return is_overdue(self.status, self.rectify_by, today)


def is_overdue(status: str, rectify_by: date, today: date) -> bool:
    """Open past its deadline: HazardQuerySet.overdue's rule, for one hazard or a row of one."""
    return status in OPEN_STATUSES and rectify_by < today


class LedgerSequence(models.Model):
    """Per-year counters for ledger and notice numbers (YH-2026-000123), taken under a row lock."""

    prefix = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="hazards_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"
