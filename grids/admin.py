"""The organisation: towns, villages, grids and departments, and who is assigned where.

Every foreign key to these models is PROTECT, so deleting one that is still in use is refused
by the admin's delete page, which lists what still uses it; nothing is cascaded.
"""

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from grids.models import Department, Grid, Town, Village


class ExplainProtectedMixin:
    """On a refused delete, list the records that still use the object.

    Django lists "objects you may not delete" before protected ones, and premises, hazards and
    the like may never be deleted through the admin, so without this the page would blame the
    user's permissions instead of naming the premises that still sit in the grid. The delete
    is refused either way: Django deletes nothing while `protected` is non-empty.
    """

    def get_deleted_objects(self, objs, request):
        to_delete, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            perms_needed = set()
        return to_delete, counts, perms_needed, protected


@admin.register(Town)
class TownAdmin(ExplainProtectedMixin, admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Village)
class VillageAdmin(ExplainProtectedMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "town", "grid_count"]
    list_filter = ["kind", "town"]
    list_select_related = ["town"]
    search_fields = ["code", "name"]
    filter_horizontal = ["leaders"]
    # A webhook typed without its scheme is taken as https, as on the village page: a plain
    # http one is refused where OUTGOING_HTTPS_ONLY is on (notifications/outgoing.py).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(grid_count=Count("grids"))

    @admin.display(description=_("grids"), ordering="grid_count")
    def grid_count(self, obj: Village) -> int:
        return obj.grid_count


@admin.register(Grid)
class GridAdmin(ExplainProtectedMixin, admin.ModelAdmin):
    list_display = ["code", "name", "village", "patrol_interval_days", "officer_names"]
    list_filter = ["village__town", "village"]
    # Grid.__str__ names its village.
    list_select_related = ["village"]
    search_fields = ["code", "name", "village__name"]
    autocomplete_fields = ["village"]
    filter_horizontal = ["officers"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("officers")

    @admin.display(description=_("grid officers"))
    def officer_names(self, obj: Grid) -> str:
        return ", ".join(str(user) for user in obj.officers.all())


@admin.register(Department)
class DepartmentAdmin(ExplainProtectedMixin, admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "duty", "member_count"]
    search_fields = ["code", "name", "name_en"]
    filter_horizontal = ["members"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj: Department) -> int:
        return obj.member_count
