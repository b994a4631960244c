from django.contrib import admin

from forecasting.models import DigestSent, ForecastSnapshot


@admin.register(ForecastSnapshot)
class ForecastSnapshotAdmin(admin.ModelAdmin):
    """Read-only: snapshots are written by the nightly job only."""

    list_display = ["taken_on", "month", "owner", "process", "count", "amount", "weighted_amount"]
    list_filter = ["taken_on", "process", "owner"]
    date_hierarchy = "taken_on"
    list_select_related = ["owner", "process"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # The forecast as it stood each night: its history, kept as the nightly job wrote it.
        return False


@admin.register(DigestSent)
class DigestSentAdmin(admin.ModelAdmin):
    """Read-only: who got the overdue digest of which day, and whose sending failed (the
    nightly job records each digest before sending it, and never sends it twice)."""

    list_display = ["day", "user", "status", "recorded_at", "sent_at", "error"]
    list_filter = ["status", "day"]
    date_hierarchy = "day"
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "user__last_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
