"""Lawful basis and origin on the cards and forms: consent needs its date and proof; imports
and "add to contacts" set the origin."""

import pytest
from django.urls import reverse

from contacts.forms import CONSENT_DATE_REQUIRED, CONSENT_PROOF_REQUIRED
from contacts.models import Person, Prospect
from prospects import services as prospect_services
from prospects.imports import prospects_import
from tests import factories as f

pytestmark = pytest.mark.django_db


def _details(prospect, **changes):
    data = {
        "tab": "details",
        "last_name": prospect.last_name,
        "company_name": prospect.company_name,
        "email": prospect.email,
        "version": prospect.version,
        "owner": prospect.owner_id or "",
    }
    return {**data, **changes}


def test_consent_needs_its_date_and_proof_on_the_prospect_card(rep_client, rep):
    prospect = f.ProspectFactory(owner=rep, mobile="", phone="")
    url = reverse("prospect_detail", args=[prospect.pk])

    refused = rep_client.post(url, _details(prospect, lawful_basis="consent"))
    saved = rep_client.post(
        url,
        _details(
            prospect,
            lawful_basis="consent",
            consent_at="2026-03-14T09:30",
            consent_proof="Newsletter form, 14/03",
        ),
    )

    assert refused.status_code == 422
    html = refused.content.decode()
    assert str(CONSENT_DATE_REQUIRED) in html and str(CONSENT_PROOF_REQUIRED) in html
    assert saved.status_code in (200, 302)
    prospect.refresh_from_db()
    assert prospect.lawful_basis == "consent"
    assert prospect.consent_proof == "Newsletter form, 14/03"
    assert prospect.consent_at.date().isoformat() == "2026-03-14"


def test_a_form_without_the_basis_keeps_the_records(rep_client, rep):
    prospect = f.ProspectFactory(owner=rep, mobile="", phone="", lawful_basis="contract")

    rep_client.post(reverse("prospect_detail", args=[prospect.pk]), _details(prospect, city="Caen"))

    prospect.refresh_from_db()
    assert (prospect.city, prospect.lawful_basis) == ("Caen", "contract")


def test_person_card_shows_and_edits_the_basis(rep_client, rep):
    person = f.PersonFactory(owner=rep, origin="web_form", origin_detail="Contact page")
    edit = reverse("person_edit", args=[person.pk])
    data = {"last_name": person.last_name, "version": person.version, "language": "fr"}

    refused = rep_client.post(edit, {**data, "lawful_basis": "consent"})
    rep_client.post(
        edit,
        {
            **data,
            "lawful_basis": "consent",
            "consent_at": "2026-01-02T10:00",
            "consent_proof": "Signed",
        },
    )
    card = rep_client.get(reverse("person_detail", args=[person.pk])).content.decode()

    assert refused.status_code in (200, 422)
    assert str(CONSENT_PROOF_REQUIRED) in refused.content.decode()
    person.refresh_from_db()
    assert person.lawful_basis == "consent" and person.origin == "web_form"
    assert "Web form · Contact page" in card
    assert "Consent · given on 02/01/2026" in card


def test_an_import_records_its_file_as_origin(tmp_path, rep, default_process):
    path = tmp_path / "salon-2026.csv"
    path.write_text("Nom;Société;E-mail\nDurand;Acme;durand@acme.fr\n", encoding="utf-8")

    report = prospects_import(path=path, actor=rep, filename="salon-2026.csv")

    assert report.created == 1
    prospect = Prospect.objects.get(email="durand@acme.fr")
    assert (prospect.origin, prospect.origin_detail) == ("import", "salon-2026.csv")


def test_add_to_contacts_carries_origin_and_basis(rep):
    prospect = prospect_services.prospect_create(
        actor=rep,
        data={
            "last_name": "Martel",
            "email": "martel@forge.fr",
            "origin": "web_form",
            "origin_detail": "Demo request",
            "lawful_basis": "consent",
            "consent_proof": "Ticked box",
        },
    )

    _company, person = prospect_services.prospect_add_to_contacts(
        prospect_id=prospect.pk, actor=rep
    )

    person = Person.objects.get(pk=person.pk)
    assert (person.origin, person.origin_detail, person.lawful_basis, person.consent_proof) == (
        "web_form",
        "Demo request",
        "consent",
        "Ticked box",
    )
