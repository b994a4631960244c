"""The quote card, the quote list and the opportunity's "Quotes" section, through their URLs:
with and without htmx, French input, bad input refused with its message, rights."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from quotes import services
from quotes.models import Quote
from tests import factories as f
from tests.quotes.quote_setup import ready_opportunity

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "quote-card"}
FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}


def text(response) -> str:
    """The page's text, tags removed and spaces collapsed (non-breaking spaces kept)."""
    html = response.content.decode()
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def draft(rep):
    return services.quote_create(opportunity_id=ready_opportunity(rep).pk, actor=rep)


def line_data(**data) -> dict:
    return {
        "item": "Audit",
        "unit": "jour",
        "quantity": "1",
        "unit_price": "100",
        "discount": "",
        "vat_rate": "20.00",
        "vat_exemption": "",
        **data,
    }


# --- Made from the opportunity -------------------------------------------------------------------


def test_new_quote_from_the_opportunity_opens_the_draft(rep_client, rep):
    opportunity = ready_opportunity(rep)

    response = rep_client.post(reverse("quote_create", args=[opportunity.pk]))

    quote = Quote.objects.get(opportunity=opportunity)
    assert response.status_code == 302
    assert response.url == f"/quotes/{quote.pk}/"
    assert quote.get_absolute_url() == f"/quotes/{quote.pk}/"
    page = rep_client.get(response.url)
    assert 'data-status="draft"' in page.content.decode()
    assert "Journée de conseil" in text(page)


def test_the_opportunity_card_offers_new_quote_and_lists_its_quotes(rep_client, rep, draft):
    opportunity = draft.opportunity
    card = rep_client.get(opportunity.get_absolute_url()).content.decode()
    assert reverse("quote_create", args=[opportunity.pk]) in card
    assert f'hx-get="{reverse("opportunity_quotes", args=[opportunity.pk])}"' in card

    section = rep_client.get(reverse("opportunity_quotes", args=[opportunity.pk]), **FRENCH)
    assert section.status_code == 200
    assert draft.get_absolute_url() in section.content.decode()
    assert f"3{NBSP}214,71{NBSP}€" in text(section)  # total excl. VAT, in French
    assert "Brouillon" in text(section) or "Draft" in text(section)


# --- The card, edited with htmx ----------------------------------------------------------------


def test_the_card_shows_totals_per_vat_rate_in_french(rep_client, draft):
    services.quote_update(quote_id=draft.pk, actor=draft.created_by, data={"discount": Decimal(3)})
    page = text(rep_client.get(draft.get_absolute_url(), **FRENCH))
    for amount in ("3 118,27", "445,23", "80,83", "4,61", "530,67", "3 648,94", "96,44"):
        assert f"{amount.replace(' ', NBSP)}{NBSP}€" in page, amount
    assert f"5,5{NBSP}%" in page


def test_a_line_typed_the_french_way_is_added_and_the_totals_follow(rep_client, draft):
    response = rep_client.post(
        reverse("quote_line_add", args=[draft.pk]),
        line_data(item="Installation", quantity="2", unit_price="1 250,50", discount="10"),
        **HTMX,
        **FRENCH,
    )

    assert response.status_code == 200
    line = draft.lines.get(item="Installation")
    assert (line.quantity, line.unit_price, line.discount) == (
        Decimal("2"),
        Decimal("1250.50"),
        Decimal("10"),
    )
    assert line.total_excl_vat == Decimal("2250.90")  # 2 × 1 250,50 = 2 501,00 less 10 %
    draft.refresh_from_db()
    assert draft.total_excl_vat == Decimal("3214.71") + Decimal("2250.90")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="quote-card"')
    assert f"5{NBSP}465,61{NBSP}€" in text(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"quantity": "-2"}, services.QUANTITY_NEGATIVE),
        ({"discount": "120"}, services.DISCOUNT_RANGE),
        ({"unit_price": "12,345"}, services.PRICE_DECIMALS),
        ({"unit_price": "-5"}, services.PRICE_NEGATIVE),
        ({"vat_rate": "7"}, services.VAT_RATE_UNKNOWN),
        ({"item": ""}, services.LINE_NEEDS_ITEM),
    ],
)
def test_a_bad_line_is_refused_next_to_its_field(rep_client, draft, data, message):
    before = (draft.lines.count(), Quote.objects.get(pk=draft.pk).version)
    response = rep_client.post(
        reverse("quote_line_add", args=[draft.pk]), line_data(**data), **HTMX, **FRENCH
    )
    assert response.status_code == 200
    with translation.override("fr"):
        assert escape(str(message)) in response.content.decode()
    assert (draft.lines.count(), Quote.objects.get(pk=draft.pk).version) == before


def test_a_bad_line_without_htmx_is_said_on_the_card(rep_client, draft):
    response = rep_client.post(
        reverse("quote_line_add", args=[draft.pk]), line_data(quantity="-1"), follow=True
    )
    assert str(services.QUANTITY_NEGATIVE) in text(response)
    assert draft.lines.count() == 3


def test_a_line_edited_in_its_dialog(rep_client, draft):
    line = draft.lines.get(item="Formation")
    dialog = rep_client.get(reverse("quote_line_edit", args=[line.pk]), HTTP_HX_REQUEST="true")
    assert dialog.status_code == 200
    assert (
        'value="333,33"'
        in rep_client.get(
            reverse("quote_line_edit", args=[line.pk]), HTTP_HX_REQUEST="true", **FRENCH
        ).content.decode()
    )
    assert 'value="10.00" selected' in dialog.content.decode()

    response = rep_client.post(
        reverse("quote_line_edit", args=[line.pk]),
        line_data(item="Formation sur site", quantity="3", unit_price="333.33", vat_rate="10.00"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "jalon:close-modal" in response.headers["HX-Trigger"]
    line.refresh_from_db()
    assert (line.item, line.quantity, line.total_excl_vat) == (
        "Formation sur site",
        Decimal("3"),
        Decimal("999.99"),
    )


def test_a_line_refused_in_its_dialog_stays_in_the_dialog(rep_client, draft):
    line = draft.lines.first()
    response = rep_client.post(
        reverse("quote_line_edit", args=[line.pk]),
        line_data(discount="101"),
        HTTP_HX_REQUEST="true",
    )
    assert response.headers["HX-Retarget"] == "#modal-body"
    assert str(services.DISCOUNT_RANGE) in response.content.decode()


def test_lines_deleted_and_moved(rep_client, draft):
    first, second, third = draft.lines.all()
    rep_client.post(reverse("quote_line_move", args=[third.pk]), {"direction": "up"}, **HTMX)
    assert list(draft.lines.values_list("pk", flat=True)) == [first.pk, third.pk, second.pk]
    response = rep_client.post(reverse("quote_line_delete", args=[first.pk]), **HTMX)
    assert response.status_code == 200
    assert list(draft.lines.values_list("pk", flat=True)) == [third.pk, second.pk]
    draft.refresh_from_db()
    assert draft.total_excl_vat == Decimal("833.33") + Decimal("86.38")


def test_the_head_is_saved_with_its_discount_and_recipient(rep_client, draft):
    colleague = f.PersonFactory(last_name="Petit")
    f.AffiliationFactory(person=colleague, company=draft.opportunity.company)
    response = rep_client.post(
        draft.get_absolute_url(),
        {
            "title": "Flotte 2026, tranche 1",
            "recipient": colleague.pk,
            "validity_days": "45",
            "discount": "3",
            "notes": "Livraison sous 3 semaines.",
            "version": draft.version,
        },
        **HTMX,
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert (draft.title, draft.recipient, draft.validity_days, draft.discount) == (
        "Flotte 2026, tranche 1",
        colleague,
        45,
        Decimal("3"),
    )
    assert draft.total_incl_vat == Decimal("3648.94")


def test_the_head_refuses_a_stranger_and_an_overall_discount_over_100(rep_client, draft):
    stranger = f.PersonFactory(last_name="Inconnu")
    response = rep_client.post(
        draft.get_absolute_url(),
        {"title": "x", "recipient": stranger.pk, "validity_days": "30", "discount": "150"},
        **HTMX,
    )
    body = response.content.decode()
    assert str(services.RECIPIENT_NOT_CLIENT) in body
    assert str(services.DISCOUNT_RANGE) in body
    draft.refresh_from_db()
    assert (draft.title, draft.discount) == ("Flotte 2026", 0)


def test_a_stale_change_is_refused_and_said(rep_client, draft):
    seen = draft.version
    services.quote_update(quote_id=draft.pk, actor=draft.created_by, data={"title": "Theirs"})
    response = rep_client.post(
        reverse("quote_line_add", args=[draft.pk]), {**line_data(), "version": seen}, **HTMX
    )
    assert "changed by" in response.headers["HX-Trigger"]
    assert draft.lines.count() == 3


# --- Issued, sent, revised --------------------------------------------------------------------


def test_issuing_from_the_card(rep_client, draft):
    response = rep_client.post(reverse("quote_issue", args=[draft.pk]), follow=True)

    draft.refresh_from_db()
    year = timezone.localdate().year
    assert draft.number == f"D-{year}-0001"
    page = response.content.decode()
    assert 'data-status="sent"' in page
    assert f"D-{year}-0001" in text(response)
    assert f'value="http://testserver/q/{draft.token}/"' in page
    assert "data-copy=" in page
    assert reverse("quote_pdf", args=[draft.pk]) in page
    assert reverse("quote_revise", args=[draft.pk]) in page
    assert reverse("quote_line_add", args=[draft.pk]) not in page  # frozen: no edit form
    assert 'name="to_email"' in page  # send again


def test_issuing_refused_lists_what_to_fix(rep_client, rep):
    opportunity = ready_opportunity(rep, lines=[])
    quote = services.quote_create(opportunity_id=opportunity.pk, actor=rep)
    response = rep_client.post(reverse("quote_issue", args=[quote.pk]), follow=True)
    page = text(response)
    assert "The quote was not issued" in page
    assert str(services.NO_LINES) in page
    quote.refresh_from_db()
    assert quote.status == Quote.Status.DRAFT


def test_the_draft_card_says_what_issuing_needs_and_offers_to_send(rep_client, draft):
    page = rep_client.get(draft.get_absolute_url()).content.decode()
    assert "data-issue-problems" not in page  # complete: nothing to fix
    assert 'name="to_email" value="jeanne@martin.fr"' in page
    assert f'action="{reverse("quote_send", args=[draft.pk])}"' in page
    assert 'name="message"' in page

    draft.opportunity.company.siren = ""
    draft.opportunity.company.save()
    page = rep_client.get(draft.get_absolute_url()).content.decode()
    assert "data-issue-problems" in page
    assert "SIREN" in page


def test_a_revision_from_the_card(rep_client, rep, draft):
    services.quote_issue(quote_id=draft.pk, actor=rep)

    response = rep_client.post(reverse("quote_revise", args=[draft.pk]))

    revision = Quote.objects.get(revision_of=draft)
    assert response.url == revision.get_absolute_url()
    page = rep_client.get(revision.get_absolute_url()).content.decode()
    assert 'data-status="draft"' in page
    assert draft.get_absolute_url() in page  # the previous revision, linked
    old = rep_client.get(draft.get_absolute_url()).content.decode()
    assert revision.get_absolute_url() in old  # "open draft revision 2"
    assert reverse("quote_revise", args=[draft.pk]) not in old


def test_an_accepted_quote_offers_to_win_the_opportunity(rep_client, rep, draft):
    services.quote_issue(quote_id=draft.pk, actor=rep)
    Quote.objects.filter(pk=draft.pk).update(
        status=Quote.Status.ACCEPTED, accepted_at=timezone.now(), accepted_name="Jeanne Martin"
    )
    page = rep_client.get(draft.get_absolute_url()).content.decode()
    assert 'data-status="accepted"' in page
    assert f'action="{reverse("quote_win", args=[draft.pk])}"' in page
    assert "Jeanne Martin" in page
    assert 'name="to_email"' not in page  # accepted: nothing more to send
    assert reverse("quote_revise", args=[draft.pk]) in page


# --- Rights ------------------------------------------------------------------------------------


def test_another_rep_reads_but_changes_nothing(client, other_rep, draft):
    client.force_login(other_rep)
    page = client.get(draft.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert reverse("quote_line_add", args=[draft.pk]) not in body
    assert reverse("quote_issue", args=[draft.pk]) not in body
    line = draft.lines.first()
    posts = [
        (reverse("quote_create", args=[draft.opportunity_id]), {}),
        (draft.get_absolute_url(), {"title": "x", "validity_days": "30"}),
        (reverse("quote_line_add", args=[draft.pk]), line_data()),
        (reverse("quote_line_edit", args=[line.pk]), line_data()),
        (reverse("quote_line_delete", args=[line.pk]), {}),
        (reverse("quote_line_move", args=[line.pk]), {"direction": "down"}),
        (reverse("quote_issue", args=[draft.pk]), {}),
        (reverse("quote_revise", args=[draft.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert client.get(reverse("quote_line_edit", args=[line.pk])).status_code == 403
    draft.refresh_from_db()
    assert (Quote.objects.count(), draft.status, draft.title, draft.lines.count()) == (
        1,
        Quote.Status.DRAFT,
        "Flotte 2026",
        3,
    )


def test_a_rep_who_sees_only_their_own_gets_404(client, settings, other_rep, draft):
    settings.REPS_SEE_ONLY_OWN = True
    client.force_login(other_rep)
    line = draft.lines.first()
    gets = [
        draft.get_absolute_url(),
        reverse("quote_line_edit", args=[line.pk]),
        reverse("opportunity_quotes", args=[draft.opportunity_id]),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("quote_issue", args=[draft.pk]),
        reverse("quote_line_delete", args=[line.pk]),
        reverse("quote_create", args=[draft.opportunity_id]),
    ):
        assert client.post(url).status_code == 404, url
    assert draft.get_absolute_url() not in client.get(reverse("quote_list")).content.decode()


def test_a_manager_issues_any_quote(manager_client, draft):
    manager_client.post(reverse("quote_issue", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == Quote.Status.SENT


def test_unknown_ids_are_404(rep_client):
    for name in ("quote_detail", "quote_line_edit"):
        assert rep_client.get(reverse(name, args=[999999])).status_code == 404
    for name in ("quote_issue", "quote_revise", "quote_line_delete", "quote_create"):
        assert rep_client.post(reverse(name, args=[999999])).status_code == 404


# --- The list -----------------------------------------------------------------------------------


@pytest.fixture
def quotes(rep, other_rep):
    """Three quotes: an issued one of Alice's for Transports Martin, a draft of hers for Dupain,
    an issued one of Bruno's for Lefort."""
    from tests.quotes.quote_setup import client_company

    martin = services.quote_create(opportunity_id=ready_opportunity(rep).pk, actor=rep)
    services.quote_issue(quote_id=martin.pk, actor=rep)
    dupain = services.quote_create(
        opportunity_id=ready_opportunity(
            rep, company=client_company("Boulangerie Dupain"), lines=[]
        ).pk,
        actor=rep,
    )
    lefort = services.quote_create(
        opportunity_id=ready_opportunity(other_rep, company=client_company("Lefort BTP")).pk,
        actor=other_rep,
    )
    services.quote_issue(quote_id=lefort.pk, actor=other_rep)
    return [Quote.objects.get(pk=q.pk) for q in (martin, dupain, lefort)]


def rows(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-quote="(\d+)"', response.content.decode())]


def test_the_list_filters_sorts_and_sums(rep_client, quotes):
    martin, dupain, lefort = quotes
    url = reverse("quote_list")

    everything = rep_client.get(url, **FRENCH)
    assert sorted(rows(everything)) == sorted(q.pk for q in quotes)
    total = martin.total_incl_vat + dupain.total_incl_vat + lefort.total_incl_vat
    assert f"{total:,.2f}".replace(",", NBSP).replace(".", ",") + f"{NBSP}€" in text(everything)

    assert rows(rep_client.get(url, {"status": "draft"})) == [dupain.pk]
    assert sorted(rows(rep_client.get(url, {"owner": "me"}))) == sorted([martin.pk, dupain.pk])
    assert rows(rep_client.get(url, {"q": "dupain"})) == [dupain.pk]
    assert rows(rep_client.get(url, {"q": martin.number})) == [martin.pk]
    assert rows(rep_client.get(url, {"sort": "client"})) == [dupain.pk, lefort.pk, martin.pk]
    assert rows(rep_client.get(url, {"sort": "-client"})) == [martin.pk, lefort.pk, dupain.pk]
    today = timezone.localdate()
    assert len(rows(rep_client.get(url, {"date_from": today.isoformat()}))) == 3
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert rows(rep_client.get(url, {"date_from": tomorrow})) == []

    htmx = rep_client.get(
        url, {"status": "sent"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="quote-rows"
    )
    assert htmx.content.decode().lstrip().startswith('<div id="quote-rows"')
    assert sorted(rows(htmx)) == sorted([martin.pk, lefort.pk])


def test_the_list_refuses_junk_quietly(rep_client, quotes):
    url = reverse("quote_list")
    for params in (
        {"sort": "password"},
        {"page": "abc"},
        {"owner": "999999"},
        {"status": "lost"},
        {"date_from": "31/02/2026"},
    ):
        assert rep_client.get(url, params).status_code == 200, params


def test_the_list_query_count_does_not_grow_with_rows(
    rep_client, rep, quotes, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        first = rep_client.get(reverse("quote_list"))
    for _ in range(5):
        services.quote_create(opportunity_id=ready_opportunity(rep).pk, actor=rep)
    with django_assert_max_num_queries(12):
        second = rep_client.get(reverse("quote_list"))
    assert len(rows(second)) == len(rows(first)) + 5


def test_the_list_is_paginated(rep_client, rep):
    opportunity = ready_opportunity(rep, lines=[])
    for _ in range(27):
        services.quote_create(opportunity_id=opportunity.pk, actor=rep)
    first = rep_client.get(reverse("quote_list"))
    assert len(rows(first)) == 25
    assert len(rows(rep_client.get(reverse("quote_list"), {"page": "2"}))) == 2


def test_the_card_query_count_does_not_grow_with_lines(
    rep_client, rep, draft, django_assert_max_num_queries
):
    with django_assert_max_num_queries(25):
        rep_client.get(draft.get_absolute_url())
    for n in range(15):
        data = {"item": f"Pièce {n}", "quantity": 2, "unit_price": "9.90", "vat_rate": "10.00"}
        services.quote_line_add(quote_id=draft.pk, actor=rep, data=data)
    with django_assert_max_num_queries(25):
        page = rep_client.get(draft.get_absolute_url())
    assert page.content.decode().count("<tr data-line=") == 18


def test_the_object_rule_of_a_quote_is_its_opportunity_s(settings, rep, other_rep, manager, draft):
    """`core.access.can_view` on a quote answers like `Quote.objects.visible_to`."""
    from core.access import can_view

    settings.REPS_SEE_ONLY_OWN = True
    assert can_view(draft.opportunity.owner, draft)
    assert can_view(manager, draft)
    assert not can_view(other_rep, draft)
    assert Quote.objects.visible_to(other_rep).filter(pk=draft.pk).exists() is False
