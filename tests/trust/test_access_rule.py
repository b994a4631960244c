"""The one rule of who sees and changes which records (`core.access`): the object checks
(`can_view`, `can_change`) and the queryset filters (`visible_to`, `changeable_by`) agree on
every kind of record, for reps and managers, with REPS_SEE_ONLY_OWN on and off; private tasks
are a rule on top, stated on the task queryset."""

import pytest
from django.contrib.auth.models import AnonymousUser

from contacts.models import Company, Person, Prospect
from core.access import Reach, can_change, can_view, change_reach, view_reach
from pipeline.models import Opportunity, Task
from tests import factories as f

pytestmark = pytest.mark.django_db

MODELS = [Company, Person, Prospect, Opportunity, Task]


@pytest.fixture
def world(rep, other_rep):
    """Records of each kind owned by the rep, by another rep and by nobody; tasks also
    private, by each of them."""
    owners = [rep, other_rep, None]
    for owner in owners:
        f.CompanyFactory(owner=owner)
        f.PersonFactory(owner=owner)
        f.OpportunityFactory(prospect=f.ProspectFactory(owner=owner), owner=owner)
        for author in owners:
            for private in (False, True):
                f.TaskFactory(assignee=owner, created_by=author, is_private=private)


def _ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


@pytest.mark.parametrize("own_only", [False, True], ids=["team", "own-only"])
@pytest.mark.parametrize("who", ["rep", "manager"])
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_object_checks_agree_with_the_queryset_filters(
    world, request, settings, model, who, own_only
):
    settings.REPS_SEE_ONLY_OWN = own_only
    user = request.getfixturevalue(who)
    visible = _ids(model.objects.visible_to(user))
    changeable = _ids(model.objects.changeable_by(user))
    records = list(model.objects.all())
    assert len(records) >= 3
    for obj in records:
        assert can_view(user, obj) == (obj.pk in visible), obj
        assert can_change(user, obj) == (obj.pk in changeable), obj


def test_the_rule(rep, other_rep, manager, settings):
    settings.REPS_SEE_ONLY_OWN = False
    assert view_reach(rep) is Reach.EVERYTHING and change_reach(rep) is Reach.OWN
    assert view_reach(manager) is change_reach(manager) is Reach.EVERYTHING
    settings.REPS_SEE_ONLY_OWN = True
    assert view_reach(rep) is Reach.OWN and change_reach(rep) is Reach.OWN
    assert view_reach(manager) is Reach.EVERYTHING
    assert view_reach(AnonymousUser()) is change_reach(AnonymousUser()) is Reach.NOTHING

    theirs, mine, nobodys = (f.CompanyFactory(owner=owner) for owner in (other_rep, rep, None))
    assert [can_change(rep, c) for c in (theirs, mine, nobodys)] == [False, True, True]
    assert [can_view(rep, c) for c in (theirs, mine, nobodys)] == [False, True, True]
    settings.REPS_SEE_ONLY_OWN = False
    assert [can_view(rep, c) for c in (theirs, mine, nobodys)] == [True, True, True]
    assert all(can_change(manager, c) for c in (theirs, mine, nobodys))
    assert not can_view(AnonymousUser(), mine)
    assert not Company.objects.visible_to(AnonymousUser()).exists()


def test_private_tasks_show_to_their_assignee_and_author_only(rep, other_rep, manager):
    theirs = f.TaskFactory(assignee=other_rep, created_by=other_rep, is_private=True)
    given_to_me = f.TaskFactory(assignee=rep, created_by=other_rep, is_private=True)
    written_by_me = f.TaskFactory(assignee=other_rep, created_by=rep, is_private=True)
    for user, readable in [
        (rep, {given_to_me, written_by_me}),
        (manager, set()),
        (other_rep, {theirs, given_to_me, written_by_me}),
    ]:
        assert set(Task.objects.visible_to(user)) == readable
        assert {t for t in (theirs, given_to_me, written_by_me) if can_view(user, t)} == readable
        # The others' private tasks still take time in the calendar.
        assert set(Task.objects.busy_for(user)) == {theirs, given_to_me, written_by_me}
