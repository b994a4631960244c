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
