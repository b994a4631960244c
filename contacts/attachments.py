"""Notes and documents on any record (company, person, prospect, opportunity): notes with
their reminders, documents checked for size and type before they are stored, and the hooks
that let other apps react to an attached document (the pipeline's automation rules)."""

import mimetypes
import os
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from contacts.models import (
    Document,
    Note,
)

DOCUMENT_TOO_LARGE = _("The file %(name)s is too large (%(size)s); the limit is %(limit)s.")


DOCUMENT_TYPE_REFUSED = _(
    "Files of type %(extension)s cannot be attached. Allowed types: %(allowed)s."
)


DOCUMENT_EMPTY = _("The file %(name)s is empty.")


ALLOWED_DOCUMENT_EXTENSIONS = (
    "pdf",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "webp",
    "txt",
    "csv",
    "rtf",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "ppt",
    "pptx",
    "odt",
    "ods",
    "odp",
    "eml",
    "msg",
    "zip",
)


@transaction.atomic
def note_create(
    *,
    target: models.Model,
    actor,
    subject: str,
    text: str = "",
    date=None,
    reminder_date=None,
) -> Note:
    """A dated note on any record; its reminder shows on the author's dashboard that day."""
    note = Note(
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        subject=subject,
        text=text,
        date=date or timezone.localdate(),
        reminder_date=reminder_date,
        owner=actor,
    )
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def note_delete(*, note: Note, actor) -> None:
    note.delete()


@dataclass(frozen=True)
class DocumentCheck:
    extension: str
    mime_type: str


def document_check(uploaded_file: UploadedFile) -> DocumentCheck:
    """Size limit (settings.DOCUMENT_MAX_BYTES) and allowed types, with messages users read."""
    name = os.path.basename(uploaded_file.name or "")
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    if extension not in ALLOWED_DOCUMENT_EXTENSIONS:
        raise ValidationError(
            DOCUMENT_TYPE_REFUSED,
            code="type",
            params={
                "extension": f".{extension}" if extension else str(_("(no extension)")),
                "allowed": ", ".join(ALLOWED_DOCUMENT_EXTENSIONS),
            },
        )
    if uploaded_file.size == 0:
        raise ValidationError(DOCUMENT_EMPTY, code="empty", params={"name": name})
    if uploaded_file.size > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError(
            DOCUMENT_TOO_LARGE,
            code="size",
            params={
                "name": name,
                "size": human_size(uploaded_file.size),
                "limit": human_size(settings.DOCUMENT_MAX_BYTES),
            },
        )
    mime_type = mimetypes.guess_type(f"x.{extension}")[0] or "application/octet-stream"
    return DocumentCheck(extension=extension, mime_type=mime_type)


# Apps that react to a new document register here (pipeline: the "a document is attached"
# automation rules); each is called as hook(document=..., target=..., actor=...).
DOCUMENT_ATTACHED_HOOKS: list = []


@transaction.atomic
def document_attach(
    *, target: models.Model, uploaded_file: UploadedFile, actor, name: str = ""
) -> Document:
    """Store an uploaded file against any record. Refused (ValidationError) when it is too
    large or of a type not in ALLOWED_DOCUMENT_EXTENSIONS. Downloads go through the
    `document_download` view, which checks the user may see the target. Then runs the
    DOCUMENT_ATTACHED_HOOKS."""
    check = document_check(uploaded_file)
    original = os.path.basename(uploaded_file.name or "") or f"document.{check.extension}"
    document = Document(
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        name=(name or original)[:200],
        size=uploaded_file.size,
        content_type_header=check.mime_type,
        uploaded_by=actor,
    )
    document.file.save(get_valid_filename(original), uploaded_file, save=False)
    document.save()
    for hook in DOCUMENT_ATTACHED_HOOKS:
        hook(document=document, target=target, actor=actor)
    return document


@transaction.atomic
def document_delete(*, document: Document, actor) -> None:
    storage, path = document.file.storage, document.file.name
    document.delete()
    transaction.on_commit(lambda: storage.delete(path))


def human_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)
