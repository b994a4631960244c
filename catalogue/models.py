"""The product catalogue: what the team sells, at what price and VAT rate (Prextra's items)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class VatRate(models.TextChoices):
    """The French VAT rates; 0 % needs an exemption mention on the quote."""

    STANDARD = "20.00", _("20 %")
    INTERMEDIATE = "10.00", _("10 %")
    REDUCED = "5.50", _("5.5 %")
    SPECIAL = "2.10", _("2.1 %")
    EXEMPT = "0.00", _("0 % (exempt)")


DEFAULT_VAT_RATE = Decimal(VatRate.STANDARD.value)


def vat_rate_field(verbose_name=None) -> models.DecimalField:
    return models.DecimalField(
        verbose_name or _("VAT rate (%)"),
        max_digits=4,
        decimal_places=2,
        choices=[(Decimal(value), label) for value, label in VatRate.choices],
        default=DEFAULT_VAT_RATE,
    )


class ProductFamily(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("product family")
        verbose_name_plural = _("product families")

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """A product or service. Lines copy its label, unit, price and VAT rate when they pick it,
    so that a line keeps the price it was sold at when the catalogue changes."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    unit_price = models.DecimalField(
        _("unit price excl. VAT"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    vat_rate = vat_rate_field()
    vat_exemption = models.CharField(
        _("VAT exemption mention"),
        max_length=200,
        blank=True,
        help_text=_("Required at 0 %, e.g. “TVA non applicable, art. 293 B du CGI”."),
    )
    family = models.ForeignKey(
        ProductFamily,
        verbose_name=_("family"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="products",
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.code} – {self.label}"

    def clean(self) -> None:
        if self.vat_rate is not None and Decimal(self.vat_rate) == 0 and not self.vat_exemption:
            raise ValidationError(
                {"vat_exemption": _("At 0 % VAT, say why: the exemption mention is required.")}
            )


from catalogue.reps import FamilyRep  # noqa: E402, F401  (its own module)
