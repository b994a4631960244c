from django.contrib import admin

from forecasting.models import ForecastSnapshot


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
