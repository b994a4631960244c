import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pipeline.services import activities
from tests import factories as f

pytestmark = pytest.mark.django_db


def local(days, hour=10):
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def make(actor, **fields):
    fields.setdefault("type", f.task_type("call"))
    fields.setdefault("assignee", actor)
    return activities.task_create(actor=actor, **fields)


def test_dashboard_shows_my_overdue_today_and_upcoming_tasks_with_counts(
    rep_client, rep, other_rep
):
    make(rep, title="Late one", start=local(-2))
    make(rep, title="Late two", start=local(-1))
    make(rep, title="Today one", start=local(0))
    make(rep, title="Soon", start=local(3))
    make(rep, title="Far away", start=local(40))
    make(other_rep, title="Not mine", start=local(0))
    response = rep_client.get(reverse("dashboard"))
    counts = response.context["counts"]
    assert (counts["overdue"], counts["today"], counts["upcoming"], counts["total"]) == (2, 1, 1, 5)
    page = response.content.decode()
    for title in ("Late one", "Late two", "Today one", "Soon"):
        assert title in page
    assert "Not mine" not in page and "Far away" not in page


def test_dashboard_task_part_refreshes_with_htmx(rep_client, rep, django_assert_max_num_queries):
    for days in range(-5, 6):
        make(rep, title=f"Task {days}", start=local(days))
    with django_assert_max_num_queries(10):
        response = rep_client.get(reverse("dashboard"), headers={"HX-Request": "true"})
    page = response.content.decode()
    assert 'id="dashboard-tasks"' in page and "<html" not in page and "Task 0" in page


def test_dashboard_shows_my_note_reminders_of_the_day(rep_client, rep, other_rep):
    from django.contrib.contenttypes.models import ContentType

    from contacts.models import Note

    company = f.CompanyFactory()
    target = {"content_type": ContentType.objects.get_for_model(company), "object_id": company.pk}
    Note.objects.create(
        subject="Remind me today", reminder_date=timezone.localdate(), owner=rep, **target
    )
    Note.objects.create(
        subject="Remind me tomorrow",
        reminder_date=timezone.localdate() + dt.timedelta(days=1),
        owner=rep,
        **target,
    )
    Note.objects.create(
        subject="Someone else's", reminder_date=timezone.localdate(), owner=other_rep, **target
    )
    page = rep_client.get(reverse("dashboard")).content.decode()
    assert "Remind me today" in page
    assert "Remind me tomorrow" not in page and "Someone else&#x27;s" not in page
