"""Admin for the checklist (reference data) and a read-only window on the visits.

Visits are made by filing (inspections/filing.py), which also files their hazards and keeps the
premises' colour and patrol date; an admin form would do none of that (hazards/admin.py).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from grids.admin import ExplainProtectedMixin
from hazards.admin import ViewOnlyMixin
from inspections.models import ChecklistItem, Inspection


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ExplainProtectedMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "category",
        "short_text",
        "severity",
        "default_days",
        "fix_on_spot",
        "applies_to_all",
        "active",
    ]
    list_filter = ["active", "category", "severity", "applies_to_all", "fix_on_spot"]
    search_fields = ["code", "text_zh", "text_en"]
    filter_horizontal = ["business_types", "tags"]

    @admin.display(description=_("text"))
    def short_text(self, obj: ChecklistItem) -> str:
        text = obj.text
        return text if len(text) <= 40 else f"{text[:40]}…"


@admin.register(Inspection)
class InspectionAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["visited_at", "premises", "inspector", "kind", "outcome"]
    list_filter = ["kind", "outcome", "visited_at"]
    list_select_related = ["premises", "inspector"]
    search_fields = ["premises__name", "inspector__username", "inspector__full_name", "notes"]
    show_full_result_count = False
