"""The PDFs: a quote and Prextra's opportunity sheet, drawn by WeasyPrint from the Django
templates of templates/quotes/pdf/.

A quote is drawn in its own language (`Quote.language`), from the parties it names
(`quotes.parties.parties_of`: frozen once issued) and its totals (`quotes.totals`), and never
with a blank where a legal mention belongs (`quotes.parties.missing_mentions`): `quote_pdf`
raises a ValidationError saying what to fill in. An accepted quote is the PDF frozen at
acceptance (`quote_document`).

WeasyPrint fetches nothing from the network: the documents are drawn at an address that is never
fetched (`BASE_URL`), and `LocalFetcher` serves the seller's logo from the media storage and the
app's static files under it, refusing every other address (WeasyPrint logs it and draws on)."""

import datetime as dt
import mimetypes
from urllib.parse import quote as url_quote
from urllib.parse import unquote

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from pipeline.models import Opportunity, Task
from quotes.models import Quote
from quotes.parties import client_data, missing_mentions, parties_of, seller_data, seller_get
from quotes.totals import line_net, totals_of

# Never fetched: the address under which `LocalFetcher` serves the documents' resources.
BASE_URL = "https://jalon.invalid/"
MEDIA_PREFIX = BASE_URL + "media/"
STATIC_PREFIX = BASE_URL + "static/"

# Shown on the quote card when no PDF can be drawn (tests assert it).
QUOTE_INCOMPLETE = _("No PDF without every legal mention. Missing: %(missing)s.")
# How the fixed indemnity's sentence names the costs, in the quote's language.
RECOVERY_COSTS = _("recovery costs")
NEXT_TASKS = 20


class LocalFetcher(URLFetcher):
    """Serves the media files named in `media` (the seller's logo) and the static files; any
    other address, the network's included, is refused."""

    def __init__(self, media=()):
        super().__init__(allowed_protocols=())
        self.media = {name for name in media if name}

    def fetch(self, url, headers=None):
        if url.startswith(MEDIA_PREFIX):
            name = unquote(url.removeprefix(MEDIA_PREFIX))
            if name in self.media:
                with default_storage.open(name, "rb") as handle:
                    return _response(url, name, handle.read())
        elif url.startswith(STATIC_PREFIX):
            name = unquote(url.removeprefix(STATIC_PREFIX))
            try:
                path = finders.find(name)
            except SuspiciousFileOperation:
                path = None
            if path:
                with open(path, "rb") as handle:
                    return _response(url, name, handle.read())
        raise ValueError(f"not served to the PDFs: {url}")


def _response(url: str, name: str, body: bytes) -> URLFetcherResponse:
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return URLFetcherResponse(url, body, {"Content-Type": content_type})


def _draw(template: str, context: dict, *, media=()) -> bytes:
    html = render_to_string(template, context)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=LocalFetcher(media)).write_pdf()


def _language(code: str) -> str:
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _logo_url(seller: dict) -> str:
    name = seller.get("logo") or ""
    return MEDIA_PREFIX + url_quote(name) if name else ""


def quote_filename(quote: Quote) -> str:
    return f"{quote.number}.pdf" if quote.number else f"devis-brouillon-{quote.pk}.pdf"


def quote_context(quote: Quote) -> dict:
    """What templates/quotes/pdf/quote.html draws. A draft is dated today and valid for its
    validity from today: what it would say if issued now."""
    seller, client = parties_of(quote)
    lines = list(quote.lines.all())
    for line in lines:
        line.net = line_net(line.quantity, line.unit_price, line.discount)
    issue_date = quote.issue_date or timezone.localdate()
    penalty = seller.get("late_penalty", "").lower()
    return {
        "quote": quote,
        "seller": seller,
        "client": client,
        "lines": lines,
        "totals": totals_of(lines, quote.discount),
        "is_draft": quote.status == Quote.Status.DRAFT,
        "issue_date": issue_date,
        "valid_until": quote.valid_until or issue_date + dt.timedelta(days=quote.validity_days),
        "logo_url": _logo_url(seller),
        "rep": quote.issued_by or quote.opportunity.owner,
        # The fixed 40 € indemnity is always printed: in the seller's words when they say it
        # in the quote's language.
        "penalty_has_indemnity": "40" in penalty and str(RECOVERY_COSTS).lower() in penalty,
    }


def quote_pdf(quote: Quote) -> bytes:
    """The quote as a PDF, in its language. ValidationError (QUOTE_INCOMPLETE, with what is
    missing) when a legal mention would be blank."""
    missing = missing_mentions(quote)
    if missing:
        raise ValidationError(
            QUOTE_INCOMPLETE, code="incomplete", params={"missing": ", ".join(missing)}
        )
    with translation.override(_language(quote.language)):
        context = quote_context(quote)
        return _draw("quotes/pdf/quote.html", context, media=[context["seller"].get("logo")])


def quote_document(quote: Quote) -> bytes:
    """The quote's PDF as the client sees it: once accepted, the very one they accepted
    (`Quote.accepted_pdf`, frozen at acceptance); otherwise drawn now (see `quote_pdf`)."""
    if quote.accepted_pdf:
        try:
            with quote.accepted_pdf.open("rb") as handle:
                return handle.read()
        except FileNotFoundError:
            pass
    return quote_pdf(quote)


def opportunity_sheet_filename(opportunity: Opportunity) -> str:
    return _("opportunity-%(id)s.pdf") % {"id": opportunity.pk}


def opportunity_sheet_context(opportunity: Opportunity, user) -> dict:
    """What templates/quotes/pdf/opportunity_sheet.html draws: the card, the lines, the steps
    of its process (done or not), the next tasks and the quotes `user` may see."""
    done = {
        progress.step_id: progress
        for progress in opportunity.step_progress.select_related("done_by")
    }
    steps = [
        {"step": step, "progress": done.get(step.pk)}
        for step in opportunity.process.steps.order_by("position", "id")
    ]
    tasks = (
        Task.objects.visible_to(user)
        .filter(opportunity=opportunity, done=False)
        .select_related("type", "assignee")
        .order_by("start", "id")[:NEXT_TASKS]
    )
    quotes = Quote.objects.visible_to(user).filter(opportunity=opportunity).order_by("created_at")
    seller = seller_data(seller_get())
    contact = opportunity.person or opportunity.prospect
    return {
        "opportunity": opportunity,
        "client": client_data(opportunity),
        "phone": (contact.phone or contact.mobile) if contact else "",
        "lines": list(opportunity.lines.all()),
        "steps": steps,
        "tasks": list(tasks),
        "quotes": list(quotes),
        "seller": seller,
        "logo_url": _logo_url(seller),
        "user": user,
        "printed_at": timezone.localtime(),
    }


def opportunity_sheet_pdf(opportunity: Opportunity, user) -> bytes:
    """Prextra's print of an opportunity card, in the active language, as `user` sees it."""
    context = opportunity_sheet_context(opportunity, user)
    return _draw(
        "quotes/pdf/opportunity_sheet.html", context, media=[context["seller"].get("logo")]
    )
