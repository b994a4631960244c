"""Tasks (activities): what to do, when, for whom, linked to a record; and calendar feeds."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contacts.models import Company, Person, Prospect
from core.db import AliveManager, Tracked, TrashQuerySet
from pipeline.models.opportunities import Colour, Opportunity


class TaskType(models.Model):
    """Kind of task (to-do, call, meeting, e-mail, absence; managers add more)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=80)
    # A name of the Lucide sprite (core.icons.TASK_ICONS); templates draw it with
    # `{% icon task.type.icon|task_icon %}`, the default one when blank.
    icon = models.CharField(_("icon"), max_length=40, blank=True)
    is_contact = models.BooleanField(
        _("counts as a contact"),
        default=True,
        help_text=_("Done tasks of this type update the last/next contact dates."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("task type")
        verbose_name_plural = _("task types")

    def __str__(self) -> str:
        return self.name


class TaskQuerySet(TrashQuerySet):
    # A private task shows only to these users; to others it is busy time in the calendar.
    PRIVATE_TO = ("assignee", "created_by")

    def open(self):
        return self.filter(done=False)

    def visible_to(self, user):
        """The team's tasks (see TrashQuerySet), minus the private tasks of other users:
        those only show as busy time in the calendar (`busy_for`)."""
        tasks = self.busy_for(user)
        if not user.is_authenticated:
            return tasks
        readers = models.Q(is_private=False)
        for field in self.PRIVATE_TO:
            readers |= models.Q(**{field: user})
        return tasks.filter(readers)

    def busy_for(self, user):
        """Every task the user may know exists, private ones of others included."""
        return super().visible_to(user)

    def shows(self, user, obj) -> bool:
        return super().shows(user, obj) and self.reads_private(user, obj)

    def reads_private(self, user, task) -> bool:
        """Whether `user` may read `task` rather than see busy time (the rule of `visible_to`
        on top of the team's)."""
        return not task.is_private or any(
            getattr(task, f"{field}_id") == user.pk for field in self.PRIVATE_TO
        )

    def heads(self):
        """First tasks of recurring series (they carry the rule)."""
        return self.filter(series__isnull=True).exclude(frequency="")


class Task(Tracked):
    """An activity / prospecting action, optionally recurring (a series of occurrences)."""

    class Priority(models.IntegerChoices):
        HIGH = 1, pgettext_lazy("task priority", "high")
        MEDIUM = 2, pgettext_lazy("task priority", "medium")
        LOW = 3, pgettext_lazy("task priority", "low")

    class Frequency(models.TextChoices):
        NONE = "", _("once")
        DAILY = "daily", _("daily")
        WEEKLY = "weekly", _("weekly")
        MONTHLY = "monthly", _("monthly")
        YEARLY = "yearly", _("yearly")

    title = models.CharField(_("what to do"), max_length=200)
    type = models.ForeignKey(TaskType, verbose_name=_("type"), on_delete=models.PROTECT)
    start = models.DateTimeField(_("start"), db_index=True)
    end = models.DateTimeField(_("end"), null=True, blank=True)
    all_day = models.BooleanField(_("all day"), default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MEDIUM
    )
    important = models.BooleanField(_("important"), default=False)
    done = models.BooleanField(_("done"), default=False, db_index=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    is_private = models.BooleanField(_("private"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    colour = models.CharField(max_length=6, choices=Colour.choices, blank=True, db_index=True)
    # Recurrence (python-dateutil rrule). A series is its first task; occurrences point to it.
    frequency = models.CharField(_("repeat"), max_length=8, choices=Frequency.choices, blank=True)
    interval = models.PositiveSmallIntegerField(_("every"), default=1)
    weekdays = models.CharField(
        _("on weekdays"), max_length=20, blank=True, help_text="0=Mon … 6=Sun"
    )
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(_("occurrences"), null=True, blank=True)
    series = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="occurrences"
    )
    # Where the recurrence rule put this occurrence (iCalendar's RECURRENCE-ID): stays when the
    # occurrence alone is moved, so the series is never generated twice on the same date.
    occurrence_start = models.DateTimeField(_("planned start in its series"), null=True, blank=True)
    # What the task is about.
    opportunity = models.ForeignKey(
        Opportunity, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    prospect = models.ForeignKey(
        Prospect, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )

    objects = AliveManager.from_queryset(TaskQuerySet)()
    all_objects = TaskQuerySet.as_manager()

    OWNER_FIELD = "assignee"

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["assignee", "done", "start"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("task_detail", args=[self.pk])

    @property
    def due(self):
        """The action clock's due date-time: when the task is to be done."""
        return self.start

    @property
    def is_recurring(self) -> bool:
        return bool(self.frequency) or self.series_id is not None

    @property
    def head_id(self) -> int:
        return self.series_id or self.pk

    @property
    def first_line(self) -> str:
        text = (self.notes or "").strip()
        return text.splitlines()[0] if text else ""


class SeriesCut(models.Model):
    """Where a "this and the following" deletion cut a series, and how the series ended before
    it (`until` / `count`, both empty: open-ended). The deletion sets the head's end to
    `cut_until`; restoring it from the trash gives the series its former end back, and the
    series materialises as before (`pipeline.services.activities.series_cuts_restore`).

    Cuts stack: a restore changes the end only while the head still ends where that cut set
    it. A cut restored while a later one keeps the series shorter is kept (`restored_at`), and
    restoring that later one goes back through it to the end before both. An end changed
    since by other means stays as set. Purged with the trashed task it starts from."""

    head = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    until = models.DateField(null=True, blank=True)
    count = models.PositiveSmallIntegerField(null=True, blank=True)
    cut_until = models.DateField()
    restored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.head_id} cut at {self.task_id}"


class CalendarFeed(models.Model):
    """The secret token of a user's iCalendar feed; regenerating it revokes the old one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return f"feed of {self.user}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)
