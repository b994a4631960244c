"""Processes and their ordered steps: the Kanban's columns and the step list's checkboxes."""

from django.contrib.auth.models import Group
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Process(models.Model):
    """A configurable step process (PROSTEP) whose steps are the Kanban's columns."""

    class Mode(models.TextChoices):
        STEP_BY_STEP = "step", _("step by step")
        FREE = "free", _("free")

    name = models.CharField(_("name"), max_length=120, unique=True)
    mode = models.CharField(_("mode"), max_length=4, choices=Mode.choices, default=Mode.FREE)
    modify_groups = models.ManyToManyField(
        Group,
        verbose_name=_("groups allowed to modify"),
        blank=True,
        related_name="+",
        help_text=_("Empty: every sales user may modify."),
    )
    delete_groups = models.ManyToManyField(
        Group,
        verbose_name=_("groups allowed to delete"),
        blank=True,
        related_name="+",
        help_text=_("Empty: only managers may delete."),
    )
    log_step_changes = models.BooleanField(_("log step changes into the comments"), default=False)
    active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(_("default process"), default=False)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("process")
        verbose_name_plural = _("processes")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pipeline_board", args=[self.pk])

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.is_default and Process.objects.filter(is_default=True).exclude(pk=self.pk).exists():
            raise ValidationError(
                {
                    "is_default": _(
                        "Another process is already the default one: untick it there first."
                    )
                }
            )


class Step(models.Model):
    """A step ("stage", column) of a process; no fixed maximum."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="steps")
    label = models.CharField(_("label"), max_length=80)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    duration_days = models.PositiveSmallIntegerField(_("duration (days)"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    folded = models.BooleanField(_("folded"), default=False)

    class Meta:
        ordering = ["process", "position", "id"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")

    def __str__(self) -> str:
        return self.label
