"""The client's public page of a quote (/q/<token>/): read, download, accept or refuse, with
nothing else of Jalon reachable from it (quotes/views/public.py)."""

import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pipeline.models import HistoryEntry, Task
from quotes import lifecycle
from quotes.models import Quote, Seller
from quotes.services import quote_issue, quote_revise
from tests.quotes.lifecycle_setup import draft_for, past_validity, sent_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Accepted PDFs and logos are written under a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path


CLIENT_IP = "203.0.113.7"
# A 1×1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


class Links(HTMLParser):
    """Every address a page points to: links, images, scripts, styles and form actions."""

    def __init__(self):
        super().__init__()
        self.addresses: list[str] = []
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src", "action", "hx-get", "hx-post", "formaction"):
            if attrs.get(name) is not None:
                self.addresses.append(attrs[name])
        if tag == "form":
            self.forms.append(attrs)


def links_of(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def page(client, quote) -> str:
    response = client.get(reverse("quote_public", args=[quote.token]))
    assert response.status_code == 200
    return response.content.decode()


def accept(client, quote, name="Jeanne Martin", agree="on", **extra):
    data = {"name": name}
    if agree:
        data["agree"] = agree
    return client.post(
        reverse("quote_public_accept", args=[quote.token]), data, REMOTE_ADDR=CLIENT_IP, **extra
    )


# --------------------------------------------------------------------------- reading


def test_the_public_page_shows_the_quote_without_login(client, rep):
    quote = sent_for(rep)

    html = page(client, quote)

    assert quote.number in html
    assert "Jalon Démo SAS" in html  # the seller
    assert "Transports Martin SARL" in html  # the client
    assert "Journée de conseil" in html and "Formation" in html and "Livres" in html
    assert f"{quote.total_incl_vat:,.2f}" in html  # English page: "3,172.60"
    assert 'data-status="sent"' in html
    forms = {form.get("data-answer"): form for form in links_of(html).forms}
    assert forms["accept"]["action"] == reverse("quote_public_accept", args=[quote.token])
    assert forms["refuse"]["action"] == reverse("quote_public_refuse", args=[quote.token])
    assert html.count('name="csrfmiddlewaretoken"') == 2
    assert re.search(r'<input type="checkbox" name="agree" required', html)
    assert re.search(r'<input type="text" name="name"[^>]* required', html)


def test_the_public_page_speaks_the_quote_language(client, rep):
    quote = sent_for(rep, language="fr")

    html = page(client, quote)

    assert '<html lang="fr">' in html
    assert f"{quote.total_incl_vat:,.2f}".replace(",", "\u00a0").replace(".", ",") in html


def test_tokens_are_long_and_random(rep):
    first, second = sent_for(rep), sent_for(rep)

    assert len(first.token) == 43 and first.token != second.token


def test_a_wrong_token_is_not_found(client, rep):
    quote = sent_for(rep)

    for token in ("nope", quote.token[:-1], quote.token + "x", "a" * 43):
        assert client.get(reverse("quote_public", args=[token])).status_code == 404
        assert client.get(reverse("quote_public_pdf", args=[token])).status_code == 404
        assert accept(client, Quote(token=token)).status_code == 404


def test_a_draft_token_opens_nothing(client, rep):
    draft = draft_for(rep)

    assert client.get(reverse("quote_public", args=[draft.token])).status_code == 404
    assert client.get(reverse("quote_public_pdf", args=[draft.token])).status_code == 404
    assert accept(client, draft).status_code == 404
    draft.refresh_from_db()
    assert draft.status == Quote.Status.DRAFT


def test_nothing_else_of_jalon_is_reachable_from_the_page(client, rep):
    quote = sent_for(rep)
    Seller.objects.filter(pk=1).update(logo="seller/logo.png")
    # The logo is frozen into the quote at issue: set it there too.
    quote.seller_snapshot["logo"] = "seller/logo.png"
    Quote.objects.filter(pk=quote.pk).update(seller_snapshot=quote.seller_snapshot)

    html = page(client, quote)

    own = f"/q/{quote.token}/"
    addresses = links_of(html).addresses
    assert addresses, "the page links to its PDF and its forms"
    for address in addresses:
        assert address.startswith((own, "/static/")) or address == "data:,", address
    for word in ("/quotes/", "/prospects/", "/opportunities/", "/companies/", "/accounts/"):
        assert word not in html
    assert "sidebar" not in html and "hx-" not in html


def test_the_app_stays_closed_to_a_visitor_of_the_public_page(client, rep):
    quote = sent_for(rep)
    page(client, quote)

    response = client.get(reverse("quote_detail", args=[quote.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    for url in (reverse("quote_send", args=[quote.pk]), reverse("quote_win", args=[quote.pk])):
        assert client.post(url, {"to_email": "x@y.fr"}).url.startswith(reverse("login"))


def test_the_pdf_is_downloaded(client, rep):
    quote = sent_for(rep)

    response = client.get(reverse("quote_public_pdf", args=[quote.token]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{quote.number}.pdf"'
    assert response.content.startswith(b"%PDF")


def test_the_seller_logo_is_served_by_the_quote_token(client, rep):
    quote = sent_for(rep)
    seller = Seller.objects.get(pk=1)
    seller.logo.save("logo.png", ContentFile(PNG))
    quote.seller_snapshot["logo"] = seller.logo.name
    Quote.objects.filter(pk=quote.pk).update(seller_snapshot=quote.seller_snapshot)

    html = page(client, quote)
    response = client.get(reverse("quote_public_logo", args=[quote.token]))

    assert f'src="{reverse("quote_public_logo", args=[quote.token])}"' in html
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    seller.logo.delete()


def test_no_logo_no_image(client, rep):
    quote = sent_for(rep)

    assert "public-logo" not in page(client, quote)
    assert client.get(reverse("quote_public_logo", args=[quote.token])).status_code == 404


# --------------------------------------------------------------------------- accepting


def test_the_client_accepts(client, rep, django_capture_on_commit_callbacks):
    quote = sent_for(rep)

    with django_capture_on_commit_callbacks(execute=True):
        response = accept(client, quote, name="  Jeanne   Martin ")

    assert response.status_code == 302
    assert response.url == reverse("quote_public", args=[quote.token])
    quote.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED
    assert quote.accepted_name == "Jeanne Martin"
    assert quote.accepted_ip == CLIENT_IP
    assert abs((timezone.now() - quote.accepted_at).total_seconds()) < 60
    assert quote.accepted_pdf.name.endswith(".pdf")
    with quote.accepted_pdf.open("rb") as frozen:
        assert frozen.read().startswith(b"%PDF")
    # The owner is told: an e-mail, a task for today, a line in the history.
    [notice] = mail.outbox
    assert notice.to == [rep.email]
    assert quote.number in notice.subject and "accepted" in notice.subject
    assert "Jeanne Martin" in notice.body
    assert f"/quotes/{quote.pk}/" in notice.body
    task = Task.objects.get(opportunity=quote.opportunity)
    assert task.assignee == rep and not task.done and task.important
    assert quote.number in task.title
    entry = HistoryEntry.objects.filter(opportunity=quote.opportunity).first()
    assert entry.to_value == f"{quote.number} accepted online by Jeanne Martin"
    assert entry.actor is None
    # The page now says so, and offers no form.
    html = page(client, quote)
    assert 'data-banner="accepted"' in html and "Jeanne Martin" in html
    assert "data-answer=" not in html


def test_the_accepted_pdf_is_the_one_downloaded(client, rep):
    quote = sent_for(rep)
    accept(client, quote)
    quote.refresh_from_db()
    with quote.accepted_pdf.open("rb") as frozen:
        signed = frozen.read()

    response = client.get(reverse("quote_public_pdf", args=[quote.token]))

    assert response.content == signed


def test_the_client_address_is_read_behind_the_trusted_proxy(client, rep, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    quote = sent_for(rep)

    accept(client, quote, HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.23")

    quote.refresh_from_db()
    assert quote.accepted_ip == "198.51.100.23"


@pytest.mark.parametrize(("name", "agree"), [("Jeanne Martin", None), ("   ", "on"), ("", None)])
def test_accepting_needs_a_name_and_the_box(client, rep, name, agree):
    quote = sent_for(rep)

    response = accept(client, quote, name=name, agree=agree)

    assert response.status_code == 422
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT and quote.accepted_name == ""
    html = response.content.decode()
    assert 'data-answer="accept"' in html  # the form again, with what is wrong
    assert "errorlist" in html


def test_a_quote_is_accepted_once(client, rep):
    quote = sent_for(rep)
    accept(client, quote, name="Jeanne Martin")
    mail.outbox.clear()

    again = accept(client, quote, name="Someone Else")
    refused = client.post(reverse("quote_public_refuse", args=[quote.token]), {"reason": "x"})

    for response in (again, refused):
        assert response.status_code == 409
        assert str(lifecycle.ALREADY_ACCEPTED) in response.content.decode()
    quote.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED and quote.accepted_name == "Jeanne Martin"
    with pytest.raises(lifecycle.QuoteRefused):
        lifecycle.quote_accept(quote_id=quote.pk, name="Third", ip=None)
    assert HistoryEntry.objects.filter(to_value__contains="accepted online").count() == 1


# --------------------------------------------------------------------------- refusing


def test_the_client_refuses_with_a_reason(client, rep, django_capture_on_commit_callbacks):
    quote = sent_for(rep)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("quote_public_refuse", args=[quote.token]),
            {"reason": "Budget postponed to next year."},
        )

    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.status == Quote.Status.REFUSED
    assert quote.refusal_reason == "Budget postponed to next year."
    assert quote.refused_at is not None and not quote.accepted_pdf
    [notice] = mail.outbox
    assert notice.to == [rep.email] and "refused" in notice.subject
    assert "Budget postponed to next year." in notice.body
    entry = HistoryEntry.objects.filter(opportunity=quote.opportunity).first()
    assert entry.to_value == f"{quote.number} refused online: Budget postponed to next year."
    html = page(client, quote)
    assert 'data-banner="refused"' in html and "data-answer=" not in html


def test_the_client_refuses_without_a_reason(client, rep):
    quote = sent_for(rep)

    client.post(reverse("quote_public_refuse", args=[quote.token]), {})

    quote.refresh_from_db()
    assert quote.status == Quote.Status.REFUSED and quote.refusal_reason == ""


def test_a_quote_is_refused_once(client, rep):
    quote = sent_for(rep)
    url = reverse("quote_public_refuse", args=[quote.token])
    client.post(url, {"reason": "Too dear"})

    again = client.post(url, {"reason": "Changed my mind"})
    accepted = accept(client, quote)

    for response in (again, accepted):
        assert response.status_code == 409
        assert str(lifecycle.ALREADY_REFUSED) in response.content.decode()
    quote.refresh_from_db()
    assert quote.status == Quote.Status.REFUSED and quote.refusal_reason == "Too dear"


# --------------------------------------------------------------------------- expired


@pytest.mark.parametrize("how", ["nightly", "date"])
def test_an_expired_quote_shows_no_forms_and_refuses_answers(client, rep, how):
    quote = past_validity(sent_for(rep))
    if how == "nightly":
        lifecycle.quotes_expire()

    html = page(client, quote)

    assert 'data-banner="expired"' in html and "This quote has expired." in html
    assert "data-answer=" not in html
    assert client.get(reverse("quote_public_pdf", args=[quote.token])).status_code == 200
    for response in (
        accept(client, quote),
        client.post(reverse("quote_public_refuse", args=[quote.token]), {"reason": "late"}),
    ):
        assert response.status_code == 409
        assert str(lifecycle.QUOTE_EXPIRED) in response.content.decode()
    quote.refresh_from_db()
    assert quote.status in (Quote.Status.SENT, Quote.Status.EXPIRED)
    assert quote.accepted_name == "" and quote.refusal_reason == ""


# --------------------------------------------------------------------------- replaced


def test_a_quote_replaced_by_an_issued_revision_can_no_longer_be_answered(client, rep):
    """The client may hold the old link: it says a newer version exists, leads to it, and
    refuses an answer, so that the client never accepts a price the rep has since changed."""
    quote = sent_for(rep)
    revision = quote_issue(quote_id=quote_revise(quote_id=quote.pk, actor=rep).pk, actor=rep)

    html = page(client, quote)

    assert 'data-banner="replaced"' in html and "data-answer=" not in html
    assert reverse("quote_public", args=[revision.token]) in html
    response = accept(client, quote)
    assert response.status_code == 409
    assert str(lifecycle.QUOTE_REPLACED) % {"number": revision.number} in response.content.decode()
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT and quote.accepted_name == ""
    assert "data-answer=" in page(client, revision)
    with pytest.raises(lifecycle.QuoteRefused, match=revision.number):
        lifecycle.quote_send(quote_id=quote.pk, actor=rep, to_email="client@example.com")


def test_a_draft_revision_leaves_the_sent_quote_answerable(client, rep):
    quote = sent_for(rep)
    quote_revise(quote_id=quote.pk, actor=rep)

    assert accept(client, quote).status_code == 302
    quote.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED


# --------------------------------------------------------------------------- CSRF and methods


def test_the_answer_forms_need_their_csrf_token(rep):
    quote = sent_for(rep)
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(
        reverse("quote_public_accept", args=[quote.token]), {"name": "X", "agree": "on"}
    )

    assert response.status_code == 403
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT


def test_the_answer_forms_work_with_their_csrf_token(rep):
    quote = sent_for(rep)
    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("quote_public", args=[quote.token]))
    token = browser.cookies["csrftoken"].value

    response = browser.post(
        reverse("quote_public_accept", args=[quote.token]),
        {"name": "Jeanne Martin", "agree": "on", "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.ACCEPTED


def test_methods(client, rep):
    quote = sent_for(rep)

    assert client.post(reverse("quote_public", args=[quote.token])).status_code == 405
    assert client.get(reverse("quote_public_accept", args=[quote.token])).status_code == 405
    assert client.get(reverse("quote_public_refuse", args=[quote.token])).status_code == 405
    assert client.post(reverse("quote_public_pdf", args=[quote.token])).status_code == 405
