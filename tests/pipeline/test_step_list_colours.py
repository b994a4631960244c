"""The step clock as the step list shows it: NbJ and its colour at the boundaries."""

import datetime as dt

import pytest
from django.utils import timezone

from pipeline.clocks import colour_for, days_since, opportunities_refresh, step_due
from pipeline.services import opportunities as opportunity_services
from tests import factories as f

pytestmark = pytest.mark.django_db


def at_noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


@pytest.mark.parametrize(
    ("changed_days_ago", "colour"),
    [
        (2, "green"),
        (3, "orange"),
        (4, "red"),
    ],  # the step lasts 3 days: day before, due day, day after
)
def test_step_colour_boundaries(rep, changed_days_ago, colour):
    process = f.ProcessFactory(steps=[("Call", 3, 20), ("Quote", 5, 50)])
    changed = at_noon(timezone.localdate() - dt.timedelta(days=changed_days_ago))
    opportunity = opportunity_services.opportunity_create(
        actor=rep,
        process=process,
        prospect=f.ProspectFactory(owner=rep),
        summary="x",
        step_changed_at=changed,
    )
    assert opportunity.step_colour == colour
    assert days_since(opportunity.step_changed_at) == changed_days_ago


def test_step_colour_across_month_end(rep):
    process = f.ProcessFactory(steps=[("Call", 3, 20)])
    changed = at_noon(dt.date(2026, 1, 30))
    assert step_due(changed, 3) == dt.date(2026, 2, 2)
    assert colour_for(step_due(changed, 3), today=dt.date(2026, 2, 1)) == "green"
    assert colour_for(step_due(changed, 3), today=dt.date(2026, 2, 2)) == "orange"
    assert colour_for(step_due(changed, 3), today=dt.date(2026, 2, 3)) == "red"
    opportunity = opportunity_services.opportunity_create(
        actor=rep,
        process=process,
        prospect=f.ProspectFactory(owner=rep),
        summary="x",
        step_changed_at=changed,
    )
    opportunities_refresh([opportunity.pk], today=dt.date(2026, 2, 2))
    opportunity.refresh_from_db()
    assert (opportunity.step_due, opportunity.step_colour) == (dt.date(2026, 2, 2), "orange")
    assert days_since(changed, today=dt.date(2026, 2, 2)) == 3
