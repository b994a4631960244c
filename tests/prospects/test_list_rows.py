"""The prospect list's rows and filter bar, written in the view rather than through template
filters and widget templates (issue 20): the same texts, in English and in French."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.forms.renderers import DjangoTemplates
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from contacts.models import Prospect
from core.columns import LISTS, list_columns_save
from pipeline.models import Opportunity
from prospects.filters import ProspectFilter
from tests import factories as f

pytestmark = pytest.mark.django_db
HTMX_ROWS = {"HX-Request": "true", "HX-Target": "prospect-rows"}


@pytest.fixture
def listed(rep, default_process):
    """A prospect with two categories, an open opportunity with a next action and an expected
    date, and a second (won) one; and an unassigned prospect without opportunity."""
    prospect = f.ProspectFactory(
        owner=rep, first_name="Léa", last_name="Martin", company_name="A & B", city="Rennes"
    )
    prospect.categories.add(
        f.CategoryFactory(name="Hot", colour="#ff0000"), f.CategoryFactory(name="Cold")
    )
    at = timezone.make_aware(dt.datetime(2026, 11, 6, 15, 4))
    main = f.OpportunityFactory(
        prospect=prospect,
        owner=rep,
        summary="Roof <new>",
        amount=Decimal("12345.50"),
        probability=40,
        expected_date=dt.date(2026, 12, 1),
        next_action_at=at,
        action_colour="red",
    )
    f.OpportunityFactory(prospect=prospect, owner=rep, status=Opportunity.Status.WON)
    alone = f.ProspectFactory(owner=None, first_name="", last_name="", company_name="Solo")
    return prospect, main, alone


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_row_shows_what_the_template_filters_wrote(rep_client, rep, listed, language):
    prospect, main, alone = listed
    list_columns_save(user=rep, list_name="prospects", names=[c.name for c in LISTS["prospects"]])
    with translation.override(language):
        html = rep_client.get("/prospects/", headers={"Accept-Language": language}).content.decode()
        at = timezone.localtime(main.next_action_at)
        created = timezone.localtime(prospect.created_at)
        expected = [
            f'<tr data-prospect="{prospect.pk}" class="clickable" data-select-row '
            f'hx-get="/prospects/{prospect.pk}/panel/"',
            f'aria-label="{translation.gettext("Select")} Léa MARTIN (A &amp; B)"',
            f'<a class="cut" href="/prospects/{prospect.pk}/" title="Léa MARTIN">Léa MARTIN</a>',
            '<span class="badge category-badge" data-category-colour="#ff0000">Hot</span>',
            f'<a class="cut" href="/opportunities/{main.pk}/" title="Roof &lt;new&gt;">',
            translation.ngettext(
                "%(counter)s other opportunity", "%(counter)s other opportunities", 1
            )
            % {"counter": 1},
            f'<span class="badge status-open">{Opportunity.Status.OPEN.label}</span>',
            f'title="{date_filter(at, "l j F Y H:i")}">{date_filter(at, "d/m/y H:i")}</span>',
            f"{floatformat(main.amount, '0g')}&nbsp;€",
            '<td class="num col-p3">40</td>',
            f'<span title="{date_filter(main.expected_date, "j F Y")}">01/12/26</span>',
            f'title="{rep.get_full_name()}"',
            f'<a class="cut" href="/prospects/{alone.pk}/" title="">—</a>',
            '<span class="cut" title="—">—</span>',  # nobody owns it
            f'<td class="col-p4 col-date muted">{date_filter(created, "d/m/y")}</td>',
        ]
    for text in expected:
        assert text in html, text


def test_the_rows_alone_read_none_of_the_filter_bars_lists(client, rep, listed):
    from tests.conftest import sign_in

    sign_in(client, rep)
    client.get("/prospects/")
    with CaptureQueriesContext(connection) as full:
        client.get("/prospects/")
    with CaptureQueriesContext(connection) as rows:
        html = client.get("/prospects/", headers=HTMX_ROWS).content.decode()
    assert "Léa MARTIN" in html and 'id="id_owner"' not in html
    lists = ('SELECT "contacts_channel"', 'SELECT "pipeline_step"', 'SELECT "contacts_category"')
    read = [q["sql"] for q in rows.captured_queries if q["sql"].startswith(lists)]
    assert read == []
    assert len(rows.captured_queries) == len(full.captured_queries) - 4


def _spaces_out(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize(
    "data",
    [None, {"owner": "me", "status": "won"}, {"owner": "nobody", "step": "999999"}],
)
def test_the_filter_bar_selects_are_djangos(rep, other_rep, default_process, data):
    f.CategoryFactory(name="Hot & cold")
    form = ProspectFilter(data, queryset=Prospect.objects.all(), user=rep).form
    form.is_valid()
    by_templates = ProspectFilter(data, queryset=Prospect.objects.all(), user=rep).form
    by_templates.renderer = DjangoTemplates()
    by_templates.is_valid()
    for field in form:
        if field.name != "q":
            assert _spaces_out(field) == _spaces_out(by_templates[field.name]), field.name
