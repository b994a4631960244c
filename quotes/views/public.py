"""The client's public page of a sent quote (/q/<token>/): read, download, accept or refuse.

No login: the unguessable token (`Quote.token`, 43 characters of `secrets.token_urlsafe(32)`)
is the only key, and it opens nothing but this quote's page, its PDF and the seller's logo. A
draft's token opens nothing. The page speaks the quote's language and links nowhere else in
Jalon (templates/quotes/public/base.html has no navigation)."""

import mimetypes

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from core.proxies import client_ip
from quotes import lifecycle
from quotes.models import Quote
from quotes.parties import parties_of
from quotes.pdf import quote_document, quote_filename
from quotes.totals import quote_totals

PUBLIC_STATUSES = (
    Quote.Status.SENT,
    Quote.Status.ACCEPTED,
    Quote.Status.REFUSED,
    Quote.Status.EXPIRED,
)
LOGO_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}


class AcceptForm(forms.Form):
    name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    agree = forms.BooleanField(
        label=_("I have read this quote and I accept it, with its terms and conditions."),
        error_messages={"required": _("Tick the box to accept the quote.")},
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=lifecycle.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _quote_or_404(token: str) -> Quote:
    """The quote the token opens; 404 for any other token, and for a draft's."""
    # The token is the key: this lookup is deliberately not scoped to a user.
    quote = (
        Quote.objects.filter(token=token, status__in=PUBLIC_STATUSES)
        .select_related("opportunity")
        .first()
    )
    if quote is None:
        raise Http404
    return quote


def _page(
    request: HttpRequest,
    quote: Quote,
    *,
    accept_form=None,
    refuse_form=None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    seller, client = parties_of(quote)
    answerable = lifecycle.is_answerable(quote)
    newer = lifecycle.newer_revision(quote) if quote.status == Quote.Status.SENT else None
    context = {
        "quote": quote,
        "seller": seller,
        "client": client,
        "lines": list(quote.lines.all()),
        "totals": quote_totals(quote),
        "answerable": answerable,
        "newer": newer,
        "expired": quote.status == Quote.Status.EXPIRED
        or (quote.status == Quote.Status.SENT and not answerable and newer is None),
        "accept_form": accept_form or AcceptForm(),
        "refuse_form": refuse_form or RefuseForm(),
        "error": error,
    }
    with translation.override(quote.language or None):
        response = render(request, "quotes/public/quote_public.html", context, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_not_required
@never_cache
@require_safe
def quote_public(request: HttpRequest, token: str) -> HttpResponse:
    return _page(request, _quote_or_404(token))


def _answer(request: HttpRequest, token: str, form_class, answer) -> HttpResponse:
    """Accept or refuse: the form checked, then `answer(quote, cleaned_data)`; the page again
    with the reason when the form or the quote's rules refuse (answered already, expired)."""
    quote = _quote_or_404(token)
    form = form_class(request.POST)
    forms_key = "accept_form" if form_class is AcceptForm else "refuse_form"
    if not form.is_valid():
        return _page(request, quote, status=422, **{forms_key: form})
    try:
        with translation.override(quote.language or None):
            answer(quote, form.cleaned_data)
    except lifecycle.QuoteRefused as refused:
        quote.refresh_from_db()
        return _page(request, quote, error=refused.message, status=409)
    return redirect("quote_public", token=quote.token)


@login_not_required
@never_cache
@require_POST
def quote_public_accept(request: HttpRequest, token: str) -> HttpResponse:
    return _answer(
        request,
        token,
        AcceptForm,
        lambda quote, data: lifecycle.quote_accept(
            quote_id=quote.pk,
            name=data["name"],
            ip=client_ip(request),
            base_url=request.build_absolute_uri("/"),
        ),
    )


@login_not_required
@never_cache
@require_POST
def quote_public_refuse(request: HttpRequest, token: str) -> HttpResponse:
    return _answer(
        request,
        token,
        RefuseForm,
        lambda quote, data: lifecycle.quote_refuse(
            quote_id=quote.pk,
            reason=data["reason"],
            ip=client_ip(request),
            base_url=request.build_absolute_uri("/"),
        ),
    )


@login_not_required
@never_cache
@require_safe
def quote_public_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The PDF: once accepted, the very one the client accepted."""
    quote = _quote_or_404(token)
    response = HttpResponse(quote_document(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{quote_filename(quote)}"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_not_required
@require_safe
def quote_public_logo(request: HttpRequest, token: str) -> HttpResponse:
    """The seller's logo as the quote names it, served here so that the page needs no other
    address (the media files are not public)."""
    quote = _quote_or_404(token)
    seller, _client = parties_of(quote)
    name = seller.get("logo") or ""
    content_type = mimetypes.guess_type(name)[0]
    if not name or content_type not in LOGO_TYPES or not default_storage.exists(name):
        raise Http404
    response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"
    # An SVG opened on its own is a document: it runs nothing and loads nothing.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response
