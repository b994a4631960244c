import pytest

from pipeline.models import AutomationRule, HistoryEntry, Opportunity, Process
from pipeline.services import automation as automation_services
from pipeline.services import opportunities as opportunity_services
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def process(db):
    return f.ProcessFactory(mode=Process.Mode.FREE, steps=4)


def steps_of(process):
    return list(process.steps.order_by("position"))


def create(actor, process, **fields):
    return opportunity_services.opportunity_create(
        actor=actor,
        process=process,
        prospect=f.ProspectFactory(owner=actor),
        summary="Roof",
        **fields,
    )


def test_task_done_rule_moves_once_and_records_rule(rep, process):
    s1, s2, s3, s4 = steps_of(process)
    call = f.task_type("call")
    rule = AutomationRule.objects.create(
        process=process, event="task_done", task_type=call, target_step=s3
    )
    # A second matching rule must not move it again.
    AutomationRule.objects.create(process=process, event="task_done", target_step=s4)
    opportunity = create(rep, process)
    opportunity = automation_services.automation_run(
        opportunity=opportunity, event="task_done", actor=rep, task_type=call
    )
    assert opportunity.step == s3
    moves = opportunity.history.filter(kind=HistoryEntry.Kind.STEP)
    assert moves.count() == 1
    assert moves.get().rule == rule
    assert moves.get().actor == rep


def test_task_type_must_match(rep, process):
    s1, s2, s3, _ = steps_of(process)
    AutomationRule.objects.create(
        process=process, event="task_done", task_type=f.task_type("call"), target_step=s3
    )
    opportunity = create(rep, process)
    opportunity = automation_services.automation_run(
        opportunity=opportunity, event="task_done", actor=rep, task_type=f.task_type("email")
    )
    assert opportunity.step == s1


def test_inactive_rule_and_other_process_ignored(rep, process):
    s1, s2, *_ = steps_of(process)
    AutomationRule.objects.create(process=process, event="line_added", target_step=s2, active=False)
    other = f.ProcessFactory(steps=2)
    AutomationRule.objects.create(process=other, event="line_added", target_step=steps_of(other)[1])
    opportunity = create(rep, process)
    opportunity = automation_services.automation_run(
        opportunity=opportunity, event="line_added", actor=rep
    )
    assert opportunity.step == s1


def test_rules_never_move_backwards(rep, process):
    s1, s2, s3, _ = steps_of(process)
    AutomationRule.objects.create(process=process, event="document_added", target_step=s1)
    opportunity = create(rep, process, step=s3)
    opportunity = automation_services.automation_run(
        opportunity=opportunity, event="document_added", actor=rep
    )
    assert opportunity.step == s3


def test_status_change_runs_rules_without_looping(rep, process):
    s1, s2, s3, s4 = steps_of(process)
    rule = AutomationRule.objects.create(
        process=process, event="status_changed", status="won", target_step=s4
    )
    AutomationRule.objects.create(process=process, event="status_changed", target_step=s2)
    opportunity = create(rep, process)
    opportunity = opportunity_services.opportunity_move(
        opportunity_id=opportunity.pk, actor=rep, to_status="won"
    )
    assert opportunity.status == Opportunity.Status.WON  # the rule's move keeps the status
    assert opportunity.step == s4
    assert opportunity.history.filter(kind=HistoryEntry.Kind.STEP).count() == 1
    assert opportunity.history.get(kind=HistoryEntry.Kind.STEP).rule == rule
    assert opportunity.history.filter(kind=HistoryEntry.Kind.STATUS).count() == 1


def test_rule_move_skips_rights(rep, other_rep, process):
    """A rule acts for the configuration: the rep whose task triggered it need not own it."""
    s1, s2, *_ = steps_of(process)
    AutomationRule.objects.create(process=process, event="line_added", target_step=s2)
    opportunity = create(other_rep, process)
    opportunity = automation_services.automation_run(
        opportunity=opportunity, event="line_added", actor=rep
    )
    assert opportunity.step == s2


def test_rule_in_step_by_step_completes_earlier(rep):
    process = f.ProcessFactory(mode=Process.Mode.STEP_BY_STEP, steps=3)
    s1, s2, s3 = steps_of(process)
    AutomationRule.objects.create(process=process, event="line_added", target_step=s3)
    opportunity = create(rep, process)
    opportunity = automation_services.automation_run(
        opportunity=opportunity, event="line_added", actor=rep
    )
    assert set(opportunity.step_progress.values_list("step_id", flat=True)) == {s1.pk, s2.pk}


def test_stale_copy_of_opportunity_is_reloaded(rep, process):
    s1, s2, s3, s4 = steps_of(process)
    AutomationRule.objects.create(process=process, event="line_added", target_step=s3)
    opportunity = create(rep, process)
    opportunity_services.opportunity_move(opportunity_id=opportunity.pk, actor=rep, to_step=s4)
    # `opportunity` still says s1; the rule must not move it back from s4.
    opportunity = automation_services.automation_run(
        opportunity=opportunity, event="line_added", actor=rep
    )
    assert opportunity.step == s4


def test_rule_validation(process):
    from django.core.exceptions import ValidationError

    other = f.ProcessFactory(steps=1)
    rule = AutomationRule(
        process=process,
        event="line_added",
        target_step=steps_of(other)[0],
        task_type=f.task_type("call"),
    )
    with pytest.raises(ValidationError) as exc:
        rule.full_clean()
    assert set(exc.value.message_dict) == {"target_step", "task_type"}


def test_document_attached_runs_rule(rep, process, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from contacts.attachments import document_attach

    settings.MEDIA_ROOT = tmp_path
    s1, s2, *_ = steps_of(process)
    rule = AutomationRule.objects.create(process=process, event="document_added", target_step=s2)
    opportunity = create(rep, process)
    document = document_attach(
        target=opportunity,
        actor=rep,
        uploaded_file=SimpleUploadedFile(
            "quote.pdf", b"%PDF-1.4 quote", content_type="application/pdf"
        ),
    )
    assert document.target == opportunity
    opportunity.refresh_from_db()
    assert opportunity.step == s2
    assert opportunity.history.get(kind=HistoryEntry.Kind.STEP).rule == rule


def test_document_uploaded_on_the_opportunity_card_runs_rule(
    rep_client, rep, process, settings, tmp_path
):
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    s1, s2, *_ = steps_of(process)
    AutomationRule.objects.create(process=process, event="document_added", target_step=s2)
    opportunity = create(rep, process)
    content_type = ContentType.objects.get_for_model(opportunity)
    response = rep_client.post(
        f"/records/{content_type.pk}/{opportunity.pk}/documents/",
        {
            "file": SimpleUploadedFile(
                "quote.pdf", b"%PDF-1.4 quote", content_type="application/pdf"
            )
        },
    )
    assert response.status_code in (200, 302)
    opportunity.refresh_from_db()
    assert opportunity.step == s2
