"""A read-only window on the loop's records: hazards, photos, events, notices, counters.

The big tables (a county has ~10^5-10^6 rows) use date list filters rather than
`date_hierarchy`, whose year list is a DISTINCT over the whole table on every page, and skip the
second, unfiltered COUNT (`show_full_result_count = False`).

Hazards, photos, events and notices are made by the loop (hazards/workflow.py,
inspections/filing.py), which numbers them, locks rows, keeps the premises'
risk colour and patrol date up to date and writes the audit trail in the same transaction. An
admin form does none of that, so those records can be viewed here but not added, changed or
deleted.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hazards.models import Hazard, HazardEvent, HazardPhoto, LedgerSequence, RectificationNotice


class ViewOnlyMixin:
    """Viewable by whoever has the view permission; nobody adds, changes or deletes."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class HazardEventInline(ViewOnlyMixin, admin.TabularInline):
    model = HazardEvent
    fields = ["at", "action", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    ordering = ["at", "pk"]
    extra = 0
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class HazardPhotoInline(ViewOnlyMixin, admin.TabularInline):
    model = HazardPhoto
    fields = ["stage", "preview", "uploaded_by", "created_at"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    @admin.display(description=_("photo"))
    def preview(self, obj: HazardPhoto):
        return _thumbnail(obj)


@admin.register(Hazard)
class HazardAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """The ledger, read-only.

    Not even the text fields (description, location, requirement) are editable here: the
    hazard as found is evidence and its rectification notice quotes it, and an admin edit would
    leave no HazardEvent behind. Status changes go through hazards/workflow.py only.
    """

    list_display = [
        "ledger_number",
        "premises",
        "category",
        "severity",
        "status",
        "rectify_by",
        "department",
        "escalation_level",
        "reported_at",
    ]
    list_filter = [
        "status",
        "severity",
        "category",
        "reported_at",
        "department",
        "premises__grid__village",
    ]
    list_select_related = ["premises", "department"]
    search_fields = ["ledger_number", "premises__name", "description"]
    show_full_result_count = False
    inlines = [HazardPhotoInline, HazardEventInline]


@admin.register(HazardPhoto)
class HazardPhotoAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["hazard", "stage", "preview", "uploaded_by", "created_at"]
    list_filter = ["stage"]
    list_select_related = ["hazard", "uploaded_by"]
    search_fields = ["hazard__ledger_number"]
    show_full_result_count = False

    @admin.display(description=_("photo"))
    def preview(self, obj: HazardPhoto):
        return _thumbnail(obj)


@admin.register(HazardEvent)
class HazardEventAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """The audit trail: append-only in the model, read-only here."""

    list_display = ["at", "hazard", "action", "from_status", "to_status", "actor"]
    list_filter = ["action", "to_status", "at"]
    list_select_related = ["hazard", "actor"]
    search_fields = ["hazard__ledger_number", "note"]
    show_full_result_count = False


@admin.register(RectificationNotice)
class RectificationNoticeAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "premises", "issued_by", "issued_on", "deadline", "signed_on"]
    list_filter = ["issued_on"]
    list_select_related = ["premises", "issued_by"]
    search_fields = ["number", "premises__name"]
    show_full_result_count = False


@admin.register(LedgerSequence)
class LedgerSequenceAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Number counters, for looking only: a counter set back would hand out numbers twice."""

    list_display = ["prefix", "year", "last"]


def _thumbnail(photo: HazardPhoto):
    if not photo.thumbnail:
        return "—"
    # The scope-checked photo view (media is never served publicly), and a height attribute
    # rather than a style one: the Content Security Policy allows no inline styles.
    url = reverse("hazards:photo", args=[photo.pk, "thumb"])
    return format_html('<img src="{}" alt="" height="60">', url)
