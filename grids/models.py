from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.base import TimeStamped
from notifications.outgoing import validate_url


class Town(TimeStamped):
    name = models.CharField(_("name"), max_length=60)
    code = models.CharField(_("code"), max_length=20, unique=True)

    class Meta:
        verbose_name = _("town")
        verbose_name_plural = _("towns")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Village(TimeStamped):
    class Kind(models.TextChoices):
        VILLAGE = "village", pgettext_lazy("village kind", "Village")  # 村, not 村(社区)
        COMMUNITY = "community", _("Community")

    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="villages", verbose_name=_("town")
    )
    name = models.CharField(_("name"), max_length=60)
    code = models.CharField(_("code"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.VILLAGE)
    leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="led_villages",
        verbose_name=_("leaders"),
    )
    # Checked where it points: only a public internet address (notifications/outgoing.py).
    wecom_webhook_url = models.URLField(
        _("WeCom group robot webhook"), blank=True, validators=[validate_url]
    )

    class Meta:
        verbose_name = _("village / community")
        verbose_name_plural = _("villages / communities")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["town", "name"], name="grids_village_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Grid(TimeStamped):
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="grids", verbose_name=_("village")
    )
    name = models.CharField(_("name"), max_length=60)
    code = models.CharField(_("code"), max_length=20, unique=True)
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="patrolled_grids",
        verbose_name=_("grid officers"),
    )
    patrol_interval_days = models.PositiveSmallIntegerField(
        _("patrol interval (days)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the default for each premises' risk colour."),
    )

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["village", "name"], name="grids_grid_unique_name"),
            models.CheckConstraint(
                condition=Q(patrol_interval_days__isnull=True) | Q(patrol_interval_days__gte=1),
                name="grids_grid_patrol_interval_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village.name} · {self.name}"


class Department(TimeStamped):
    name = models.CharField(_("name"), max_length=60, unique=True)
    code = models.CharField(_("code"), max_length=20, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    duty = models.CharField(_("duty"), max_length=200, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="departments",
        verbose_name=_("members"),
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


def grids_of(user) -> models.QuerySet:
    """Ids of the grids a user patrols, as a subquery (no join, no duplicates)."""
    return Grid.objects.filter(officers=user).values("pk")


def villages_of(user) -> models.QuerySet:
    return Village.objects.filter(leaders=user).values("pk")


def departments_of(user) -> models.QuerySet:
    return Department.objects.filter(members=user).values("pk")


@dataclass(frozen=True)
class Membership:
    """The ids of the grids a user patrols, the villages they lead and their departments."""

    grids: frozenset[int] = frozenset()
    villages: frozenset[int] = frozenset()
    departments: frozenset[int] = frozenset()


def membership_of(user) -> Membership:
    """The user's memberships, read in one query once per user object (that is, per request).

    The `visible_to` scope helpers filter on these ids and leave out the kinds of membership
    the user has none of: PostgreSQL then sees `grid_id IN (…)` and uses an index, where three
    OR-ed subqueries (two of them empty for most users) made it read every premises and hazard
    of a county (bench/RESULTS.md)."""
    cached = user.__dict__.get("_membership")
    if cached is not None:
        return cached
    kind = models.CharField()
    rows = (
        Grid.officers.through.objects.filter(user_id=user.pk)
        .annotate(kind=models.Value("grid", output_field=kind))
        .values_list("kind", "grid_id")
        .union(
            Village.leaders.through.objects.filter(user_id=user.pk)
            .annotate(kind=models.Value("village", output_field=kind))
            .values_list("kind", "village_id"),
            Department.members.through.objects.filter(user_id=user.pk)
            .annotate(kind=models.Value("department", output_field=kind))
            .values_list("kind", "department_id"),
            all=True,
        )
    )
    ids: dict[str, set[int]] = {"grid": set(), "village": set(), "department": set()}
    for name, pk in rows:
        ids[name].add(pk)
    membership = Membership(
        frozenset(ids["grid"]), frozenset(ids["village"]), frozenset(ids["department"])
    )
    user.__dict__["_membership"] = membership
    return membership
