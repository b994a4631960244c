"""Managers' e-mail templates (issue 15): `{{ field }}` placeholders from a fixed list, merged
with the record in the template's language; unknown fields and template tags refused at save;
only managers reach them in the admin."""

from decimal import Decimal

import pytest
from django.urls import reverse

from mail.forms_send import EmailTemplateForm
from mail.merge import TEMPLATE_TAGS, merge, merge_values, template_check
from mail.models import EmailTemplate
from mail.sending import draft_for
from tests import factories as f

pytestmark = pytest.mark.django_db

FRENCH = EmailTemplate(
    name="Relance",
    language="fr",
    subject="{{ project }} : votre projet",
    body=(
        "Bonjour {{ civility }} {{ last_name }},\n"
        "Votre projet {{ project }} pour {{ company }} ({{ amount }}) avance.\n"
        "{{ owner_name }}\n{{ signature }}"
    ),
)
ENGLISH = EmailTemplate(
    name="Follow-up",
    language="en",
    subject="Your project {{project}}",
    body="Dear {{ civility }} {{ first_name }} {{ last_name }}, {{ amount }}. {{ owner_email }}",
)


@pytest.fixture
def signed_rep(rep):
    rep.email_signature = "Alice Durand\nJalon SAS — 04 72 00 00 00"
    rep.save()
    return rep


def project(owner):
    prospect = f.ProspectFactory(
        owner=owner,
        civility="Mme",
        first_name="Claire",
        last_name="Petit",
        company_name="Boulangerie Petit",
        email="claire@petit.fr",
        mobile="",
    )
    f.OpportunityFactory(
        prospect=prospect, owner=owner, summary="Four à pain", amount=Decimal("12500.50")
    )
    return prospect


def test_a_french_template_is_merged_the_french_way(signed_rep):
    prospect = project(signed_rep)
    template = EmailTemplate.objects.create(
        name=FRENCH.name, language="fr", subject=FRENCH.subject, body=FRENCH.body
    )

    draft = draft_for(prospect, sender=signed_rep, template=template)

    assert draft.to == ["claire@petit.fr"]
    assert draft.subject == "Four à pain : votre projet"
    assert draft.body == (
        "Bonjour Mme Petit,\n"
        "Votre projet Four à pain pour Boulangerie Petit (12\xa0500,50 €) avance.\n"
        "Alice Durand\nAlice Durand\nJalon SAS — 04 72 00 00 00"
    )


def test_an_english_template_is_merged_the_english_way(signed_rep):
    prospect = project(signed_rep)

    values = merge_values(prospect, sender=signed_rep, language="en")

    assert merge(ENGLISH.body, values) == ("Dear Mrs Claire Petit, 12,500.50 €. alice@example.com")
    assert merge(ENGLISH.subject, values) == "Your project Four à pain"


def test_merged_values_are_text_never_template_code(rep):
    prospect = project(rep)
    prospect.last_name = "{{ signature }} {% debug %}"
    prospect.save()

    values = merge_values(prospect, sender=rep, language="en")

    assert merge("Dear {{ last_name }}", values) == "Dear {{ signature }} {% debug %}"


def test_a_person_template_takes_the_company_of_their_default_affiliation(rep):
    company = f.CompanyFactory(name="Transports Martin", owner=rep)
    person = f.PersonFactory(civility="M.", first_name="Paul", last_name="Martin", owner=rep)
    f.AffiliationFactory(person=person, company=company, is_default=True)

    values = merge_values(person, sender=rep, language="fr")

    assert values["civility"] == "M."
    assert values["company"] == "Transports Martin"
    assert values["project"] == "" and values["amount"] == ""


def test_unknown_fields_and_template_tags_are_refused():
    with pytest.raises(Exception) as unknown:
        template_check("Bonjour {{ prenom }} {{ user.password }}")
    assert "Unknown merge fields: prenom, user.password." in unknown.value.messages[0]

    with pytest.raises(Exception) as tags:
        template_check("{% load static %}Bonjour")
    assert tags.value.messages == [str(TEMPLATE_TAGS)]


def test_the_admin_form_refuses_an_unknown_field_with_a_message():
    form = EmailTemplateForm(
        data={
            "name": "Relance",
            "language": "fr",
            "subject": "Bonjour {{ nom }}",
            "body": "{{ settings.SECRET_KEY }}",
            "active": "on",
            "position": 0,
        }
    )

    assert not form.is_valid()
    assert "Unknown merge fields: nom." in form.errors["subject"][0]
    assert "Unknown merge fields: settings.SECRET_KEY." in form.errors["body"][0]


def test_managers_manage_templates_in_the_admin_and_reps_do_not(manager_client, client, rep):
    add = reverse("admin:mail_emailtemplate_add")
    data = {
        "name": "Relance devis",
        "language": "en",
        "subject": "Quote for {{ project }}",
        "body": "Hello {{ first_name }},\n{{ signature }}",
        "active": "on",
        "position": 1,
    }

    response = manager_client.post(add, data)
    assert response.status_code == 302
    assert EmailTemplate.objects.get().subject == "Quote for {{ project }}"

    refused = manager_client.post(add, {**data, "body": "{{ owner.password }}"})
    assert refused.status_code == 200
    assert "Unknown merge fields: owner.password." in refused.content.decode()

    rep.is_staff = True
    rep.save()
    client.force_login(rep)
    assert client.get(add).status_code == 403
