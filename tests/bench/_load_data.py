"""Data for the load test: 50 reps, each with prospects, opportunities and tasks."""

import datetime as dt
import json
import random

import django

django.setup()

from django.utils import timezone  # noqa: E402

from pipeline.clocks import opportunities_refresh, tasks_refresh  # noqa: E402
from pipeline.models import Opportunity  # noqa: E402
from tests import factories as f  # noqa: E402

rng = random.Random(7)
process = f.default_process()
steps = list(process.steps.order_by("position"))
now = timezone.now()
reps = [f.RepFactory(username=f"load{i:02d}") for i in range(1, 51)]
prospects, opportunities = [], []
for rep in reps:
    for _ in range(20):
        prospect = f.ProspectFactory(owner=rep)
        step = rng.choice(steps)
        opportunity = f.OpportunityFactory(
            prospect=prospect,
            owner=rep,
            step=step,
            probability=step.probability,
            step_changed_at=now - dt.timedelta(days=rng.randint(0, 10)),
        )
        f.TaskFactory(
            assignee=rep,
            opportunity=opportunity,
            prospect=prospect,
            start=now + dt.timedelta(hours=rng.randint(-72, 240)),
        )
        prospects.append(prospect.pk)
        opportunities.append(opportunity.pk)
opportunities_refresh()
tasks_refresh()
print(
    json.dumps(
        {
            "process": process.pk,
            "prospects": prospects,
            "opportunities": opportunities,
            "open": Opportunity.objects.open().count(),
        }
    )
)
