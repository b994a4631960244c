"""Which e-mails a user may read (the privacy rule, stated once).

A message is visible to its owner and to managers; to anyone else only when it is not private
and they may see one of the records it is linked to. An unfiled message (no link) is seen by its
owner only, and by managers when it has no owner: personal mail that matches no record is never
shown to another rep.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from contacts.models import Company, Person, Prospect
from core.access import get_visible_or_404
from core.roles import is_manager
from mail.models import Message, MessageLink
from pipeline.models import Opportunity
from quotes.models import Quote


def messages_visible_to(user) -> QuerySet[Message]:
    """The messages `user` may read (one query, whatever the number of links)."""
    if not user.is_authenticated:
        return Message.objects.none()
    if is_manager(user):
        # Managers read everything, except unfiled mail that belongs to a rep.
        unfiled_of_someone = Q(owner__isnull=False) & ~Exists(
            MessageLink.objects.filter(message=OuterRef("pk"))
        )
        return Message.objects.exclude(unfiled_of_someone & ~Q(owner=user))
    reachable = MessageLink.objects.filter(message=OuterRef("pk")).filter(
        Q(company__in=Company.objects.visible_to(user))
        | Q(person__in=Person.objects.visible_to(user))
        | Q(prospect__in=Prospect.objects.visible_to(user))
        | Q(opportunity__in=Opportunity.objects.visible_to(user))
        | Q(quote__in=Quote.objects.visible_to(user))
    )
    return Message.objects.filter(Q(owner=user) | (Q(private=False) & Exists(reachable)))


def can_read(user, message: Message) -> bool:
    return messages_visible_to(user).filter(pk=message.pk).exists()


def record_named(params, user, kinds: dict) -> tuple[str, object]:
    """The record a query or form names (`?prospect=12`, one of `kinds`) if `user` may see it:
    ("", None) when none is named, 404 when it names one the user may not see."""
    for kind, model in kinds.items():
        if params.get(kind, "").strip():
            return kind, get_visible_or_404(model, user, pk=params[kind])
    return "", None
