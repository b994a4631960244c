"""The quote services of the card: a draft made from the opportunity's lines, edited (its totals
recomputed on the server), issued (refused with what to fix), revised."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.versions import ConcurrentEdit
from pipeline.models import HistoryEntry, Opportunity
from quotes import services
from quotes.models import Quote, QuoteLine, Seller
from quotes.totals import quote_totals
from tests import factories as f
from tests.quotes.factories import ProductFactory
from tests.quotes.quote_setup import ready_opportunity

pytestmark = pytest.mark.django_db


def messages_of(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def a_line(**data) -> dict:
    base = {
        "item": "Audit",
        "unit": "jour",
        "quantity": Decimal("1"),
        "unit_price": Decimal("100.00"),
        "discount": Decimal("0"),
        "vat_rate": Decimal("20.00"),
    }
    return {**base, **data}


# --- Created from the opportunity ------------------------------------------------------------


def test_a_draft_copies_the_opportunity_lines_with_the_adjusted_price(rep):
    opportunity = ready_opportunity(rep)
    Seller.objects.filter(pk=1).update(validity_days=45)

    quote = services.quote_create(opportunity_id=opportunity.pk, actor=rep)

    assert quote.status == Quote.Status.DRAFT
    assert quote.number == ""
    assert quote.recipient == opportunity.person
    assert quote.validity_days == 45
    assert quote.created_by == rep
    lines = list(quote.lines.all())
    assert [
        (line.item, line.unit, line.quantity, line.unit_price, line.discount, line.vat_rate)
        for line in lines
    ] == [
        # The adjusted price (850) wins over the unit price (900).
        (
            "Journée de conseil",
            "jour",
            Decimal("3"),
            Decimal("850.00"),
            Decimal("10"),
            Decimal("20"),
        ),
        ("Formation", "heure", Decimal("2.5"), Decimal("333.33"), Decimal("0"), Decimal("10")),
        ("Livres", "", Decimal("7"), Decimal("12.99"), Decimal("5"), Decimal("5.5")),
    ]
    assert [line.total_excl_vat for line in lines] == [
        Decimal("2295.00"),
        Decimal("833.33"),
        Decimal("86.38"),
    ]


def test_a_draft_takes_the_product_and_its_vat_exemption_mention(rep):
    product = ProductFactory(
        code="FORM-EX",
        label="Formation exonérée",
        vat_rate=Decimal("0.00"),
        vat_exemption="Exonération de TVA, article 261-4-4° du CGI",
    )
    opportunity = ready_opportunity(rep, lines=[])
    opportunity.lines.create(
        item="Formation exonérée",
        quantity=Decimal("1"),
        unit_price=Decimal("1200"),
        total=Decimal("1200"),
        product=product,
        vat_rate=Decimal("0.00"),
    )

    quote = services.quote_create(opportunity_id=opportunity.pk, actor=rep)

    line = quote.lines.get()
    assert line.product == product
    assert line.vat_rate == Decimal("0")
    assert line.vat_exemption == "Exonération de TVA, article 261-4-4° du CGI"


def test_validity_is_thirty_days_without_a_seller(rep):
    opportunity = ready_opportunity(rep, seller=False)
    quote = services.quote_create(opportunity_id=opportunity.pk, actor=rep)
    assert quote.validity_days == 30


# --- Totals and rounding (quotes/totals.py through the services) ------------------------------


def test_totals_mixed_vat_rates_line_discounts_and_an_overall_discount(rep):
    """Computed by hand, rounded half up to the cent at each step:

    line 1: 3 × 850,00 = 2 550,00, less 10 % = 2 295,00 (VAT 20 %)
    line 2: 2,5 × 333,33 = 833,325 -> 833,33 (VAT 10 %)
    line 3: 7 × 12,99 = 90,93, less 5 % = 86,3835 -> 86,38 (VAT 5,5 %)
    lines: 2 295,00 + 833,33 + 86,38 = 3 214,71
    overall discount 3 %, applied to each rate's base:
      20 %: 2 295,00 × 0,97 = 2 226,15, VAT 445,23
      10 %: 833,33 × 0,97 = 808,3301 -> 808,33, VAT 80,833 -> 80,83
      5,5 %: 86,38 × 0,97 = 83,7886 -> 83,79, VAT 4,60845 -> 4,61
    total excl. VAT 2 226,15 + 808,33 + 83,79 = 3 118,27 (discount 96,44)
    VAT 445,23 + 80,83 + 4,61 = 530,67; total incl. VAT 3 648,94
    """
    quote = services.quote_create(opportunity_id=ready_opportunity(rep).pk, actor=rep)
    assert quote.total_excl_vat == Decimal("3214.71")

    quote = services.quote_update(quote_id=quote.pk, actor=rep, data={"discount": Decimal("3")})

    quote.refresh_from_db()
    assert quote.total_excl_vat == Decimal("3118.27")
    assert quote.total_vat == Decimal("530.67")
    assert quote.total_incl_vat == Decimal("3648.94")
    totals = quote_totals(quote)
    assert totals.discount_amount == Decimal("96.44")
    assert [(b.rate, b.base, b.vat) for b in totals.by_rate] == [
        (Decimal("20.00"), Decimal("2226.15"), Decimal("445.23")),
        (Decimal("10.00"), Decimal("808.33"), Decimal("80.83")),
        (Decimal("5.50"), Decimal("83.79"), Decimal("4.61")),
    ]


def test_totals_follow_each_line_change(rep):
    """One line 4 × 19,99 = 79,96 at 20 %: VAT 15,992 -> 15,99, total 95,95. Changed to
    4 × 19,99 less 12,5 % = 69,965 -> 69,97: VAT 13,994 -> 13,99, total 83,96. A second line
    1 × 10,00 at 5,5 %: VAT 0,55; totals 79,97 / 14,54 / 94,51. The first deleted:
    10,00 / 0,55 / 10,55."""
    quote = services.quote_create(opportunity_id=ready_opportunity(rep, lines=[]).pk, actor=rep)
    line = services.quote_line_add(
        quote_id=quote.pk,
        actor=rep,
        data=a_line(quantity=Decimal("4"), unit_price=Decimal("19.99")),
    )
    quote.refresh_from_db()
    assert (quote.total_excl_vat, quote.total_vat, quote.total_incl_vat) == (
        Decimal("79.96"),
        Decimal("15.99"),
        Decimal("95.95"),
    )

    services.quote_line_update(line_id=line.pk, actor=rep, data={"discount": Decimal("12.5")})
    quote.refresh_from_db()
    assert (quote.total_excl_vat, quote.total_vat, quote.total_incl_vat) == (
        Decimal("69.97"),
        Decimal("13.99"),
        Decimal("83.96"),
    )

    services.quote_line_add(
        quote_id=quote.pk,
        actor=rep,
        data=a_line(item="Guide", unit_price=Decimal("10"), vat_rate=Decimal("5.50")),
    )
    quote.refresh_from_db()
    assert (quote.total_excl_vat, quote.total_vat, quote.total_incl_vat) == (
        Decimal("79.97"),
        Decimal("14.54"),
        Decimal("94.51"),
    )

    services.quote_line_delete(line_id=line.pk, actor=rep)
    quote.refresh_from_db()
    assert (quote.total_excl_vat, quote.total_vat, quote.total_incl_vat) == (
        Decimal("10.00"),
        Decimal("0.55"),
        Decimal("10.55"),
    )


def test_lines_move_up_and_down(rep):
    quote = services.quote_create(opportunity_id=ready_opportunity(rep).pk, actor=rep)
    first, second, third = quote.lines.all()
    services.quote_line_move(line_id=third.pk, actor=rep, direction="up")
    assert list(quote.lines.values_list("item", flat=True)) == [
        "Journée de conseil",
        "Livres",
        "Formation",
    ]
    services.quote_line_move(line_id=first.pk, actor=rep, direction="down")
    assert list(quote.lines.values_list("item", flat=True)) == [
        "Livres",
        "Journée de conseil",
        "Formation",
    ]
    services.quote_line_move(line_id=second.pk, actor=rep, direction="down")  # already last
    assert quote.lines.last().item == "Formation"


# --- Bad input, refused with what to fix ------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"quantity": Decimal("-1")}, "quantity", services.QUANTITY_NEGATIVE),
        ({"discount": Decimal("100.01")}, "discount", services.DISCOUNT_RANGE),
        ({"discount": Decimal("-5")}, "discount", services.DISCOUNT_RANGE),
        ({"unit_price": Decimal("12.345")}, "unit_price", services.PRICE_DECIMALS),
        ({"unit_price": Decimal("-1")}, "unit_price", services.PRICE_NEGATIVE),
        ({"vat_rate": Decimal("7")}, "vat_rate", services.VAT_RATE_UNKNOWN),
        ({"item": "  "}, "item", services.LINE_NEEDS_ITEM),
    ],
)
def test_a_bad_line_is_refused_with_its_message(rep, data, field, message):
    quote = services.quote_create(opportunity_id=ready_opportunity(rep, lines=[]).pk, actor=rep)
    with pytest.raises(ValidationError) as refused:
        services.quote_line_add(quote_id=quote.pk, actor=rep, data=a_line(**data))
    assert refused.value.message_dict[field] == [str(message)]
    assert not quote.lines.exists()


def test_an_overall_discount_over_100_is_refused(rep):
    quote = services.quote_create(opportunity_id=ready_opportunity(rep).pk, actor=rep)
    with pytest.raises(ValidationError) as refused:
        services.quote_update(quote_id=quote.pk, actor=rep, data={"discount": Decimal("120")})
    assert refused.value.message_dict["discount"] == [str(services.DISCOUNT_RANGE)]
    quote.refresh_from_db()
    assert quote.discount == 0


def test_the_recipient_must_be_a_person_of_the_client_company(rep):
    opportunity = ready_opportunity(rep)
    quote = services.quote_create(opportunity_id=opportunity.pk, actor=rep)
    colleague = f.PersonFactory(last_name="Petit")
    f.AffiliationFactory(person=colleague, company=opportunity.company)
    stranger = f.PersonFactory(last_name="Inconnu")

    services.quote_update(quote_id=quote.pk, actor=rep, data={"recipient": colleague})
    quote.refresh_from_db()
    assert quote.recipient == colleague

    with pytest.raises(ValidationError) as refused:
        services.quote_update(quote_id=quote.pk, actor=rep, data={"recipient": stranger})
    assert refused.value.message_dict["recipient"] == [str(services.RECIPIENT_NOT_CLIENT)]


def test_a_stale_version_is_refused(rep):
    quote = services.quote_create(opportunity_id=ready_opportunity(rep).pk, actor=rep)
    seen = quote.version
    services.quote_update(
        quote_id=quote.pk, actor=rep, data={"title": "Mine"}, expected_version=seen
    )
    with pytest.raises(ConcurrentEdit):
        services.quote_update(
            quote_id=quote.pk, actor=rep, data={"title": "Theirs"}, expected_version=seen
        )
    quote.refresh_from_db()
    assert quote.title == "Mine"


# --- Issued ------------------------------------------------------------------------------------


def test_issuing_numbers_freezes_and_records(rep):
    opportunity = ready_opportunity(rep)
    quote = services.quote_create(opportunity_id=opportunity.pk, actor=rep)
    services.quote_update(quote_id=quote.pk, actor=rep, data={"validity_days": 60})

    quote = services.quote_issue(quote_id=quote.pk, actor=rep)

    today = timezone.localdate()
    assert quote.number == f"D-{today.year}-0001"
    assert (quote.year, quote.sequence) == (today.year, 1)
    assert quote.status == Quote.Status.SENT
    assert quote.is_frozen
    assert quote.issue_date == today
    assert quote.valid_until == today + dt.timedelta(days=60)
    assert quote.issued_by == rep
    assert quote.issued_at is not None
    assert quote.seller_snapshot["legal_name"] == "Jalon Démo SAS"
    assert quote.client_snapshot["name"] == "Transports Martin SARL"
    assert quote.client_snapshot["contact"] == "Jeanne MARTIN"
    entry = HistoryEntry.objects.get(opportunity=opportunity, kind=HistoryEntry.Kind.QUOTE)
    assert entry.from_value == quote.number
    assert entry.actor == rep
    assert Opportunity.objects.get(pk=opportunity.pk).last_quote_at is not None

    # The parties are frozen: a later change of the client leaves the quote as issued.
    opportunity.company.name = "Autre nom"
    opportunity.company.save()
    quote.refresh_from_db()
    assert quote.client_snapshot["name"] == "Transports Martin SARL"


def test_an_issued_quote_is_never_edited(rep):
    quote = services.quote_create(opportunity_id=ready_opportunity(rep).pk, actor=rep)
    quote = services.quote_issue(quote_id=quote.pk, actor=rep)
    line = quote.lines.first()
    attempts = [
        lambda: services.quote_update(quote_id=quote.pk, actor=rep, data={"title": "x"}),
        lambda: services.quote_line_add(quote_id=quote.pk, actor=rep, data=a_line()),
        lambda: services.quote_line_update(line_id=line.pk, actor=rep, data={"item": "x"}),
        lambda: services.quote_line_delete(line_id=line.pk, actor=rep),
        lambda: services.quote_line_move(line_id=line.pk, actor=rep, direction="down"),
        lambda: services.quote_issue(quote_id=quote.pk, actor=rep),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert messages_of(refused.value) == [str(services.QUOTE_FROZEN)]
    quote.refresh_from_db()
    assert quote.lines.count() == 3
    assert quote.title == "Flotte 2026"


def test_issuing_is_refused_with_everything_to_fix(rep):
    company = f.CompanyFactory(name="Sans Adresse SAS", siren="", country="FR")
    opportunity = ready_opportunity(rep, lines=[], company=company, seller=False)
    quote = services.quote_create(opportunity_id=opportunity.pk, actor=rep)

    with pytest.raises(ValidationError) as refused:
        services.quote_issue(quote_id=quote.pk, actor=rep)

    problems = messages_of(refused.value)
    assert "the seller is not set up (Administration › Seller)" in problems
    assert "the client's address (street, postal code and city)" in problems
    assert "the client's SIREN (a French company)" in problems
    assert str(services.NO_LINES) in problems
    quote.refresh_from_db()
    assert (quote.status, quote.number) == (Quote.Status.DRAFT, "")
    assert not HistoryEntry.objects.filter(kind=HistoryEntry.Kind.QUOTE).exists()


def test_issuing_is_refused_for_a_zero_vat_line_without_exemption_mention(rep):
    quote = services.quote_create(opportunity_id=ready_opportunity(rep, lines=[]).pk, actor=rep)
    line = services.quote_line_add(
        quote_id=quote.pk, actor=rep, data=a_line(item="Formation", vat_rate=Decimal("0.00"))
    )
    with pytest.raises(ValidationError) as refused:
        services.quote_issue(quote_id=quote.pk, actor=rep)
    assert messages_of(refused.value) == [
        str(services.EXEMPTION_MISSING) % {"position": 1, "item": "Formation"}
    ]

    services.quote_line_update(
        line_id=line.pk,
        actor=rep,
        data={"vat_exemption": "TVA non applicable, art. 293 B du CGI"},
    )
    assert services.quote_issue(quote_id=quote.pk, actor=rep).number.endswith("-0001")


def test_numbers_follow_each_other_without_gap_within_the_year(rep):
    year = timezone.localdate().year
    from quotes.models import QuoteSequence

    QuoteSequence.objects.create(year=year - 1, last=41)  # last year's count is left alone
    first = services.quote_create(opportunity_id=ready_opportunity(rep).pk, actor=rep)
    empty = services.quote_create(opportunity_id=ready_opportunity(rep, lines=[]).pk, actor=rep)
    third = services.quote_create(opportunity_id=ready_opportunity(rep).pk, actor=rep)

    assert services.quote_issue(quote_id=first.pk, actor=rep).number == f"D-{year}-0001"
    with pytest.raises(ValidationError):
        services.quote_issue(quote_id=empty.pk, actor=rep)
    assert services.quote_issue(quote_id=third.pk, actor=rep).number == f"D-{year}-0002"
    assert QuoteSequence.objects.get(year=year - 1).last == 41


# --- Revised -----------------------------------------------------------------------------------


def test_a_revision_is_a_new_draft_and_the_old_quote_stays_as_it_was(rep):
    quote = services.quote_create(opportunity_id=ready_opportunity(rep).pk, actor=rep)
    original = services.quote_issue(quote_id=quote.pk, actor=rep)
    frozen = (original.number, original.total_incl_vat, original.version, original.status)

    revision = services.quote_revise(quote_id=original.pk, actor=rep)

    assert revision.pk != original.pk
    assert (revision.status, revision.number, revision.revision) == (Quote.Status.DRAFT, "", 2)
    assert revision.revision_of == original
    assert [line.item for line in revision.lines.all()] == [
        line.item for line in original.lines.all()
    ]
    assert revision.total_incl_vat == original.total_incl_vat
    services.quote_line_update(
        line_id=revision.lines.first().pk, actor=rep, data={"quantity": Decimal("5")}
    )
    original.refresh_from_db()
    assert (original.number, original.total_incl_vat, original.version, original.status) == frozen
    assert original.lines.first().quantity == Decimal("3")

    # Issued, the revision is numbered after the original; the next one chains to the first.
    revision = services.quote_issue(quote_id=revision.pk, actor=rep)
    assert revision.number == f"{original.number}-R2"
    third = services.quote_revise(quote_id=revision.pk, actor=rep)
    assert (third.revision, third.revision_of) == (3, original)
    third = services.quote_issue(quote_id=third.pk, actor=rep)
    assert third.number == f"{original.number}-R3"
    assert QuoteLine.objects.filter(quote=original).count() == 3


def test_a_draft_cannot_be_revised_and_one_draft_revision_at_a_time(rep):
    quote = services.quote_create(opportunity_id=ready_opportunity(rep).pk, actor=rep)
    with pytest.raises(ValidationError) as refused:
        services.quote_revise(quote_id=quote.pk, actor=rep)
    assert messages_of(refused.value) == [str(services.QUOTE_NOT_FROZEN)]

    services.quote_issue(quote_id=quote.pk, actor=rep)
    services.quote_revise(quote_id=quote.pk, actor=rep)
    with pytest.raises(ValidationError) as refused:
        services.quote_revise(quote_id=quote.pk, actor=rep)
    assert messages_of(refused.value) == [str(services.REVISION_DRAFT_EXISTS)]


# --- Rights ------------------------------------------------------------------------------------


def test_another_rep_changes_nothing(rep, other_rep):
    opportunity = ready_opportunity(rep)
    quote = services.quote_create(opportunity_id=opportunity.pk, actor=rep)
    line = quote.lines.first()
    attempts = [
        lambda: services.quote_create(opportunity_id=opportunity.pk, actor=other_rep),
        lambda: services.quote_update(quote_id=quote.pk, actor=other_rep, data={"title": "x"}),
        lambda: services.quote_line_add(quote_id=quote.pk, actor=other_rep, data=a_line()),
        lambda: services.quote_line_update(line_id=line.pk, actor=other_rep, data={"item": "x"}),
        lambda: services.quote_line_delete(line_id=line.pk, actor=other_rep),
        lambda: services.quote_issue(quote_id=quote.pk, actor=other_rep),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert Quote.objects.count() == 1
    quote.refresh_from_db()
    assert (quote.status, quote.lines.count()) == (Quote.Status.DRAFT, 3)


def test_a_manager_quotes_any_opportunity(rep, manager):
    quote = services.quote_create(opportunity_id=ready_opportunity(rep).pk, actor=manager)
    assert services.quote_issue(quote_id=quote.pk, actor=manager).issued_by == manager


def test_the_process_modify_right_applies(rep):
    from django.contrib.auth.models import Group

    opportunity = ready_opportunity(rep)
    opportunity.process.modify_groups.add(Group.objects.create(name="Only them"))
    with pytest.raises(PermissionDenied):
        services.quote_create(opportunity_id=opportunity.pk, actor=rep)


def test_a_prospect_opportunity_can_be_quoted(rep):
    """Without a contact-file company, the prospect's own values name the client."""
    from tests.quotes.factories import SellerFactory

    SellerFactory()
    prospect = f.ProspectFactory(owner=rep, company_name="Boulangerie Dupain", siren="443061841")
    opportunity = f.OpportunityFactory(prospect=prospect, owner=rep)
    quote = services.quote_create(opportunity_id=opportunity.pk, actor=rep)
    assert quote.recipient is None
    services.quote_line_add(quote_id=quote.pk, actor=rep, data=a_line())
    quote = services.quote_issue(quote_id=quote.pk, actor=rep)
    assert quote.client_snapshot["name"] == "Boulangerie Dupain"
