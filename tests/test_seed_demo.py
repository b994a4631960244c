import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import User

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {"accounts", "auth", "contacts", "prospects", "pipeline", "forecasting", "catalogue"}
        or model._meta.label == "quotes.Seller"
    }


def test_seed_demo_creates_the_demo_users_and_data(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "manager" in out and "alice" in out and "bruno" in out and "jalon-demo" in out
    for username in ("manager", "alice", "bruno"):
        assert User.objects.get(username=username).check_password("jalon-demo")
    manager = User.objects.get(username="manager")
    assert manager.is_staff and manager.groups.filter(name="Sales manager").exists()
    assert User.objects.get(username="alice").groups.filter(name="Sales rep").exists()
    counts = snapshot()
    assert counts["pipeline.Opportunity"] > 20
    assert counts["pipeline.Task"] > 20
    assert counts["contacts.Company"] > 5
    from pipeline.models import Process

    prostep = Process.objects.get(name="PROSTEP")
    with translation.override(settings.LANGUAGE_CODE):
        expected = [
            (gettext("Send documentation"), 3),
            (gettext("Phone call"), 5),
            (gettext("Check subscription"), 7),
        ]
    assert [(s.label, s.duration_days) for s in prostep.steps.order_by("position")] == expected


def test_seed_demo_twice_gives_the_same_data():
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first


def test_seed_demo_shows_every_colour():
    call_command("seed_demo")
    from pipeline.models import Opportunity, Task

    assert {"green", "orange", "red"} <= set(
        Opportunity.objects.open().values_list("action_colour", flat=True)
    )
    assert {"green", "orange", "red"} <= set(Task.objects.open().values_list("colour", flat=True))


def test_seed_demo_sets_up_the_seller_and_the_catalogue_for_quotes():
    call_command("seed_demo")
    from catalogue.models import Product
    from pipeline.models import Opportunity, OpportunityLine
    from quotes.models import Quote, Seller
    from quotes.parties import client_data, client_missing, seller_data, seller_get, seller_missing

    seller = Seller.objects.get()
    assert seller.pk == 1 and seller.siren == "732829320" and seller.city == "Lyon"
    seller.full_clean()  # SIREN, SIRET, VAT number, IBAN, BIC all valid
    assert seller_missing(seller_data(seller_get())) == []

    products = Product.objects.all()
    assert 8 <= products.count() <= 12
    assert products.values("family").distinct().count() in (2, 3)
    rates = set(products.values_list("vat_rate", flat=True))
    assert {Decimal("20"), Decimal("5.5"), Decimal("0")} <= rates
    exempt = products.filter(vat_rate=0)
    assert exempt.exists() and all(p.vat_exemption for p in exempt)
    assert products.filter(active=False).exists()

    lines = OpportunityLine.objects.filter(product__isnull=False).select_related("product")
    assert lines.count() >= 5
    assert all(line.unit_price == line.product.unit_price for line in lines)
    assert OpportunityLine.objects.filter(product__isnull=True).exists()  # a free line too
    # Every demo opportunity can be quoted at once: its client is complete.
    for opportunity in Opportunity.objects.select_related("prospect", "company"):
        assert client_missing(client_data(opportunity)) == [], opportunity
    for opportunity in Opportunity.objects.filter(lines__isnull=False).distinct():
        assert opportunity.amount == sum(line.total for line in opportunity.lines.all())
    assert not Quote.objects.exists()


def test_seed_demo_looks_like_a_french_sales_teams_file():
    """Real towns with their true postal codes, SIRENs and phone numbers that pass their checks,
    e-mails at the company's domain, projects a rep would write (no Faker slogans)."""
    import phonenumbers
    from stdnum.fr import siren

    from contacts.models import Address, Company, Person, PostalCode, Prospect
    from demo.realistic import PROJECTS, domain
    from pipeline.models import Opportunity

    call_command("seed_demo")
    towns = set(PostalCode.objects.values_list("code", "city"))
    assert len(towns) > 30_000  # the table is loaded by seed_demo
    prospects = list(Prospect.objects.all())
    places = [(p.postal_code, p.city) for p in prospects]
    places += list(Address.objects.values_list("postal_code", "city"))
    assert len(set(places)) >= 10 and set(places) <= towns

    sirens = [p.siren for p in prospects] + list(Company.objects.values_list("siren", flat=True))
    assert all(siren.is_valid(s) for s in sirens)
    phones = [p.phone for p in prospects] + [p.mobile for p in prospects if p.mobile]
    phones += list(Company.objects.values_list("phone", flat=True))
    phones += [n for p in Person.objects.all() for n in (p.phone, p.mobile) if n]
    assert len(phones) > 100
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(n, "FR")) for n in phones)

    for prospect in prospects:
        assert prospect.email.endswith("@" + domain(prospect.company_name)), prospect.email
    for person in Person.objects.prefetch_related("companies"):
        company = person.companies.get()
        assert person.email.endswith("@" + domain(company.name)), person.email

    # Faker's catch phrases and company suffixes read like slogans, not a sales team's words.
    slogan_words = {"innover", "possibilité", "pointe", "avantage", "atteindre", "sérénité"}
    summaries = list(Opportunity.objects.values_list("summary", flat=True))
    assert len(set(summaries)) >= 10
    projects = [re.compile(re.escape(p).replace(r"\{n\}", r"\d+") + "$") for p in PROJECTS]
    for summary in summaries:
        assert not slogan_words & set(summary.lower().replace("’", " ").split()), summary
        assert any(project.match(summary) for project in projects), summary
    assert not any(
        name.endswith((" S.A.", " S.A.S.", " S.A.R.L.", " SA"))
        for name in [p.company_name for p in prospects] + [c.name for c in Company.objects.all()]
    )
