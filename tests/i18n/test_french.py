"""Pages and messages in French as a native reader expects them (issue 19): language and role
names translated, the confirmation word in the user's language, one "création" in the
history, one period after "S.A.R.L.", real plurals, "cliente" for a company, month names that
cannot be confused on the forecast's axis."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone, translation

from contacts import services as contact_services
from contacts.models import Prospect
from core.roles import SALES_REP, role_label
from core.sentences import sentence
from prospects import services as prospect_services
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def french(settings):
    """The interface in French (after the suite's English default)."""
    settings.LANGUAGE_CODE = "fr"
    with translation.override("fr"):
        yield


def page(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


# -- Languages and roles ------------------------------------------------------------------------


def test_the_language_of_a_record_is_named_in_french(french, rep_client, rep):
    company = f.CompanyFactory(language="en", owner=rep)
    person = f.PersonFactory(language="fr", owner=rep)
    company_html = page(rep_client, company.get_absolute_url())
    assert re.search(r"Langue</dt><dd>anglais", company_html, re.IGNORECASE), company_html
    assert ">English<" not in company_html
    assert re.search(r"Langue</dt><dd>français", page(rep_client, person.get_absolute_url()), re.I)
    form = page(rep_client, reverse("company_edit", args=[company.pk]))
    assert re.search(r'<option value="de"[^>]*>allemand</option>', form, re.IGNORECASE)


def test_the_language_names_stay_english_in_english(rep_client, rep):
    company = f.CompanyFactory(language="fr", owner=rep)
    assert "<dd>French</dd>" in page(rep_client, company.get_absolute_url())


def test_role_names_are_shown_in_the_users_language(french):
    rep_group, manager_group = f.rep_group(), f.manager_group()
    assert str(rep_group) == role_label(SALES_REP) == "Commercial"
    assert str(manager_group) == "Responsable commercial"
    assert str(Group(name="Comptabilité")) == "Comptabilité"  # other groups as named
    with translation.override("en"):
        assert str(rep_group) == "Sales rep"


def test_role_names_in_french_in_the_admin(french, client):
    admin = f.ManagerFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    html = page(client, reverse("admin:auth_group_changelist"))
    assert "Responsable commercial" in html and "Sales manager" not in html
    html = page(client, reverse("admin:accounts_user_change", args=[admin.pk]))
    assert ">Commercial</option>" in html and "Sales rep" not in html


# -- The delete-all word ------------------------------------------------------------------------


def test_the_french_manager_types_supprimer(french, client, manager, rep):
    prospect_services.prospect_create(actor=rep, last_name="Hisson")
    client.force_login(manager)
    html = page(client, reverse("prospect_delete_all"))
    assert "<strong>SUPPRIMER</strong>" in html and "DELETE" not in html
    response = client.post(reverse("prospect_delete_all"), {"confirmation": "DELETE"})
    assert response.status_code == 422 and Prospect.objects.count() == 1
    response = client.post(reverse("prospect_delete_all"), {"confirmation": "SUPPRIMER"})
    assert response.status_code == 302 and Prospect.objects.count() == 0


def test_the_english_manager_still_types_delete(client, manager, rep):
    prospect_services.prospect_create(actor=rep, last_name="Hisson")
    client.force_login(manager)
    assert "<strong>DELETE</strong>" in page(client, reverse("prospect_delete_all"))
    assert client.post(reverse("prospect_delete_all"), {"confirmation": "SUPPRIMER"}).status_code
    assert Prospect.objects.count() == 1


# -- The history --------------------------------------------------------------------------------


def test_a_creation_reads_once_in_the_history(french, rep_client, rep):
    prospect = prospect_services.prospect_create(actor=rep, last_name="Hisson")
    html = page(rep_client, reverse("history_panel"), prospect=prospect.pk)
    words = re.findall(r"création", html, re.IGNORECASE)
    assert len(words) == 1, html
    assert "Création" in html


# -- Sentences ending with an abbreviation ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lié à Dupont S.A.R.L..", "Lié à Dupont S.A.R.L."),
        ("Ajouté aux contacts : Dupont S.A.R.L. / Paul Martin.", None),
        ("Attendez...", None),
        ("Voir Martin et Cie.. Puis X.", "Voir Martin et Cie. Puis X."),
        ("Dupont S.A.R.L..\u00a0Autre", "Dupont S.A.R.L.\u00a0Autre"),
    ],
)
def test_one_period_after_an_abbreviation(text, expected):
    assert sentence(text) == (expected or text)


def test_linking_a_sarl_ends_with_one_period(french, rep_client, rep):
    person = f.PersonFactory(owner=rep)
    company = f.CompanyFactory(name="Dupont S.A.R.L.", owner=rep)
    response = rep_client.post(
        reverse("person_company_link", args=[person.pk]),
        {"company": company.pk, "rank": 1, "contact_type": "", "role": ""},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert messages_of(response) == ["Rattaché à Dupont S.A.R.L."]


def test_an_existing_link_to_a_sarl_ends_with_one_period(french, rep):
    person = f.PersonFactory(owner=rep, first_name="Paul", last_name="Martin")
    company = f.CompanyFactory(name="Dupont S.A.R.L.", owner=rep)
    contact_services.affiliation_create(person=person, company=company, actor=rep)
    with pytest.raises(Exception) as refused:
        contact_services.affiliation_create(person=person, company=company, actor=rep)
    assert " ".join(refused.value.messages).endswith("Dupont S.A.R.L.")


# -- Plurals and agreement ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "expected"), [(1, "1 prospect attribué."), (2, "2 prospects attribués.")]
)
def test_bulk_messages_use_real_plurals(french, rep_client, rep, other_rep, count, expected):
    ids = [
        prospect_services.prospect_create(actor=rep, last_name="Hisson").pk for _ in range(count)
    ]
    response = rep_client.post(
        reverse("prospect_bulk"), {"ids": ids, "action": "assign", "owner": other_rep.pk}
    )
    assert messages_of(response) == [expected]


def test_trash_messages_use_real_plurals(french, rep_client, rep):
    ids = [prospect_services.prospect_create(actor=rep, last_name="Hisson").pk]
    response = rep_client.post(reverse("prospect_bulk"), {"ids": ids, "action": "delete"})
    assert messages_of(response) == ["1 prospect mis à la corbeille."]


def test_a_company_becomes_cliente(french, rep_client, rep):
    company = f.CompanyFactory(owner=rep, name="Transports Hisson S.A.R.L.")
    f.AddressFactory(company=company)
    contact_services.company_update(
        company=company,
        actor=rep,
        data={"siren": "542051180", "vat_number": "FR59542051180"},
        version=1,
    )
    response = rep_client.post(
        reverse("company_transform", args=[company.pk]), {"customer_code": "C1"}
    )
    assert response.status_code == 302
    assert messages_of(response) == ["Transports Hisson S.A.R.L. est désormais cliente."]


# -- Month names on charts ----------------------------------------------------------------------


def test_the_forecast_axis_tells_june_from_july(french, rep_client, rep):
    today = timezone.localdate()
    year = today.year + 1  # June and July of next year: always within the next 20 months
    prospect = prospect_services.prospect_create(actor=rep, last_name="Hisson")
    for month in (6, 7):
        f.OpportunityFactory(
            prospect=prospect,
            owner=rep,
            amount=Decimal("12150.50"),
            expected_date=dt.date(year, month, 15),
        )
    html = page(rep_client, reverse("forecast"), months=24)
    labels = re.findall(
        r'<text class="axis-label"[^>]*>([^<]*)(?:<tspan[^>]*>(\d+)</tspan>)?</text>', html
    )
    months = [month for month, _year in labels if not month[0].isdigit()]
    assert "juin" in months and "juil." in months, labels
    assert "jui" not in months
    assert ("janv.", str(year)) in labels  # the year under each January (not "jan.")
    # The table's amounts in French: whole euros, grouped by a non-breaking space, then " €".
    assert '<td class="num">12\u00a0151\u00a0€</td>' in html


@pytest.mark.parametrize(
    ("month", "expected"),
    [(1, "janv. 2027"), (2, "févr. 2027"), (4, "avr. 2027"), (6, "juin 2027"), (7, "juil. 2027")],
)
def test_reports_write_months_as_french_does(french, month, expected):
    """The reports' axes ("N Y") and the forecast's use the same French abbreviations."""
    from django.utils.formats import date_format

    assert date_format(dt.date(2027, month, 1), "N Y") == expected
