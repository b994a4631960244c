"""The quote card's actions after its issue: e-mail the quote to the client, and win the
opportunity with an accepted quote. Both answer with the card (or the page named by `next`)
and a message; for htmx, by telling the browser to go there (HX-Redirect)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.access import can_change, get_visible_or_404
from core.htmx import HtmxHttpRequest
from core.redirects import safe_next
from pipeline.services.cards import modify_right_or_403
from pipeline.services.opportunities import Refused
from quotes import lifecycle
from quotes.models import Quote

SENT = _("Quote %(number)s sent to %(email)s.")
WON = _("The opportunity is won with quote %(number)s.")


class SendForm(forms.Form):
    to_email = forms.EmailField(label=_("Send to"), max_length=254)
    message = forms.CharField(
        label=_("Message"), required=False, max_length=5000, widget=forms.Textarea
    )


def _changeable_quote(request: HtmxHttpRequest, pk: int) -> Quote:
    """The quote, if the user may edit it: 404 unseen, 403 seen but not changeable (checked
    before the form, so that a refused user learns nothing from it)."""
    quote = get_visible_or_404(
        Quote.objects.select_related("opportunity__process"), request.user, pk=pk
    )
    if not can_change(request.user, quote.opportunity):
        raise PermissionDenied
    modify_right_or_403(request.user, quote.opportunity)
    return quote


def _back(request: HtmxHttpRequest, quote: Quote) -> HttpResponse:
    target = safe_next(request, quote.get_absolute_url())
    if request.htmx:
        return HttpResponseClientRedirect(target)
    return redirect(target)


@login_required
@require_POST
def quote_send(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    quote = _changeable_quote(request, pk)
    form = SendForm(request.POST)
    if not form.is_valid():
        messages.error(request, lifecycle.EMAIL_INVALID)
        return _back(request, quote)
    try:
        quote = lifecycle.quote_send(
            quote_id=quote.pk,
            actor=request.user,
            to_email=form.cleaned_data["to_email"],
            message=form.cleaned_data["message"],
            base_url=request.build_absolute_uri("/"),
        )
    except Refused as refused:
        messages.error(request, refused.message)
    except ValidationError as invalid:
        messages.error(request, " ".join(invalid.messages))
    else:
        messages.success(
            request, SENT % {"number": quote.number, "email": form.cleaned_data["to_email"]}
        )
    return _back(request, quote)


@login_required
@require_POST
def quote_win(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    quote = _changeable_quote(request, pk)
    try:
        lifecycle.quote_win_opportunity(quote_id=quote.pk, actor=request.user)
    except Refused as refused:
        messages.error(request, refused.message)
    except ValidationError as invalid:
        messages.error(request, " ".join(invalid.messages))
    else:
        messages.success(request, WON % {"number": quote.number})
    return _back(request, quote)
