"""Automation rules: an event on an opportunity moves it to a step."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from pipeline.models.opportunities import Opportunity
from pipeline.models.processes import Process, Step
from pipeline.models.tasks import TaskType


class AutomationRule(models.Model):
    """When an event happens on an opportunity of the process, move it to a step."""

    class Event(models.TextChoices):
        TASK_DONE = "task_done", _("a task of a given type is done")
        LINE_ADDED = "line_added", _("a line is added")
        DOCUMENT_ADDED = "document_added", _("a document is attached")
        STATUS_CHANGED = "status_changed", _("the status changes")
        QUOTE_ISSUED = "quote_issued", _("a quote is issued")
        QUOTE_SENT = "quote_sent", _("a quote is sent")
        QUOTE_ACCEPTED = "quote_accepted", _("a quote is accepted")
        QUOTE_REFUSED = "quote_refused", _("a quote is refused")
        EMAIL_SENT = "email_sent", _("an e-mail is sent")
        EMAIL_RECEIVED = "email_received", _("an e-mail is received")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="rules")
    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    task_type = models.ForeignKey(
        TaskType, verbose_name=_("task type"), null=True, blank=True, on_delete=models.CASCADE
    )
    status = models.CharField(
        _("new status"), max_length=10, choices=Opportunity.Status.choices, blank=True
    )
    target_step = models.ForeignKey(Step, verbose_name=_("move to step"), on_delete=models.CASCADE)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["process", "id"]
        verbose_name = _("automation rule")
        verbose_name_plural = _("automation rules")

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.target_step}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if (
            self.target_step_id
            and self.process_id
            and self.target_step.process_id != self.process_id
        ):
            errors["target_step"] = _("Choose a step of this process.")
        if self.task_type_id and self.event != self.Event.TASK_DONE:
            errors["task_type"] = _(
                "A task type only applies to the event “a task of a given type is done”."
            )
        if self.status and self.event != self.Event.STATUS_CHANGED:
            errors["status"] = _("A status only applies to the event “the status changes”.")
        if errors:
            raise ValidationError(errors)
