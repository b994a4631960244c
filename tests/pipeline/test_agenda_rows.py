"""Issue 20: the agenda, the task panels and the calendar prepare what their rows show in Python
(`pipeline.templatetags.pipeline_tags.dress_task_rows`, `pipeline.views.calendar`), in a
constant number of queries, and show what they showed before: the same links, numbers, counts
and marks."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.rows import url_format
from pipeline.links import TASK_ROW_RELATED, task_context
from pipeline.models import Task
from pipeline.services import activities
from pipeline.templatetags.pipeline_tags import _seer, task_about
from pipeline.views import tasks as task_views
from tests import factories as f
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

URLS = {
    kind: url_format(f"{kind}_detail") for kind in ("opportunity", "prospect", "company", "person")
}


def local(days, hour=10, minute=0):
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def task(actor, start=None, **fields):
    fields.setdefault("title", "Call back")
    fields.setdefault("type", f.task_type("call"))
    fields.setdefault("assignee", actor)
    return activities.task_create(actor=actor, start=start or local(1), **fields)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def every_link(owner, other, when):
    """Tasks of `owner` about each kind of record, some of the records `other`'s."""
    company = f.CompanyFactory(owner=other, phone="+33188334455", country="BE")
    person = f.PersonFactory(owner=owner, mobile="+33612345678")
    prospect = f.ProspectFactory(owner=owner, mobile="06 11 22 33 44")
    nameless = f.ProspectFactory(owner=owner, first_name="", last_name="", phone="0147200001")
    opportunities = [
        f.OpportunityFactory(prospect=prospect, company=company, person=person, owner=owner),
        f.OpportunityFactory(prospect=f.ProspectFactory(owner=other), owner=other),
        f.OpportunityFactory(prospect=nameless, company=None, person=None, owner=owner),
    ]
    links = [{"opportunity": o} for o in opportunities] + [
        {"prospect": prospect},
        {"prospect": nameless},
        {"company": company},
        {"person": person},
        {},
    ]
    return [task(owner, when, **link) for link in links]


# --- what a row says: the rule of pipeline.links.task_context ----------------------------------


@pytest.mark.parametrize("own_only", [False, True])
@pytest.mark.parametrize("reader", ["rep", "other_rep", "manager"])
def test_a_row_names_what_task_context_names(rep, other_rep, manager, settings, own_only, reader):
    settings.REPS_SEE_ONLY_OWN = own_only
    user = {"rep": rep, "other_rep": other_rep, "manager": manager}[reader]
    every_link(rep, other_rep, local(1))
    sees = _seer(user)
    for row in Task.objects.select_related(*TASK_ROW_RELATED):
        expected = task_context(row, user)
        assert task_about(row, sees, URLS) == (expected.links, expected.phone, expected.country)


# --- the agenda ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["rep", "manager"])
def test_agenda_queries_do_not_grow_with_rows_of_every_kind(client, rep, other_rep, manager, role):
    user = {"rep": rep, "manager": manager}[role]
    sign_in(client, user)
    url = reverse("task_list") + ("?assignee=all" if role == "manager" else "")
    for days in (-1, 0, 2):
        every_link(rep, other_rep, local(days))
    few = queries(client, url)
    for days in (-3, -2, 0, 1, 3, 4):
        every_link(rep, other_rep, local(days))
        every_link(other_rep, rep, local(days))
    assert queries(client, url) == few
    assert few <= 12


def test_agenda_shows_every_task_of_today_and_the_first_and_latest_others(
    rep_client, rep, monkeypatch
):
    monkeypatch.setattr(task_views, "AGENDA_ROWS", 3)
    for n in range(5):
        task(rep, local(-2 - n), title=f"Late {n}")  # Late 0 is the most recent
        task(rep, local(1 + n), title=f"Soon {n}")
        task(rep, local(0, 8 + n), title=f"Today {n}")
    response = rep_client.get(reverse("task_list"))
    sections = {
        key: ([t.title for t in tasks], n) for key, _l, _c, tasks, n in response.context["sections"]
    }
    assert sections["overdue"] == (["Late 2", "Late 1", "Late 0"], 5)
    assert sections["today"] == ([f"Today {n}" for n in range(5)], 5)
    assert sections["upcoming"] == (["Soon 0", "Soon 1", "Soon 2"], 5)
    page = response.content.decode()
    assert page.count('class="task-row') == 11
    assert page.count("3 of 5 shown") == 2


def test_agenda_sections_are_empty_without_tasks(rep_client):
    response = rep_client.get(reverse("task_list"))
    assert [(len(tasks), n) for _k, _l, _c, tasks, n in response.context["sections"]] == [
        (0, 0),
        (0, 0),
        (0, 0),
    ]
    assert response.content.decode().count("Nothing here.") == 3


def test_a_row_keeps_its_marks_links_and_buttons(rep_client, rep):
    prospect = f.ProspectFactory(owner=rep, first_name="Léa", last_name="Roux", mobile="")
    row = task(
        rep,
        local(-1, 9, 30),
        title="Relancer <Roux> & fils",
        prospect=prospect,
        important=True,
        is_private=True,
        priority=Task.Priority.HIGH,
        location="Lyon",
        notes="First line\nSecond line",
        frequency="weekly",
    )
    page = rep_client.get(reverse("task_list")).content.decode()
    toggle, edit = reverse("task_toggle", args=[row.pk]), reverse("task_edit", args=[row.pk])
    assert f'<li class="task-row" id="task-{row.pk}" data-task="{row.pk}">' in page
    assert f'action="{toggle}" hx-post="{toggle}"' in page
    assert (
        'name="csrfmiddlewaretoken"' in page
        and '<input type="hidden" name="next" value="/tasks/">' in page
    )
    assert 'value="1" class="task-check" aria-pressed="false" title="Mark as done">' in page
    assert (
        f'<span class="badge badge-red task-due">{local(-1, 9, 30):%d/%m/%Y} 09:30</span>' in page
    )
    assert f'href="{row.get_absolute_url()}" hx-get="{edit}"' in page
    assert "Relancer &lt;Roux&gt; &amp; fils</a>" in page
    assert 'title="Important">!</strong>' in page and 'title="Recurring"' in page
    assert 'title="Private"' in page and '<span class="badge badge-orange">high</span>' in page
    assert (
        f'<span data-task-about><a href="{prospect.get_absolute_url()}">Léa ROUX</a></span>' in page
    )
    assert "<span>Lyon</span>" in page
    assert '<div class="task-notes">First line</div>' in page


# --- the task panel of a card ----------------------------------------------------------------


def test_panel_rows_done_by_someone_in_constant_queries(rep_client, rep, other_rep):
    prospect = f.ProspectFactory(owner=rep)
    url = reverse("task_panel") + f"?prospect={prospect.pk}&todo=0&first_line=0"

    def add(count, actor):
        for n in range(count):
            done = task(rep, local(-n), prospect=prospect, notes="One\nTwo")
            activities.task_set_done(task=done, done=True, actor=actor)

    add(1, rep)
    few = queries(rep_client, url)
    add(4, other_rep)
    assert queries(rep_client, url) == few
    page = rep_client.get(url).content.decode()
    assert page.count("by Bruno Lefèvre") == 4 and page.count("by Alice Durand") == 1
    assert 'aria-pressed="true" title="Mark as to do">' in page
    assert '<div class="task-notes">One<br>Two</div>' in page


# --- the month calendar ----------------------------------------------------------------------


def test_a_month_cell_counts_the_tasks_of_its_local_day(rep_client, rep):
    """Paris time: 00:10 on the 11th is still the 10th in UTC."""
    day = dt.date(2027, 3, 10)
    zone = timezone.get_current_timezone()
    for minute in range(0, 50, 10):
        task(
            rep, dt.datetime.combine(day, dt.time(23, minute), tzinfo=zone), title=f"Late {minute}"
        )
    after = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 10), tzinfo=zone)
    task(rep, after, title="Just after midnight")
    response = rep_client.get(reverse("task_calendar") + f"?date={day}")
    cells = {c[0]: c for week in response.context["weeks"] for c in week}
    assert [t.title for t in cells[day][1]] == ["Late 0", "Late 10", "Late 20", "Late 30"]
    assert cells[day][3] == 1
    assert [t.title for t in cells[day + dt.timedelta(days=1)][1]] == ["Just after midnight"]
    assert cells[day + dt.timedelta(days=1)][3] == 0
    page = response.content.decode()
    assert page.count("1 more") == 1
    assert f'<a href="?view=day&date={day}&who=" class="calendar-day-number">10</a>' in page
