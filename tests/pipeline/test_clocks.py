"""The overdue rule of DESIGN.md (green before the due day, orange on it, red after) and the
bulk refreshes that store it, including across midnight in Europe/Paris."""

import datetime as dt
import zoneinfo

import pytest

from pipeline import clocks
from pipeline.models import Colour, Opportunity, Task
from tests import factories as f

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TODAY = dt.date(2026, 3, 10)


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("due", "colour"),
    [
        (None, Colour.NONE),
        (dt.date(2026, 3, 11), Colour.GREEN),
        (dt.date(2026, 3, 10), Colour.ORANGE),
        (dt.date(2026, 3, 9), Colour.RED),
        (paris(2026, 3, 10, 0, 0), Colour.ORANGE),
        (paris(2026, 3, 10, 23, 59), Colour.ORANGE),
        (paris(2026, 3, 9, 23, 59), Colour.RED),
        (paris(2026, 3, 11, 0, 0), Colour.GREEN),
        # 23:30 UTC on 10 March is 00:30 on 11 March in Paris: not due yet.
        (dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC), Colour.GREEN),
        # 22:30 UTC on 9 March is 23:30 on 9 March in Paris: late.
        (dt.datetime(2026, 3, 9, 22, 30, tzinfo=dt.UTC), Colour.RED),
    ],
)
def test_colour_for(due, colour):
    assert clocks.colour_for(due, today=TODAY) == colour


def test_step_due_is_the_local_day_of_the_change_plus_the_duration():
    # 23:30 UTC on 28 February is 1 March in Paris.
    assert clocks.step_due(dt.datetime(2026, 2, 28, 23, 30, tzinfo=dt.UTC), 3) == dt.date(
        2026, 3, 4
    )
    assert clocks.step_due(None, 3) is None
    assert clocks.step_due(paris(2026, 3, 1, 9, 0), None) is None


def test_days_since_counts_local_days():
    assert clocks.days_since(paris(2026, 3, 7, 23, 50), today=TODAY) == 3
    assert clocks.days_since(dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC), today=TODAY) == 0
    assert clocks.days_since(None, today=TODAY) is None


@pytest.mark.django_db
class TestBulkRefresh:
    def test_opportunities_refresh_stores_step_and_action_clocks(self, rep):
        process = f.ProcessFactory(steps=[("Call", 3, 20)])
        late_step = f.OpportunityFactory(
            owner=rep, process=process, step_changed_at=paris(2026, 3, 1, 10, 0)
        )
        due_step = f.OpportunityFactory(
            owner=rep, process=process, step_changed_at=paris(2026, 3, 7, 22, 0)
        )
        f.TaskFactory(opportunity=due_step, start=paris(2026, 3, 12, 9, 0))
        f.TaskFactory(opportunity=due_step, start=paris(2026, 3, 10, 9, 0))
        f.TaskFactory(opportunity=due_step, start=paris(2026, 3, 1, 9, 0), done=True)

        assert clocks.opportunities_refresh(today=TODAY) >= 2

        late_step.refresh_from_db()
        due_step.refresh_from_db()
        assert (late_step.step_due, late_step.step_colour) == (dt.date(2026, 3, 4), Colour.RED)
        assert (late_step.next_action_at, late_step.action_colour) == (None, Colour.NONE)
        assert (due_step.step_due, due_step.step_colour) == (dt.date(2026, 3, 10), Colour.ORANGE)
        assert (due_step.next_action_at, due_step.action_colour) == (
            paris(2026, 3, 10, 9, 0),
            Colour.ORANGE,
        )

    def test_after_midnight_orange_turns_red_and_green_turns_orange(self, rep):
        process = f.ProcessFactory(steps=[("Call", 3, 20)])
        opportunity = f.OpportunityFactory(
            owner=rep, process=process, step_changed_at=paris(2026, 3, 7, 10, 0)
        )
        today_task = f.TaskFactory(assignee=rep, start=paris(2026, 3, 10, 18, 0))
        tomorrow_task = f.TaskFactory(assignee=rep, start=paris(2026, 3, 11, 8, 0))
        clocks.opportunities_refresh(today=TODAY)
        clocks.tasks_refresh(today=TODAY)
        assert Opportunity.objects.get(pk=opportunity.pk).step_colour == Colour.ORANGE
        assert Task.objects.get(pk=today_task.pk).colour == Colour.ORANGE
        assert Task.objects.get(pk=tomorrow_task.pk).colour == Colour.GREEN

        clocks.opportunities_refresh(today=TODAY + dt.timedelta(days=1))
        clocks.tasks_refresh(today=TODAY + dt.timedelta(days=1))

        assert Opportunity.objects.get(pk=opportunity.pk).step_colour == Colour.RED
        assert Task.objects.get(pk=today_task.pk).colour == Colour.RED
        assert Task.objects.get(pk=tomorrow_task.pk).colour == Colour.ORANGE

    def test_closed_opportunities_and_done_tasks_lose_their_colour(self, rep):
        opportunity = f.OpportunityFactory(owner=rep, step_changed_at=paris(2026, 1, 1, 10, 0))
        task = f.TaskFactory(assignee=rep, start=paris(2026, 3, 1, 9, 0))
        clocks.opportunities_refresh([opportunity.pk], today=TODAY)
        clocks.tasks_refresh([task.pk], today=TODAY)
        assert Opportunity.objects.get(pk=opportunity.pk).step_colour == Colour.RED

        Opportunity.objects.filter(pk=opportunity.pk).update(status=Opportunity.Status.WON)
        Task.objects.filter(pk=task.pk).update(done=True)
        assert clocks.opportunities_refresh([opportunity.pk], today=TODAY) == 0
        assert clocks.tasks_refresh([task.pk], today=TODAY) == 0

        opportunity.refresh_from_db()
        task.refresh_from_db()
        assert (opportunity.step_colour, opportunity.action_colour, task.colour) == ("", "", "")

    def test_refresh_runs_in_a_fixed_number_of_queries(self, rep, django_assert_max_num_queries):
        process = f.ProcessFactory(steps=[("Call", 3, 20), ("Quote", 5, 50)])
        steps = list(process.steps.all())
        for i in range(20):
            f.OpportunityFactory(
                owner=rep,
                process=process,
                step=steps[i % 2],
                step_changed_at=paris(2026, 3, 1 + i % 9, 9, 0),
            )
            f.TaskFactory(assignee=rep, start=paris(2026, 3, 1 + i % 20, 9, 0))

        # Durations (1), next action (1), one step-due update per distinct duration (2), no step
        # (1), colours of open (1) and closed (1) ones, count (1), the prospects' stored next
        # action (1); tasks: 3.
        with django_assert_max_num_queries(9):
            clocks.opportunities_refresh(today=TODAY)
        with django_assert_max_num_queries(3):
            clocks.tasks_refresh(today=TODAY)
