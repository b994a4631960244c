"""Automation rules (OpenFire): an event on an opportunity (task of a type done, line added,
document attached, status changed) moves it to the rule's step or status, once, never looping."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.notices import notify
from pipeline.models import AutomationRule, Opportunity
from pipeline.services.opportunities import opportunity_move

# Shown to the user whose action fired a rule (core.notices): "{reason}" is one of REASONS.
RULE_FIRED = _("Opportunity “{opportunity}” moved to the step “{step}”: {reason}.")
REASONS = {
    AutomationRule.Event.TASK_DONE: _("a task was done"),
    AutomationRule.Event.LINE_ADDED: _("a line was added"),
    AutomationRule.Event.DOCUMENT_ADDED: _("a document was attached"),
    AutomationRule.Event.STATUS_CHANGED: _("its status changed"),
    AutomationRule.Event.QUOTE_ISSUED: _("a quote was issued"),
    AutomationRule.Event.QUOTE_SENT: _("a quote was sent"),
    AutomationRule.Event.QUOTE_ACCEPTED: _("a quote was accepted"),
    AutomationRule.Event.QUOTE_REFUSED: _("a quote was refused"),
    AutomationRule.Event.EMAIL_SENT: _("an e-mail was sent"),
    AutomationRule.Event.EMAIL_RECEIVED: _("an e-mail was received"),
}
TASK_OF_TYPE_DONE = _("a task “{task_type}” was done")


@transaction.atomic
def automation_run(*, opportunity: Opportunity, event: str, actor, task_type=None) -> Opportunity:
    """Apply the process's active automation rules for `event` on `opportunity`.

    The first matching rule (in creation order) moves the opportunity to its step through
    `opportunity_move(..., rule=rule)`, so the move is recorded as done by the rule; a move made
    by a rule triggers no rule (no loops). Rules only move forward (PROSTEP's anti-downgrade):
    a rule whose step is the current one or an earlier one does nothing. `task_done` rules with
    a task type match only that type; `status_changed` rules with a status match only that
    status. Rules other than `status_changed` apply to open opportunities only. The user
    whose action fired the rule is told (`RULE_FIRED`, through `core.notices`).
    """
    # The caller's copy may be stale (loaded before an earlier move): decide on the stored row.
    opportunity = Opportunity.objects.select_related("step").get(pk=opportunity.pk)
    if (
        opportunity.status != Opportunity.Status.OPEN
        and event != AutomationRule.Event.STATUS_CHANGED
    ):
        return opportunity
    rules = (
        AutomationRule.objects.filter(process_id=opportunity.process_id, event=event, active=True)
        .select_related("target_step", "task_type")
        .order_by("id")
    )
    current = opportunity.step
    task_type_id = getattr(task_type, "pk", task_type)
    for rule in rules:
        if (
            event == AutomationRule.Event.TASK_DONE
            and rule.task_type_id
            and rule.task_type_id != task_type_id
        ):
            continue
        if (
            event == AutomationRule.Event.STATUS_CHANGED
            and rule.status
            and rule.status != opportunity.status
        ):
            continue
        target = rule.target_step
        if current is not None and (target.position, target.pk) <= (current.position, current.pk):
            continue
        moved = opportunity_move(
            opportunity_id=opportunity.pk, actor=actor, to_step=target, rule=rule
        )
        notify(rule_fired_text(rule, moved), to=actor)
        return moved
    return opportunity


def rule_fired_text(rule: AutomationRule, opportunity: Opportunity) -> str:
    if rule.event == AutomationRule.Event.TASK_DONE and rule.task_type_id:
        reason = str(TASK_OF_TYPE_DONE).format(task_type=rule.task_type.name)
    else:
        reason = str(REASONS[rule.event])
    return str(RULE_FIRED).format(
        opportunity=opportunity.summary, step=rule.target_step.label, reason=reason
    )


@transaction.atomic
def on_document_attached(*, document, target, actor) -> None:
    """Registered in contacts.services.DOCUMENT_ATTACHED_HOOKS: a document attached to an
    opportunity (through the one `document_attach` service) applies the process's
    "a document is attached" automation rules."""
    if isinstance(target, Opportunity):
        automation_run(opportunity=target, event=AutomationRule.Event.DOCUMENT_ADDED, actor=actor)
