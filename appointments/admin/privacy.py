"""The trail of privacy requests."""

from django.contrib import admin

from ..models import PrivacyRecord


@admin.register(PrivacyRecord)
class PrivacyRecordAdmin(admin.ModelAdmin):
    """The trail of privacy requests: read only, never changed or deleted from the admin."""

    list_display = ["at", "user", "action", "address", "rows"]
    list_filter = ["action"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
