"""Writing an e-mail from a card, reading a stored message, marking it private."""

import nh3
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.access import can_view
from core.htmx import HtmxHttpRequest
from core.params import id_param
from core.redirects import safe_next
from core.roles import is_manager
from mail.forms_send import ComposeForm
from mail.models import EmailTemplate
from mail.selectors import messages_visible_to, record_named
from mail.sending import (
    RECORD_KINDS,
    attachable_documents,
    draft_for,
    message_send,
    quote_for,
)
from mail.services import message_set_private

HISTORY_TAB = {"company", "person", "prospect"}


def _record(request, params):
    kind, record = record_named(params, request.user, RECORD_KINDS)
    if record is None:
        raise Http404
    return kind, record


def _record_url(kind: str, record) -> str:
    url = record.get_absolute_url()
    return f"{url}?tab=history" if kind in HISTORY_TAB else url


@login_required
@require_http_methods(["GET", "POST"])
def mail_compose(request: HtmxHttpRequest):
    """The compose page of a card (`?prospect=12`...): addresses of the record's contact, a
    template of the managers merged with the record, its documents and quote PDF."""
    in_query = any(kind in request.GET for kind in RECORD_KINDS)
    kind, record = _record(request, request.GET if in_query else request.POST)
    templates = EmailTemplate.objects.filter(active=True)
    template = None
    if request.GET.get("template"):
        template = get_object_or_404(templates, pk=id_param(request.GET, "template") or 0)
    documents = attachable_documents(record)
    quote = quote_for(record)
    if request.method == "POST":
        form = ComposeForm(request.POST, documents=documents, quote=quote)
        if form.is_valid():
            data = form.cleaned_data
            try:
                message_send(
                    actor=request.user,
                    record=record,
                    to=data["to"],
                    cc=data["cc"],
                    subject=data["subject"],
                    body=data["body"],
                    documents=list(data.get("documents") or []),
                    attach_quote=data.get("attach_quote", False),
                    private=data["private"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("E-mail sent."))
                url = _record_url(kind, record)
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    else:
        draft = draft_for(record, sender=request.user, template=template)
        form = ComposeForm(
            initial={"to": draft.to, "cc": draft.cc, "subject": draft.subject, "body": draft.body},
            documents=documents,
            quote=quote,
        )
    return render(
        request,
        "mail/compose.html",
        {
            "form": form,
            "kind": kind,
            "record": record,
            "record_url": _record_url(kind, record),
            "templates": templates,
            "template": template,
        },
    )


def _sanitised(html: str) -> str:
    """The message's HTML through nh3 (scripts, styles, handlers and unknown tags removed)."""
    cleaned = nh3.clean(
        html, url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow"
    )
    return mark_safe(cleaned)  # noqa: S308 (cleaned by nh3 just above)


@login_required
@require_http_methods(["GET"])
def mail_detail(request: HtmxHttpRequest, pk: int):
    """A stored e-mail, for whoever may read it (`mail.selectors.messages_visible_to`)."""
    message = get_object_or_404(messages_visible_to(request.user).select_related("owner"), pk=pk)
    records = []
    for link in message.links.select_related(
        "company", "person", "prospect", "opportunity", "quote__opportunity"
    ):
        record = link.company or link.person or link.prospect or link.opportunity or link.quote
        alive = record is not None and not getattr(record, "deleted_at", None)
        if alive and can_view(request.user, record):
            records.append(record)
    attachments = [
        attachment.document
        for attachment in message.attachments.select_related("document__content_type")
        if attachment.document.target is not None
        and can_view(request.user, attachment.document.target)
    ]
    return render(
        request,
        "mail/detail.html",
        {
            "message": message,
            "records": records,
            "attachments": attachments,
            "body_html": _sanitised(message.body_html) if message.body_html else "",
            "may_mark_private": message.owner_id == request.user.pk or is_manager(request.user),
            "back": safe_next(request, records[0].get_absolute_url() if records else "/"),
        },
    )


@login_required
@require_POST
def mail_private(request: HtmxHttpRequest, pk: int):
    """Mark a message private, or shared again (its owner, or a manager)."""
    message = get_object_or_404(messages_visible_to(request.user), pk=pk)
    private = request.POST.get("private") == "1"
    message_set_private(message=message, actor=request.user, private=private)
    messages.success(
        request, _("The e-mail is now private.") if private else _("The e-mail is now shared.")
    )
    return redirect("mail_detail", pk=message.pk)
