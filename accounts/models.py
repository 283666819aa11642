from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import TOWN_WIDE_ROLES, Role


class User(AbstractUser):
    """A person who signs in. Roles are Groups; scope comes from grid, village and department."""

    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @cached_property
    def role_codes(self) -> frozenset[str]:
        """The user's role codes, read once per request (groups rarely change mid-request)."""
        if not self.is_authenticated:
            return frozenset()
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_codes.intersection(roles))

    @property
    def sees_whole_town(self) -> bool:
        return self.is_superuser or bool(self.role_codes & TOWN_WIDE_ROLES)

    @property
    def primary_role(self) -> str | None:
        """The widest role the user holds, for picking a home page."""
        for role in (
            Role.SAFETY_OFFICE,
            Role.REGISTRY_ADMIN,
            Role.DEPARTMENT_OFFICER,
            Role.VILLAGE_LEADER,
            Role.GRID_OFFICER,
        ):
            if role in self.role_codes:
                return role
        return None
