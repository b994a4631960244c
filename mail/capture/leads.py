"""Prospects made from e-mails: the managers' web-form rules (LeadRule) and the inbox's
"make a prospect" button, both through PROSTEP's paste-from-e-mail parser (prospects/paste.py).

Deduplicated like an import (prospects/imports.py): an existing prospect or person with the
e-mail, else a prospect with the same last name, first name and company, gets the message
instead of a new prospect.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from contacts.choices import Origin
from contacts.models import Person, Prospect
from mail.models import LeadRule, Message
from pipeline.rights import can_modify_process_opportunities
from pipeline.services.opportunities import opportunity_create
from prospects import importing
from prospects.paste import parse_paste
from prospects.services import prospect_create


def rule_matches(rule: LeadRule, *, sender: str, subject: str) -> bool:
    """Each pattern set must be found (case-insensitive); a rule with none never matches."""
    patterns = [(rule.sender_pattern, sender), (rule.subject_pattern, subject)]
    patterns = [(p.strip().lower(), value.lower()) for p, value in patterns if p.strip()]
    return bool(patterns) and all(p in value for p, value in patterns)


def lead_values(message: Message, *, sender_is_form: bool) -> dict[str, str]:
    """Prospect fields read from the message's text; the sender stands in for a missing
    e-mail and name unless it is the web form's own address."""
    values = parse_paste(message.body_text)
    if not sender_is_form and message.from_address:
        values.setdefault("email", message.from_address)
        if not values.get("last_name") and message.from_name:
            first, _space, last = message.from_name.strip().rpartition(" ")
            values["last_name"] = last or first
            if last and first:
                values.setdefault("first_name", first)
    return values


def existing_record(values: dict) -> Prospect | Person | None:
    """The prospect or person an import would call a duplicate of `values`."""
    email = (values.get("email") or "").lower()
    if email:
        for model in (Prospect, Person):
            found = (
                model.objects.annotate(lower_email=Lower("email")).filter(lower_email=email).first()
            )
            if found is not None:
                return found
    key = importing.name_key(values)
    if key:
        last = values["last_name"]
        for prospect in Prospect.objects.filter(
            last_name__in={last, last.upper(), last.title()}
        ).only("pk", "last_name", "first_name", "company_name"):
            candidate = {
                "last_name": prospect.last_name,
                "first_name": prospect.first_name,
                "company_name": prospect.company_name,
            }
            if importing.name_key(candidate) == key:
                return prospect
    return None


def _prospect_create(*, actor, values: dict, subject: str, **fields) -> Prospect:
    """prospect_create, with a value the model refuses (a malformed e-mail, a too-long
    name) moved to the notes rather than losing the lead."""
    data = {**values, **fields}
    try:
        with transaction.atomic():
            prospect = prospect_create(actor=actor, data=data)
    except ValidationError as refused:
        moved = [f"{k}: {data.pop(k)}" for k in getattr(refused, "error_dict", {}) if k in data]
        data["notes"] = "\n".join([*moved, data.get("notes", "")]).strip()
        prospect = prospect_create(actor=actor, data=data)
    # Where it came from (the CNIL asks): not a field of the prospect form's services.
    Prospect.objects.filter(pk=prospect.pk).update(origin=Origin.EMAIL, origin_detail=subject[:250])
    prospect.origin, prospect.origin_detail = Origin.EMAIL, subject[:250]
    return prospect


def prospect_from_message(*, message: Message, actor) -> tuple[Prospect | Person, bool]:
    """The inbox's "make a prospect": the prospect the message describes (created, owned by
    `actor`, or the existing duplicate); the caller files the message on it."""
    values = lead_values(message, sender_is_form=False)
    found = existing_record(values)
    if found is not None:
        return found, False
    values.setdefault("last_name", message.from_address or message.subject[:100])
    return _prospect_create(actor=actor, values=values, subject=message.subject, owner=actor), True


def lead_rule_apply(*, message: Message, rules: list[LeadRule]) -> list | None:
    """The records a web-form message is filed on when one of the active `rules` matches it
    (a new prospect with an opportunity in the rule's process and step, or the existing
    duplicate), else None. The message goes to the rule's owner when it has none."""
    from mail.capture.filing import system_actor

    rule = next(
        (r for r in rules if rule_matches(r, sender=message.from_address, subject=message.subject)),
        None,
    )
    if rule is None:
        return None
    sender_is_form = bool(rule.sender_pattern.strip())
    values = lead_values(message, sender_is_form=sender_is_form)
    if not values.get("email") and not values.get("last_name"):
        return None  # nothing to make a prospect of: filed by its addresses
    if message.owner_id is None and rule.owner_id:
        message.owner = rule.owner
        message.save(update_fields=["owner"])
    found = existing_record(values)
    if found is not None:
        return [found]
    owner = rule.owner
    actor = owner if owner and can_modify_process_opportunities(owner, rule.process) else None
    actor = actor or system_actor()
    if actor is None:
        return None
    fields = {"owner": owner}
    if rule.channel_id:
        fields["channel"] = rule.channel
    prospect = _prospect_create(actor=actor, values=values, subject=message.subject, **fields)
    name = " ".join(p for p in [prospect.first_name, prospect.last_name.upper()] if p)
    opportunity = opportunity_create(
        actor=actor,
        process=rule.process,
        step=rule.step,
        prospect=prospect,
        owner=owner or actor,
        summary=(prospect.company_name or name or message.subject or "—")[:200],
    )
    return [prospect, opportunity]
