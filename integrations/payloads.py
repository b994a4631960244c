"""What a webhook delivery says about its record: the fields another tool needs to act on it
(ids to fetch more through the API, names to show), and no more personal data than that:
no notes, no free comments, no birth date, no IP address."""

from typing import Any

from django.db import models


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _user(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.get_username()}


def prospect_data(prospect) -> dict[str, Any]:
    return {
        "id": prospect.pk,
        "first_name": prospect.first_name,
        "last_name": prospect.last_name,
        "company_name": prospect.company_name,
        "email": prospect.email,
        "phone": prospect.phone,
        "postal_code": prospect.postal_code,
        "city": prospect.city,
        "channel": str(prospect.channel) if prospect.channel_id else None,
        "origin": prospect.origin,
        "origin_detail": prospect.origin_detail,
        "lawful_basis": prospect.lawful_basis,
        "owner": _user(prospect.owner),
        "created_at": _iso(prospect.created_at),
        "updated_at": _iso(prospect.updated_at),
        "version": prospect.version,
    }


def opportunity_data(opportunity) -> dict[str, Any]:
    return {
        "id": opportunity.pk,
        "summary": opportunity.summary,
        "status": opportunity.status,
        "process": {"id": opportunity.process_id, "name": opportunity.process.name},
        "step": (
            {"id": opportunity.step_id, "label": opportunity.step.label}
            if opportunity.step_id
            else None
        ),
        "amount": str(opportunity.amount),
        "probability": opportunity.probability,
        "expected_date": _iso(opportunity.expected_date),
        "closing_date": _iso(opportunity.closing_date),
        "loss_reason": str(opportunity.loss_reason) if opportunity.loss_reason_id else None,
        "prospect": opportunity.prospect_id,
        "company": opportunity.company_id,
        "person": opportunity.person_id,
        "owner": _user(opportunity.owner),
        "updated_at": _iso(opportunity.updated_at),
        "version": opportunity.version,
    }


def task_data(task) -> dict[str, Any]:
    return {
        "id": task.pk,
        "title": "" if task.is_private else task.title,
        "type": str(task.type),
        "start": _iso(task.start),
        "done_at": _iso(task.done_at),
        "done_by": _user(task.done_by),
        "assignee": _user(task.assignee),
        "opportunity": task.opportunity_id,
        "prospect": task.prospect_id,
        "company": task.company_id,
        "person": task.person_id,
        "private": task.is_private,
    }


def quote_data(quote) -> dict[str, Any]:
    return {
        "id": quote.pk,
        "number": quote.number,
        "status": quote.status,
        "title": quote.title,
        "total_excl_vat": str(quote.total_excl_vat),
        "total_incl_vat": str(quote.total_incl_vat),
        "accepted_at": _iso(quote.accepted_at),
        "opportunity": quote.opportunity_id,
    }


SERIALISERS = {
    "contacts.prospect": (prospect_data, ("owner", "channel")),
    "pipeline.opportunity": (opportunity_data, ("process", "step", "owner", "loss_reason")),
    "pipeline.task": (task_data, ("type", "assignee", "done_by")),
    "quotes.quote": (quote_data, ()),
}


def record_data(instance: models.Model) -> dict[str, Any]:
    """The record as it is now in the database (the event is told after the commit: later
    changes made in the same transaction are included), or its id alone once deleted."""
    serialise, related = SERIALISERS[instance._meta.label_lower]
    manager = getattr(type(instance), "all_objects", type(instance)._default_manager)
    fresh = manager.select_related(*related).filter(pk=instance.pk).first()
    if fresh is None:
        return {"id": instance.pk}
    return serialise(fresh)
