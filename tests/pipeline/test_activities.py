import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pipeline import clocks
from pipeline.models import AutomationRule, Colour, Task
from pipeline.services import activities
from tests import factories as f

pytestmark = pytest.mark.django_db


def local(days=0, hour=10, minute=0):
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def make(actor, **fields):
    fields.setdefault("title", "Call back")
    fields.setdefault("type", f.task_type("call"))
    fields.setdefault("start", local(1))
    fields.setdefault("assignee", actor)
    return activities.task_create(actor=actor, **fields)


# --- colours -----------------------------------------------------------------------------------


def test_colour_boundaries():
    today = timezone.localdate()
    assert clocks.colour_for(local(-1, 23, 59), today) == Colour.RED
    assert clocks.colour_for(local(0, 0, 0), today) == Colour.ORANGE
    assert clocks.colour_for(local(0, 23, 59), today) == Colour.ORANGE
    assert clocks.colour_for(local(1, 0, 0), today) == Colour.GREEN


def test_created_tasks_store_their_colour(rep):
    make(rep, start=local(-1, 23, 59))
    tasks = {t.start: t.colour for t in Task.objects.all()}
    assert tasks[local(-1, 23, 59)] == Colour.RED
    make(rep, start=local(0, 0, 0), title="Today")
    make(rep, start=local(1, 0, 0), title="Tomorrow")
    assert Task.objects.get(title="Today").colour == Colour.ORANGE
    assert Task.objects.get(title="Tomorrow").colour == Colour.GREEN


def test_agenda_sections_follow_the_action_clock(rep_client, rep):
    make(rep, start=local(-1, 23, 59), title="Late")
    make(rep, start=local(0, 0, 0), title="Now")
    make(rep, start=local(1, 0, 0), title="Soon")
    response = rep_client.get(reverse("task_list"))
    sections = {
        key: [t.title for t in tasks]
        for key, _label, _colour, tasks, _n in response.context["sections"]
    }
    assert sections == {"overdue": ["Late"], "today": ["Now"], "upcoming": ["Soon"]}


# --- done / undone -----------------------------------------------------------------------------


def test_set_done_records_who_and_when_and_refreshes_the_opportunity(rep, monkeypatch):
    calls = []
    from pipeline.services import automation as services

    monkeypatch.setattr(services, "automation_run", lambda **kw: calls.append(kw), raising=False)
    opportunity = f.OpportunityFactory(prospect=f.ProspectFactory(owner=rep))
    AutomationRule.objects.create(
        process=opportunity.process,
        event=AutomationRule.Event.TASK_DONE,
        target_step=opportunity.process.steps.last(),
    )
    first = make(rep, opportunity=opportunity, start=local(-2))
    second = make(rep, opportunity=opportunity, start=local(3))
    opportunity.refresh_from_db()
    assert opportunity.next_action_at == first.start and opportunity.action_colour == Colour.RED

    done = activities.task_set_done(task=first, done=True, actor=rep)
    assert done.done and done.done_by == rep and done.done_at is not None and done.colour == ""
    opportunity.refresh_from_db()
    assert opportunity.next_action_at == second.start and opportunity.action_colour == Colour.GREEN
    assert calls == [
        {"opportunity": opportunity, "event": "task_done", "actor": rep, "task_type": first.type}
    ]

    undone = activities.task_set_done(task=first, done=False, actor=rep)
    assert not undone.done and undone.done_by is None and undone.colour == Colour.RED


def test_set_done_skips_the_rules_when_the_process_has_none_for_task_done(rep, monkeypatch):
    calls = []
    from pipeline.services import automation as services

    monkeypatch.setattr(services, "automation_run", lambda **kw: calls.append(kw), raising=False)
    opportunity = f.OpportunityFactory(prospect=f.ProspectFactory(owner=rep))
    AutomationRule.objects.create(
        process=opportunity.process,
        event=AutomationRule.Event.TASK_DONE,
        target_step=opportunity.process.steps.last(),
        active=False,
    )
    task = make(rep, opportunity=opportunity, start=local(-2))
    assert activities.task_set_done(task=task, done=True, actor=rep).done
    assert calls == []


# --- management dates --------------------------------------------------------------------------


def test_management_dates_after_adding_completing_and_deleting(rep):
    company = f.CompanyFactory(owner=rep)
    todo = make(rep, company=company, type=f.task_type("todo"), start=local(1))
    company.refresh_from_db()
    assert company.next_contact_at is None  # a to-do is not a contact

    call = make(rep, company=company, type=f.task_type("call"), start=local(-3))
    meeting = make(rep, company=company, type=f.task_type("meeting"), start=local(5))
    company.refresh_from_db()
    assert company.first_contact_at is None and company.last_contact_at is None
    assert company.next_contact_at == call.start and company.next_contact_type == call.type.name

    activities.task_set_done(task=call, done=True, actor=rep)
    company.refresh_from_db()
    assert company.first_contact_at == call.start == company.last_contact_at
    assert company.last_contact_type == call.type.name
    assert (
        company.next_contact_at == meeting.start and company.next_contact_type == meeting.type.name
    )

    activities.task_set_done(task=meeting, done=True, actor=rep)  # done ahead of time
    company.refresh_from_db()
    assert company.first_contact_at == call.start
    assert (
        company.last_contact_type == meeting.type.name and company.last_contact_at <= timezone.now()
    )
    assert company.next_contact_at is None and company.next_contact_type == ""

    activities.task_delete(task=Task.objects.get(pk=meeting.pk), actor=rep)
    company.refresh_from_db()
    assert company.last_contact_at == call.start and company.last_contact_type == call.type.name
    assert todo.pk


def test_management_dates_of_a_prospect_through_its_opportunity(rep):
    prospect = f.ProspectFactory(owner=rep)
    opportunity = f.OpportunityFactory(prospect=prospect)
    call = make(rep, opportunity=opportunity, start=local(2))
    prospect.refresh_from_db()
    assert prospect.next_contact_at == call.start and prospect.next_contact_type == call.type.name


def test_management_dates_of_a_company_from_its_tasks_and_its_opportunities_tasks(rep):
    """Its own contacts and its opportunities' count, a task that is both once; another
    company's do not; when a task is done, changed or deleted (issue 20: two indexed look-ups
    instead of an OR over the opportunities)."""
    company, other = f.CompanyFactory(owner=rep), f.CompanyFactory(owner=rep)
    opportunity = f.OpportunityFactory(company=company, prospect=f.ProspectFactory(owner=rep))
    own = make(rep, company=company, start=local(-4))
    through_deal = make(rep, opportunity=opportunity, start=local(-2))
    meeting = f.task_type("meeting")
    both = make(rep, company=company, opportunity=opportunity, type=meeting, start=local(3))
    make(rep, company=other, start=local(-10))
    make(rep, opportunity=f.OpportunityFactory(company=other), start=local(1))
    activities.task_set_done(task=own, done=True, actor=rep)
    activities.task_set_done(task=through_deal, done=True, actor=rep)
    company.refresh_from_db()
    assert (company.first_contact_at, company.last_contact_at) == (own.start, through_deal.start)
    assert (company.next_contact_at, company.next_contact_type) == (both.start, meeting.name)
    activities.task_update(task=both, actor=rep, start=local(6))
    company.refresh_from_db()
    assert company.next_contact_at == local(6)
    activities.task_delete(task=Task.objects.get(pk=both.pk), actor=rep)
    company.refresh_from_db()
    assert (company.next_contact_at, company.next_contact_type) == (None, "")
    assert company.last_contact_at == through_deal.start


# --- views ---------------------------------------------------------------------------------------


def test_task_panel_lists_the_prospects_tasks_with_switches(rep_client, rep):
    prospect = f.ProspectFactory(owner=rep)
    make(rep, prospect=prospect, title="Open one", notes="First line\nsecond line")
    done = make(rep, prospect=prospect, title="Done one", start=local(-1))
    activities.task_set_done(task=done, done=True, actor=rep)
    url = reverse("task_panel") + f"?prospect={prospect.pk}"
    page = rep_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Open one" in page and "Done one" not in page and "second line" not in page
    page = rep_client.get(url + "&todo=0&first_line=0").content.decode()
    assert "Open one" in page and "Done one" in page and "second line" in page


def test_task_panel_query_count_does_not_grow(rep_client, rep, django_assert_max_num_queries):
    prospect = f.ProspectFactory(owner=rep)
    for days in range(30):
        make(rep, prospect=prospect, start=local(days), opportunity=None)
    with django_assert_max_num_queries(12):
        rep_client.get(reverse("task_panel") + f"?prospect={prospect.pk}&todo=0")


def test_agenda_query_count_does_not_grow(rep_client, rep, django_assert_max_num_queries):
    prospect = f.ProspectFactory(owner=rep)
    for days in range(-10, 20):
        make(rep, prospect=prospect, start=local(days))
    with django_assert_max_num_queries(12):
        rep_client.get(reverse("task_list"))


def test_create_through_the_dialog(rep_client, rep):
    prospect = f.ProspectFactory(owner=rep)
    response = rep_client.get(
        reverse("task_create") + f"?prospect={prospect.pk}", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and 'id="modal-title"' in response.content.decode()
    response = rep_client.post(
        reverse("task_create"),
        {
            "prospect": prospect.pk,
            "title": "Send the brochure",
            "type": f.task_type("email").pk,
            "start": local(2).strftime("%Y-%m-%dT%H:%M"),
            "duration": "30",
            "assignee": rep.pk,
            "priority": "1",
            "frequency": "",
            "interval": "1",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204
    assert (
        "jalon:tasks-changed" in response["HX-Trigger"]
        and "jalon:close-modal" in response["HX-Trigger"]
    )
    task = Task.objects.get(title="Send the brochure")
    assert task.prospect == prospect and task.end - task.start == dt.timedelta(minutes=30)
    assert task.created_by == rep


def test_create_refuses_bad_input_and_keeps_nothing(rep_client, rep):
    response = rep_client.post(
        reverse("task_create"),
        {
            "title": "Daily",
            "type": f.task_type("call").pk,
            "start": local(2).strftime("%Y-%m-%dT%H:%M"),
            "priority": "2",
            "frequency": "daily",
            "interval": "1",
            "until": local(5).date().isoformat(),
            "count": "3",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert str(activities.UNTIL_AND_COUNT) in response.content.decode()
    assert not Task.objects.exists()


def test_cannot_add_a_task_to_a_colleagues_prospect(rep_client, other_rep):
    prospect = f.ProspectFactory(owner=other_rep)
    assert rep_client.get(reverse("task_create") + f"?prospect={prospect.pk}").status_code == 403
    response = rep_client.post(reverse("task_create"), {"prospect": prospect.pk, "title": "x"})
    assert response.status_code == 403


def test_toggle_is_one_click_with_htmx(rep_client, rep):
    task = make(rep)
    response = rep_client.post(
        reverse("task_toggle", args=[task.pk]), {"done": "1"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 204 and "jalon:tasks-changed" in response["HX-Trigger"]
    task.refresh_from_db()
    assert task.done and task.done_by == rep
    response = rep_client.post(reverse("task_toggle", args=[task.pk]), {"done": "0"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert not task.done


def test_a_colleague_cannot_toggle_or_edit_my_task(client, rep, other_rep):
    task = make(rep, prospect=f.ProspectFactory(owner=rep))
    client.force_login(other_rep)
    assert client.post(reverse("task_toggle", args=[task.pk])).status_code == 403
    assert client.get(reverse("task_edit", args=[task.pk])).status_code == 403
    assert client.post(reverse("task_delete", args=[task.pk])).status_code == 403


def test_edit_detects_a_concurrent_change(rep_client, rep):
    task = make(rep)
    stale = task.version
    activities.task_update(task=task, actor=rep, title="Changed elsewhere")
    response = rep_client.post(
        reverse("task_edit", args=[task.pk]),
        {
            "title": "Mine",
            "type": task.type_id,
            "start": local(1).strftime("%Y-%m-%dT%H:%M"),
            "priority": "2",
            "interval": "1",
            "version": stale,
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert "This record was changed by" in response.content.decode()
    task.refresh_from_db()
    assert task.title == "Changed elsewhere"


def test_edit_this_and_following_through_the_form(rep_client, rep):
    head = make(rep, frequency="daily", count=4, start=local(1, 9))
    third = Task.objects.filter(series=head).order_by("start")[1]
    page = rep_client.get(
        reverse("task_edit", args=[third.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert 'name="scope"' in page
    response = rep_client.post(
        reverse("task_edit", args=[third.pk]),
        {
            "title": "Later",
            "type": head.type_id,
            "start": local(3, 15).strftime("%Y-%m-%dT%H:%M"),
            "priority": "2",
            "frequency": "daily",
            "interval": "1",
            "count": "2",
            "scope": "following",
            "assignee": rep.pk,
            "version": third.version,
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204
    titles = list(Task.objects.order_by("start").values_list("title", flat=True))
    assert titles == ["Call back", "Call back", "Later", "Later"]


def test_private_tasks_of_others_are_hidden(client, rep, other_rep):
    prospect = f.ProspectFactory()
    make(rep, prospect=prospect, title="Private dentist", is_private=True, start=local(0, 15))
    client.force_login(other_rep)
    panel = client.get(reverse("task_panel") + f"?prospect={prospect.pk}&todo=0").content.decode()
    assert "Private dentist" not in panel
    task = Task.objects.get(title="Private dentist")
    assert client.get(reverse("task_detail", args=[task.pk])).status_code == 404
    calendar = client.get(
        reverse("task_calendar") + f"?view=day&who=all&date={timezone.localdate()}"
    )
    page = calendar.content.decode()
    assert "Private dentist" not in page and "is-busy" in page
    # The owner sees it.
    client.force_login(rep)
    assert "Private dentist" in client.get(reverse("task_calendar")).content.decode()


def test_every_url_needs_a_login(client):
    for name, args in [
        ("task_list", []),
        ("task_calendar", []),
        ("task_panel", []),
        ("history_panel", []),
        ("calendar_feed", []),
        ("task_create", []),
        ("task_detail", [1]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302, name


def test_panel_needs_a_visible_record(rep_client):
    assert rep_client.get(reverse("task_panel")).status_code == 404
    assert rep_client.get(reverse("task_panel") + "?prospect=999999").status_code == 404
    assert rep_client.get(reverse("task_panel") + "?prospect=abc").status_code == 404


def test_agenda_filters_and_team_view(client, rep, other_rep, manager):
    make(rep, title="Alice call", type=f.task_type("call"))
    make(rep, title="Alice mail", type=f.task_type("email"), priority=Task.Priority.HIGH)
    make(other_rep, title="Bruno call")
    client.force_login(rep)
    titles = lambda r: {t.title for _k, _l, _c, ts, _n in r.context["sections"] for t in ts}  # noqa: E731
    assert titles(client.get(reverse("task_list"))) == {"Alice call", "Alice mail"}
    assert titles(client.get(reverse("task_list") + f"?type={f.task_type('call').pk}")) == {
        "Alice call"
    }
    assert titles(client.get(reverse("task_list") + "?priority=1")) == {"Alice mail"}
    # Reps cannot look at someone else's agenda through the URL.
    assert titles(client.get(reverse("task_list") + f"?assignee={other_rep.pk}")) == {
        "Alice call",
        "Alice mail",
    }
    client.force_login(manager)
    assert titles(client.get(reverse("task_list") + "?assignee=all")) == {
        "Alice call",
        "Alice mail",
        "Bruno call",
    }
    assert titles(client.get(reverse("task_list") + f"?assignee={other_rep.pk}")) == {"Bruno call"}
    response = client.get(reverse("task_list") + "?assignee=all", headers={"HX-Request": "true"})
    assert (
        'id="task-agenda"' in response.content.decode() and "<html" not in response.content.decode()
    )


def test_occurrences_show_in_every_view(client, rep):
    from pipeline.feeds import calendar_feed_for

    head = make(rep, title="Weekly review", start=local(0, 18), frequency="weekly", count=3)
    client.force_login(rep)
    # Agenda: today's occurrence and the next ones.
    response = client.get(reverse("task_list"))
    shown = [t.pk for _k, _l, _c, tasks, _n in response.context["sections"] for t in tasks]
    occurrences = list(Task.objects.filter(series=head).order_by("start"))
    assert head.pk in shown and occurrences[0].pk in shown and occurrences[1].pk in shown
    # Dashboard: today and the coming week.
    response = client.get(reverse("dashboard"))
    assert head in response.context["due_today"] and occurrences[0] in response.context["upcoming"]
    # Calendar: the day of the second occurrence.
    day = timezone.localtime(occurrences[0].start).date()
    response = client.get(reverse("task_calendar") + f"?view=day&date={day}")
    assert [t.pk for t in response.context["day_tasks"]] == [occurrences[0].pk]
    response = client.get(reverse("task_calendar") + f"?date={day}")
    in_month = {
        t.pk for week in response.context["weeks"] for _d, tasks, _in, _more in week for t in tasks
    }
    assert occurrences[0].pk in in_month
    # Feed: one recurring event.
    client.logout()
    ics = client.get(
        reverse("task_feed", args=[calendar_feed_for(user=rep).token])
    ).content.decode()
    assert "RRULE:FREQ=WEEKLY;COUNT=3" in ics and "URL:http://testserver/tasks/" in ics
    # Completing one leaves the others to do.
    activities.task_set_done(task=occurrences[0], actor=rep, done=True)
    assert Task.objects.filter(series=head, done=False).count() == 1


def test_links_refresh_after_a_restore_made_elsewhere(rep):
    company = f.CompanyFactory(owner=rep)
    call = make(rep, company=company, start=local(2))
    activities.task_delete(task=call, actor=rep)
    company.refresh_from_db()
    assert company.next_contact_at is None
    Task.all_objects.filter(pk=call.pk).update(deleted_at=None)
    activities.task_links_refresh(task_ids=[call.pk])
    company.refresh_from_db()
    assert company.next_contact_at == call.start


def test_detail_page_tells_the_repetition(rep_client, rep):
    head = make(rep, start=local(1), frequency="weekly", weekdays="0,3", count=4)
    occurrence = Task.objects.filter(series=head).first()
    page = rep_client.get(reverse("task_detail", args=[occurrence.pk])).content.decode()
    from django.utils import translation

    from pipeline.forms import WEEKDAY_CHOICES

    with translation.override(page.split('lang="', 1)[1].split('"', 1)[0]):
        days = dict(WEEKDAY_CHOICES)
        assert f"{days['0']}, {days['3']}" in page
