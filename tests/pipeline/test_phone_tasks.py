"""Tasks on the go (issue 19): log a call from a card and plan the next action, link a new task
to a record found as you type, and task rows that show who to call."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.models import Prospect
from contacts.services import company_reindex
from pipeline.forms import NEXT_START_REQUIRED
from pipeline.links import TASK_ROW_RELATED, link_search, task_context
from pipeline.models import Task
from pipeline.services import activities, calls
from prospects.services import prospect_search_text
from tests import factories as f

pytestmark = pytest.mark.django_db


def local(days, hour=10):
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def form_time(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


# --- log a call: the service -------------------------------------------------------------------


def test_call_log_records_a_done_call_and_plans_the_next_action(rep):
    prospect = f.ProspectFactory(owner=rep)
    meeting = f.task_type("meeting")
    call, planned = calls.call_log(
        actor=rep,
        target=prospect,
        outcome=calls.Outcome.MESSAGE,
        comment="Left a message with the assistant",
        next_type=meeting,
        next_start=local(2, 14),
    )
    call.refresh_from_db()
    assert call.done and call.done_by == rep and call.type.code == "call"
    assert call.prospect == prospect and call.assignee == rep
    assert call.title == "Call: Left a message"
    assert call.notes == "Left a message with the assistant"
    assert planned.type == meeting and planned.start == local(2, 14) and not planned.done
    assert planned.prospect == prospect and planned.title == meeting.name
    prospect.refresh_from_db()
    # The management dates follow both tasks: the call is the last contact, the meeting the next.
    assert prospect.last_contact_at == call.start
    assert prospect.next_contact_at == planned.start


def test_call_log_without_a_next_action_creates_only_the_call(rep):
    company = f.CompanyFactory(owner=rep)
    call, planned = calls.call_log(actor=rep, target=company, outcome=calls.Outcome.REACHED)
    assert planned is None
    assert list(Task.objects.filter(company=company)) == [call]


def test_call_log_is_refused_on_a_record_the_rep_may_not_change(rep, other_rep):
    prospect = f.ProspectFactory(owner=other_rep)
    with pytest.raises(PermissionDenied):
        calls.call_log(
            actor=rep, target=prospect, outcome=calls.Outcome.REACHED, next_start=local(1)
        )
    assert not Task.objects.filter(prospect=prospect).exists()


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 11, 26), dt.date(2026, 11, 27)),  # Thursday: Friday
        (dt.date(2026, 11, 27), dt.date(2026, 11, 30)),  # Friday: Monday
        (dt.date(2026, 11, 28), dt.date(2026, 11, 30)),  # Saturday: Monday
    ],
)
def test_the_next_action_defaults_to_the_next_working_morning(today, expected):
    now = dt.datetime.combine(today, dt.time(17, 30), tzinfo=timezone.get_current_timezone())
    planned = timezone.localtime(calls.next_working_morning(now))
    assert (planned.date(), planned.time()) == (expected, dt.time(9, 0))


# --- log a call: the view ----------------------------------------------------------------------


def test_log_a_call_from_the_card_with_htmx(rep_client, rep):
    prospect = f.ProspectFactory(owner=rep)
    response = rep_client.post(
        reverse("call_log"),
        {
            "target": f"prospect:{prospect.pk}",
            "outcome": calls.Outcome.REACHED,
            "comment": "Interested, wants a demo",
            "plan_next": "on",
            "next_type": f.task_type("meeting").pk,
            "next_start": form_time(local(1, 9)),
            "next_title": "Demo at their office",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "jalon:tasks-changed" in response.headers["HX-Trigger"]
    assert 'id="call-log"' in response.content.decode()
    done, planned = Task.objects.filter(prospect=prospect).order_by("done", "start")[::-1]
    assert done.done and done.notes == "Interested, wants a demo"
    assert planned.title == "Demo at their office" and planned.start == local(1, 9)


def test_log_a_call_without_javascript_redirects_to_the_card(rep_client, rep):
    prospect = f.ProspectFactory(owner=rep)
    response = rep_client.post(
        reverse("call_log"),
        {"target": f"prospect:{prospect.pk}", "outcome": calls.Outcome.NO_ANSWER},
    )
    assert response.status_code == 302 and response.url == prospect.get_absolute_url()
    assert Task.objects.filter(prospect=prospect, done=True).count() == 1


def test_planning_the_next_action_needs_a_date(rep_client, rep):
    prospect = f.ProspectFactory(owner=rep)
    response = rep_client.post(
        reverse("call_log"),
        {
            "target": f"prospect:{prospect.pk}",
            "outcome": calls.Outcome.REACHED,
            "plan_next": "on",
            "next_start": "",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert str(NEXT_START_REQUIRED) in response.content.decode()
    assert not Task.objects.filter(prospect=prospect).exists()


def test_log_a_call_on_another_reps_prospect_is_refused(rep_client, other_rep):
    prospect = f.ProspectFactory(owner=other_rep)
    response = rep_client.post(
        reverse("call_log"),
        {"target": f"prospect:{prospect.pk}", "outcome": calls.Outcome.REACHED},
    )
    assert response.status_code == 403
    assert not Task.objects.filter(prospect=prospect).exists()


def test_the_prospect_card_offers_tel_links_and_log_a_call(rep_client, rep, other_rep):
    mine = f.ProspectFactory(owner=rep, phone="01 50 10 70 30", mobile="06 12 34 56 78")
    page = rep_client.get(mine.get_absolute_url()).content.decode()
    assert 'href="tel:+33150107030"' in page and "01 50 10 70 30" in page
    assert 'href="tel:+33612345678"' in page
    assert 'id="call-log"' in page and f'value="prospect:{mine.pk}"' in page
    theirs = f.ProspectFactory(owner=other_rep)
    page = rep_client.get(theirs.get_absolute_url()).content.decode()
    assert 'id="call-log"' not in page  # seen, not changeable: no quick action


# --- the look-up -------------------------------------------------------------------------------


def test_lookup_finds_the_four_kinds_the_rep_may_see(rep_client, rep, other_rep, settings):
    settings.REPS_SEE_ONLY_OWN = True
    f.ProspectFactory(owner=rep, last_name="Marchetti", company_name="Vins Marchetti")
    hidden = f.ProspectFactory(owner=other_rep, last_name="Marchal")
    company = f.CompanyFactory(owner=rep, name="Marchetti Frères")
    company_reindex(company=company)
    f.PersonFactory(owner=rep, last_name="Marchand")
    f.OpportunityFactory(
        prospect=f.ProspectFactory(owner=rep, last_name="Zed"), summary="Caisse Marché central"
    )
    groups = dict(link_search(user=rep, query="marc"))
    assert set(groups) == {"prospect", "company", "person", "opportunity"}
    names = [str(hit.record) for hits in groups.values() for hit in hits]
    assert str(hidden) not in names
    response = rep_client.get(reverse("task_link_lookup"), {"q": "marc"})
    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-link-value="company:{company.pk}"' in page and "Marchal" not in page


def test_lookup_marks_records_the_rep_may_see_but_not_change(rep, other_rep):
    f.ProspectFactory(owner=other_rep, last_name="Bernardin")
    [(kind, [hit])] = link_search(user=rep, query="bernardin")
    assert kind == "prospect" and not hit.may_link


@pytest.mark.parametrize("junk", ["", "a", "%", "_%_", "é" * 5000, "  ", "\x00"])
def test_lookup_is_safe_with_junk(rep_client, rep, junk):
    f.ProspectFactory(owner=rep, last_name="Dupont")
    response = rep_client.get(reverse("task_link_lookup"), {"q": junk})
    # A NUL byte is refused before any view (400) by the project's request checks.
    assert response.status_code == (400 if "\x00" in junk else 200)
    assert "Dupont" not in response.content.decode()
    assert link_search(user=rep, query=junk) == []


def test_lookup_reads_sql_as_words(rep_client, rep):
    f.ProspectFactory(owner=rep, last_name="Dupont")
    response = rep_client.get(
        reverse("task_link_lookup"), {"q": "'; DROP TABLE contacts_prospect; --"}
    )
    assert response.status_code == 200 and "Dupont" not in response.content.decode()
    assert Prospect.objects.count() == 1


def test_lookup_finds_a_prospect_by_phone_however_typed(rep):
    prospect = f.ProspectFactory(owner=rep, phone="+33 1 42 02 14 06")
    prospect.search_text = prospect_search_text(prospect)
    prospect.save()
    groups = dict(link_search(user=rep, query="01 42 02 14"))
    assert [hit.record for hit in groups["prospect"]] == [prospect]


# --- a task created from Tasks or the dashboard, linked to a record ------------------------


def task_post(**extra):
    data = {
        "title": "Send the price list",
        "type": f.task_type("email").pk,
        "priority": Task.Priority.MEDIUM,
        "interval": 1,
    }
    data["start"] = form_time(local(1))
    data.update(extra)
    return data


def test_new_task_linked_to_a_record_found_in_the_lookup(rep_client, rep):
    company = f.CompanyFactory(owner=rep)
    response = rep_client.post(
        reverse("task_create"),
        task_post(link=f"company:{company.pk}"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204
    task = Task.objects.get(title="Send the price list")
    assert task.company == company and task.prospect is None


def test_new_task_about_a_person_is_about_their_company_too(rep_client, rep, settings):
    """The row names the person's company and the company's card lists the task: the company
    they are the default contact of, else the first they joined, among those the rep sees."""
    settings.REPS_SEE_ONLY_OWN = True
    person = f.PersonFactory(owner=rep)
    hidden = f.CompanyFactory(owner=f.RepFactory(username="zoe"))
    f.AffiliationFactory(person=person, company=hidden, is_default=True)
    first = f.CompanyFactory(owner=rep, name="First")
    f.AffiliationFactory(person=person, company=first)
    f.AffiliationFactory(person=person, company=f.CompanyFactory(owner=rep, name="Second"))
    response = rep_client.post(
        reverse("task_create"),
        task_post(link=f"person:{person.pk}"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204
    task = Task.objects.get(title="Send the price list")
    assert (task.person, task.company) == (person, first)


def test_the_new_task_dialog_offers_the_lookup(rep_client):
    page = rep_client.get(reverse("task_create"), headers={"HX-Request": "true"}).content.decode()
    assert reverse("task_link_lookup") in page and 'name="link"' in page


def test_new_task_linked_to_a_record_the_rep_may_not_change_is_refused(rep_client, other_rep):
    prospect = f.ProspectFactory(owner=other_rep)
    response = rep_client.post(
        reverse("task_create"),
        task_post(link=f"prospect:{prospect.pk}"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert str(calls.NOT_ALLOWED) in response.content.decode()
    assert not Task.objects.exists()


@pytest.mark.parametrize("link", ["prospect:x", "planet:1", "company:999999", "company:"])
def test_new_task_linked_to_nothing_real_is_not_found(rep_client, link):
    response = rep_client.post(reverse("task_create"), task_post(link=link))
    assert response.status_code == 404
    assert not Task.objects.exists()


def test_new_task_linked_to_a_record_the_rep_may_not_see_is_not_found(
    rep_client, other_rep, settings
):
    settings.REPS_SEE_ONLY_OWN = True
    prospect = f.ProspectFactory(owner=other_rep)
    response = rep_client.post(reverse("task_create"), task_post(link=f"prospect:{prospect.pk}"))
    assert response.status_code == 404
    assert not Task.objects.exists()


# --- task rows: company, person, phone; queries that do not grow ---------------------------


def linked_tasks(rep, count: int, start_days: int = 0):
    """`count` tasks of each kind of link, due from `start_days`, with phones to call."""
    for n in range(count):
        company = f.CompanyFactory(owner=rep, phone="+33188334455")
        person = f.PersonFactory(owner=rep, mobile="+33612345678")
        prospect = f.ProspectFactory(owner=rep, mobile="06 11 22 33 44")
        opportunity = f.OpportunityFactory(
            prospect=prospect, company=company, person=person, owner=rep
        )
        when = local(start_days + n % 3)
        for link in (
            {"opportunity": opportunity},
            {"prospect": prospect},
            {"company": company},
            {"person": person},
        ):
            activities.task_create(
                actor=rep, title="Call back", type=f.task_type("call"), start=when, **link
            )


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url_name", ["task_list", "dashboard"])
def test_task_rows_show_company_person_and_phone_in_constant_queries(rep_client, rep, url_name):
    url = reverse(url_name)
    linked_tasks(rep, 1)
    few = queries_of(rep_client, url)
    linked_tasks(rep, 4)
    assert queries_of(rep_client, url) == few
    page = rep_client.get(url).content.decode()
    assert 'href="tel:+33612345678"' in page  # the person's mobile
    assert 'href="tel:+33611223344"' in page  # the prospect's, typed nationally
    assert 'href="tel:+33188334455"' in page  # the company's, for a task about it
    assert "data-task-about" in page


def test_task_panel_rows_in_constant_queries(rep_client, rep):
    prospect = f.ProspectFactory(owner=rep, mobile="06 11 22 33 44")
    url = reverse("task_panel") + f"?prospect={prospect.pk}&todo=0"

    def add(count):
        for n in range(count):
            opportunity = f.OpportunityFactory(
                prospect=prospect,
                company=f.CompanyFactory(owner=rep),
                person=f.PersonFactory(owner=rep, phone="+33188334455"),
            )
            activities.task_create(
                actor=rep,
                title="Call",
                type=f.task_type("call"),
                start=local(n),
                opportunity=opportunity,
            )

    add(1)
    few = queries_of(rep_client, url)
    add(6)
    assert queries_of(rep_client, url) == few


def test_a_row_names_only_what_the_user_may_see(rep, other_rep, settings):
    settings.REPS_SEE_ONLY_OWN = True
    company = f.CompanyFactory(owner=other_rep, name="Not yours SA", phone="+33188334455")
    prospect = f.ProspectFactory(owner=rep, company_name="Own prospect SARL", mobile="")
    opportunity = f.OpportunityFactory(prospect=prospect, company=company, owner=rep)
    task = activities.task_create(
        actor=rep, title="Call", type=f.task_type("call"), start=local(1), opportunity=opportunity
    )
    task = Task.objects.select_related(*TASK_ROW_RELATED).get(pk=task.pk)
    about = task_context(task, rep)
    labels = [label for label, _url in about.links]
    assert "Not yours SA" not in labels and about.phone != "+33188334455"
    assert "Own prospect SARL" in labels
