from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from grids.admin import ExplainProtectedMixin
from premises.forms import PremisesForm
from premises.models import BusinessType, Premises, Tag
from premises.services import refresh_premises_state


@admin.register(BusinessType)
class BusinessTypeAdmin(ExplainProtectedMixin, admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "group", "base_risk", "department", "size_limit"]
    list_filter = ["group", "base_risk", "department"]
    list_select_related = ["department"]
    search_fields = ["code", "name_zh", "name_en"]
    autocomplete_fields = ["department"]


@admin.register(Tag)
class TagAdmin(ExplainProtectedMixin, admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "raises_risk"]
    list_filter = ["raises_risk"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(Premises)
class PremisesAdmin(SimpleHistoryAdmin):
    """The premises registry. Premises are closed (status), never deleted: their inspections
    and hazards are the town's record."""

    form = PremisesForm
    list_display = [
        "name",
        "grid",
        "business_type",
        "status",
        "risk_level",
        "operator_name",
        "last_inspected_at",
        "patrol_due_on",
    ]
    list_filter = ["status", "risk_level", "business_type", "grid__village", "over_size_limit"]
    # Grid.__str__ names its village; without these each row costs three queries.
    list_select_related = ["grid__village", "business_type"]
    search_fields = ["name", "address", "credit_code", "operator_name", "operator_phone"]
    show_full_result_count = False  # ~10^5 rows in a county: one COUNT per page is enough
    autocomplete_fields = ["grid", "business_type"]
    filter_horizontal = ["tags"]
    readonly_fields = [
        "risk_level",
        "qr_token",
        "last_inspected_at",
        "patrol_due_on",
        "created_by",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["name", "address", "grid", "business_type", "tags", "status"]}),
        (
            _("Operator"),
            {"fields": ["credit_code", "operator_name", "operator_phone"]},
        ),
        (
            _("Building"),
            {
                "fields": [
                    "floor_area",
                    "floors",
                    "staff_count",
                    "over_size_limit",
                    "latitude",
                    "longitude",
                ]
            },
        ),
        (
            _("Commitment and insurance"),
            {
                "fields": [
                    "commitment_signed_on",
                    "commitment_scan",
                    "insurer",
                    "insurance_policy_no",
                    "insurance_expires_on",
                ]
            },
        ),
        (
            _("Kept by the system"),
            {
                # The risk colour and patrol dates follow from inspections and hazards
                # (premises.risk); editing them by hand would be overwritten at the next visit.
                "fields": readonly_fields,
            },
        ),
    ]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj: Premises, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # The tags are saved only now: the risk colour follows the type, tags and size as saved.
        refresh_premises_state(form.instance, today=timezone.localdate())
