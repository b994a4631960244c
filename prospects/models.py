from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One file going through the import wizard: its mapping, its check and its run.

    Reading the header row, the check and the import are Celery tasks: `task_id` names the run
    under way (set when it is queued), `started_at` when a worker took it, and `heartbeat_at`
    its last sign of life (`done`: rows read so far). A run without one for
    IMPORT_STALE_SECONDS is marked failed (`prospects.import_jobs.import_jobs_fail_stale`)."""

    class State(models.TextChoices):
        READING = "reading", _("reading the file")
        UPLOADED = "uploaded", _("uploaded")
        CHECKING = "checking", _("checking")
        CHECKED = "checked", _("checked")
        RUNNING = "running", _("importing")
        DONE = "done", _("imported")
        REFUSED = "refused", _("refused, nothing written")
        FAILED = "failed", _("failed")

    # A task is (or should be) at work on the job in these states.
    BUSY = (State.READING, State.CHECKING, State.RUNNING)

    file = models.FileField(_("file"), upload_to="imports/")
    filename = models.CharField(_("file name"), max_length=255)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("default owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    valid_only = models.BooleanField(_("import only the valid rows"), default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.UPLOADED)
    task_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    done = models.PositiveIntegerField(default=0)
    # The language of the user who started the run: its messages are written in it.
    language = models.CharField(max_length=10, blank=True)
    total = models.PositiveIntegerField(default=0)
    valid = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    preview = models.JSONField(default=dict, blank=True)
    report = models.FileField(upload_to="imports/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.filename

    @property
    def is_busy(self) -> bool:
        return self.state in self.BUSY
