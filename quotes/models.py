"""Quotes (devis): the seller's legal identity, set up once, and quotes made from an
opportunity's lines, numbered when issued, frozen once sent, accepted or refused online."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalogue.models import vat_rate_field
from core.access import can_view
from pipeline.models import Opportunity
from quotes.validators import seller_clean


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Seller(models.Model):
    """The company using Jalon, as its quotes name it. One row (pk=1), set up by a manager."""

    legal_name = models.CharField(_("legal name"), max_length=200)
    legal_form = models.CharField(_("legal form"), max_length=60, help_text=_("e.g. SAS, SARL"))
    share_capital = models.DecimalField(
        _("share capital (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    street = models.CharField(_("street"), max_length=200)
    street2 = models.CharField(_("street (continued)"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=12)
    city = models.CharField(_("city"), max_length=120)
    country = models.CharField(_("country"), max_length=60, default="France")
    siren = models.CharField(_("SIREN"), max_length=9)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    rcs_city = models.CharField(_("RCS city"), max_length=120, help_text=_("e.g. RCS Lyon"))
    vat_number = models.CharField(_("VAT number"), max_length=20)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.FileField(_("logo"), upload_to="seller/", blank=True)
    bank_name = models.CharField(_("bank"), max_length=120, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    validity_days = models.PositiveSmallIntegerField(
        _("default validity (days)"), default=30, validators=[MinValueValidator(1)]
    )
    payment_terms = models.TextField(
        _("payment terms"), default="Paiement à 30 jours à compter de la date de facture."
    )
    late_penalty = models.TextField(
        _("late-payment penalties"),
        default=(
            "En cas de retard de paiement, des pénalités au taux de trois fois le taux "
            "d’intérêt légal sont exigibles, ainsi qu’une indemnité forfaitaire pour frais "
            "de recouvrement de 40 €."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("seller")
        verbose_name_plural = _("seller")

    def __str__(self) -> str:
        return self.legal_name

    def clean(self) -> None:
        # SIREN, SIRET, VAT number, IBAN, BIC (normalised) and logo: see quotes/validators.py.
        seller_clean(self)


class QuoteQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A quote follows its opportunity's visibility."""
        visible = Opportunity.objects.visible_to(user)
        return self.filter(opportunity__in=visible)

    def shows(self, user, obj) -> bool:
        """The object form of `visible_to` (`core.access.can_view`): the opportunity's rule."""
        return can_view(user, obj.opportunity)


class Quote(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("quote status", "draft")
        SENT = "sent", pgettext_lazy("quote status", "sent")
        ACCEPTED = "accepted", pgettext_lazy("quote status", "accepted")
        REFUSED = "refused", pgettext_lazy("quote status", "refused")
        EXPIRED = "expired", pgettext_lazy("quote status", "expired")

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.PROTECT, related_name="quotes"
    )
    # Revisions: a change to a sent quote makes a new quote; the old one stays readable.
    revision_of = models.ForeignKey(
        "self",
        verbose_name=_("revision of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
    )
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    # Given at issue: D-<year>-<sequence> (+ -R<n> for a revision); drafts have none.
    number = models.CharField(_("number"), max_length=30, blank=True, db_index=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    sequence = models.PositiveIntegerField(null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    recipient = models.ForeignKey(
        "contacts.Person",
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    issue_date = models.DateField(_("date"), null=True, blank=True)
    validity_days = models.PositiveSmallIntegerField(
        _("validity (days)"), default=30, validators=[MinValueValidator(1)]
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True, db_index=True)
    discount = models.DecimalField(
        _("overall discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    notes = models.TextField(_("notes"), blank=True)
    # Totals, computed on the server by the quote service (stored for lists and filters).
    total_excl_vat = models.DecimalField(
        _("total excl. VAT"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    total_vat = models.DecimalField(
        _("total VAT"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    total_incl_vat = models.DecimalField(
        _("total incl. VAT"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    # Frozen at issue: the parties as the quote names them, whatever changes later.
    seller_snapshot = models.JSONField(default=dict, blank=True, editable=False)
    client_snapshot = models.JSONField(default=dict, blank=True, editable=False)
    language = models.CharField(_("language"), max_length=8, default="fr")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_to = models.EmailField(_("sent to"), blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_name = models.CharField(_("accepted by"), max_length=200, blank=True)
    accepted_ip = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    accepted_pdf = models.FileField(_("accepted PDF"), upload_to="quotes/accepted/", blank=True)
    refused_at = models.DateTimeField(_("refused at"), null=True, blank=True)
    refusal_reason = models.TextField(_("refusal reason"), blank=True)
    expired_at = models.DateTimeField(_("expired at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~models.Q(number=""), name="quote_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.number or _("Draft quote %(id)s") % {"id": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("quote_detail", args=[self.pk])

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT

    def touch(self) -> None:
        self.updated_at = timezone.now()
        self.version += 1


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    product = models.ForeignKey(
        "catalogue.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    item = models.CharField(_("description"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(0)],
    )
    unit_price = models.DecimalField(
        _("unit price excl. VAT"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    discount = models.DecimalField(
        _("discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    vat_rate = vat_rate_field()
    vat_exemption = models.CharField(_("VAT exemption mention"), max_length=200, blank=True)
    total_excl_vat = models.DecimalField(
        _("total excl. VAT"), max_digits=14, decimal_places=2, default=Decimal("0")
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")

    def __str__(self) -> str:
        return self.item


class QuoteSequence(models.Model):
    """The last number given in a year; its row is locked while a quote is numbered, so that
    numbers follow each other without gap or duplicate."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("quote numbering")
        verbose_name_plural = _("quote numbering")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
