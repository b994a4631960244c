from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
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


class DigestSent(models.Model):
    """The overdue digest of one user for one day, recorded under that unique key and committed
    BEFORE the e-mail is handed to the mail server (`forecasting.services.digest_send`): a
    second nightly run the same day, a Celery retry of the job or two runs at once find the row
    and send nothing, so a user never gets two digests for a day.

    When the sending fails after the row was recorded, the row stays, marked `failed` with the
    error: the server may have delivered the e-mail before failing (a timeout after the message
    was transmitted), and a resend could be a second one, so that user gets no digest that day
    and a manager sees the failure here, in the admin; the next night sends a new one as usual.
    Only when the connection to the mail server cannot even be opened (nothing can have gone
    out) are the rows of that run released, for the task's retry to send them. A row still
    `recorded` means the run stopped between recording and sending (a worker killed): not sent,
    not resent either."""

    class Status(models.TextChoices):
        RECORDED = "recorded", _("recorded, not confirmed")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    day = models.DateField(_("day"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.RECORDED
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-day", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_user_and_day")
        ]
        verbose_name = _("digest e-mail")
        verbose_name_plural = _("digest e-mails")

    def __str__(self) -> str:
        return f"{self.user} {self.day}"
