import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from pipeline.links import TASK_ROW_RELATED, task_context
from pipeline.models import Task
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


def test_dashboard_lists_the_first_tasks_of_each_list_oldest_first_with_their_colour(
    rep_client, rep
):
    for i in range(22):
        make(rep, title=f"Late {i:02d}", start=local(-30 + i))
        make(rep, title=f"Today {i:02d}", start=local(0, hour=0) + dt.timedelta(minutes=i))
    for i in range(12):
        make(rep, title=f"Soon {i:02d}", start=local(1 + i % 6))
    response = rep_client.get(reverse("dashboard"))
    counts = response.context["counts"]
    assert (counts["overdue"], counts["today"], counts["upcoming"]) == (22, 22, 12)
    page = response.content.decode()
    shown = [t.title for t in response.context["overdue"]]
    assert shown == [f"Late {i:02d}" for i in range(20)]
    assert [t.title for t in response.context["due_today"]] == [f"Today {i:02d}" for i in range(20)]
    upcoming = response.context["upcoming"]
    assert len(upcoming) == 10 and all(t.title.startswith("Soon") for t in upcoming)
    assert [t.start for t in upcoming] == sorted(t.start for t in upcoming)
    assert "Late 20" not in page and "Today 20" not in page
    assert page.count("badge badge-red task-due") == 20
    assert page.count("badge badge-orange task-due") == 20
    assert page.count("badge badge-green task-due") == 10
    assert reverse("task_list") in page


def test_dashboard_rows_name_what_tasks_are_about_in_constant_queries(
    rep_client, rep, django_assert_max_num_queries
):
    def about(when, n):
        company = f.CompanyFactory(owner=rep, name=f"Company {n}", phone="+33188334455")
        person = f.PersonFactory(owner=rep, last_name=f"Person{n}", mobile="+33612345678")
        prospect = f.ProspectFactory(owner=rep, last_name=f"Prospect{n}")
        opportunity = f.OpportunityFactory(
            prospect=prospect, company=company, person=person, owner=rep, summary=f"Deal {n}"
        )
        for link in ({"opportunity": opportunity}, {"company": company}, {"person": person}):
            make(rep, title=f"About {n}", start=when, **link)

    about(local(-1), 1)
    # The session, the user, the task counts, the rows, their companies and their people, the
    # role, the forecast, the reminders and the pipeline.
    with django_assert_max_num_queries(10) as few:
        rep_client.get(reverse("dashboard"))
    for n, days in enumerate((-2, 0, 0, 2, 3), start=2):
        about(local(days), n)
    with django_assert_max_num_queries(len(few)):
        page = rep_client.get(reverse("dashboard")).content.decode()
    rows = Task.objects.select_related(*TASK_ROW_RELATED)
    labels = {label for row in rows for label, _url in task_context(row, rep).links}
    assert len(labels) >= 18
    for label in labels:
        assert escape(label) in page
    assert "tel:+33612345678" in page and "tel:+33188334455" in page
    with django_assert_max_num_queries(7):
        rep_client.get(reverse("dashboard"), headers={"HX-Request": "true"})


def test_dashboard_forecast_counts_slipped_opportunities_in_this_month(rep_client, rep):
    today = timezone.localdate()
    f.OpportunityFactory(owner=rep, amount=1000, probability=50, expected_date=today.replace(day=1))
    f.OpportunityFactory(owner=rep, amount=3000, probability=10, expected_date=dt.date(2001, 1, 1))
    this_month, _next = rep_client.get(reverse("dashboard")).context["my_forecast"]
    if today.day == 1:  # the first of the month has not passed yet
        assert (this_month.count, this_month.slipped_count) == (2, 1)
    else:
        assert (this_month.count, this_month.slipped_count) == (2, 2)
    assert this_month.weighted_amount == 800
