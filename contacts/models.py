"""The contact file: companies, people and their links, the prospect file, notes, documents and
the reference lists they use.

Long because the contact file's records share their reference lists and abstract parts; a
module per record would import the others back.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from contacts.choices import CURRENCY_CHOICES, LANGUAGE_CHOICES, LawfulBasis, Origin
from contacts.text import normalize, person_name
from contacts.validators import validate_naf, validate_phone, validate_siren, validate_vat
from core.db import AliveManager, Tracked, TrashQuerySet


class Category(models.Model):
    """Admin-defined tag, shared by companies and prospects."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    colour = models.CharField(_("colour"), max_length=7, default="#6366f1")

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class ContactType(models.Model):
    """Kind of contact a person is for a company (accounts payable, purchasing, ...)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("contact type")
        verbose_name_plural = _("contact types")

    def __str__(self) -> str:
        return self.name


class RegisterState(models.TextChoices):
    """A company's administrative state in the national register (`etat_administratif`)."""

    ACTIVE = "A", pgettext_lazy("company in the register", "active")
    CLOSED = "C", pgettext_lazy("company in the register", "closed")


class CompanyQuerySet(TrashQuerySet):
    def prospects(self):
        return self.filter(kind=Company.Kind.PROSPECT)

    def customers(self):
        return self.filter(kind=Company.Kind.CUSTOMER)


class Company(Tracked):
    """A third party ("tiers"): a prospect or a customer, never both."""

    class Kind(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        CUSTOMER = "customer", _("Customer")

    name = models.CharField(_("company name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    is_natural_person = models.BooleanField(_("natural person"), default=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PROSPECT)
    customer_code = models.CharField(
        _("customer code"), max_length=30, unique=True, null=True, blank=True
    )
    siren = models.CharField(
        _("SIREN"), max_length=9, blank=True, db_index=True, validators=[validate_siren]
    )
    vat_number = models.CharField(
        _("VAT number"), max_length=20, blank=True, validators=[validate_vat]
    )
    naf_code = models.CharField(_("NAF code"), max_length=6, blank=True, validators=[validate_naf])
    naf_label = models.CharField(_("activity (NAF label)"), max_length=200, blank=True)
    legal_form = models.CharField(_("legal form"), max_length=120, blank=True)
    country = CountryField(_("country"), default="FR")
    language = models.CharField(_("language"), max_length=7, default="fr", choices=LANGUAGE_CHOICES)
    currency = models.CharField(
        _("currency"), max_length=3, default="EUR", choices=CURRENCY_CHOICES
    )
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # E.164, indexed: the searches find a number however it is typed (contacts.phones).
    phone = models.CharField(
        _("phone"), max_length=32, blank=True, db_index=True, validators=[validate_phone]
    )
    sector = models.CharField(_("activity / sector"), max_length=120, blank=True)
    origin = models.CharField(_("origin"), max_length=120, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_companies",
    )
    categories = models.ManyToManyField(Category, verbose_name=_("categories"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    # Management dates, kept up to date by the system from activities.
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    last_contact_type = models.CharField(_("last contact type"), max_length=80, blank=True)
    next_contact_at = models.DateTimeField(_("next contact"), null=True, blank=True)
    next_contact_type = models.CharField(_("next contact type"), max_length=80, blank=True)
    last_quote_at = models.DateTimeField(_("last quote"), null=True, blank=True)
    # What the national register (contacts.register) said when last asked.
    register_state = models.CharField(
        _("state in the register"), max_length=1, choices=RegisterState.choices, blank=True
    )
    register_checked_at = models.DateTimeField(_("checked in the register"), null=True, blank=True)
    # Normalised words of name, postal codes and cities, for the word-start quick search.
    search_text = models.TextField(default="", blank=True, editable=False)

    objects = AliveManager.from_queryset(CompanyQuerySet)()

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        # The list's order (name, then id): its first pages read the index, no sort.
        indexes = [models.Index(fields=["name", "id"], name="company_name_order")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("company_detail", args=[self.pk])

    @property
    def default_address(self):
        for address in self.addresses.all():
            if address.is_default:
                return address
        return None

    @property
    def normalized_name(self) -> str:
        return normalize(self.name)


class CompanySearchWord(models.Model):
    """One normalised word of a company's name, postal codes or cities.

    The quick search matches each typed word against the start of these words: a prefix
    `LIKE 'dup%'` served by the (word, name_key, company) btree index (varchar_pattern_ops on
    PostgreSQL, so any collation works), one lookup per typed word, intersected.
    """

    word = models.CharField(max_length=60)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="search_words")
    # The company's normalised name: results are sorted from this index alone, so a page of
    # a search with thousands of matches never reads thousands of company rows.
    name_key = models.CharField(max_length=80, default="")

    class Meta:
        indexes = [
            models.Index(
                fields=["word", "name_key", "company"],
                name="company_search_word_sorted",
                opclasses=["varchar_pattern_ops", "text_ops", "int8_ops"],
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["company", "word"], name="unique_company_word")
        ]

    def __str__(self) -> str:
        return self.word


class CompanyRep(models.Model):
    """A secondary representative of a company, with a role."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="reps")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE
    )
    role = models.CharField(_("role"), max_length=80, blank=True)

    class Meta:
        unique_together = [("company", "user")]
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")

    def __str__(self) -> str:
        return f"{self.user} ({self.role})" if self.role else str(self.user)


class Address(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(_("label"), max_length=80, blank=True)
    line1 = models.CharField(_("address"), max_length=200)
    line2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = CountryField(_("country"), default="FR")
    # The establishment at this address (its SIRET starts with the company's SIREN).
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, db_index=True)
    is_default = models.BooleanField(_("default address"), default=False)

    class Meta:
        ordering = ["-is_default", "id"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["company"], condition=models.Q(is_default=True), name="one_default_address"
            )
        ]

    def __str__(self) -> str:
        return ", ".join(
            p for p in [self.line1, self.line2, f"{self.postal_code} {self.city}".strip()] if p
        )


class DataOrigin(models.Model):
    """Where a person's data came from and on which basis it is processed (GDPR, CNIL)."""

    origin = models.CharField(
        _("origin"), max_length=12, choices=Origin.choices, default=Origin.MANUAL
    )
    origin_detail = models.CharField(_("origin detail"), max_length=250, blank=True)
    lawful_basis = models.CharField(
        _("lawful basis"),
        max_length=20,
        choices=LawfulBasis.choices,
        default=LawfulBasis.LEGITIMATE_INTEREST,
    )
    consent_at = models.DateTimeField(_("consent given on"), null=True, blank=True)
    consent_proof = models.TextField(_("proof of consent"), blank=True)

    class Meta:
        abstract = True


class Person(Tracked, DataOrigin):
    """A contact ("interlocuteur"), linked to any number of companies without duplication."""

    class Civility(models.TextChoices):
        MR = "M.", _("Mr")
        MRS = "Mme", _("Mrs")
        NONE = "", _("—")

    civility = models.CharField(_("civility"), max_length=4, choices=Civility.choices, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    department = models.CharField(_("department"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    email2 = models.EmailField(_("other e-mail"), blank=True)
    phone = models.CharField(
        _("phone"), max_length=32, blank=True, db_index=True, validators=[validate_phone]
    )
    mobile = models.CharField(
        _("mobile"), max_length=32, blank=True, db_index=True, validators=[validate_phone]
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=7, default="fr", choices=LANGUAGE_CHOICES)
    mailing_opt_in = models.BooleanField(_("accepts mailings"), default=False)
    active = models.BooleanField(_("active"), default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_people",
    )
    companies = models.ManyToManyField(
        Company, through="Affiliation", related_name="people", verbose_name=_("companies")
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        # The list's order; on PostgreSQL a trigram index serves the quick search too
        # (migration 0007).
        indexes = [models.Index(fields=["last_name", "first_name", "id"], name="person_name_order")]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("person_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return person_name(self.first_name, self.last_name)


class Affiliation(models.Model):
    """A person's link to a company: role, rank, contact type, default contact."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="affiliations")
    role = models.CharField(_("role"), max_length=120, blank=True)
    contact_type = models.ForeignKey(
        ContactType,
        verbose_name=_("contact type"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    rank = models.PositiveSmallIntegerField(_("rank"), default=1)
    is_default = models.BooleanField(_("default contact"), default=False)

    class Meta:
        ordering = ["rank", "id"]
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        constraints = [
            models.UniqueConstraint(fields=["person", "company"], name="unique_affiliation"),
            models.UniqueConstraint(
                fields=["company"], condition=models.Q(is_default=True), name="one_default_contact"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.company}"


class Note(models.Model):
    """A dated note with an optional reminder, attached to any record."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    date = models.DateField(_("date"), default=timezone.localdate)
    reminder_date = models.DateField(_("reminder date"), null=True, blank=True, db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="notes",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self) -> str:
        return self.subject


def document_path(instance: "Document", filename: str) -> str:
    return f"documents/{instance.content_type_id}/{instance.object_id}/{filename}"


class Document(models.Model):
    """A file attached to a record; downloaded only through a rights-checking view."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("file"), upload_to=document_path)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    content_type_header = models.CharField(max_length=120, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.name


class PostalCode(models.Model):
    """French postal codes with their towns, for city suggestions."""

    code = models.CharField(max_length=5, db_index=True)
    city = models.CharField(max_length=120)

    class Meta:
        ordering = ["code", "city"]
        verbose_name = _("postal code")
        verbose_name_plural = _("postal codes")

    def __str__(self) -> str:
        return f"{self.code} {self.city}"


class Channel(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

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


# The prospect's own values, which its form, import, merge and API write (contacts.models
# stays the one list; management dates and search words follow the services' rules).
PROSPECT_EDITABLE = (
    "civility",
    "first_name",
    "last_name",
    "company_name",
    "job_title",
    "address",
    "postal_code",
    "city",
    "country",
    "phone",
    "mobile",
    "email",
    "website",
    "birth_date",
    "external_ref",
    "siren",
    "sector",
    "customer_type",
    "channel",
    "direct_approach",
    "owner",
    "notes",
)


class ProspectQuerySet(TrashQuerySet):
    pass


class Prospect(Tracked, DataOrigin):
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
    # Indexed in Meta.indexes (equality only: no `varchar_pattern_ops` copy on PostgreSQL).
    email = models.EmailField(_("e-mail"), blank=True)
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
        db_index=False,  # the (owner, last_name) index leads with it
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
        db_index=False,  # partial index in Meta.indexes
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person (contacts)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prospect_files",
        db_index=False,  # partial index in Meta.indexes
    )
    # Management dates, kept up to date from tasks.
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    last_contact_type = models.CharField(_("last contact type"), max_length=80, blank=True)
    next_contact_at = models.DateTimeField(_("next contact"), null=True, blank=True)
    next_contact_type = models.CharField(_("next contact type"), max_length=80, blank=True)
    last_quote_at = models.DateTimeField(_("last quote"), null=True, blank=True)
    search_text = models.TextField(default="", blank=True, editable=False)
    # The earliest next action of its open opportunities, kept by pipeline.clocks
    # (`prospects_next_action_refresh`) so that the list sorts on an index, not a subquery.
    next_action_at = models.DateTimeField(_("next action"), null=True, blank=True, editable=False)

    objects = AliveManager.from_queryset(ProspectQuerySet)()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("prospect")
        verbose_name_plural = _("prospects")
        indexes = [
            models.Index(fields=["owner", "last_name"]),
            models.Index(fields=["last_name", "first_name", "id"], name="prospect_name_order"),
            models.Index(fields=["company_name", "id"], name="prospect_company_order"),
            models.Index(fields=["next_action_at", "id"], name="prospect_next_action_order"),
            # What each imported row costs to write (issue 20): the e-mail's index serves its
            # equality look-ups only, and the links to the contact file, empty on most
            # prospects (and on every imported one), are indexed where they are set.
            models.Index(fields=["email"], name="prospect_email"),
            models.Index(
                fields=["company"],
                name="prospect_company_link",
                condition=models.Q(company__isnull=False),
            ),
            models.Index(
                fields=["person"],
                name="prospect_person_link",
                condition=models.Q(person__isnull=False),
            ),
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


from contacts.banking import BankAccount  # noqa: E402, F401  (its own module)
