"""The PDFs: a quote, an opportunity sheet (drawn by `quotes.pdf`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from core.access import get_visible_or_404
from core.htmx import HtmxHttpRequest
from pipeline.models import Opportunity
from quotes import pdf
from quotes.models import Quote


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def quote_pdf(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The quote's PDF (the frozen one once accepted). When a legal mention would be blank,
    no PDF: the quote card, saying what to fill in."""
    quote = get_visible_or_404(
        Quote.objects.select_related(
            "opportunity__company",
            "opportunity__prospect",
            "opportunity__person",
            "opportunity__owner",
            "recipient",
            "issued_by",
        ),
        request.user,
        pk=pk,
    )
    try:
        content = pdf.quote_document(quote)
    except ValidationError as refusal:
        messages.error(request, refusal.messages[0])
        return redirect(quote)
    return _pdf_response(content, pdf.quote_filename(quote))


@login_required
@require_GET
def opportunity_sheet_pdf(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Prextra's opportunity sheet: the card printed as the user sees it."""
    opportunity = get_visible_or_404(
        Opportunity.objects.select_related(
            "company", "prospect", "person", "owner", "process", "step", "loss_reason"
        ),
        request.user,
        pk=pk,
    )
    content = pdf.opportunity_sheet_pdf(opportunity, request.user)
    return _pdf_response(content, pdf.opportunity_sheet_filename(opportunity))
