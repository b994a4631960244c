"""The tables core keeps: the audit of exports (who downloaded which list or file, when, with
how many rows: every export of the apps writes it through `core.exports.export_audit`; the
managers read it on the privacy app's page) and the columns each user chose for a list
(`core.columns`)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportRecord(models.Model):
    """One export: a CSV or XLSX list, a report, a file of refused rows, a person's data."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # The URL name of the export (`prospect_export`, `report_export`, ...): what was exported.
    kind = models.CharField(_("export"), max_length=60, db_index=True)
    filename = models.CharField(_("file"), max_length=250, blank=True)
    # The filters in force (the query string), so that the very list can be told.
    query = models.TextField(_("filters"), blank=True)
    # None while a streamed file is being sent; stays None when the download was cut short.
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.kind} {self.filename}"


class ListColumns(models.Model):
    """The columns a user chose to see on one list (`core.columns`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The name the list registered its columns under (`prospects`, `companies`, `people`).
    list_name = models.CharField(_("list"), max_length=40)
    # The names of the chosen columns.
    columns = models.JSONField(_("columns"), default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "list_name"], name="list_columns_unique")
        ]
        verbose_name = _("list columns")
        verbose_name_plural = _("list columns")

    def __str__(self) -> str:
        return f"{self.list_name}: {', '.join(self.columns)}"
