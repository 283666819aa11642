"""A read-only window on enforcement actions: they are recorded in the app, next to the hazard's
event (enforcement/measures.py), which an admin form would not write."""

from django.contrib import admin

from enforcement.models import EnforcementAction
from hazards.admin import ViewOnlyMixin


@admin.register(EnforcementAction)
class EnforcementActionAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Recorded by department officers in the app, next to the hazard's ENFORCE event."""

    list_display = ["decided_on", "premises", "kind", "department", "hazard", "lifted_on"]
    list_filter = ["kind", "department"]
    list_select_related = ["premises", "department", "hazard"]
    search_fields = ["premises__name", "hazard__ledger_number", "note"]
    date_hierarchy = "decided_on"
