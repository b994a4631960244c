"""Bank details: IBAN and BIC checked by schwifty, several accounts with one default, a unique
mandate reference each, the IBAN masked for reps and whole for managers."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from contacts import services
from contacts.banking import (
    IBAN_TAKEN,
    MANDATE_TAKEN,
    BankAccount,
    bank_account_create,
    bank_account_delete,
    bank_account_set_default,
)
from contacts.validators import BIC_COUNTRY_MISMATCH, BIC_INVALID, IBAN_INVALID, mask_iban
from quotes import pdf
from quotes.services import quote_create
from tests.quotes.quote_setup import ready_opportunity
from tests.quotes.test_pdf import pdf_text

pytestmark = pytest.mark.django_db

IBAN = "FR7630006000011234567890189"
IBAN_2 = "DE89370400440532013000"


@pytest.fixture
def company(rep):
    return services.company_create(actor=rep, data={"name": "Dupont"})


def test_mask_iban():
    assert mask_iban(IBAN) == "FR76 •••• •••• •••• •••• •••0 189"


def test_accounts_one_default_and_unique_mandates(company, rep):
    first = bank_account_create(
        company=company, actor=rep, data={"iban": "fr76 3000 6000 0112 3456 7890 189"}
    )
    assert first.iban == IBAN and first.is_default
    assert first.mandate_reference == f"JALON-{company.pk:06d}-{first.pk:06d}"
    second = bank_account_create(
        company=company,
        actor=rep,
        data={"iban": IBAN_2, "bic": "COBADEFFXXX", "is_default": True},
    )
    first.refresh_from_db()
    assert second.is_default and not first.is_default
    bank_account_set_default(account=first, actor=rep)
    bank_account_delete(account=first, actor=rep)
    second.refresh_from_db()
    assert second.is_default


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"iban": "FR7630006000011234567890188"}, "iban", IBAN_INVALID),  # wrong key
        ({"iban": "not an iban"}, "iban", IBAN_INVALID),
        ({"iban": IBAN, "bic": "XYZ"}, "bic", BIC_INVALID),
        ({"iban": IBAN, "bic": "COBADEFFXXX"}, "bic", BIC_COUNTRY_MISMATCH),
    ],
)
def test_invalid_bank_details_refused(company, rep, data, field, message):
    with pytest.raises(ValidationError) as exc:
        bank_account_create(company=company, actor=rep, data=data)
    assert exc.value.message_dict[field] == [str(message)]
    assert not BankAccount.objects.exists()


def test_same_iban_twice_and_taken_mandate_refused(company, rep):
    bank_account_create(
        company=company, actor=rep, data={"iban": IBAN, "mandate_reference": "RUM1"}
    )
    with pytest.raises(ValidationError) as exc:
        bank_account_create(company=company, actor=rep, data={"iban": IBAN})
    assert exc.value.message_dict["iban"] == [str(IBAN_TAKEN)]
    other = services.company_create(actor=rep, data={"name": "Other"})
    with pytest.raises(ValidationError) as exc:
        bank_account_create(
            company=other, actor=rep, data={"iban": IBAN_2, "mandate_reference": "RUM1"}
        )
    assert exc.value.message_dict["mandate_reference"] == [str(MANDATE_TAKEN)]


def test_invalid_iban_refused_by_the_page(rep_client, company):
    response = rep_client.post(
        reverse("bank_account_create", args=[company.pk]), {"iban": "FR76 0000"}
    )
    assert response.status_code == 200
    assert str(IBAN_INVALID).encode() in response.content.replace(b"&#x27;", b"'")
    assert not BankAccount.objects.exists()


def test_iban_masked_for_a_rep_whole_for_a_manager(rep_client, manager, company, rep):
    manager_client = Client(HTTP_ACCEPT_LANGUAGE="en")
    manager_client.force_login(manager)
    response = rep_client.post(
        reverse("bank_account_create", args=[company.pk]),
        {"iban": IBAN, "bic": "AGRIFRPP", "label": "Compte principal"},
    )
    assert response.status_code == 302
    url = company.get_absolute_url() + "?tab=bank"
    as_rep = rep_client.get(url).content.decode()
    assert "FR76 •••• •••• •••• •••• •••0 189" in as_rep
    assert "3000 6000" not in as_rep and IBAN not in as_rep
    assert "JALON-" in as_rep  # the mandate reference (RUM) is on the card
    as_manager = manager_client.get(url).content.decode()
    assert "FR76 3000 6000 0112 3456 7890 189" in as_manager
    account = BankAccount.objects.get()
    # A rep cannot open the edit form (it shows the whole IBAN); a manager can.
    assert rep_client.get(reverse("bank_account_edit", args=[account.pk])).status_code == 403
    assert manager_client.get(reverse("bank_account_edit", args=[account.pk])).status_code == 200


def test_other_reps_company_refused(rep_client, other_rep):
    theirs = services.company_create(actor=other_rep, data={"name": "Theirs"})
    response = rep_client.post(reverse("bank_account_create", args=[theirs.pk]), {"iban": IBAN})
    assert response.status_code == 403
    assert not BankAccount.objects.exists()


def test_quote_pdf_prints_the_seller_bank_details_and_the_client_mandate(rep):
    opportunity = ready_opportunity(rep)
    bank_account_create(
        company=opportunity.company,
        actor=rep,
        data={
            "iban": IBAN_2,
            "mandate_reference": "RUM-TRANSPORTS-001",
            "mandate_signed_on": dt.date(2026, 3, 2),
        },
    )
    quote = quote_create(opportunity_id=opportunity.pk, actor=rep)
    text = pdf_text(pdf.quote_pdf(quote)).replace("- ", "-")  # a line may break at a hyphen
    assert "IBAN" in text  # the seller's (quotes.models.Seller)
    # A French client's quote is written in French.
    assert "référence unique de mandat (RUM) RUM-TRANSPORTS-001, signé le 02/03/2026" in text
