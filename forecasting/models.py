from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pipeline.models import Process


class ForecastSnapshot(models.Model):
    """The forecast as computed on `taken_on`, per month × rep × process."""

    taken_on = models.DateField(_("taken on"), db_index=True)
    month = models.DateField(_("month"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    process = models.ForeignKey(
        Process, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    count = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    weighted_amount = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["taken_on", "month"]
        indexes = [models.Index(fields=["taken_on", "month"])]
        verbose_name = _("forecast snapshot")
        verbose_name_plural = _("forecast snapshots")

    def __str__(self) -> str:
        return f"{self.taken_on} {self.month:%Y-%m}"
