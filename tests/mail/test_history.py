# ruff: noqa: F811 (the SMTP fixture is imported, then requested by name)
"""E-mails in the History tab of every record they concern, the message page (HTML sanitised
with nh3), and who may read them (`mail.selectors.messages_visible_to`): the owner, managers,
whoever sees a linked record unless the message is private; unfiled mail only its owner."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mail.models import Message, MessageLink
from mail.selectors import messages_visible_to
from mail.sending import message_send
from tests import factories as f
from tests.mail.send_smtp import smtp_server  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def deal(owner):
    """A company, its contact, the prospect file linked to both, and its opportunity."""
    company = f.CompanyFactory(name="Transports Martin", owner=owner)
    person = f.PersonFactory(first_name="Paul", last_name="Martin", email="paul@martin.fr")
    person.owner = owner
    person.save()
    f.AffiliationFactory(person=person, company=company, is_default=True)
    prospect = f.ProspectFactory(
        owner=owner, company=company, person=person, email="paul@martin.fr", mobile=""
    )
    opportunity = f.OpportunityFactory(prospect=prospect, owner=owner, summary="Flotte 2026")
    return company, person, prospect, opportunity


def stored(owner, *, links=(), private=False, subject="Hello", **fields) -> Message:
    """A message as capture or sending stores it (for reading tests)."""
    message = Message.objects.create(
        message_id=f"<{Message.objects.count()}.{subject}@test>",
        direction=Message.Direction.RECEIVED,
        source=Message.Source.MAILBOX,
        subject=subject,
        from_address="paul@martin.fr",
        owner=owner,
        private=private,
        filed=bool(links),
        **fields,
    )
    for record in links:
        field = type(record).__name__.lower()
        MessageLink.objects.create(message=message, **{field: record})
    return message


def history(client, **record) -> str:
    [(kind, obj)] = record.items()
    response = client.get(reverse("history_panel"), {kind: obj.pk})
    assert response.status_code == 200
    return response.content.decode()


def test_a_sent_email_shows_in_the_history_of_each_record_it_concerns(smtp_server, rep, rep_client):
    company, person, prospect, opportunity = deal(rep)
    message = message_send(
        actor=rep, record=opportunity, to=["paul@martin.fr"], subject="Votre flotte", body="B"
    )
    detail = reverse("mail_detail", args=[message.pk])

    for record in ({"company": company}, {"person": person}, {"prospect": prospect}):
        page = history(rep_client, **record)
        assert "Votre flotte" in page and detail in page
        assert "E-mail sent" in page and "to paul@martin.fr" in page
    assert detail in history(rep_client, opportunity=opportunity)


def test_the_team_reads_shared_mail_but_not_private_mail(rep, other_rep, manager, client):
    company, _person, _prospect, _opportunity = deal(rep)
    shared = stored(rep, links=[company], subject="Shared")
    private = stored(rep, links=[company], private=True, subject="Private")

    assert set(messages_visible_to(rep)) == {shared, private}
    assert set(messages_visible_to(other_rep)) == {shared}
    assert set(messages_visible_to(manager)) == {shared, private}

    client.force_login(other_rep)
    page = history(client, company=company)
    assert "Shared" in page and "Private" not in page
    assert client.get(reverse("mail_detail", args=[private.pk])).status_code == 404
    assert client.get(reverse("mail_detail", args=[shared.pk])).status_code == 200


def test_a_rep_who_cannot_see_the_record_cannot_read_its_mail(settings, rep, other_rep):
    settings.REPS_SEE_ONLY_OWN = True
    company, *_rest = deal(rep)
    message = stored(rep, links=[company])

    assert list(messages_visible_to(other_rep)) == []
    assert list(messages_visible_to(rep)) == [message]


def test_unfiled_mail_is_seen_by_its_owner_only_and_ownerless_by_managers(rep, other_rep, manager):
    personal = stored(rep, subject="Personal")
    nobodys = stored(None, subject="Nobody's")

    assert list(messages_visible_to(rep)) == [personal]
    assert list(messages_visible_to(other_rep)) == []
    assert list(messages_visible_to(manager)) == [nobodys]


def test_the_message_page_shows_sanitised_html_and_its_headers(rep, rep_client):
    company, *_rest = deal(rep)
    message = stored(
        rep,
        links=[company],
        subject="Devis signé",
        to=["alice@example.com"],
        cc=["compta@martin.fr"],
        body_html=(
            '<p onclick="steal()">Bonjour <b>Alice</b></p><script>alert(1)</script>'
            '<img src="x" onerror="steal()"><a href="javascript:steal()">lien</a>'
            "<style>body{display:none}</style>"
        ),
        sent_at=timezone.now(),
    )

    page = rep_client.get(reverse("mail_detail", args=[message.pk])).content.decode()
    body = page[page.index('class="mail-body') : page.index("</article>")]

    assert "Devis signé" in page and "paul@martin.fr" in page and "compta@martin.fr" in page
    assert "Bonjour <b>Alice</b>" in body
    for dangerous in ("<script", "alert(1)", "onclick", "onerror", "javascript:", "display:none"):
        assert dangerous not in body
    assert company.get_absolute_url() in page


def test_the_owner_marks_a_message_private_and_another_rep_may_not(rep, other_rep):
    company, *_rest = deal(rep)
    message = stored(rep, links=[company])
    url = reverse("mail_private", args=[message.pk])

    rep_client, client = Client(), Client()
    rep_client.force_login(rep)
    client.force_login(other_rep)
    assert client.post(url, {"private": "1"}).status_code == 403

    response = rep_client.post(url, {"private": "1"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.private
    assert client.post(url, {"private": "0"}).status_code == 404


def test_the_history_query_count_does_not_grow_with_the_messages(rep, rep_client):
    company, person, prospect, opportunity = deal(rep)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            history(rep_client, prospect=prospect)
        return len(captured)

    history(rep_client, prospect=prospect)  # the session's first request records it
    stored(rep, links=[prospect, opportunity], subject="First")
    few = queries()
    for n in range(30):
        stored(rep, links=[prospect, opportunity, company], subject=f"Message {n}")
    many = queries()

    assert many == few
    assert history(rep_client, prospect=prospect).count('data-kind="email"') == 31
