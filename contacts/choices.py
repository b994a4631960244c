"""Choice lists of the identity fields: languages (ISO 639-1) and currencies (ISO 4217).

Languages reuse Django's own list, translated (plain codes only); currencies are the ones a
French sales team meets, with their ISO codes.
"""

from django.conf import global_settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Django marks its language names for translation without translating them (gettext_noop):
# translated here, so a record's language reads "anglais" to a French user, "English" to others
# (Django's own catalogue holds the names).
LANGUAGE_CHOICES = sorted(
    [(code, _(name)) for code, name in global_settings.LANGUAGES if "-" not in code],
    key=lambda item: item[0],
)

CURRENCY_CHOICES = [
    ("EUR", _("Euro (EUR)")),
    ("USD", _("US dollar (USD)")),
    ("GBP", _("Pound sterling (GBP)")),
    ("CHF", _("Swiss franc (CHF)")),
    ("CAD", _("Canadian dollar (CAD)")),
    ("AUD", _("Australian dollar (AUD)")),
    ("JPY", _("Japanese yen (JPY)")),
    ("CNY", _("Chinese yuan (CNY)")),
    ("SEK", _("Swedish krona (SEK)")),
    ("NOK", _("Norwegian krone (NOK)")),
    ("DKK", _("Danish krone (DKK)")),
    ("PLN", _("Polish złoty (PLN)")),
    ("CZK", _("Czech koruna (CZK)")),
    ("HUF", _("Hungarian forint (HUF)")),
    ("RON", _("Romanian leu (RON)")),
    ("TRY", _("Turkish lira (TRY)")),
    ("MAD", _("Moroccan dirham (MAD)")),
    ("TND", _("Tunisian dinar (TND)")),
    ("DZD", _("Algerian dinar (DZD)")),
    ("XOF", _("West African CFA franc (XOF)")),
    ("XAF", _("Central African CFA franc (XAF)")),
    ("XPF", _("CFP franc (XPF)")),
    ("INR", _("Indian rupee (INR)")),
    ("BRL", _("Brazilian real (BRL)")),
    ("MXN", _("Mexican peso (MXN)")),
    ("ZAR", _("South African rand (ZAR)")),
    ("AED", _("UAE dirham (AED)")),
    ("SGD", _("Singapore dollar (SGD)")),
    ("HKD", _("Hong Kong dollar (HKD)")),
]


class Origin(models.TextChoices):
    """Where a person or prospect came from (the CNIL asks that it be known)."""

    MANUAL = "manual", _("entered by hand")
    IMPORT = "import", _("import file")
    WEB_FORM = "web_form", _("web form")
    EMAIL = "email", _("e-mail")
    REGISTER = "register", _("company register")
    API = "api", _("API")


class LawfulBasis(models.TextChoices):
    """On which basis personal data is processed (GDPR article 6)."""

    LEGITIMATE_INTEREST = "legitimate_interest", _("legitimate interest (B2B prospecting)")
    CONSENT = "consent", _("consent")
    CONTRACT = "contract", _("contract")
