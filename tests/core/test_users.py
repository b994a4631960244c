"""The team as lists and labels show it (`core.users`): every pick list and every name shown
comes from `active_users` and `user_label`."""

import pytest
from django.template import Context, Template

from contacts.filters import CompanyFilter
from contacts.forms import CompanyRepForm
from core.users import active_users, user_label
from forecasting.filters import ForecastFilter
from pipeline.forms import TaskFilter, TaskForm
from prospects.filters import ProspectFilter
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(rep, other_rep, manager):
    gone = f.RepFactory(username="zoe", first_name="Zoé", is_active=False)
    nameless = f.RepFactory(username="aaron", first_name="", last_name="")
    namesake = f.RepFactory(username="adurand2", first_name="Alice", last_name="Bernard")
    return {"gone": gone, "nameless": nameless, "namesake": namesake}


def test_active_users_in_the_order_of_their_names(rep, other_rep, manager, team):
    users = list(active_users())
    assert team["gone"] not in users
    # First name, then last name ("Alice Bernard" before "Alice Durand"), then user name.
    assert users == [team["nameless"], team["namesake"], rep, other_rep, manager]


def test_user_label(rep, team):
    assert user_label(rep) == "Alice Durand"
    assert user_label(team["nameless"]) == "aaron"
    assert user_label(None) == ""
    template = Template("{% load core_tags %}{{ someone|user_label }}|{{ nobody|user_label }}")
    assert template.render(Context({"someone": rep, "nobody": None})) == "Alice Durand|—"


def test_pick_lists_offer_the_active_users_by_their_labels(rep, manager, team):
    expected = [(u.pk, user_label(u)) for u in active_users()]

    def choices(field):
        return [(int(str(value)), label) for value, label in field.choices if value]

    assert choices(CompanyRepForm().fields["user"]) == expected
    assert choices(TaskForm().fields["assignee"]) == expected
    company_filters = CompanyFilter().filters
    for name in ("owner", "rep"):
        listed = company_filters[name].extra["choices"]  # read when the form is drawn
        listed = listed() if callable(listed) else listed
        assert [(int(pk), label) for pk, label in listed] == expected
    prospect_owners = ProspectFilter(user=rep).filters["owner"].extra["choices"]
    prospect_owners = (prospect_owners() if callable(prospect_owners) else prospect_owners)[2:]
    assert [(int(pk), label) for pk, label in prospect_owners] == expected
    task_assignees = TaskFilter(user=manager, team=True).filters["assignee"].extra["choices"][2:]
    assert [(int(pk), label) for pk, label in task_assignees] == [
        (pk, label) for pk, label in expected if pk != manager.pk
    ]
    forecast = ForecastFilter(user=manager)
    assert forecast.form.fields["owner"].label_from_instance(rep) == "Alice Durand"
