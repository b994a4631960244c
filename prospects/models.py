from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from config.db import AliveManager, Tracked, TrashQuerySet
from contacts.models import Category, Company, Person


class Colour(models.TextChoices):
    """Overdue colour of a clock: before the due day, on it, after it."""

    NONE = "", _("none")
    GREEN = "green", _("on time")
    ORANGE = "orange", _("due today")
    RED = "red", _("late")


class Channel(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self) -> str:
        return self.name


class LossReason(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("loss reason")
        verbose_name_plural = _("loss reasons")

    def __str__(self) -> str:
        return self.name


class ExtraField(models.Model):
    """A manager-defined field shown on the prospect card's "extra fields" tab."""

    class Type(models.TextChoices):
        TEXT = "text", _("text")
        NUMBER = "number", _("number")
        BOOLEAN = "boolean", _("yes/no")

    label = models.CharField(_("label"), max_length=80, unique=True)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.TEXT)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("extra field")
        verbose_name_plural = _("extra fields")

    def __str__(self) -> str:
        return self.label


class ProspectQuerySet(TrashQuerySet):
    pass


class Prospect(Tracked):
    """The prospect file: kept apart from the contact file, with its own plain values."""

    civility = models.CharField(
        _("civility"), max_length=4, choices=Person.Civility.choices, blank=True
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=80, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    mobile = models.CharField(_("mobile"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    external_ref = models.CharField(_("external reference"), max_length=60, blank=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    sector = models.CharField(_("sector"), max_length=120, blank=True)
    customer_type = models.CharField(_("customer type"), max_length=80, blank=True)
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), null=True, blank=True, on_delete=models.SET_NULL
    )
    direct_approach = models.BooleanField(_("direct approach"), default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prospects",
    )
    categories = models.ManyToManyField(Category, verbose_name=_("categories"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    extra = models.JSONField(_("extra fields"), default=dict, blank=True)
    # Link to the contact file once "add to contacts" ran (or when imported from it).
    company = models.ForeignKey(
        Company,
        verbose_name=_("company (contacts)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prospect_files",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person (contacts)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prospect_files",
    )
    # Management dates, kept up to date from tasks.
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    last_contact_type = models.CharField(_("last contact type"), max_length=80, blank=True)
    next_contact_at = models.DateTimeField(_("next contact"), null=True, blank=True)
    next_contact_type = models.CharField(_("next contact type"), max_length=80, blank=True)
    search_text = models.TextField(default="", blank=True, editable=False)

    objects = AliveManager.from_queryset(ProspectQuerySet)()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("prospect")
        verbose_name_plural = _("prospects")
        indexes = [
            models.Index(fields=["owner", "last_name"]),
            models.Index(fields=["last_name", "first_name", "id"], name="prospect_name_order"),
        ]

    def __str__(self) -> str:
        name = " ".join(p for p in [self.first_name, self.last_name.upper()] if p)
        if self.company_name:
            return f"{name} ({self.company_name})" if name else self.company_name
        return name or f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("prospect_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return " ".join(p for p in [self.first_name, self.last_name.upper()] if p)

    @property
    def first_note_line(self) -> str:
        return (self.notes or "").strip().splitlines()[0] if (self.notes or "").strip() else ""


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
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    process = models.ForeignKey(
        "pipeline.Process",
        verbose_name=_("process"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    step = models.ForeignKey(
        "pipeline.Step",
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
    step_colour = models.CharField(max_length=6, choices=Colour.choices, blank=True, db_index=True)
    next_action_at = models.DateTimeField(_("next action"), null=True, blank=True)
    action_colour = models.CharField(
        max_length=6, choices=Colour.choices, blank=True, db_index=True
    )

    objects = AliveManager.from_queryset(OpportunityQuerySet)()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [
            models.Index(fields=["process", "status", "step", "position"]),
            models.Index(fields=["status", "expected_date"]),
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

    prospect = models.ForeignKey(
        Prospect, null=True, blank=True, on_delete=models.CASCADE, related_name="history"
    )
    opportunity = models.ForeignKey(
        Opportunity, null=True, blank=True, on_delete=models.CASCADE, related_name="history"
    )
    kind = models.CharField(_("change"), max_length=12, choices=Kind.choices)
    from_value = models.CharField(_("from"), max_length=200, blank=True)
    to_value = models.CharField(_("to"), max_length=200, blank=True)
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
        verbose_name_plural = _("history")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.from_value} → {self.to_value}"


class ImportJob(models.Model):
    """One file going through the import wizard: its mapping, its check and its run."""

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("uploaded")
        CHECKING = "checking", _("checking")
        CHECKED = "checked", _("checked")
        RUNNING = "running", _("importing")
        DONE = "done", _("imported")
        REFUSED = "refused", _("refused, nothing written")
        FAILED = "failed", _("failed")

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
