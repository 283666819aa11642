"""The five roles (docs/scope.md), kept as Django Groups with model permissions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GRID_OFFICER = "grid_officer", _("Grid officer")
    VILLAGE_LEADER = "village_leader", _("Village leader")
    DEPARTMENT_OFFICER = "department_officer", _("Department officer")
    SAFETY_OFFICE = "safety_office", _("Town safety office")
    REGISTRY_ADMIN = "registry_admin", _("Registry admin")


# Roles that see the whole town (docs/scope.md).
TOWN_WIDE_ROLES = frozenset({Role.SAFETY_OFFICE, Role.REGISTRY_ADMIN})

_VIEW_ALL = [
    "grids.view_town",
    "grids.view_village",
    "grids.view_grid",
    "grids.view_department",
    "premises.view_businesstype",
    "premises.view_tag",
    "premises.view_premises",
    "inspections.view_checklistitem",
    "inspections.view_inspection",
    "hazards.view_hazard",
    "hazards.view_hazardphoto",
    "hazards.view_hazardevent",
    "hazards.view_rectificationnotice",
    "enforcement.view_enforcementaction",
    "accidents.view_accident",
]

# Model permissions per role. Scope (which rows) comes from membership, not from these.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.GRID_OFFICER: _VIEW_ALL
    + [
        "inspections.add_inspection",
        "hazards.add_hazard",
        "hazards.add_hazardphoto",
        "hazards.add_rectificationnotice",
    ],
    Role.VILLAGE_LEADER: _VIEW_ALL
    + [
        "inspections.add_inspection",
        "hazards.add_hazard",
        "hazards.change_hazard",
        "hazards.add_hazardphoto",
        "hazards.add_rectificationnotice",
        "hazards.change_rectificationnotice",
    ],
    Role.DEPARTMENT_OFFICER: _VIEW_ALL
    + [
        "hazards.change_hazard",
        "hazards.add_hazardphoto",
        "enforcement.add_enforcementaction",
        "enforcement.change_enforcementaction",
    ],
    Role.SAFETY_OFFICE: _VIEW_ALL
    + [
        "inspections.add_inspection",
        "hazards.add_hazard",
        "hazards.change_hazard",
        "hazards.add_hazardphoto",
        "hazards.add_rectificationnotice",
        "hazards.change_rectificationnotice",
        "enforcement.add_enforcementaction",
        "enforcement.change_enforcementaction",
        "accidents.add_accident",
        "accidents.change_accident",
    ],
    Role.REGISTRY_ADMIN: _VIEW_ALL
    + [
        "notifications.view_delivery",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "grids.add_town",
        "grids.change_town",
        "grids.add_village",
        "grids.change_village",
        "grids.add_grid",
        "grids.change_grid",
        "grids.delete_grid",
        "grids.add_department",
        "grids.change_department",
        "premises.add_businesstype",
        "premises.change_businesstype",
        "premises.add_tag",
        "premises.change_tag",
        "premises.add_premises",
        "premises.change_premises",
        "inspections.add_checklistitem",
        "inspections.change_checklistitem",
    ],
}


def sync_role_groups(apps, *, partial: bool = False) -> None:
    """Create or update one Group per role with exactly its permissions. Idempotent.

    Takes the migration `apps` registry so a data migration can call it. `partial` leaves out
    the permissions whose model is not made yet: an early migration run on an empty database
    (accounts' 0002 and 0003) comes before the apps the models later moved to, and
    accounts/migrations/0004_moved_models.py gives the groups their whole set.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for name in perm_names:
            app_label, codename = name.split(".")
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            if partial and not found.exists():
                continue
            wanted.append(found.get())
        group.permissions.set(wanted)
