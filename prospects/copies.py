"""Prextra's "copy into" (manual 003) for the prospect file: a prospect copied into another
process becomes a new prospect with the same values, categories and extra fields, with a new
opportunity in the first step of that process; the original and its opportunities stay.

Who may copy: the copy is a new prospect the actor owns, so on the original's side seeing it is
enough (its values are read, nothing of it changes); on the target's side the actor must be
allowed to add opportunities to the process (`opportunity_create`'s right), and the process
must be another one than those the prospect already has an opportunity in (a copy there would
only be a duplicate)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from contacts.copies import copy_note
from contacts.models import PROSPECT_EDITABLE, Prospect
from core.access import can_view
from core.sentences import sentence
from pipeline.models import Opportunity, Process
from pipeline.services.opportunities import opportunity_create
from prospects.services import PROSPECT_ORIGIN, prospect_create

# What the new opportunity takes from the original's latest one (the project, not its progress).
OPPORTUNITY_COPIED = ("summary", "amount", "expected_date", "interest", "rating", "project_notes")
ALREADY_IN_PROCESS = _(
    "%(prospect)s already has an opportunity in the process “%(process)s”: choose another process."
)


def processes_of(prospect: Prospect, actor) -> set[int]:
    """The ids of the processes the prospect has an opportunity in, as `actor` sees them."""
    return set(
        Opportunity.objects.visible_to(actor)
        .filter(prospect=prospect)
        .values_list("process_id", flat=True)
    )


@transaction.atomic
def prospect_copy_to_process(*, prospect: Prospect, process: Process, actor) -> Prospect:
    """The copy (owned by the actor) and its opportunity at the first step of `process`, whose
    project is that of the original's latest opportunity (the prospect's name when it has none).
    The actor must see the prospect; the process's rights are `opportunity_create`'s (it raises
    MoveRefused when the actor may not add opportunities to it, and the copy is rolled back); a
    process the prospect already has an opportunity in is refused (ALREADY_IN_PROCESS)."""
    if not can_view(actor, prospect) or not process.active:
        raise PermissionDenied
    if process.pk in processes_of(prospect, actor):
        raise ValidationError(
            sentence(ALREADY_IN_PROCESS % {"prospect": prospect, "process": process.name}),
            code="already_in_process",
        )
    data = {
        name: getattr(prospect, name)
        for name in (*PROSPECT_EDITABLE, *PROSPECT_ORIGIN)
        if name != "owner"
    }
    copy = prospect_create(actor=actor, data=data, categories=list(prospect.categories.all()))
    if prospect.extra:
        copy.extra = dict(prospect.extra)
        copy.save(update_fields=["extra"])
    latest = (
        Opportunity.objects.visible_to(actor)
        .filter(prospect=prospect)
        .order_by("-created_at", "-id")
        .first()
    )
    project = {name: getattr(latest, name) for name in OPPORTUNITY_COPIED} if latest else {}
    project.setdefault("summary", str(prospect)[:200])
    opportunity_create(actor=actor, process=process, prospect=copy, **project)
    copy_note(copy=copy, original=prospect, actor=actor)
    return copy
