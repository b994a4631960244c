"""The quote list and the quote card (draft editing with htmx, issue, send, revise).

Every edit of a draft answers, for htmx, with the whole card (`quote_detail.html#quote-card`):
its lines, totals, checklist and version are then always the stored ones. Without htmx the
forms post the same URLs and are redirected to the card."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from core.access import get_visible_or_404
from core.htmx import HtmxHttpRequest, close_modal, with_message
from core.versions import ConcurrentEdit
from pipeline.models import Opportunity
from quotes import services
from quotes.filters import DEFAULT_SORT, QuoteFilter, sorted_quotes
from quotes.forms import QuoteForm, QuoteLineForm
from quotes.models import Quote, QuoteLine
from quotes.totals import totals_of

PAGE_SIZE = 25
CARD = "quotes/quote_detail.html"
# A draft is issued when sent; a sent quote may be sent again (a reminder, another person).
SENDABLE = (Quote.Status.DRAFT, Quote.Status.SENT)


# --- Fetching, scoped to the user ------------------------------------------------------------


def _quote(request, pk: int) -> Quote:
    """The quote if the user sees its opportunity, else 404."""
    return get_visible_or_404(
        Quote.objects.select_related(
            "opportunity__process",
            "opportunity__company",
            "opportunity__prospect",
            "opportunity__owner",
            "recipient",
            "revision_of",
            "issued_by",
            "created_by",
        ),
        request.user,
        pk=pk,
    )


def _changeable_quote(request, pk: int) -> Quote:
    """The quote if the user may change its opportunity: 404 unseen, 403 read-only."""
    quote = _quote(request, pk)
    if not services.may_quote(request.user, quote.opportunity):
        raise PermissionDenied
    return quote


def _gone():
    """A line deleted by someone else between the page and this request."""
    return Http404("This line no longer exists.")


def _line(request, pk: int) -> QuoteLine:
    line = get_visible_or_404(
        QuoteLine.objects.filter(quote__in=Quote.objects.visible_to(request.user)),
        request.user,
        pk=pk,
    )
    _changeable_quote(request, line.quote_id)
    return line


def _url_or_blank(name: str, *args) -> str:
    """The URL `name`, or "" while the part of the project that serves it is not there."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# --- The card ---------------------------------------------------------------------------------


def _card_context(request, quote: Quote, *, header_form=None, line_form=None) -> dict:
    may_change = services.may_quote(request.user, quote.opportunity)
    editable = may_change and not quote.is_frozen
    lines = list(quote.lines.select_related("product"))
    root_id = quote.revision_of_id or quote.pk
    family = list(
        Quote.objects.filter(Q(pk=root_id) | Q(revision_of_id=root_id)).order_by("revision")
    )
    send_url = _url_or_blank("quote_send", quote.pk)
    public_path = _url_or_blank("quote_public", quote.token) if quote.is_frozen else ""
    if editable:
        header_form = header_form or QuoteForm(instance=quote, user=request.user)
        line_form = line_form or QuoteLineForm(auto_id="new-line-%s")
    return {
        "quote": quote,
        "opportunity": quote.opportunity,
        "client": services.client_company(quote.opportunity),
        "lines": lines,
        "totals": totals_of(lines, quote.discount),
        "may_change": may_change,
        "editable": editable,
        "header_form": header_form,
        "line_form": line_form,
        "problems": [] if quote.is_frozen else services.issue_problems(quote),
        "family": family if len(family) > 1 else [],
        "draft_revision": next(
            (q for q in family if q.status == Quote.Status.DRAFT and q.pk != quote.pk), None
        ),
        "public_url": request.build_absolute_uri(public_path) if public_path else "",
        "pdf_url": _url_or_blank("quote_pdf", quote.pk),
        "send_url": send_url,
        # Offered once the client accepted, while the opportunity is still open.
        "win_url": _url_or_blank("quote_win", quote.pk)
        if may_change
        and quote.status == Quote.Status.ACCEPTED
        and quote.opportunity.status == Opportunity.Status.OPEN
        else "",
        "may_send": bool(may_change and send_url and quote.status in SENDABLE),
        "send_to": (quote.sent_to or (quote.recipient.email if quote.recipient else "")),
    }


def _card(request, pk: int, *, status: int = 200, **forms):
    """The card, as the page or (htmx) its `#quote-card` part, read again from the database."""
    quote = _quote(request, pk)
    template = CARD
    if request.htmx:
        template += "#quote-card"
    return render(request, template, _card_context(request, quote, **forms), status=status)


def _card_after(request, pk: int, *, done: str = "", error=None, **forms):
    """What an edit answers: the card (htmx) with its message, or a redirect to it."""
    if not request.htmx:
        if error is not None:
            messages.error(request, error)
        elif done:
            messages.success(request, done)
        return redirect("quote_detail", pk=pk)
    response = _card(request, pk, **forms)
    if error is not None:
        return with_message(response, error, "error")
    return with_message(response, done, "success") if done else response


def _errors_text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


@login_required
@require_http_methods(["GET", "POST"])
def quote_detail(request: HtmxHttpRequest, pk: int):
    """The quote card; a POST saves a draft's head (title, recipient, validity, discount,
    notes), its totals recomputed."""
    if request.method == "GET":
        return _card(request, pk)
    quote = _changeable_quote(request, pk)
    form = QuoteForm(request.POST, instance=quote, user=request.user)
    if not form.is_valid():
        if not request.htmx:
            messages.error(request, _form_errors(form))
            return redirect(quote)
        return _card(request, pk, header_form=form)
    data = {name: form.cleaned_data[name] for name in services.QUOTE_FIELDS}
    try:
        services.quote_update(
            quote_id=quote.pk,
            actor=request.user,
            data=data,
            expected_version=form.cleaned_data.get("version"),
        )
    except ConcurrentEdit as conflict:
        return _card_after(request, pk, error=conflict.message)
    except ValidationError as error:
        if not request.htmx or quote.is_frozen:
            return _card_after(request, pk, error=_errors_text(error))
        form.add_error(None, error)
        return _card(request, pk, header_form=form)
    return _card_after(request, pk, done=_("Saved."))


@login_required
@require_POST
def quote_line_add(request: HtmxHttpRequest, pk: int):
    quote = _changeable_quote(request, pk)
    form = QuoteLineForm(request.POST, auto_id="new-line-%s")
    if form.is_valid():
        try:
            services.quote_line_add(
                quote_id=quote.pk,
                actor=request.user,
                data=form.cleaned_data,
                expected_version=request.POST.get("version"),
            )
        except ConcurrentEdit as conflict:
            return _card_after(request, pk, error=conflict.message)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _card_after(request, pk, error=_errors_text(error))
            form.add_error(None, error)
        else:
            return _card_after(request, pk, done=_("Line added."))
    if not request.htmx:
        messages.error(
            request, _("The line was not added: %(errors)s") % {"errors": _form_errors(form)}
        )
        return redirect(quote)
    return _card(request, pk, line_form=form)


def _form_errors(form) -> str:
    return " ".join(message for errors in form.errors.values() for message in errors)


@login_required
@require_http_methods(["GET", "POST"])
def quote_line_edit(request: HtmxHttpRequest, pk: int):
    """A line of a draft, changed in a dialog."""
    line = _line(request, pk)
    form = QuoteLineForm(request.POST or None, instance=line)
    if request.method == "POST" and form.is_valid():
        try:
            services.quote_line_update(
                line_id=line.pk,
                actor=request.user,
                data=form.cleaned_data,
                expected_version=request.POST.get("version"),
            )
        except QuoteLine.DoesNotExist as gone:
            raise _gone() from gone
        except ConcurrentEdit as conflict:
            return close_modal(_card_after(request, line.quote_id, error=conflict.message))
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return close_modal(_card_after(request, line.quote_id, error=_errors_text(error)))
            form.add_error(None, error)
        else:
            return close_modal(_card_after(request, line.quote_id, done=_("Line saved.")))
    response = render(
        request,
        "quotes/_line_form.html",
        {"form": form, "line": line, "quote": line.quote},
        status=422 if request.method == "POST" and not request.htmx else 200,
    )
    if request.htmx and request.method == "POST":
        response = reswap(retarget(response, "#modal-body"), "innerHTML")
    return response


@login_required
@require_POST
def quote_line_delete(request: HtmxHttpRequest, pk: int):
    line = _line(request, pk)
    try:
        services.quote_line_delete(
            line_id=line.pk, actor=request.user, expected_version=request.POST.get("version")
        )
    except QuoteLine.DoesNotExist as gone:
        raise _gone() from gone
    except ConcurrentEdit as conflict:
        return _card_after(request, line.quote_id, error=conflict.message)
    except ValidationError as error:
        return _card_after(request, line.quote_id, error=_errors_text(error))
    return _card_after(request, line.quote_id, done=_("Line deleted."))


@login_required
@require_POST
def quote_line_move(request: HtmxHttpRequest, pk: int):
    line = _line(request, pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return _card_after(request, line.quote_id)
    try:
        services.quote_line_move(
            line_id=line.pk,
            actor=request.user,
            direction=direction,
            expected_version=request.POST.get("version"),
        )
    except QuoteLine.DoesNotExist as gone:
        raise _gone() from gone
    except ConcurrentEdit as conflict:
        return _card_after(request, line.quote_id, error=conflict.message)
    except ValidationError as error:
        return _card_after(request, line.quote_id, error=_errors_text(error))
    return _card_after(request, line.quote_id)


@login_required
@require_POST
def quote_issue(request: HtmxHttpRequest, pk: int):
    """Number and freeze the draft; refused with the list of what to fix."""
    quote = _changeable_quote(request, pk)
    try:
        quote = services.quote_issue(
            quote_id=quote.pk, actor=request.user, expected_version=request.POST.get("version")
        )
    except ConcurrentEdit as conflict:
        messages.error(request, conflict.message)
    except ValidationError as error:
        messages.error(
            request,
            _("The quote was not issued. To fix first: %(problems)s.")
            % {"problems": "; ".join(str(m).rstrip(".") for m in error.messages)},
        )
    else:
        messages.success(
            request,
            _("Quote %(number)s issued: it is numbered and can no longer be changed.")
            % {"number": quote.number},
        )
    return redirect("quote_detail", pk=pk)


@login_required
@require_POST
def quote_revise(request: HtmxHttpRequest, pk: int):
    """A new draft revision of a frozen quote, opened at once."""
    quote = _changeable_quote(request, pk)
    try:
        revision = services.quote_revise(quote_id=quote.pk, actor=request.user)
    except ValidationError as error:
        messages.error(request, _errors_text(error))
        return redirect(quote)
    messages.success(
        request,
        _("Revision %(revision)s of %(number)s: a draft to change, then issue.")
        % {"revision": revision.revision, "number": quote.revision_of or quote},
    )
    return redirect(revision)


# --- From the opportunity card ---------------------------------------------------------------


@login_required
@require_POST
def quote_create(request: HtmxHttpRequest, pk: int):
    """A draft quote made from the opportunity's lines, opened at once."""
    opportunity = get_visible_or_404(Opportunity.objects.all(), request.user, pk=pk)
    quote = services.quote_create(opportunity_id=opportunity.pk, actor=request.user)
    messages.success(request, _("Draft quote made from the opportunity's lines."))
    return redirect(quote)


@login_required
@require_GET
def opportunity_quotes(request: HtmxHttpRequest, pk: int):
    """The opportunity card's "Quotes" section (loaded by htmx)."""
    opportunity = get_visible_or_404(
        Opportunity.objects.select_related("process"), request.user, pk=pk
    )
    quotes = Quote.objects.filter(opportunity=opportunity).select_related("revision_of")
    return render(
        request,
        "quotes/_opportunity_quotes.html",
        {
            "opportunity": opportunity,
            "quotes": quotes,
            "may_change": services.may_quote(request.user, opportunity),
        },
    )


# --- The list -------------------------------------------------------------------------------


def _list_columns() -> list[tuple[str | None, str, bool]]:
    """(sort key or None, heading, numeric) of the list's columns."""
    return [
        ("number", _("Number"), False),
        ("date", _("Date"), False),
        ("client", _("Client"), False),
        (None, _("Owner"), False),
        ("status", _("Status"), False),
        ("valid_until", _("Valid until"), False),
        ("total", _("Total excl. VAT"), True),
        (None, _("Total incl. VAT"), True),
    ]


@login_required
@require_GET
def quote_list(request: HtmxHttpRequest):
    """The quotes the user may see: filtered, sorted, paginated, summed."""
    queryset = Quote.objects.visible_to(request.user).select_related(
        "opportunity__company", "opportunity__prospect", "opportunity__owner"
    )
    quote_filter = QuoteFilter(request.GET or None, queryset=queryset, user=request.user)
    filtered = quote_filter.qs
    sums = filtered.aggregate(
        count=Count("id"), excl=Sum("total_excl_vat"), incl=Sum("total_incl_vat")
    )
    sort, ordered = sorted_quotes(filtered, request.GET.get("sort", DEFAULT_SORT))
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = params.copy()
    sort_params.pop("sort", None)
    template = "quotes/quote_list.html"
    if request.htmx and request.htmx.target == "quote-rows":
        template += "#quote-rows"
    return render(
        request,
        template,
        {
            "filter": quote_filter,
            "page": page,
            "sums": sums,
            "sort": sort,
            "query": params.urlencode(),
            "sort_query": sort_params.urlencode(),
            "columns": _list_columns(),
        },
    )
