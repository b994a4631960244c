"""Prextra's "copy into" for prospects (manual 003): a new prospect with the same values in
another process, with an opportunity at its first step; the original and its opportunities kept."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from contacts.models import Note, Prospect
from pipeline.models import Opportunity
from pipeline.services import opportunities as opportunity_services
from prospects.copies import prospect_copy_to_process
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def heye(rep, default_process):
    prospect = f.ProspectFactory(
        owner=rep, last_name="Héyé", first_name="Laure", company_name="DODO SAS", notes="Met"
    )
    prospect.categories.add(f.CategoryFactory(name="Salon"))
    prospect.extra = {"surface": "120"}
    prospect.save()
    opportunity_services.opportunity_create(
        actor=rep,
        process=default_process,
        prospect=prospect,
        summary="Roof",
        amount=Decimal("20000"),
    )
    return prospect


@pytest.fixture
def prostep(db):
    return f.ProcessFactory(name="PROSTEP", steps=[("Send documentation", 3, 20), ("Call", 5, 50)])


def test_copy_into_another_process(rep, heye, prostep):
    copy = prospect_copy_to_process(prospect=heye, process=prostep, actor=rep)
    assert copy.pk != heye.pk
    assert (copy.last_name, copy.first_name, copy.company_name, copy.notes, copy.extra) == (
        "Héyé",
        "Laure",
        "DODO SAS",
        "Met",
        {"surface": "120"},
    )
    assert [c.name for c in copy.categories.all()] == ["Salon"]
    new = Opportunity.objects.get(prospect=copy)
    assert new.process == prostep and new.step == prostep.steps.order_by("position").first()
    assert (new.summary, new.amount, new.probability) == ("Roof", Decimal("20000"), 20)
    # The original keeps its own opportunity, in its own process.
    assert Opportunity.objects.get(prospect=heye).process != prostep
    assert Note.objects.get(object_id=copy.pk).subject.startswith("Copied from Laure HÉYÉ")


def test_copy_refused_without_the_process_right(rep, heye, prostep):
    prostep.modify_groups.set([Group.objects.create(name="Elsewhere")])
    with pytest.raises(opportunity_services.MoveRefused):
        prospect_copy_to_process(prospect=heye, process=prostep, actor=rep)
    assert Prospect.objects.count() == 1  # rolled back


def test_copy_refused_for_a_prospect_the_user_may_not_see(rep, other_rep, prostep, settings):
    settings.REPS_SEE_ONLY_OWN = True
    theirs = f.ProspectFactory(owner=other_rep)
    with pytest.raises(PermissionDenied):
        prospect_copy_to_process(prospect=theirs, process=prostep, actor=rep)


def test_copy_page(rep_client, rep, heye, prostep):
    url = reverse("prospect_copy", args=[heye.pk])
    page = rep_client.get(url).content.decode()
    assert "PROSTEP" in page
    response = rep_client.post(url, {"process": prostep.pk})
    copy = Prospect.objects.exclude(pk=heye.pk).get()
    assert response.status_code == 302 and response["Location"] == copy.get_absolute_url()
    assert rep_client.post(url, {"process": "nope"}).status_code == 400


def test_copy_page_lists_only_processes_the_rep_may_add_to(rep_client, heye, prostep):
    prostep.modify_groups.set([Group.objects.create(name="Elsewhere")])
    page = rep_client.get(reverse("prospect_copy", args=[heye.pk])).content.decode()
    assert "PROSTEP" not in page
    response = rep_client.post(reverse("prospect_copy", args=[heye.pk]), {"process": prostep.pk})
    assert response.status_code == 400 and Prospect.objects.count() == 1


def test_prospect_card_offers_copy_into(rep_client, heye):
    html = rep_client.get(heye.get_absolute_url()).content.decode()
    assert reverse("prospect_copy", args=[heye.pk]) in html


# Who may copy: the copy is a new prospect the user owns, so reading the original is enough on
# its side (seeing it); on the other, the user must be allowed to add opportunities to the
# target process, and the target must be another process: one the prospect already has an
# opportunity in would only get a duplicate.


def test_copy_refused_into_a_process_the_prospect_is_already_in(rep, heye, default_process):
    with pytest.raises(ValidationError) as refusal:
        prospect_copy_to_process(prospect=heye, process=default_process, actor=rep)
    assert refusal.value.code == "already_in_process"
    assert Prospect.objects.count() == 1


def test_copy_page_leaves_out_the_prospects_own_processes(
    rep_client, heye, default_process, prostep
):
    url = reverse("prospect_copy", args=[heye.pk])
    form = rep_client.get(url).context["form"]
    assert list(form.fields["process"].queryset) == [prostep]
    response = rep_client.post(url, {"process": default_process.pk})
    assert response.status_code == 400 and Prospect.objects.count() == 1


def test_a_user_outside_the_sales_team_may_see_but_not_copy(client, heye, prostep):
    from tests.conftest import sign_in

    reader = f.UserFactory(username="reader")
    sign_in(client, reader)
    url = reverse("prospect_copy", args=[heye.pk])
    page = client.get(url)
    assert page.status_code == 200 and list(page.context["form"].fields["process"].queryset) == []
    assert "no process you may add opportunities to" in page.content.decode()
    assert client.post(url, {"process": prostep.pk}).status_code == 400
    with pytest.raises(opportunity_services.MoveRefused):
        prospect_copy_to_process(prospect=heye, process=prostep, actor=reader)
    assert Prospect.objects.count() == 1


def test_a_colleagues_prospect_is_copied_as_the_users_own(rep, other_rep, prostep):
    theirs = f.ProspectFactory(owner=other_rep, last_name="Roux")
    copy = prospect_copy_to_process(prospect=theirs, process=prostep, actor=rep)
    assert copy.owner == rep and theirs.owner == other_rep
    assert Opportunity.objects.get(prospect=copy).owner == rep
