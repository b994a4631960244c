import io

import pytest
from django.core.management import call_command

from contacts.models import CompanySearchWord, PostalCode
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_load_postal_codes_is_idempotent():
    out = io.StringIO()
    call_command("load_postal_codes", stdout=out)
    assert "35683 postal codes loaded" in out.getvalue()
    assert PostalCode.objects.filter(code="35000", city="Rennes").exists()
    out = io.StringIO()
    call_command("load_postal_codes", stdout=out)
    assert "already loaded" in out.getvalue()
    assert PostalCode.objects.count() == 35683


def test_reindex_companies_builds_words_of_factory_companies():
    company = f.CompanyFactory(name="Boulangerie Hérault")
    f.AddressFactory(company=company, postal_code="34000", city="Montpellier")
    assert not CompanySearchWord.objects.exists()
    call_command("reindex_companies", stdout=io.StringIO())
    assert set(CompanySearchWord.objects.values_list("word", flat=True)) == {
        "boulangerie",
        "herault",
        "34000",
        "montpellier",
    }
    company.refresh_from_db()
    assert company.search_text == "boulangerie herault 34000 montpellier"
