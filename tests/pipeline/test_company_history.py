"""The company's History tab (Sage manual 002, "Fonctions - Historique"): everything that
happened on the company, its people, the prospect files linked to it and all their opportunities
(tasks, notes, documents, step changes, quotes, e-mails), each row naming what it concerns;
to do farthest first, then done newest first; in a constant number of queries."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.models import Document, Note
from mail.models import Message, MessageLink
from pipeline.history import history_for
from pipeline.models import HistoryEntry
from pipeline.services import activities
from tests import factories as f

pytestmark = pytest.mark.django_db


def local(days, hour=10):
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def task(actor, title, days, *, done=False, **about):
    created = activities.task_create(
        actor=actor,
        type=f.task_type("call"),
        assignee=actor,
        title=title,
        start=local(days),
        **about,
    )
    if done:
        activities.task_set_done(task=created, done=True, actor=actor)
    return created


def note(record, subject, days, owner):
    return Note.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        subject=subject,
        date=timezone.localdate() + dt.timedelta(days=days),
        owner=owner,
    )


def document(record, name, owner):
    return Document.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        file=f"documents/{name}",
        name=name,
        uploaded_by=owner,
    )


def email(record, subject, days, owner):
    message = Message.objects.create(
        message_id=f"<{record.pk}.{subject}@test>",
        direction=Message.Direction.RECEIVED,
        source=Message.Source.MAILBOX,
        subject=subject,
        from_address="paul@martin.fr",
        owner=owner,
        filed=True,
        sent_at=local(days, 9),
    )
    MessageLink.objects.create(message=message, **{type(record).__name__.lower(): record})


def family(owner, *, people=1, name="Transports Martin"):
    """A company, `people` affiliated people each with an opportunity, a prospect file linked
    to the company with its own opportunity, and the company's own opportunity."""
    company = f.CompanyFactory(name=name, owner=owner)
    persons = []
    for i in range(people):
        person = f.PersonFactory(first_name="Paul", last_name=f"Martin{i}", owner=owner)
        f.AffiliationFactory(person=person, company=company, is_default=i == 0)
        persons.append(person)
    prospect = f.ProspectFactory(owner=owner, company=company, last_name="Cover")
    return company, persons, prospect


def fill(owner, company, persons, prospect):
    """One row of every kind on every record around the company."""
    company_deal = f.OpportunityFactory(company=company, owner=owner, summary="Fleet renewal")
    prospect_deal = f.OpportunityFactory(prospect=prospect, owner=owner, summary="Pool")
    note(company, "Company note", -6, owner)
    task(owner, "Visit the depot", 20, company=company)
    document(prospect_deal, "plan.pdf", owner)
    HistoryEntry.objects.create(
        opportunity=prospect_deal,
        prospect=prospect,
        kind=HistoryEntry.Kind.QUOTE,
        from_value="D-2026-0007",
        to_value="sent",
        actor=owner,
        at=local(-2),
    )
    HistoryEntry.objects.create(
        opportunity=company_deal,
        kind=HistoryEntry.Kind.STEP,
        from_value="New",
        to_value="Quote",
        actor=owner,
        at=local(-1),
    )
    for i, person in enumerate(persons):
        f.OpportunityFactory(person=person, owner=owner, summary=f"Van {i}")
        task(owner, f"Called {person.last_name}", -3, done=True, person=person)
        task(owner, f"Call back {person.last_name}", 5 + i, person=person)
        note(person, f"Note on {person.last_name}", -4, owner)
        email(person, f"Mail from {person.last_name}", -5, owner)
    return company_deal, prospect_deal


def test_company_history_holds_its_people_prospects_and_opportunities(rep):
    company, persons, prospect = family(rep)
    company_deal, prospect_deal = fill(rep, company, persons, prospect)
    paul = persons[0]
    history = history_for(user=rep, company=company)

    # To do: the farthest first; done: the newest first (one timeline, future to past).
    assert [i.title for i in history["todo"]] == ["Visit the depot", f"Call back {paul.last_name}"]
    assert [(i.kind, i.title) for i in history["done"]] == [
        ("document", "plan.pdf"),  # uploaded now
        ("change", "New → Quote"),
        ("change", "D-2026-0007 → sent"),
        ("task", f"Called {paul.last_name}"),
        ("note", f"Note on {paul.last_name}"),
        ("email", f"Mail from {paul.last_name}"),
        ("note", "Company note"),
    ]

    # Each row says which person, prospect file or opportunity it concerns, with a link.
    about = {i.title: (i.about, i.about_url) for i in history["todo"] + history["done"]}
    assert about[f"Call back {paul.last_name}"] == (str(paul), paul.get_absolute_url())
    assert about[f"Note on {paul.last_name}"] == (str(paul), paul.get_absolute_url())
    assert about[f"Mail from {paul.last_name}"] == (str(paul), paul.get_absolute_url())
    assert about["plan.pdf"] == ("Pool", prospect_deal.get_absolute_url())
    assert about["D-2026-0007 → sent"] == ("Pool", prospect_deal.get_absolute_url())
    assert about["New → Quote"] == ("Fleet renewal", company_deal.get_absolute_url())
    assert about["Company note"] == ("", "")  # the company itself
    assert about["Visit the depot"] == ("", "")


def test_done_rows_are_newest_first_across_kinds(rep):
    company, persons, prospect = family(rep)
    fill(rep, company, persons, prospect)
    done = history_for(user=rep, company=company)["done"]
    assert [i.at for i in done] == sorted((i.at for i in done), reverse=True)
    assert len(done) == 7


def test_another_companys_rows_stay_out(rep):
    company, persons, prospect = family(rep)
    other, other_people, other_prospect = family(rep, name="Elsewhere")
    fill(rep, other, other_people, other_prospect)
    history = history_for(user=rep, company=company)
    assert history == {"todo": [], "done": [], "more": False}


def test_rows_of_records_the_user_may_not_see_stay_out(rep, other_rep, settings):
    settings.REPS_SEE_ONLY_OWN = True
    company, persons, prospect = family(rep)
    stranger = f.PersonFactory(last_name="Stranger", owner=other_rep)
    f.AffiliationFactory(person=stranger, company=company)
    note(stranger, "Their note", -1, other_rep)
    f.OpportunityFactory(company=company, owner=other_rep, summary="Their deal")
    titles = [i.title for i in history_for(user=rep, company=company)["done"]]
    assert "Their note" not in titles


def test_query_count_constant_in_people_and_rows(rep_client, rep, django_assert_max_num_queries):
    small, persons, prospect = family(rep, people=1)
    fill(rep, small, persons, prospect)
    big, many, big_prospect = family(rep, people=8, name="Big")
    fill(rep, big, many, big_prospect)
    url = reverse("history_panel")
    rep_client.get(f"{url}?company={small.pk}")
    with CaptureQueriesContext(connection) as few:
        rep_client.get(f"{url}?company={small.pk}", headers={"HX-Request": "true"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = rep_client.get(f"{url}?company={big.pk}", headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.count('data-kind="email"') == 8 and page.count("data-about") > 8


def test_a_long_history_shows_more_on_demand(rep_client, rep):
    company, persons, prospect = family(rep)
    for days in range(60):
        note(company, f"Note {days}", -days, rep)
    url = reverse("history_panel")
    page = rep_client.get(f"{url}?company={company.pk}").content.decode()
    assert page.count('data-kind="note"') == 50
    assert f"{url}?company={company.pk}&amp;limit=100" in page
    page = rep_client.get(f"{url}?company={company.pk}&limit=100").content.decode()
    assert page.count('data-kind="note"') == 60 and "data-history-more" not in page


def test_an_email_row_names_the_person_or_deal_it_was_with(rep):
    """Filed on a person, a prospect file or an opportunity of the company (or on several of
    them), an e-mail's row names the one it was with; filed on the company itself, none."""
    company, (paul,), prospect = family(rep)
    deal = f.OpportunityFactory(company=company, owner=rep, summary="Fleet renewal")
    email(prospect, "To the prospect", -1, rep)
    email(deal, "About the fleet", -2, rep)
    email(company, "To the switchboard", -3, rep)
    email(paul, "To Paul", -4, rep)
    MessageLink.objects.create(message=Message.objects.get(subject="To Paul"), company=company)
    about = {
        i.title: (i.about, i.about_url) for i in history_for(user=rep, company=company)["done"]
    }
    assert about == {
        "To the prospect": (str(prospect), prospect.get_absolute_url()),
        "About the fleet": ("Fleet renewal", deal.get_absolute_url()),
        "To the switchboard": ("", ""),
        "To Paul": (str(paul), paul.get_absolute_url()),
    }
