"""The national register look-up, against a local server answering with responses recorded
from the real API (tests/contacts/fake_register.py): by name, by SIREN or SIRET, not found,
429, 500, too slow; the cache; the form filled from a pick; the nightly re-check."""

import re
import time

import pytest
from django.core.management import call_command
from django.urls import reverse

from contacts import services
from contacts.models import Company, RegisterState
from contacts.register import (
    TOO_MANY,
    TOO_SHORT,
    UNAVAILABLE,
    RegisterUnavailable,
    register_company,
    register_search,
)
from contacts.register_sync import companies_refresh_register
from tests import factories as f
from tests.contacts.fake_register import fake_register  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_search_by_name_reads_the_real_answer(fake_register):  # noqa: F811
    results = register_search("la poste")
    assert [c.siren for c in results] == ["356000000", "812345676"]
    poste, closed = results
    assert poste.legal_name == "LA POSTE"
    assert poste.naf_code == "53.10Z" and poste.naf_label == "Transports et entreposage"
    assert poste.legal_form == "SA nationale à conseil d'administration"
    assert not poste.closed and closed.closed
    assert poste.head_office.siret == "35600000000048"
    assert poste.head_office.line1 == "9 rue du Colonel Pierre Avia"
    assert (poste.head_office.postal_code, poste.head_office.city) == ("75015", "PARIS")
    lyon = poste.establishment("35600000000100")
    assert (lyon.postal_code, lyon.city, lyon.is_head_office) == ("69003", "LYON", False)
    assert fake_register.queries == ["la poste"]


def test_search_by_siren_or_siret_with_spaces(fake_register):  # noqa: F811
    assert register_company("356000000").name == "LA POSTE"
    by_siret = register_company("356000000", siret="35600000000100")
    assert by_siret.establishment("35600000000100").city == "LYON"
    assert register_search("356 000 000")[0].siren == "356000000"
    assert fake_register.queries == ["356000000", "35600000000100"]  # the second, cached


def test_answers_are_cached(fake_register):  # noqa: F811
    register_search("La Poste")
    register_search("La Poste")
    assert fake_register.queries == ["La Poste"]
    register_search("La Poste", fresh=True)
    assert len(fake_register.queries) == 2


def test_not_found_and_too_short(fake_register):  # noqa: F811
    assert register_search("zzzz introuvable") == []
    assert register_company("552100554") is None
    with pytest.raises(ValueError, match=re.escape(str(TOO_SHORT))):
        register_search("ab")


@pytest.mark.parametrize(
    ("query", "message", "status"),
    [("busy company", TOO_MANY, 429), ("crash company", UNAVAILABLE, 500)],
)
def test_errors_give_a_message(fake_register, query, message, status):  # noqa: F811
    with pytest.raises(RegisterUnavailable) as exc:
        register_search(query)
    assert exc.value.message == message and exc.value.status == status


def test_slow_register_times_out_after_three_seconds(fake_register):  # noqa: F811
    started = time.monotonic()
    with pytest.raises(RegisterUnavailable) as exc:
        register_search("slow company")
    assert exc.value.message == UNAVAILABLE
    assert time.monotonic() - started < 3.9


def test_no_network_gives_a_message(settings):
    settings.SIRENE_API_URL = "http://127.0.0.1:9"  # nothing listens there
    with pytest.raises(RegisterUnavailable):
        register_search("la poste", fresh=True)


def test_lookup_view_lists_companies_and_establishments(rep_client, fake_register):  # noqa: F811
    page = rep_client.get(reverse("company_lookup"), {"q": "la poste"}, HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-register-siren="356000000"' in html
    assert "35600000000048" in html and "35600000000100" in html
    assert "data-register-closed" in html  # LA POSTE DU VILLAGE is closed
    assert "&quot;naf_code&quot;: &quot;53.10Z&quot;" in html


@pytest.mark.parametrize(
    ("query", "message"), [("busy company", TOO_MANY), ("crash company", UNAVAILABLE)]
)
def test_lookup_view_shows_the_error(rep_client, fake_register, query, message):  # noqa: F811
    page = rep_client.get(reverse("company_lookup"), {"q": query})
    assert page.status_code == 200
    assert str(message).encode() in page.content.replace(b"&#x27;", b"'")


def test_lookup_view_says_nothing_found(rep_client, fake_register):  # noqa: F811
    page = rep_client.get(reverse("company_lookup"), {"q": "zzzz introuvable"})
    assert b"data-register-empty" in page.content


def test_new_company_form_saves_what_a_pick_fills(rep_client, rep):
    """What static/js/register_lookup.js writes into the form, posted."""
    response = rep_client.post(
        reverse("company_create"),
        {
            "name": "LA POSTE DU VILLAGE",
            "siren": "812345676",
            "naf_code": "56.10A",
            "naf_label": "Hébergement et restauration",
            "legal_form": "Société à responsabilité limitée (SARL)",
            "register_state": "C",
            "country": "FR",
            "language": "fr",
            "currency": "EUR",
            "active": "on",
            "address-line1": "3 Place De L'Eglise",
            "address-postal_code": "35000",
            "address-city": "RENNES",
            "address-country": "FR",
            "address-siret": "81234567600017",
        },
    )
    assert response.status_code == 302, response.content
    company = Company.objects.get(siren="812345676")
    assert company.register_state == RegisterState.CLOSED and company.register_checked_at
    assert company.legal_form.startswith("Société à responsabilité limitée")
    assert company.default_address.siret == "81234567600017"
    card = rep_client.get(company.get_absolute_url())
    assert b"data-register-closed" in card.content


def test_prospect_add_to_contacts_with_a_register_pick(rep_client, rep, fake_register):  # noqa: F811
    prospect = f.ProspectFactory(
        owner=rep, company_name="La Poste", address="", email="", last_name="Martin"
    )
    response = rep_client.post(
        reverse("prospect_add_to_contacts", args=[prospect.pk]),
        {"register_siren": "356000000", "register_siret": "35600000000100"},
    )
    assert response.status_code == 302
    prospect.refresh_from_db()
    company = prospect.company
    assert company.siren == "356000000" and company.naf_code == "53.10Z"
    assert company.register_state == RegisterState.ACTIVE
    address = company.default_address
    assert (address.siret, address.postal_code, address.city) == ("35600000000100", "69003", "LYON")


def test_prospect_add_to_contacts_when_the_register_fails(rep_client, rep, settings):
    settings.SIRENE_API_URL = "http://127.0.0.1:9"
    prospect = f.ProspectFactory(owner=rep, company_name="Crash SA", email="", last_name="Roux")
    response = rep_client.post(
        reverse("prospect_add_to_contacts", args=[prospect.pk]),
        {"register_siren": "552100554", "register_siret": ""},
        follow=True,
    )
    prospect.refresh_from_db()
    assert prospect.company is not None  # added all the same
    assert str(UNAVAILABLE).encode() in response.content.replace(b"&#x27;", b"'")


def test_refresh_register_flags_closed_companies_at_the_published_rate(rep, fake_register):  # noqa: F811
    active = services.company_create(actor=rep, data={"name": "La Poste", "siren": "356000000"})
    unknown = services.company_create(actor=rep, data={"name": "Acme", "siren": "552100554"})
    services.company_create(actor=rep, data={"name": "No SIREN"})
    sleeps = []
    counts = companies_refresh_register(sleep=sleeps.append, clock=lambda: 0.0)
    assert counts == {"checked": 2, "closed": 0, "unknown": 1, "failed": 0}
    active.refresh_from_db()
    unknown.refresh_from_db()
    assert active.register_state == RegisterState.ACTIVE and active.naf_code == "53.10Z"
    assert unknown.register_state == "" and unknown.register_checked_at is None
    assert sleeps == [pytest.approx(1 / 7)]  # at most 7 requests a second


def test_refresh_register_command(rep, fake_register, capsys):  # noqa: F811
    services.company_create(actor=rep, data={"name": "La Poste", "siren": "356000000"})
    call_command("refresh_register")
    assert "1 companies checked" in capsys.readouterr().out


def test_nightly_beat_entry(settings):
    assert settings.CELERY_BEAT_SCHEDULE["register-refresh"]["task"] == (
        "contacts.tasks.refresh_register_task"
    )
