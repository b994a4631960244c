"""Bank details of a company (Sage X3's third-party "RIB" tab): several accounts, one default,
IBAN and BIC checked by schwifty, each with its unique SEPA direct debit mandate reference
(RUM). The model and the writes that carry its rules live here; `contacts.models` imports the
model so that Django finds it.

Who reads them: the company card shows the IBAN masked (`contacts.validators.mask_iban`) except
to managers; quotes print the client's mandate reference next to the seller's bank details.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.validators import clean_bic, clean_iban, group_iban, mask_iban

IBAN_TAKEN = _("This IBAN is already among this company's bank details.")
MANDATE_TAKEN = _("This mandate reference is already used by another bank account.")


class BankAccount(models.Model):
    company = models.ForeignKey(
        "contacts.Company", on_delete=models.CASCADE, related_name="bank_accounts"
    )
    label = models.CharField(_("label"), max_length=80, blank=True)
    holder = models.CharField(_("account holder"), max_length=140, blank=True)
    bank_name = models.CharField(_("bank"), max_length=120, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    is_default = models.BooleanField(_("default account"), default=False)
    # SEPA "référence unique de mandat": unique across every company, at most 35 characters.
    mandate_reference = models.CharField(
        _("mandate reference (RUM)"), max_length=35, unique=True, null=True, blank=True
    )
    mandate_signed_on = models.DateField(_("mandate signed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-is_default", "id"]
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        constraints = [
            models.UniqueConstraint(fields=["company", "iban"], name="unique_company_iban"),
            models.UniqueConstraint(
                fields=["company"],
                condition=models.Q(is_default=True),
                name="one_default_bank_account",
            ),
        ]

    def __str__(self) -> str:
        return self.label or self.masked_iban

    @property
    def masked_iban(self) -> str:
        return mask_iban(self.iban)

    @property
    def grouped_iban(self) -> str:
        return group_iban(self.iban)


def default_mandate_reference(account: BankAccount) -> str:
    """JALON-<company>-<account>: unique because the account's id is."""
    return f"JALON-{account.company_id:06d}-{account.pk:06d}"


BANK_FIELDS = (
    "label",
    "holder",
    "bank_name",
    "iban",
    "bic",
    "is_default",
    "mandate_reference",
    "mandate_signed_on",
)


def _check(account: BankAccount) -> None:
    errors: dict[str, list] = {}
    try:
        account.iban = clean_iban(account.iban)
    except ValidationError as exc:
        errors["iban"] = exc.error_list
    try:
        account.bic = clean_bic(account.bic, account.iban if "iban" not in errors else "")
    except ValidationError as exc:
        errors["bic"] = exc.error_list
    if not account.iban and "iban" not in errors:
        errors["iban"] = [ValidationError(_("This field is required."), code="required")]
    account.mandate_reference = (account.mandate_reference or "").strip() or None
    if "iban" not in errors:
        same = BankAccount.objects.filter(company_id=account.company_id, iban=account.iban)
        if same.exclude(pk=account.pk).exists():
            errors["iban"] = [ValidationError(IBAN_TAKEN, code="iban_taken")]
    if account.mandate_reference:
        used = BankAccount.objects.filter(mandate_reference=account.mandate_reference)
        if used.exclude(pk=account.pk).exists():
            errors["mandate_reference"] = [ValidationError(MANDATE_TAKEN, code="mandate_taken")]
    if errors:
        raise ValidationError(errors)


def _save_with_default(account: BankAccount) -> None:
    others = BankAccount.objects.filter(company_id=account.company_id).exclude(pk=account.pk)
    if not others.filter(is_default=True).exists():
        account.is_default = True  # exactly one default: the first, or the only one left
    if account.is_default:
        others.filter(is_default=True).update(is_default=False)
    account.save()


@transaction.atomic
def bank_account_create(*, company, actor, data: dict[str, Any]) -> BankAccount:
    """A company's new bank account (its first is the default); IBAN and BIC checked, its
    mandate reference generated unless one is given."""
    type(company).all_objects.select_for_update().filter(pk=company.pk).exists()
    account = BankAccount(company=company, **{k: v for k, v in data.items() if k in BANK_FIELDS})
    _check(account)
    _save_with_default(account)
    if not account.mandate_reference:
        account.mandate_reference = default_mandate_reference(account)
        BankAccount.objects.filter(pk=account.pk).update(
            mandate_reference=account.mandate_reference
        )
    return account


@transaction.atomic
def bank_account_update(*, account: BankAccount, actor, data: dict[str, Any]) -> BankAccount:
    type(account.company).all_objects.select_for_update().filter(pk=account.company_id).exists()
    for name, value in data.items():
        if name in BANK_FIELDS:
            setattr(account, name, value)
    _check(account)
    if not account.mandate_reference:
        account.mandate_reference = default_mandate_reference(account)
    _save_with_default(account)
    return account


@transaction.atomic
def bank_account_set_default(*, account: BankAccount, actor) -> BankAccount:
    BankAccount.objects.filter(company_id=account.company_id, is_default=True).exclude(
        pk=account.pk
    ).update(is_default=False)
    BankAccount.objects.filter(pk=account.pk).update(is_default=True)
    account.is_default = True
    return account


@transaction.atomic
def bank_account_delete(*, account: BankAccount, actor) -> None:
    """Deleting the default account makes the oldest remaining one the default."""
    company_id, was_default = account.company_id, account.is_default
    account.delete()
    if was_default:
        successor = BankAccount.objects.filter(company_id=company_id).order_by("id").first()
        if successor:
            BankAccount.objects.filter(pk=successor.pk).update(is_default=True)


def default_bank_account(company) -> BankAccount | None:
    """The company's default account (what a quote's direct debit mention reads)."""
    if company is None:
        return None
    return BankAccount.objects.filter(company=company, is_default=True).first()
