"""Writes that follow a process's rules: create, move, complete steps, automation.

Contract used by the prospect card, the step list and the Kanban:

    opportunity_create(*, actor, process=None, step=None, **fields) -> Opportunity
    opportunity_move(*, opportunity_id, actor, to_step=None, to_status=None, loss_reason=None,
                     expected_version=None, position=None, rule=None) -> Opportunity
        raises MoveRefused(message) when a rule refuses (mode, rights, missing loss reason,
        stale version); the message is shown to the user as is.
    step_complete(*, opportunity_id, step_id, actor, expected_version=None) -> Opportunity
    step_uncomplete(*, opportunity_id, step_id, actor, expected_version=None) -> Opportunity
    automation_run(*, opportunity, event, actor, task_type=None) -> Opportunity
"""
