import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from contacts.models import Note
from pipeline.history import history_for
from pipeline.models import HistoryEntry
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


def test_history_orders_to_do_farthest_first_and_done_newest_first(rep):
    prospect = f.ProspectFactory(owner=rep)
    opportunity = f.OpportunityFactory(prospect=prospect)
    make(rep, prospect=prospect, title="Next week", start=local(7))
    tomorrow = make(rep, opportunity=opportunity, title="Tomorrow", start=local(1))
    make(rep, prospect=prospect, title="Next month", start=local(30))
    old = make(rep, prospect=prospect, title="Called last week", start=local(-7))
    activities.task_set_done(task=old, done=True, actor=rep)
    Note.objects.create(
        content_type=ContentType.objects.get_for_model(prospect),
        object_id=prospect.pk,
        subject="Met at the fair",
        date=timezone.localdate() - dt.timedelta(days=3),
        owner=rep,
    )
    HistoryEntry.objects.create(
        opportunity=opportunity,
        kind=HistoryEntry.Kind.STEP,
        from_value="New",
        to_value="Quote",
        actor=rep,
        at=local(-1),
    )
    history = history_for(user=rep, prospect=prospect)
    assert [i.title for i in history["todo"]] == ["Next month", "Next week", "Tomorrow"]
    assert [i.title for i in history["done"]] == [
        "New → Quote",
        "Met at the fair",
        "Called last week",
    ]
    assert [i.kind for i in history["done"]] == ["change", "note", "task"]
    assert history["done"][0].url == opportunity.get_absolute_url()
    assert history["todo"][-1].url == reverse("task_detail", args=[tomorrow.pk])


def test_history_links_every_row_and_hides_others_private_tasks(rep, other_rep):
    company = f.CompanyFactory()
    task = make(rep, company=company, title="Visit", start=local(2))
    make(other_rep, company=company, title="Private", start=local(3), is_private=True)
    history = history_for(user=rep, company=company)
    assert [i.title for i in history["todo"]] == ["Visit"]
    assert history["todo"][0].url == task.get_absolute_url()


def test_recurring_series_shows_its_next_occurrence_only(rep):
    person = f.PersonFactory()
    make(rep, person=person, title="Daily", start=local(1), frequency="daily", count=10)
    history = history_for(user=rep, person=person)
    assert [i.title for i in history["todo"]] == ["Daily"]


def test_history_panel_view(rep_client, rep, django_assert_max_num_queries):
    opportunity = f.OpportunityFactory(prospect=f.ProspectFactory(owner=rep))
    for days in range(-5, 5):
        make(rep, opportunity=opportunity, title=f"Task {days}", start=local(days))
    with django_assert_max_num_queries(12):
        response = rep_client.get(
            reverse("history_panel") + f"?opportunity={opportunity.pk}",
            headers={"HX-Request": "true"},
        )
    page = response.content.decode()
    assert response.status_code == 200 and "Task 4" in page and "<html" not in page
    assert rep_client.get(reverse("history_panel") + "?opportunity=999999").status_code == 404


def test_documents_link_to_their_download(rep):
    from contacts.models import Document

    company = f.CompanyFactory()
    document = Document.objects.create(
        content_type=ContentType.objects.get_for_model(company),
        object_id=company.pk,
        file="documents/quote.pdf",
        name="quote.pdf",
        uploaded_by=rep,
    )
    history = history_for(user=rep, company=company)
    assert [(i.kind, i.title, i.url) for i in history["done"]] == [
        ("document", "quote.pdf", reverse("document_download", args=[document.pk]))
    ]
