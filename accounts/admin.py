from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role


def _role_label(code: str) -> str:
    return str(Role(code).label) if code in Role.values else code


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users for the registry admin: who they are, how to reach them, which roles they hold.

    Where a user works (grids, villages, departments) is set on those records, not here.
    """

    list_display = [
        "username",
        "full_name",
        "phone",
        "email",
        "roles",
        "is_active",
        "is_staff",
        "last_login",
    ]
    list_filter = ["groups", "is_active", "is_staff", "is_superuser"]
    search_fields = ["username", "full_name", "phone", "email", "first_name", "last_name"]
    ordering = ["username"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["full_name", "phone", "email"]}),
        (_("Roles"), {"fields": ["groups", "is_active", "is_staff"]}),
        (_("Superuser only"), {"fields": ["is_superuser", "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "usable_password", "password1", "password2"],
            },
        ),
        (_("Personal info"), {"fields": ["full_name", "phone", "email"]}),
        (_("Roles"), {"fields": ["groups", "is_staff"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def get_queryset(self, request):
        # One query for every row's roles instead of one per row.
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        return ", ".join(sorted(_role_label(group.name) for group in obj.groups.all()))

    def get_readonly_fields(self, request, obj=None):
        # A registry admin manages roles, not raw permissions or superuser rights: otherwise
        # anyone who can edit users could make themselves superuser.
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions"]
        return fields

    def has_change_permission(self, request, obj=None) -> bool:
        # Only a superuser may change a superuser (password, roles, active flag).
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)


admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(GroupAdmin):
    """Roles, for looking only: their permissions are set by accounts/roles.py (a data
    migration syncs them), so an edit here would silently diverge from the code."""

    list_display = ["name", "role", "permission_count"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(permission_count=Count("permissions"))

    @admin.display(description=_("role"))
    def role(self, obj: Group) -> str:
        return _role_label(obj.name)

    @admin.display(description=_("permissions"), ordering="permission_count")
    def permission_count(self, obj: Group) -> int:
        return obj.permission_count

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
