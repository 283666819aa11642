from django.contrib import admin

from notifications.models import Delivery, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """What the reminders sent to whom, for answering "why did I (not) get this?".

    Read-only: notifications are made by the reminder sweep and the workflow, once per
    (recipient, kind, target, day); an edited or deleted row would let the sweep send again.
    """

    list_display = ["day", "recipient", "kind", "title", "target_type", "target_id", "read_at"]
    list_filter = ["kind", "day"]
    list_select_related = ["recipient"]
    search_fields = ["title", "recipient__username", "recipient__full_name"]
    # A row per person per day: skip the unfiltered second COUNT and the date hierarchy's
    # DISTINCT over the whole table.
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Every email and WeCom message with each attempt and its result (the log column)."""

    list_display = ["created_at", "channel", "address", "subject", "status", "attempts", "sent_at"]
    list_filter = ["channel", "status"]
    search_fields = ["key", "address", "subject"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
