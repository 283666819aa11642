from django.contrib import admin

from accidents.models import Accident


@admin.register(Accident)
class AccidentAdmin(admin.ModelAdmin):
    list_display = ["occurred_on", "kind", "village", "premises", "deaths", "injuries"]
    list_filter = ["kind", "village"]
    list_select_related = ["village", "premises"]
    search_fields = ["description", "premises__name", "village__name"]
    date_hierarchy = "occurred_on"
    autocomplete_fields = ["village", "premises"]
