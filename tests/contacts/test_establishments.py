"""Each address may carry its establishment's SIRET: valid, and of the company's SIREN."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contacts import services
from contacts.models import Address, Company
from contacts.validators import SIRET_KEY, SIRET_OTHER_SIREN

pytestmark = pytest.mark.django_db

ADDRESS = {"line1": "9 rue du Colonel Pierre Avia", "postal_code": "75015", "city": "Paris"}


@pytest.fixture
def company(rep):
    return services.company_create(actor=rep, data={"name": "La Poste", "siren": "356000000"})


def test_siret_of_the_company_accepted(company, rep):
    address = services.address_create(
        company=company, actor=rep, data={**ADDRESS, "siret": "356 000 000 00048"}
    )
    assert address.siret == "35600000000048"


def test_siret_of_another_siren_refused(company, rep):
    with pytest.raises(ValidationError) as exc:
        services.address_create(
            company=company, actor=rep, data={**ADDRESS, "siret": "81234567600017"}
        )
    assert exc.value.message_dict["siret"] == [str(SIRET_OTHER_SIREN % {"siren": "356000000"})]
    assert not Address.objects.exists()


def test_invalid_siret_refused(company, rep):
    with pytest.raises(ValidationError) as exc:
        services.address_create(
            company=company, actor=rep, data={**ADDRESS, "siret": "81234567600018"}
        )
    assert exc.value.message_dict["siret"] == [str(SIRET_KEY)]


def test_address_form_shows_the_refusal(rep_client, company):
    response = rep_client.post(
        reverse("address_create", args=[company.pk]),
        {**ADDRESS, "country": "FR", "siret": "81234567600017"},
    )
    assert response.status_code == 200
    assert b"This SIRET belongs to another company" in response.content
    assert not Address.objects.exists()


def test_new_company_form_refuses_a_siret_of_another_siren(rep_client):
    response = rep_client.post(
        reverse("company_create"),
        {
            "name": "La Poste",
            "siren": "356000000",
            "country": "FR",
            "language": "fr",
            "currency": "EUR",
            "address-line1": "1 rue X",
            "address-country": "FR",
            "address-siret": "81234567600017",
        },
    )
    assert response.status_code == 200
    assert b"This SIRET belongs to another company" in response.content
    assert not Company.objects.exists()


def test_siret_shown_on_the_card(rep_client, company, rep):
    services.address_create(company=company, actor=rep, data={**ADDRESS, "siret": "35600000000048"})
    page = rep_client.get(company.get_absolute_url() + "?tab=addresses")
    assert b"35600000000048" in page.content
