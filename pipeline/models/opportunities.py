"""Opportunities, their item lines, their step progress and their history."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalogue.models import vat_rate_field
from contacts.models import Company, Person, Prospect
from core.db import AliveManager, Tracked, TrashQuerySet
from pipeline.models.processes import Process, Step


class Colour(models.TextChoices):
    """Overdue colour of a clock: before the due day, on it, after it."""

    NONE = "", _("none")
    GREEN = "green", _("on time")
    ORANGE = "orange", _("due today")
    RED = "red", _("late")


class LossReason(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("loss reason")
        verbose_name_plural = _("loss reasons")

    def __str__(self) -> str:
        return self.name


class OpportunityQuerySet(TrashQuerySet):
    def open(self):
        return self.filter(status=Opportunity.Status.OPEN)


class Opportunity(Tracked):
    """A commercial intention of a prospect or of a company/person, moving through a process."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        WON = "won", _("won")
        LOST = "lost", _("lost")
        INACTIVE = "inactive", _("inactive")

    class Interest(models.TextChoices):
        NONE = "", _("—")
        LOW = "low", pgettext_lazy("opportunity interest", "low")
        MEDIUM = "medium", pgettext_lazy("opportunity interest", "medium")
        HIGH = "high", pgettext_lazy("opportunity interest", "high")

    prospect = models.ForeignKey(
        Prospect,
        verbose_name=_("prospect"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="opportunities",
    )
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="opportunities",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    summary = models.CharField(_("project summary"), max_length=200)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.OPEN,
        db_index=False,  # the (status, expected_date) index leads with it
    )
    process = models.ForeignKey(
        Process,
        verbose_name=_("process"),
        on_delete=models.PROTECT,
        related_name="opportunities",
        db_index=False,  # the (process, status, step, position) index leads with it
    )
    step = models.ForeignKey(
        Step,
        verbose_name=_("step"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    step_changed_at = models.DateTimeField(_("last step change"), null=True, blank=True)
    position = models.IntegerField(_("position in column"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    probability_is_manual = models.BooleanField(_("probability set by hand"), default=False)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=Decimal("0"))
    expected_date = models.DateField(_("expected date"), null=True, blank=True, db_index=True)
    interest = models.CharField(_("interest"), max_length=10, choices=Interest.choices, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), default=0, validators=[MinValueValidator(0), MaxValueValidator(5)]
    )
    project_notes = models.TextField(_("project notes"), blank=True)
    closing_date = models.DateField(_("closing date"), null=True, blank=True)
    last_quote_at = models.DateTimeField(_("last quote"), null=True, blank=True)
    loss_reason = models.ForeignKey(
        LossReason, verbose_name=_("loss reason"), null=True, blank=True, on_delete=models.PROTECT
    )
    competitor = models.CharField(_("competitor"), max_length=120, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    # Stored overdue colours (refreshed on change and nightly) so lists filter and sort in SQL.
    step_due = models.DateField(_("step due"), null=True, blank=True)
    # Indexed in Meta (equality only: no LIKE copy of the index on PostgreSQL).
    step_colour = models.CharField(max_length=6, choices=Colour.choices, blank=True)
    next_action_at = models.DateTimeField(_("next action"), null=True, blank=True)
    action_colour = models.CharField(max_length=6, choices=Colour.choices, blank=True)

    objects = AliveManager.from_queryset(OpportunityQuerySet)()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [
            models.Index(fields=["process", "status", "step", "position"]),
            models.Index(fields=["status", "expected_date"]),
            models.Index(fields=["step_colour"], name="opportunity_step_colour"),
            models.Index(fields=["action_colour"], name="opportunity_action_colour"),
        ]

    def __str__(self) -> str:
        return self.summary

    def get_absolute_url(self) -> str:
        return reverse("opportunity_detail", args=[self.pk])

    @property
    def weighted_amount(self) -> Decimal:
        return (self.amount or Decimal("0")) * self.probability / Decimal(100)

    @property
    def display_company(self) -> str:
        if self.company_id:
            return self.company.name
        return self.prospect.company_name if self.prospect_id else ""

    @property
    def display_person(self) -> str:
        if self.person_id:
            return self.person.full_name
        return self.prospect.full_name if self.prospect_id else ""


class OpportunityLine(models.Model):
    """An item line; totals are computed on the server by the line service."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    item = models.CharField(_("item"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=3, default=Decimal("1")
    )
    unit_cost = models.DecimalField(
        _("unit cost"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    unit_price = models.DecimalField(
        _("unit price"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    adjusted_price = models.DecimalField(
        _("adjusted price"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    discount = models.DecimalField(
        _("discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=Decimal("0"))
    # Picked from the catalogue or free text; the line keeps the price it was sold at.
    product = models.ForeignKey(
        "catalogue.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    vat_rate = vat_rate_field()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("line")
        verbose_name_plural = _("lines")

    def __str__(self) -> str:
        return self.item


class HistoryEntry(models.Model):
    """One change of a prospect or opportunity: who, when, what, from, to."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        STATUS = "status", _("status")
        STEP = "step", _("step")
        STEP_DONE = "step_done", _("step completed")
        STEP_UNDONE = "step_undone", _("step un-completed")
        OWNER = "owner", _("owner")
        PROBABILITY = "probability", _("probability")
        CONVERTED = "converted", _("added to contacts")
        EDITED = "edited", _("edited")
        QUOTE = "quote", _("quote")
        EXPECTED = "expected", _("expected date")

    prospect = models.ForeignKey(
        Prospect, null=True, blank=True, on_delete=models.CASCADE, related_name="history"
    )
    opportunity = models.ForeignKey(
        Opportunity,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="history",
        db_index=False,  # the history_opp_kind_at index leads with it
    )
    kind = models.CharField(_("change"), max_length=12, choices=Kind.choices)
    from_value = models.CharField(_("from"), max_length=200, blank=True)
    to_value = models.CharField(_("to"), max_length=200, blank=True)
    # What the reports compute on: the steps of a step change or creation (the labels above are
    # what the history shows), and the dates of an expected-date change.
    from_step = models.ForeignKey(
        Step, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_step = models.ForeignKey(
        Step, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rule = models.ForeignKey(
        "pipeline.AutomationRule",
        verbose_name=_("by rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("history entry")
        indexes = [
            models.Index(fields=["opportunity", "kind", "at"], name="history_opp_kind_at"),
            # The reports' stays (forecasting.reports.time_in_step): each opportunity's step and
            # status changes in time order, read from the index alone on PostgreSQL.
            models.Index(
                fields=["opportunity", "at", "id"],
                include=["kind", "to_step", "to_value"],
                condition=models.Q(kind__in=["created", "step", "status"]),
                name="history_stays",
            ),
            # The slippage report: expected-date changes with both dates, by time.
            models.Index(
                fields=["at"],
                include=["opportunity", "from_date", "to_date"],
                condition=models.Q(kind="expected", from_date__isnull=False, to_date__isnull=False),
                name="history_slips",
            ),
        ]
        verbose_name_plural = _("history")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.from_value} → {self.to_value}"


class StepProgress(models.Model):
    """Whether a step of an opportunity's process is completed (the step list's check boxes)."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="step_progress"
    )
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="progress")
    done_at = models.DateTimeField(_("done at"), default=timezone.now)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "step"], name="unique_step_progress")
        ]
        verbose_name = _("completed step")
        verbose_name_plural = _("completed steps")

    def __str__(self) -> str:
        return f"{self.opportunity} — {self.step}"
