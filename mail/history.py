"""E-mails in the History tab of a record (registered with `pipeline.history` by MailConfig):
the messages filed on the record or on one of its opportunities that the user may read."""

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from contacts.models import Company, Person, Prospect
from mail.models import Message, MessageLink
from mail.selectors import messages_visible_to
from pipeline.history import HistoryItem
from pipeline.models import Opportunity

TARGET_FIELDS = {
    Company: "company",
    Person: "person",
    Prospect: "prospect",
    Opportunity: "opportunity",
}


def email_history(
    *, user, target, opportunities, limit: int, related: dict | None = None
) -> list[HistoryItem]:
    """One query: the readable messages linked to `target`, to one of `opportunities` or to one
    of the `related` people and prospect files of a company (read as plain values: a history
    shows up to `limit` rows, rendered in a few milliseconds)."""
    scope = Q(**{TARGET_FIELDS[type(target)]: target})
    if opportunities:
        scope |= Q(opportunity__in=[o.pk for o in opportunities])
    for field_name, ids in (related or {}).items():
        if ids:
            scope |= Q(**{f"{field_name}__in": ids})
    linked = MessageLink.objects.filter(scope, message=OuterRef("pk"))
    rows = (
        messages_visible_to(user)
        .filter(Exists(linked))
        .order_by("-sent_at", "-id")
        .values_list(
            "pk",
            "sent_at",
            "subject",
            "direction",
            "from_address",
            "from_name",
            "to",
            "cc",
            "private",
            "owner__username",
            "owner__first_name",
            "owner__last_name",
        )[:limit]
    )
    sent, received, no_subject = _("E-mail sent"), _("E-mail received"), _("(no subject)")
    url = reverse("mail_detail", args=[0])[: -len("0/")]
    items = []
    for pk, at, subject, direction, address, name, to, cc, private, *owner in rows:
        username, first_name, last_name = owner
        if direction == Message.Direction.SENT:
            label = sent
            detail = _("to %(addresses)s") % {"addresses": ", ".join([*to, *cc][:3])}
        else:
            label = received
            detail = _("from %(address)s") % {"address": name or address}
        items.append(
            HistoryItem(
                at=at,
                kind="email",
                label=label,
                title=subject or no_subject,
                url=f"{url}{pk}/",
                detail=detail,
                who=f"{first_name or ''} {last_name or ''}".strip() or (username or ""),
                extra={"private": private},
            )
        )
    return items
