"""Notes and documents on any record that may carry them (`ATTACHABLE`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from contacts import attachments
from contacts.forms import (
    DocumentForm,
    NoteForm,
)
from contacts.models import (
    Document,
    Note,
)
from contacts.views.shared import (
    ATTACHABLE,
    redirect_back,
)
from core.access import (
    can_change,
    can_view,
    get_changeable_or_403,
    get_visible_or_404,
)
from core.htmx import HtmxHttpRequest, with_message


def _attachable_target(request, content_type_id: int, object_id: int, *, change: bool):
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    if f"{content_type.app_label}.{content_type.model}" not in ATTACHABLE:
        raise Http404
    model = content_type.model_class()
    queryset = model._default_manager.all()
    if change:
        return get_changeable_or_403(queryset, request.user, pk=object_id)
    return get_visible_or_404(queryset, request.user, pk=object_id)


def _target_url(target, tab: str) -> str:
    url = target.get_absolute_url() if hasattr(target, "get_absolute_url") else reverse("dashboard")
    return f"{url}?tab={tab}"


@login_required
@require_POST
def note_create(request: HtmxHttpRequest, content_type_id: int, object_id: int):
    target = _attachable_target(request, content_type_id, object_id, change=True)
    form = NoteForm(request.POST)
    if form.is_valid():
        attachments.note_create(target=target, actor=request.user, **form.cleaned_data)
        if request.htmx:
            response = render(
                request, "contacts/_notes.html", {"target": target, "note_form": NoteForm()}
            )
            return with_message(response, _("Note added."), "success")
        messages.success(request, _("Note added."))
        return redirect_back(request, _target_url(target, "notes"))
    if request.htmx:
        return render(request, "contacts/_notes.html", {"target": target, "note_form": form})
    messages.error(
        request, _("The note was not saved: %(errors)s") % {"errors": form.errors.as_text()}
    )
    return redirect_back(request, _target_url(target, "notes"))


@login_required
@require_POST
def note_delete(request: HtmxHttpRequest, pk: int):
    note = get_object_or_404(Note, pk=pk)
    target = _attachable_target(request, note.content_type_id, note.object_id, change=True)
    attachments.note_delete(note=note, actor=request.user)
    if request.htmx:
        response = render(
            request, "contacts/_notes.html", {"target": target, "note_form": NoteForm()}
        )
        return with_message(response, _("Note deleted."), "success")
    messages.success(request, _("Note deleted."))
    return redirect_back(request, _target_url(target, "notes"))


@login_required
@require_POST
def document_upload(request: HtmxHttpRequest, content_type_id: int, object_id: int):
    target = _attachable_target(request, content_type_id, object_id, change=True)
    form = DocumentForm(request.POST, request.FILES)
    error = None
    if form.is_valid():
        try:
            attachments.document_attach(
                target=target, uploaded_file=form.cleaned_data["file"], actor=request.user
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if request.htmx:
        response = render(
            request, "contacts/_documents.html", {"target": target, "upload_error": error}
        )
        return with_message(
            response, error or _("Document attached."), "error" if error else "success"
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Document attached."))
    return redirect_back(request, _target_url(target, "documents"))


@login_required
@require_GET
def document_download(request: HtmxHttpRequest, pk: int):
    """Streams the file to users who may see the record it is attached to (else 404)."""
    document = get_object_or_404(Document.objects.select_related("content_type"), pk=pk)
    target = document.target
    if target is None or not can_view(request.user, target):
        raise Http404
    if getattr(target, "deleted_at", None):
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.name,
        content_type=document.content_type_header or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def document_delete(request: HtmxHttpRequest, pk: int):
    document = get_object_or_404(Document, pk=pk)
    target = document.target
    if target is None or not can_view(request.user, target):
        raise Http404
    if not can_change(request.user, target):
        raise PermissionDenied
    attachments.document_delete(document=document, actor=request.user)
    if request.htmx:
        response = render(request, "contacts/_documents.html", {"target": target})
        return with_message(response, _("Document deleted."), "success")
    messages.success(request, _("Document deleted."))
    return redirect_back(request, _target_url(target, "documents"))
