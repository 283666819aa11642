from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.base import TimeStamped, choice_display, in_language
from config import inputs
from config.inputs import LimitedTextField
from grids.models import Department, Grid, Village, membership_of
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


class RectificationNotice(TimeStamped):
    """整改通知书: one per premises and visit, ordering the hazards found."""

    number = models.CharField(_("notice number"), max_length=30, unique=True)
    premises = models.ForeignKey(
        Premises, on_delete=models.PROTECT, related_name="notices", verbose_name=_("premises")
    )
    inspection = models.ForeignKey(
        Inspection,
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


OPEN_STATUSES = ("reported", "rectifying", "submitted")


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
    inspection = models.ForeignKey(
        Inspection,
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
        ChecklistItem,
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
            # The persistent-offender rules (hazards/offenders.py) on the dashboard: a fix
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
