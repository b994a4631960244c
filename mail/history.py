"""E-mails in the History tab of a record (registered with `pipeline.history` by MailConfig):
the messages filed on the record or on one of its opportunities that the user may read."""

from django.db.models import Exists, OuterRef, Q, Subquery
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
    # The opportunities, people and prospect files of the record's circle: the messages linked
    # to any of them are in the history, and each row names the one it was with (as a task's
    # row does): the first link of each kind.
    about = {
        "opportunity": [o.pk for o in opportunities],
        "person": (related or {}).get("person", []),
        "prospect": (related or {}).get("prospect", []),
    }
    scope = Q(**{TARGET_FIELDS[type(target)]: target})
    for field_name, ids in about.items():
        if ids:
            scope |= Q(**{f"{field_name}__in": ids})
    linked = MessageLink.objects.filter(scope, message=OuterRef("pk"))
    rows = (
        messages_visible_to(user)
        .filter(Exists(linked))
        .annotate(
            **{
                f"about_{name}": Subquery(
                    MessageLink.objects.filter(message=OuterRef("pk"), **{f"{name}__in": ids})
                    .order_by("pk")
                    .values(name)[:1]
                )
                for name, ids in about.items()
            }
        )
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
            "about_opportunity",
            "about_person",
            "about_prospect",
        )[:limit]
    )
    sent, received, no_subject = _("E-mail sent"), _("E-mail received"), _("(no subject)")
    url = reverse("mail_detail", args=[0])[: -len("0/")]
    items = []
    for pk, at, subject, direction, address, name, to, cc, private, *rest in rows:
        username, first_name, last_name, opportunity_id, person_id, prospect_id = rest
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
                about_keys=(
                    (Opportunity, opportunity_id),
                    (Person, person_id),
                    (Prospect, prospect_id),
                ),
            )
        )
    return items
