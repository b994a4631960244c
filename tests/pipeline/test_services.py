import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone, translation

from pipeline.models import HistoryEntry, Opportunity, Process, StepProgress
from pipeline.services import opportunities as opportunity_services
from pipeline.services import stages as stage_services
from pipeline.services import steps as step_services
from tests import factories as f

pytestmark = pytest.mark.django_db


def steps_of(process):
    return list(process.steps.order_by("position"))


def done_labels(opportunity):
    return sorted(
        StepProgress.objects.filter(opportunity=opportunity).values_list("step__label", flat=True)
    )


@pytest.fixture
def prostep(db):
    return f.ProcessFactory(
        name="PROSTEP",
        mode=Process.Mode.STEP_BY_STEP,
        log_step_changes=True,
        steps=[("Send documentation", 3, 20), ("Phone call", 5, 50), ("Check subscription", 7, 80)],
    )


@pytest.fixture
def free(db):
    return f.ProcessFactory(mode=Process.Mode.FREE, steps=3)


def create(actor, process, **fields):
    prospect = fields.pop("prospect", None) or f.ProspectFactory(owner=actor, notes="First line")
    return opportunity_services.opportunity_create(
        actor=actor, process=process, prospect=prospect, summary="Roof", **fields
    )


# ---------------------------------------------------------------- create


def test_create_defaults_to_default_process_first_step(rep, default_process):
    opportunity = opportunity_services.opportunity_create(
        actor=rep, prospect=f.ProspectFactory(), summary="Roof"
    )
    first = steps_of(default_process)[0]
    assert opportunity.process == default_process
    assert opportunity.step == first
    assert opportunity.probability == first.probability
    assert not opportunity.probability_is_manual
    assert opportunity.owner == rep
    assert opportunity.step_changed_at is not None
    assert opportunity.step_colour == "green"
    assert opportunity.history.filter(kind=HistoryEntry.Kind.CREATED).count() == 1


def test_create_with_probability_is_manual(rep, default_process):
    opportunity = opportunity_services.opportunity_create(
        actor=rep, prospect=f.ProspectFactory(), summary="x", probability=65
    )
    assert opportunity.probability == 65
    assert opportunity.probability_is_manual


def test_create_later_step_in_step_by_step_completes_earlier(rep, prostep):
    third = steps_of(prostep)[2]
    opportunity = create(rep, prostep, step=third)
    assert done_labels(opportunity) == ["Phone call", "Send documentation"]


def test_create_positions_at_end_of_column(rep, free):
    first = create(rep, free)
    second = create(rep, free)
    assert second.position == first.position + 1


# ---------------------------------------------------------------- step-by-step mode


def test_step_by_step_refuses_out_of_order(rep, prostep):
    opportunity = create(rep, prostep)
    second = steps_of(prostep)[1]
    with pytest.raises(opportunity_services.MoveRefused) as exc:
        step_services.step_complete(opportunity_id=opportunity.pk, step_id=second.pk, actor=rep)
    assert exc.value.message == str(opportunity_services.STEP_ORDER).format(
        step="Phone call", previous="Send documentation"
    )
    assert done_labels(opportunity) == []


def test_step_by_step_complete_in_order_moves_current_step(rep, prostep):
    s1, s2, s3 = steps_of(prostep)
    opportunity = create(rep, prostep)
    opportunity = step_services.step_complete(
        opportunity_id=opportunity.pk, step_id=s1.pk, actor=rep
    )
    assert opportunity.step == s2
    assert opportunity.probability == s2.probability
    opportunity = step_services.step_complete(
        opportunity_id=opportunity.pk, step_id=s2.pk, actor=rep
    )
    opportunity = step_services.step_complete(
        opportunity_id=opportunity.pk, step_id=s3.pk, actor=rep
    )
    assert done_labels(opportunity) == ["Check subscription", "Phone call", "Send documentation"]
    assert opportunity.step == s3  # all done: stays in the last step


def test_step_by_step_uncomplete_cascades(rep, prostep):
    s1, s2, s3 = steps_of(prostep)
    opportunity = create(rep, prostep, step=s3)
    step_services.step_complete(opportunity_id=opportunity.pk, step_id=s3.pk, actor=rep)
    opportunity = step_services.step_uncomplete(
        opportunity_id=opportunity.pk, step_id=s1.pk, actor=rep
    )
    assert done_labels(opportunity) == []
    assert opportunity.step == s1
    undone = opportunity.history.filter(kind=HistoryEntry.Kind.STEP_UNDONE)
    assert sorted(undone.values_list("from_value", flat=True)) == sorted(
        ["Send documentation", "Phone call", "Check subscription"]
    )


def test_free_mode_steps_independent(rep, free):
    s1, s2, s3 = steps_of(free)
    opportunity = create(rep, free)
    step_services.step_complete(opportunity_id=opportunity.pk, step_id=s3.pk, actor=rep)
    step_services.step_complete(opportunity_id=opportunity.pk, step_id=s1.pk, actor=rep)
    opportunity = step_services.step_uncomplete(
        opportunity_id=opportunity.pk, step_id=s1.pk, actor=rep
    )
    assert done_labels(opportunity) == [s3.label]
    assert opportunity.step == s1  # free mode: the column does not follow the boxes


def test_complete_records_history_who_and_which(rep, free):
    s1 = steps_of(free)[0]
    opportunity = create(rep, free)
    step_services.step_complete(opportunity_id=opportunity.pk, step_id=s1.pk, actor=rep)
    entry = opportunity.history.get(kind=HistoryEntry.Kind.STEP_DONE)
    assert entry.actor == rep and entry.to_value == s1.label and entry.at is not None


def test_step_from_another_process_refused(rep, free, prostep):
    opportunity = create(rep, free)
    with pytest.raises(opportunity_services.MoveRefused) as exc:
        step_services.step_complete(
            opportunity_id=opportunity.pk, step_id=steps_of(prostep)[0].pk, actor=rep
        )
    assert exc.value.message == str(opportunity_services.STEP_NOT_IN_PROCESS)


# ---------------------------------------------------------------- log line


def test_log_line_appended_to_prospect_comment(rep, prostep):
    s1, s2, _ = steps_of(prostep)
    opportunity = create(rep, prostep)
    opportunity_services.opportunity_move(opportunity_id=opportunity.pk, actor=rep, to_step=s2)
    opportunity.prospect.refresh_from_db()
    today = timezone.localdate().strftime("%d/%m/%Y")
    lines = opportunity.prospect.notes.splitlines()
    assert lines[0] == "First line"
    assert lines[-1] == f"{today} Alice Durand: Send documentation → Phone call"


def test_log_line_on_complete(rep, prostep):
    s1 = steps_of(prostep)[0]
    opportunity = create(rep, prospect=f.ProspectFactory(owner=rep, notes=""), process=prostep)
    with translation.override("en"):
        step_services.step_complete(opportunity_id=opportunity.pk, step_id=s1.pk, actor=rep)
    opportunity.prospect.refresh_from_db()
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert opportunity.prospect.notes == f"{today} Alice Durand: Send documentation done"


def test_no_log_line_without_option(rep, free):
    opportunity = create(rep, free)
    opportunity_services.opportunity_move(
        opportunity_id=opportunity.pk, actor=rep, to_step=steps_of(free)[1]
    )
    opportunity.prospect.refresh_from_db()
    assert opportunity.prospect.notes == "First line"


# ---------------------------------------------------------------- moves


def test_move_forward_step_by_step_completes_earlier(rep, prostep):
    s1, s2, s3 = steps_of(prostep)
    opportunity = create(rep, prostep)
    opportunity = opportunity_services.opportunity_move(
        opportunity_id=opportunity.pk, actor=rep, to_step=s3
    )
    assert opportunity.step == s3
    assert done_labels(opportunity) == ["Phone call", "Send documentation"]
    opportunity = opportunity_services.opportunity_move(
        opportunity_id=opportunity.pk, actor=rep, to_step=s1
    )
    assert done_labels(opportunity) == []


def test_move_records_history_and_bumps_version(rep, free):
    s1, s2, _ = steps_of(free)
    opportunity = create(rep, free)
    version = opportunity.version
    opportunity = opportunity_services.opportunity_move(
        opportunity_id=opportunity.pk, actor=rep, to_step=s2
    )
    assert opportunity.version == version + 1
    entry = opportunity.history.get(kind=HistoryEntry.Kind.STEP)
    assert (entry.from_value, entry.to_value, entry.actor, entry.rule) == (
        s1.label,
        s2.label,
        rep,
        None,
    )


def test_move_restarts_step_clock(rep, free):
    s1, s2, _ = steps_of(free)
    opportunity = create(rep, free, step_changed_at=timezone.now() - dt.timedelta(days=30))
    assert opportunity.step_colour == "red"
    opportunity = opportunity_services.opportunity_move(
        opportunity_id=opportunity.pk, actor=rep, to_step=s2
    )
    assert opportunity.step_colour == "green"
    assert timezone.now() - opportunity.step_changed_at < dt.timedelta(minutes=1)


def test_probability_follows_step(rep, free):
    s1, s2, _ = steps_of(free)
    opportunity = create(rep, free)
    opportunity = opportunity_services.opportunity_move(
        opportunity_id=opportunity.pk, actor=rep, to_step=s2
    )
    assert opportunity.probability == s2.probability


@pytest.mark.parametrize("version", ["abc", "1.5", " "])
def test_malformed_version_refused_as_stale(rep, free, version):
    s1, s2, _ = steps_of(free)
    opportunity = create(rep, free)
    with pytest.raises(opportunity_services.MoveRefused) as exc:
        opportunity_services.opportunity_move(
            opportunity_id=opportunity.pk, actor=rep, to_step=s2, expected_version=version
        )
    assert exc.value.message.startswith("This record was changed by")
    with pytest.raises(opportunity_services.MoveRefused):
        step_services.step_complete(
            opportunity_id=opportunity.pk, step_id=s1.pk, actor=rep, expected_version=version
        )
    opportunity.refresh_from_db()
    assert opportunity.step == s1
    assert not opportunity.step_progress.exists()


def test_version_as_a_form_string_is_accepted(rep, free):
    s1, s2, _ = steps_of(free)
    opportunity = create(rep, free)
    moved = opportunity_services.opportunity_move(
        opportunity_id=opportunity.pk,
        actor=rep,
        to_step=s2,
        expected_version=str(opportunity.version),
    )
    assert moved.step == s2
    assert (
        opportunity_services.opportunity_move(
            opportunity_id=opportunity.pk, actor=rep, to_step=s1, expected_version=""
        ).step
        == s1
    )


def test_manual_probability_survives_move(rep, free):
    s1, s2, _ = steps_of(free)
    opportunity = create(rep, free, probability=77)
    opportunity = opportunity_services.opportunity_move(
        opportunity_id=opportunity.pk, actor=rep, to_step=s2
    )
    assert opportunity.probability == 77
    assert opportunity.probability_is_manual


def test_stale_version_refused(rep, other_rep, free):
    s1, s2, s3 = steps_of(free)
    opportunity = create(rep, free, owner=None)
    seen = opportunity.version
    opportunity_services.opportunity_move(
        opportunity_id=opportunity.pk, actor=other_rep, to_step=s2, expected_version=seen
    )
    with pytest.raises(opportunity_services.MoveRefused) as exc:
        opportunity_services.opportunity_move(
            opportunity_id=opportunity.pk, actor=rep, to_step=s3, expected_version=seen
        )
    assert "Bruno Lefèvre" in exc.value.message
    assert s2.label in exc.value.message
    opportunity.refresh_from_db()
    assert opportunity.step == s2


def test_lost_requires_loss_reason(rep, free):
    opportunity = create(rep, free)
    with pytest.raises(opportunity_services.MoveRefused) as exc:
        opportunity_services.opportunity_move(
            opportunity_id=opportunity.pk, actor=rep, to_status=Opportunity.Status.LOST
        )
    assert exc.value.message == str(opportunity_services.LOSS_REASON_REQUIRED)
    opportunity.refresh_from_db()
    assert opportunity.status == Opportunity.Status.OPEN


def test_won_sets_closing_date_and_reopen_clears(rep, free):
    s1, s2, _ = steps_of(free)
    opportunity = create(rep, free)
    opportunity = opportunity_services.opportunity_move(
        opportunity_id=opportunity.pk, actor=rep, to_status=Opportunity.Status.WON
    )
    assert opportunity.closing_date == timezone.localdate()
    assert opportunity.step == s1
    assert opportunity.probability == 100
    entry = opportunity.history.get(kind=HistoryEntry.Kind.STATUS)
    assert entry.to_value == str(Opportunity.Status.WON.label)
    # Dropping it back on a step reopens it.
    opportunity = opportunity_services.opportunity_move(
        opportunity_id=opportunity.pk, actor=rep, to_step=s2
    )
    assert opportunity.status == Opportunity.Status.OPEN
    assert opportunity.closing_date is None
    assert opportunity.probability == s2.probability


def test_lost_with_reason(rep, free):
    reason = f.LossReasonFactory()
    opportunity = create(rep, free)
    opportunity = opportunity_services.opportunity_move(
        opportunity_id=opportunity.pk,
        actor=rep,
        to_status=Opportunity.Status.LOST,
        loss_reason=reason.pk,
    )
    assert opportunity.status == Opportunity.Status.LOST
    assert opportunity.loss_reason == reason
    assert opportunity.closing_date == timezone.localdate()


def test_position_shifts_column(rep, free):
    s1, s2, _ = steps_of(free)
    a, b, c = (create(rep, free, step=s2) for _ in range(3))
    moved = create(rep, free)
    opportunity_services.opportunity_move(
        opportunity_id=moved.pk, actor=rep, to_step=s2, position=1
    )
    order = list(
        Opportunity.objects.filter(step=s2).order_by("position", "id").values_list("pk", flat=True)
    )
    assert order == [a.pk, moved.pk, b.pk, c.pk]


def test_position_shift_is_one_update(rep, free, django_assert_max_num_queries):
    s1, s2, _ = steps_of(free)
    for _ in range(5):
        create(rep, free, step=s2)
    moved = create(rep, free)
    with django_assert_max_num_queries(30) as ctx:
        opportunity_services.opportunity_move(
            opportunity_id=moved.pk, actor=rep, to_step=s2, position=0
        )
    few = len(ctx.captured_queries)
    for _ in range(20):
        create(rep, free, step=s2)
    moved = create(rep, free)
    with django_assert_max_num_queries(few):
        opportunity_services.opportunity_move(
            opportunity_id=moved.pk, actor=rep, to_step=s2, position=0
        )


# ---------------------------------------------------------------- rights


def test_rights_refused_for_other_reps_opportunity(rep, other_rep, free):
    opportunity = create(other_rep, free)
    with pytest.raises(opportunity_services.MoveRefused) as exc:
        opportunity_services.opportunity_move(
            opportunity_id=opportunity.pk, actor=rep, to_step=steps_of(free)[1]
        )
    assert exc.value.message == str(opportunity_services.NOT_ALLOWED_OBJECT)


def test_rights_refused_outside_modify_groups(rep, manager, free):
    free.modify_groups.add(Group.objects.create(name="Installers"))
    opportunity = create(manager, free, owner=rep)
    with pytest.raises(opportunity_services.MoveRefused) as exc:
        step_services.step_complete(
            opportunity_id=opportunity.pk, step_id=steps_of(free)[0].pk, actor=rep
        )
    assert exc.value.message == str(opportunity_services.NOT_ALLOWED)


# ---------------------------------------------------------------- stages


def test_step_delete_refused_with_inactive_opportunity(manager, free):
    s1, s2, _ = steps_of(free)
    create(manager, free, step=s2, status=Opportunity.Status.INACTIVE)
    with pytest.raises(opportunity_services.StepRefused) as exc:
        stage_services.step_delete(step_id=s2.pk, actor=manager)
    assert exc.value.message == str(stage_services.STEP_NOT_EMPTY).format(step=s2.label, count=1)
    assert free.steps.filter(pk=s2.pk).exists()


def test_step_delete_refused_with_trashed_opportunity(manager, free):
    s1, s2, _ = steps_of(free)
    opportunity = create(manager, free, step=s2)
    Opportunity.objects.filter(pk=opportunity.pk).update(deleted_at=timezone.now())
    with pytest.raises(opportunity_services.StepRefused):
        stage_services.step_delete(step_id=s2.pk, actor=manager)


def test_step_delete_empty_step(manager, free):
    s1, s2, _ = steps_of(free)
    create(manager, free, step=s1)
    stage_services.step_delete(step_id=s2.pk, actor=manager)
    assert not free.steps.filter(pk=s2.pk).exists()


def test_step_delete_last_step_refused(manager):
    process = f.ProcessFactory(steps=1)
    with pytest.raises(opportunity_services.StepRefused) as exc:
        stage_services.step_delete(step_id=steps_of(process)[0].pk, actor=manager)
    assert exc.value.message == str(stage_services.STEP_LAST)


def test_stages_managers_only(rep, free):
    with pytest.raises(opportunity_services.StepRefused) as exc:
        stage_services.step_update(step_id=steps_of(free)[0].pk, actor=rep, label="Hacked")
    assert exc.value.message == str(stage_services.STAGES_NOT_ALLOWED)


def test_step_update_label_fold_create(manager, free):
    s1, s2, s3 = steps_of(free)
    assert (
        stage_services.step_update(step_id=s1.pk, actor=manager, label="  Quote ").label == "Quote"
    )
    with pytest.raises(opportunity_services.StepRefused):
        stage_services.step_update(step_id=s1.pk, actor=manager, label=" ")
    assert stage_services.step_set_folded(step_id=s2.pk, actor=manager, folded=True).folded
    new = stage_services.step_create(process_id=free.pk, actor=manager, label="Visit", position=1)
    assert [s.label for s in steps_of(free)] == ["Quote", "Visit", s2.label, s3.label]
    assert new.position == 1
    end = stage_services.step_create(process_id=free.pk, actor=manager, label="Signed")
    assert steps_of(free)[-1] == end


def test_step_probability_change_follows_non_manual(manager, free):
    s1 = steps_of(free)[0]
    follows = create(manager, free)
    manual = create(manager, free, probability=90)
    stage_services.step_update(step_id=s1.pk, actor=manager, probability=42)
    follows.refresh_from_db()
    manual.refresh_from_db()
    assert follows.probability == 42
    assert manual.probability == 90


def test_lost_reason_can_be_changed_while_lost(rep, free):
    first, second = f.LossReasonFactory(), f.LossReasonFactory()
    opportunity = create(rep, free)
    opportunity_services.opportunity_move(
        opportunity_id=opportunity.pk, actor=rep, to_status="lost", loss_reason=first
    )
    opportunity = opportunity_services.opportunity_move(
        opportunity_id=opportunity.pk, actor=rep, to_status="lost", loss_reason=second
    )
    assert opportunity.loss_reason == second
    assert opportunity.history.filter(kind=HistoryEntry.Kind.STATUS).count() == 1


def test_move_to_same_place_changes_nothing(rep, free):
    opportunity = create(rep, free)
    version = opportunity.version
    opportunity = opportunity_services.opportunity_move(
        opportunity_id=opportunity.pk, actor=rep, to_step=opportunity.step
    )
    assert opportunity.version == version


# ---------------------------------------------------------------- the facts the reports read


def test_creation_and_moves_record_their_steps(rep, free):
    first, second, third = steps_of(free)
    opportunity = create(rep, free, step=first)
    opportunity_services.opportunity_move(opportunity_id=opportunity.pk, actor=rep, to_step=third)

    created = HistoryEntry.objects.get(opportunity=opportunity, kind=HistoryEntry.Kind.CREATED)
    moved = HistoryEntry.objects.get(opportunity=opportunity, kind=HistoryEntry.Kind.STEP)
    assert created.to_step == first
    assert (moved.from_step, moved.to_step) == (first, third)


def test_an_expected_date_change_is_recorded_with_both_dates(rep, free):
    from pipeline.services.cards import opportunity_update

    opportunity = create(rep, free, expected_date=dt.date(2026, 3, 31))
    opportunity_update(
        opportunity_id=opportunity.pk,
        actor=rep,
        data={"expected_date": dt.date(2026, 5, 15)},
        expected_version=opportunity.version,
    )
    opportunity.refresh_from_db()
    opportunity_update(
        opportunity_id=opportunity.pk,
        actor=rep,
        data={"expected_date": dt.date(2026, 5, 15), "summary": "Same date"},
        expected_version=opportunity.version,
    )

    entry = HistoryEntry.objects.get(opportunity=opportunity, kind=HistoryEntry.Kind.EXPECTED)
    assert (entry.from_date, entry.to_date) == (dt.date(2026, 3, 31), dt.date(2026, 5, 15))
    assert (entry.from_value, entry.to_value) == ("31/03/2026", "15/05/2026")
