"""Captured mail on the pages: a dropped .eml/.msg file, the inbox of unfiled mail, filing a
message on a record in one click, making a prospect of it, setting it aside."""

from __future__ import annotations

import os

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from contacts.models import Company, Person, Prospect
from contacts.text import normalize
from core.htmx import HtmxHttpRequest, with_message
from core.redirects import safe_next
from core.roles import is_manager
from mail.capture.filing import message_capture, message_delete, message_file_on
from mail.capture.leads import prospect_from_message
from mail.fetching import mailbox_status
from mail.models import Message
from mail.selectors import messages_visible_to, record_named
from mail.services import message_set_private
from pipeline.models import Opportunity

RECORD_KINDS = {
    "company": Company,
    "person": Person,
    "prospect": Prospect,
    "opportunity": Opportunity,
}
MAIL_EXTENSIONS = (".eml", ".msg")
NOT_AN_EMAIL = gettext_lazy("Drop an e-mail file (.eml or .msg).")
EMAIL_TOO_LARGE = gettext_lazy("This e-mail file is too large (%(limit)s at most).")
NOT_YOURS = gettext_lazy("Only the rep this e-mail belongs to, or a manager, may do this.")
PAGE_SIZE = 50
SEARCH_LIMIT = 5


def mail_upload_max_bytes() -> int:
    """An e-mail may carry attachments over the document limit (they are left out, the
    message is kept): five times that limit, 50 MB at least."""
    return max(settings.DOCUMENT_MAX_BYTES * 5, 50 * 1024 * 1024)


def unfiled_for(user):
    """The inbox: unfiled mail `user` may read and has not set aside as private."""
    return messages_visible_to(user).filter(filed=False, private=False)


def _message_for_change(request, pk: int) -> Message:
    message = get_object_or_404(messages_visible_to(request.user), pk=pk)
    if message.owner_id != request.user.pk and not is_manager(request.user):
        raise PermissionDenied(NOT_YOURS)
    return message


def _record_from(params, user):
    return _kind_and_record(params, user)[1]


def _kind_and_record(params, user) -> tuple[str, object]:
    return record_named(params, user, RECORD_KINDS)


@login_required
@require_http_methods(["GET", "POST"])
def mail_upload(request: HtmxHttpRequest):
    """An .eml or .msg file, uploaded here or dropped on a card (then also filed on the
    card's record), filed like a captured message."""
    if request.method == "POST":
        kind, record = _kind_and_record(request.POST, request.user)
    else:  # the page names a record it was opened from; one it cannot show is left out
        try:
            kind, record = _kind_and_record(request.GET, request.user)
        except Http404:
            kind, record = "", None
    error = ""
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        name = os.path.basename(getattr(uploaded, "name", "") or "")
        if uploaded is None or not name.lower().endswith(MAIL_EXTENSIONS):
            error = str(NOT_AN_EMAIL)
        elif uploaded.size > mail_upload_max_bytes():
            limit = f"{mail_upload_max_bytes() // (1024 * 1024)} MB"
            error = str(EMAIL_TOO_LARGE) % {"limit": limit}
        else:
            result = message_capture(
                raw=uploaded.read(),
                source=Message.Source.UPLOAD,
                actor=request.user,
                record=record,
            )
            message = result.message
            if message.filed:
                text = _("The e-mail “%(subject)s” is filed.")
            else:
                text = _("The e-mail “%(subject)s” matches no record: it waits in the inbox.")
            if not result.created:
                text = _("This e-mail was already in Jalon.") + " " + text
            messages.success(request, text % {"subject": message})
            fallback = reverse("mail_detail", args=[message.pk])
            if not message.filed:
                fallback = reverse("mail_inbox")
            return redirect(safe_next(request, fallback))
        if record is not None:
            messages.error(request, error)
            return redirect(safe_next(request, record.get_absolute_url()))
    return render(
        request,
        "mail/upload.html",
        {"error": error, "record": record, "record_kind": kind},
        status=400 if error else 200,
    )


@login_required
@require_GET
def mail_inbox(request: HtmxHttpRequest):
    """Unfiled mail: the user's own (managers also see what belongs to nobody)."""
    queryset = unfiled_for(request.user).select_related("owner").defer("body_html", "body_text")
    page = Paginator(queryset.order_by("-sent_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    manager = is_manager(request.user)
    return render(
        request,
        "mail/inbox.html",
        {
            "page": page,
            "is_manager": manager,
            "status": mailbox_status() if manager else None,
            "capture_configured": bool(settings.IMAP_HOST),
        },
    )


def _search(user, text: str) -> list[tuple[str, object]]:
    text = text.strip()
    if len(text) < 2:
        return []
    words = normalize(text)
    found: list[tuple[str, object]] = []
    companies = Company.objects.visible_to(user).filter(name__icontains=text)
    people = Person.objects.visible_to(user).filter(
        _any(["last_name", "first_name", "email"], text)
    )
    prospects = Prospect.objects.visible_to(user).filter(search_text__icontains=words)
    opportunities = (
        Opportunity.objects.visible_to(user)
        .filter(_any(["summary", "prospect__company_name", "company__name"], text))
        .select_related("prospect", "company")
    )
    for kind, queryset in (
        ("company", companies),
        ("person", people),
        ("prospect", prospects),
        ("opportunity", opportunities),
    ):
        found += [(kind, record) for record in queryset[:SEARCH_LIMIT]]
    return found


def _any(fields: list[str], text: str) -> Q:
    query = Q()
    for name in fields:
        query |= Q(**{f"{name}__icontains": text})
    return query


@login_required
@require_GET
def mail_file_search(request: HtmxHttpRequest, pk: int):
    """Records to file the message on, as the rep types (htmx)."""
    message = _message_for_change(request, pk)
    results = _search(request.user, request.GET.get("q", ""))
    template = "mail/_file_results.html" if request.htmx else "mail/file_pick.html"
    return render(
        request, template, {"message": message, "results": results, "q": request.GET.get("q", "")}
    )


def _row_gone(request, text: str, level: str = "success"):
    """An inbox row done with: htmx removes it; otherwise back to the inbox."""
    if request.htmx:
        return with_message(HttpResponse(""), text, level)
    getattr(messages, level)(request, text)
    return redirect(safe_next(request, reverse("mail_inbox")))


@login_required
@require_POST
def mail_file(request: HtmxHttpRequest, pk: int):
    """File the message on the record chosen (its owner or a manager, on a record they see)."""
    message = _message_for_change(request, pk)
    record = _record_from(request.POST, request.user)
    if record is None:
        raise Http404
    with transaction.atomic():
        message_file_on(message=message, records=[record], actor=request.user)
    return _row_gone(request, _("E-mail filed on %(record)s.") % {"record": record})


@login_required
@require_POST
def mail_make_prospect(request: HtmxHttpRequest, pk: int):
    """A prospect made from the message (the paste-from-e-mail parser; an existing prospect
    or person with the same e-mail gets the message instead), the message filed on it."""
    message = _message_for_change(request, pk)
    with transaction.atomic():
        record, created = prospect_from_message(message=message, actor=request.user)
        message_file_on(message=message, records=[record], actor=request.user)
    if created:
        messages.success(request, _("Prospect created from the e-mail: check it."))
    else:
        messages.info(
            request,
            _("%(record)s already has this address: the e-mail is filed there.")
            % {"record": record},
        )
    if request.htmx:
        return HttpResponseClientRedirect(record.get_absolute_url())
    return redirect(record)


@login_required
@require_POST
def mail_inbox_action(request: HtmxHttpRequest, pk: int):
    """Set a message aside as private (it leaves the inbox, stays readable by its owner), or
    delete it with its original."""
    message = _message_for_change(request, pk)
    if request.POST.get("action") == "delete":
        message_delete(message=message, actor=request.user)
        return _row_gone(request, _("E-mail deleted."))
    message_set_private(message=message, actor=request.user, private=True)
    return _row_gone(request, _("E-mail set aside as private."))
