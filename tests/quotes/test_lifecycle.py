"""Sending a quote by e-mail, the nightly expiry, and winning the opportunity with an accepted
quote (quotes/lifecycle.py, quotes/views/sending.py)."""

import datetime as dt
import io
import smtplib
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from forecasting.services import nightly_run
from pipeline.models import HistoryEntry, Opportunity
from quotes import lifecycle
from quotes.models import Quote
from quotes.services import quote_issue
from tests.quotes.factories import draft_quote
from tests.quotes.lifecycle_setup import draft_for, past_validity, sent_for
from tests.quotes.quote_setup import ready_opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Accepted PDFs and logos are written under a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path


HX = {"HTTP_HX_REQUEST": "true"}


def quote_history(quote: Quote) -> list[str]:
    return list(
        HistoryEntry.objects.filter(
            opportunity=quote.opportunity, kind=HistoryEntry.Kind.QUOTE
        ).values_list("to_value", flat=True)
    )


# --------------------------------------------------------------------------- sending


def test_send_mails_the_pdf_and_the_public_link(rep, settings):
    settings.SITE_URL = "https://crm.example.com/"
    quote = sent_for(rep)

    sent = lifecycle.quote_send(
        quote_id=quote.pk, actor=rep, to_email="jeanne@martin.fr", message="As agreed on Monday."
    )

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["jeanne@martin.fr"]
    assert email.reply_to == [rep.email]
    assert quote.number in email.subject
    assert email.from_email == '"Jalon Démo SAS" <jalon@localhost>'
    assert "<jalon@localhost>" in str(email.message()["From"])
    assert f"https://crm.example.com/q/{quote.token}/" in email.body
    assert "As agreed on Monday." in email.body
    [(filename, content, mimetype)] = email.attachments
    assert filename == f"{quote.number}.pdf"
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    assert sent.status == Quote.Status.SENT
    assert sent.sent_to == "jeanne@martin.fr"
    assert sent.sent_at is not None


def test_send_without_site_url_links_to_the_address_the_request_came_to(rep_client, rep, settings):
    settings.SITE_URL = ""
    quote = sent_for(rep)

    rep_client.post(reverse("quote_send", args=[quote.pk]), {"to_email": "jeanne@martin.fr"})

    assert f"http://testserver/q/{quote.token}/" in mail.outbox[0].body


def test_send_in_french_speaks_french_amounts(rep, settings):
    settings.SITE_URL = "https://crm.example.com"
    quote = sent_for(rep, language="fr")

    lifecycle.quote_send(quote_id=quote.pk, actor=rep, to_email="jeanne@martin.fr")

    body = mail.outbox[0].body
    amount = f"{quote.total_incl_vat:,.2f}".replace(",", "\u00a0").replace(".", ",")
    assert amount in body  # "3 172,60" in French, whatever the words around it
    assert f"https://crm.example.com/q/{quote.token}/" in body


def test_sending_a_draft_issues_it_first(rep):
    draft = draft_for(rep)
    assert draft.status == Quote.Status.DRAFT and not draft.number

    sent = lifecycle.quote_send(quote_id=draft.pk, actor=rep, to_email="jeanne@martin.fr")

    year = timezone.localdate().year
    assert sent.number == f"D-{year}-0001"
    assert sent.status == Quote.Status.SENT
    assert sent.seller_snapshot["legal_name"] == "Jalon Démo SAS"
    assert mail.outbox[0].attachments[0][0] == f"D-{year}-0001.pdf"
    assert quote_history(sent)[:2] == [
        f"D-{year}-0001 sent to jeanne@martin.fr",
        f"D-{year}-0001 issued",
    ]


def test_send_is_written_in_the_history_of_the_opportunity_company_and_person(rep, rep_client):
    quote = sent_for(rep)
    opportunity = quote.opportunity

    lifecycle.quote_send(quote_id=quote.pk, actor=rep, to_email="jeanne@martin.fr")

    line = f"{quote.number} sent to jeanne@martin.fr"
    entry = HistoryEntry.objects.get(opportunity=opportunity, to_value=line)
    assert entry.actor == rep and entry.kind == HistoryEntry.Kind.QUOTE
    for record in (
        f"opportunity={opportunity.pk}",
        f"company={opportunity.company_id}",
        f"person={opportunity.person_id}",
    ):
        html = rep_client.get(f"{reverse('history_panel')}?{record}", **HX).content.decode()
        assert line in html, record


def test_send_is_written_in_the_prospect_history(rep, rep_client):
    from tests import factories as f

    quote = sent_for(rep)
    prospect = f.ProspectFactory(owner=rep)
    Opportunity.objects.filter(pk=quote.opportunity_id).update(prospect=prospect)

    lifecycle.quote_send(quote_id=quote.pk, actor=rep, to_email="jeanne@martin.fr")

    html = rep_client.get(f"{reverse('history_panel')}?prospect={prospect.pk}", **HX).content
    assert f"{quote.number} sent to jeanne@martin.fr" in html.decode()


@pytest.mark.parametrize("address", ["", "jeanne", "jeanne@", "a b@c.fr", "x@y"])
def test_send_refuses_an_invalid_address(rep, address):
    quote = sent_for(rep)

    with pytest.raises(lifecycle.QuoteRefused) as refused:
        lifecycle.quote_send(quote_id=quote.pk, actor=rep, to_email=address)

    assert refused.value.message == str(lifecycle.EMAIL_INVALID)
    assert mail.outbox == []
    quote.refresh_from_db()
    assert quote.sent_at is None


@pytest.mark.parametrize("status", ["accepted", "refused", "expired"])
def test_an_answered_or_expired_quote_is_not_sent(rep, status):
    quote = sent_for(rep)
    Quote.objects.filter(pk=quote.pk).update(status=status)

    with pytest.raises(lifecycle.QuoteRefused) as refused:
        lifecycle.quote_send(quote_id=quote.pk, actor=rep, to_email="jeanne@martin.fr")

    assert refused.value.message == str(lifecycle.NOT_SENDABLE)
    assert mail.outbox == []


def test_a_quote_past_its_validity_is_not_sent(rep):
    quote = past_validity(sent_for(rep))

    with pytest.raises(lifecycle.QuoteRefused) as refused:
        lifecycle.quote_send(quote_id=quote.pk, actor=rep, to_email="jeanne@martin.fr")

    assert refused.value.message == str(lifecycle.VALIDITY_PASSED)


def test_an_incomplete_draft_is_not_sent(rep):
    opportunity = ready_opportunity(rep)
    quote = draft_quote(opportunity, [])  # no line: quote_issue refuses it

    with pytest.raises(Exception) as refused:
        lifecycle.quote_send(quote_id=quote.pk, actor=rep, to_email="jeanne@martin.fr")

    assert "no line" in str(refused.value)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.DRAFT and mail.outbox == []


def test_a_failed_email_keeps_nothing_not_even_the_issue(rep, monkeypatch):
    draft = draft_for(rep)

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with pytest.raises(lifecycle.QuoteRefused) as refused:
        lifecycle.quote_send(quote_id=draft.pk, actor=rep, to_email="jeanne@martin.fr")

    assert refused.value.message == str(lifecycle.SEND_FAILED)
    draft.refresh_from_db()
    assert draft.status == Quote.Status.DRAFT and draft.number == "" and draft.sent_at is None
    assert quote_history(draft) == []


def test_another_rep_may_not_send(rep, other_rep):
    quote = sent_for(rep)

    with pytest.raises(PermissionDenied):
        lifecycle.quote_send(quote_id=quote.pk, actor=other_rep, to_email="jeanne@martin.fr")


# --------------------------------------------------------------------------- the send view


def test_send_view_sends_and_goes_back_to_the_card(rep_client, rep):
    quote = sent_for(rep)

    response = rep_client.post(
        reverse("quote_send", args=[quote.pk]),
        {"to_email": "jeanne@martin.fr", "message": "Bonne lecture"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("quote_detail", args=[quote.pk])
    texts = [str(m) for m in response.context["messages"]]
    assert f"Quote {quote.number} sent to jeanne@martin.fr." in texts
    assert len(mail.outbox) == 1


def test_send_view_answers_htmx_with_a_redirect(rep_client, rep):
    quote = sent_for(rep)

    response = rep_client.post(
        reverse("quote_send", args=[quote.pk]), {"to_email": "jeanne@martin.fr"}, **HX
    )

    assert response.headers["HX-Redirect"] == reverse("quote_detail", args=[quote.pk])


def test_send_view_refuses_an_invalid_address_with_a_message(rep_client, rep):
    quote = sent_for(rep)

    response = rep_client.post(
        reverse("quote_send", args=[quote.pk]), {"to_email": "not an address"}, follow=True
    )

    texts = [str(m) for m in response.context["messages"]]
    assert str(lifecycle.EMAIL_INVALID) in texts
    assert mail.outbox == []


def test_send_view_refuses_an_accepted_quote_with_a_message(rep_client, rep):
    quote = sent_for(rep)
    Quote.objects.filter(pk=quote.pk).update(status=Quote.Status.ACCEPTED)

    response = rep_client.post(
        reverse("quote_send", args=[quote.pk]), {"to_email": "jeanne@martin.fr"}, follow=True
    )

    texts = [str(m) for m in response.context["messages"]]
    assert str(lifecycle.NOT_SENDABLE) in texts
    assert mail.outbox == []


def test_send_view_is_refused_to_another_rep_and_to_strangers(client, other_rep, rep):
    quote = sent_for(rep)
    url = reverse("quote_send", args=[quote.pk])

    assert client.post(url, {"to_email": "x@y.fr"}).status_code == 302  # to the login
    client.force_login(other_rep)
    assert client.post(url, {"to_email": "x@y.fr"}).status_code == 403
    assert client.post(url, {}).status_code == 403
    assert client.get(url).status_code == 405
    assert (
        client.post(reverse("quote_send", args=[999999]), {"to_email": "x@y.fr"}).status_code == 404
    )
    assert mail.outbox == []


# --------------------------------------------------------------------------- expiry


def test_quotes_expire_past_their_validity_once(rep):
    old = past_validity(sent_for(rep))
    fresh = sent_for(rep)  # valid until in 30 days
    ends_today = sent_for(rep)
    Quote.objects.filter(pk=ends_today.pk).update(valid_until=timezone.localdate())

    assert lifecycle.quotes_expire() == 1
    assert lifecycle.quotes_expire() == 0  # idempotent

    old.refresh_from_db()
    assert old.status == Quote.Status.EXPIRED and old.expired_at is not None
    assert Quote.objects.get(pk=fresh.pk).status == Quote.Status.SENT
    assert Quote.objects.get(pk=ends_today.pk).status == Quote.Status.SENT
    day = old.valid_until.strftime("%d/%m/%Y")
    assert quote_history(old)[0] == f"{old.number} expired (valid until {day})"
    entry = HistoryEntry.objects.filter(opportunity=old.opportunity).first()
    assert entry.actor is None


def test_answered_quotes_do_not_expire(rep):
    accepted = past_validity(sent_for(rep))
    Quote.objects.filter(pk=accepted.pk).update(status=Quote.Status.ACCEPTED)

    assert lifecycle.quotes_expire() == 0
    assert Quote.objects.get(pk=accepted.pk).status == Quote.Status.ACCEPTED


def test_quotes_expire_for_a_given_day(rep):
    quote = sent_for(rep)

    assert lifecycle.quotes_expire(today=quote.valid_until) == 0
    assert lifecycle.quotes_expire(today=quote.valid_until + dt.timedelta(days=1)) == 1


def test_the_nightly_job_expires_quotes(rep, caplog):
    quote = past_validity(sent_for(rep))

    with caplog.at_level("INFO", logger="forecasting.services"):
        summary = nightly_run(day=timezone.localdate())

    assert summary["expired_quotes"] == 1
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.EXPIRED
    assert "1 quotes expired" in caplog.text
    assert nightly_run(day=timezone.localdate())["expired_quotes"] == 0


def test_run_nightly_says_how_many_quotes_expired(rep):
    past_validity(sent_for(rep))
    out = io.StringIO()

    call_command("run_nightly", stdout=out)

    assert "  quotes expired: 1" in out.getvalue()


# --------------------------------------------------------------------------- winning


def accepted_without_lines(owner) -> Quote:
    """An accepted quote of an opportunity that has no lines of its own."""
    opportunity = ready_opportunity(owner, lines=[])
    draft = draft_quote(
        opportunity, [("Audit", "2", "1500.00", "0", "20.00")], discount=Decimal("10")
    )
    quote = quote_issue(quote_id=draft.pk, actor=owner)
    return lifecycle.quote_accept(quote_id=quote.pk, name="Jeanne Martin", ip="203.0.113.7")


def test_an_accepted_quote_wins_the_opportunity_at_its_amount(rep):
    quote = accepted_without_lines(rep)

    opportunity = lifecycle.quote_win_opportunity(quote_id=quote.pk, actor=rep)

    assert opportunity.status == Opportunity.Status.WON
    assert opportunity.amount == Decimal("2700.00") == quote.total_excl_vat
    assert opportunity.closing_date == timezone.localdate()
    assert opportunity.probability == 100
    assert f"{quote.number} won the opportunity" in quote_history(quote)
    assert HistoryEntry.objects.filter(
        opportunity=opportunity, kind=HistoryEntry.Kind.STATUS, to_value="won", actor=rep
    ).exists()


def test_only_an_accepted_quote_wins(rep):
    quote = sent_for(rep)

    with pytest.raises(lifecycle.QuoteRefused) as refused:
        lifecycle.quote_win_opportunity(quote_id=quote.pk, actor=rep)

    assert refused.value.message == str(lifecycle.WIN_NEEDS_ACCEPTED)
    assert Opportunity.objects.get(pk=quote.opportunity_id).status == Opportunity.Status.OPEN


def test_an_opportunity_is_won_once(rep):
    quote = accepted_without_lines(rep)
    lifecycle.quote_win_opportunity(quote_id=quote.pk, actor=rep)

    with pytest.raises(lifecycle.QuoteRefused) as refused:
        lifecycle.quote_win_opportunity(quote_id=quote.pk, actor=rep)

    assert refused.value.message == str(lifecycle.ALREADY_WON)


def test_win_view(rep_client, rep, other_rep):
    quote = accepted_without_lines(rep)
    url = reverse("quote_win", args=[quote.pk])
    stranger = Client()
    stranger.force_login(other_rep)
    assert stranger.post(url).status_code == 403
    assert rep_client.get(url).status_code == 405

    response = rep_client.post(url, follow=True)

    assert response.redirect_chain[-1][0] == reverse("quote_detail", args=[quote.pk])
    texts = [str(m) for m in response.context["messages"]]
    assert f"The opportunity is won with quote {quote.number}." in texts
    assert Opportunity.objects.get(pk=quote.opportunity_id).status == Opportunity.Status.WON
    again = rep_client.post(url, follow=True)
    assert str(lifecycle.ALREADY_WON) in [str(m) for m in again.context["messages"]]
