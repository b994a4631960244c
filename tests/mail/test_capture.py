"""Filing captured e-mail on the records it concerns (mail/capture/filing.py)."""

import pytest

from contacts.models import Document
from mail.capture.filing import message_capture, records_for_addresses
from mail.models import Message, MessageAttachment, MessageLink
from pipeline.models import Opportunity
from tests import factories as f
from tests.concurrency import in_threads, postgresql_only
from tests.mail.mails import eml
from tests.mail.outlook import msg_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mail_media")]

MAILBOX = Message.Source.MAILBOX


def capture(raw, **kwargs):
    return message_capture(raw=raw, source=kwargs.pop("source", MAILBOX), **kwargs)


def linked(message, field):
    return {
        getattr(link, field)
        for link in MessageLink.objects.filter(message=message)
        if getattr(link, field)
    }


def test_a_message_bcc_by_a_rep_is_filed_on_the_person_and_her_company(rep):
    company = f.CompanyFactory(name="Client SA")
    person = f.PersonFactory(email="Jean.Client@client.fr")
    f.AffiliationFactory(person=person, company=company)
    result = capture(eml(sender=f"Alice <{rep.email}>", to=["jean.client@client.fr"]))
    message = result.message
    assert result.created
    assert message.owner == rep
    assert message.direction == Message.Direction.SENT
    assert message.filed
    assert linked(message, "person") == {person}
    assert linked(message, "company") == {company}
    assert message.raw.read().startswith(b"From:")


def test_a_received_message_is_filed_on_the_prospect_and_its_one_open_opportunity(rep):
    prospect = f.ProspectFactory(mobile="", email="lead@client.fr", owner=rep)
    opportunity = f.OpportunityFactory(prospect=prospect)
    message = capture(eml(sender="lead@client.fr", to=[rep.email])).message
    assert message.owner == rep
    assert message.direction == Message.Direction.RECEIVED
    assert linked(message, "prospect") == {prospect}
    assert linked(message, "opportunity") == {opportunity}


def test_with_two_open_opportunities_none_is_linked(rep):
    prospect = f.ProspectFactory(mobile="", email="lead@client.fr", owner=rep)
    f.OpportunityFactory(prospect=prospect)
    f.OpportunityFactory(prospect=prospect)
    f.OpportunityFactory(prospect=prospect, status=Opportunity.Status.LOST)
    message = capture(eml(sender="lead@client.fr", to=[rep.email])).message
    assert linked(message, "prospect") == {prospect}
    assert linked(message, "opportunity") == set()


def test_a_forward_is_filed_on_the_original_sender_not_on_the_rep(rep):
    person = f.PersonFactory(email="marie@client.fr")
    text = (
        "Pour info.\n\n-------- Message transféré --------\n"
        "Sujet : Demande de devis\nDate : lun. 3 nov. 2025 10:00\n"
        "De : Marie Client <marie@client.fr>\nPour : Alice <alice@example.com>\n\nBonjour...\n"
    )
    message = capture(eml(sender=rep.email, to=["capture@jalon.test"], text=text)).message
    assert message.owner == rep
    assert message.direction == Message.Direction.RECEIVED
    assert linked(message, "person") == {person}


def test_an_english_forward_with_attached_message_is_filed_on_its_sender(rep):
    from email.message import EmailMessage

    person = f.PersonFactory(email="bob@client.co.uk")
    original = EmailMessage()
    original["From"] = "Bob <bob@client.co.uk>"
    original["To"] = rep.email
    original["Subject"] = "Quote"
    original.set_content("Hello")
    outer = EmailMessage()
    outer["From"] = rep.email
    outer["To"] = "capture@jalon.test"
    outer["Subject"] = "Fwd: Quote"
    outer["Message-ID"] = "<fwd-1@example.com>"
    outer.set_content("See below")
    outer.add_attachment(original)
    message = capture(outer.as_bytes()).message
    assert linked(message, "person") == {person}


def test_company_by_domain_only_when_no_person_matches(rep):
    company = f.CompanyFactory(website="https://www.acme-industrie.fr/contact")
    f.CompanyFactory(website="https://autre.fr")
    records = records_for_addresses(["nouveau@acme-industrie.fr", "x@gmail.com"])
    assert records == [company]
    person = f.PersonFactory(email="connu@acme-industrie.fr")
    records = records_for_addresses(["connu@acme-industrie.fr", "nouveau@acme-industrie.fr"])
    assert company not in records and person in records


def test_the_same_message_is_filed_once_whatever_the_retries(rep):
    f.PersonFactory(email="jean.client@client.fr")
    raw = eml(message_id="<once@client.fr>", to=[rep.email])
    first = capture(raw)
    again = capture(raw)
    assert first.created and not again.created
    assert again.message == first.message
    assert Message.objects.count() == 1
    assert MessageLink.objects.count() == 1


def test_a_message_without_message_id_gets_one_from_its_bytes(rep):
    raw = b"From: x@client.fr\r\nTo: alice@example.com\r\nSubject: sans id\r\n\r\nbonjour\r\n"
    first = capture(raw).message
    assert first.message_id.endswith("@jalon.invalid>")
    assert not capture(raw).created


def test_attachments_become_documents_of_each_filed_record(rep):
    company = f.CompanyFactory()
    person = f.PersonFactory(email="jean.client@client.fr")
    f.AffiliationFactory(person=person, company=company)
    raw = eml(to=[rep.email], attachments=[("devis.pdf", b"%PDF-1.4 x", "application/pdf")])
    message = capture(raw).message
    documents = Document.objects.filter(mail_attachments__message=message)
    assert {d.target for d in documents} == {company, person}
    assert {d.name for d in documents} == {"devis.pdf"}
    assert MessageAttachment.objects.filter(message=message).count() == 2


def test_threading_by_references_and_in_reply_to(rep):
    f.PersonFactory(email="jean.client@client.fr")
    first = capture(eml(message_id="<1@client.fr>", to=[rep.email])).message
    second = capture(
        eml(message_id="<2@client.fr>", in_reply_to="<1@client.fr>", references="<1@client.fr>")
    ).message
    third = capture(
        eml(
            message_id="<3@client.fr>",
            in_reply_to="<2@client.fr>",
            references="<1@client.fr> <2@client.fr>",
        )
    ).message
    assert first.thread is None
    assert second.thread == first
    assert third.thread == first


def test_a_reply_captured_before_its_parent_joins_the_thread_later(rep):
    reply = capture(eml(message_id="<r@client.fr>", in_reply_to="<p@client.fr>")).message
    parent = capture(eml(message_id="<p@client.fr>")).message
    reply.refresh_from_db()
    assert reply.thread == parent


def test_a_message_sent_by_nobody_known_waits_unfiled(rep):
    message = capture(eml(sender="inconnu@ailleurs.fr", to=["capture@jalon.test"])).message
    assert not message.filed
    assert message.owner is None


def test_a_dropped_file_belongs_to_the_rep_and_is_filed_on_the_card(rep):
    prospect = f.ProspectFactory(mobile="", owner=rep)
    raw = eml(sender="inconnu@ailleurs.fr", to=["autre@ailleurs.fr"])
    message = capture(raw, source=Message.Source.UPLOAD, actor=rep, record=prospect).message
    assert message.owner == rep
    assert message.source == Message.Source.UPLOAD
    assert linked(message, "prospect") == {prospect}
    other = f.ProspectFactory(mobile="", owner=rep)
    again = capture(raw, source=Message.Source.UPLOAD, actor=rep, record=other)
    assert not again.created
    assert linked(message, "prospect") == {prospect, other}


def test_an_outlook_msg_is_read_with_extract_msg_and_filed(rep):
    person = f.PersonFactory(email="marie@client.fr")
    headers = (
        "From: Marie Client <marie@client.fr>\r\nTo: alice@example.com\r\n"
        "Subject: Devis Outlook\r\nDate: Mon, 3 Nov 2025 10:00:00 +0100\r\n"
        "Message-ID: <outlook-1@client.fr>\r\n\r\n"
    )
    raw = msg_file(
        subject="Devis Outlook",
        sender="marie@client.fr",
        sender_name="Marie Client",
        to=rep.email,
        body="Bonjour depuis Outlook",
        headers=headers,
    )
    message = capture(raw, source=Message.Source.UPLOAD, actor=rep).message
    assert message.message_id == "<outlook-1@client.fr>"
    assert (message.subject, message.from_address, message.from_name) == (
        "Devis Outlook",
        "marie@client.fr",
        "Marie Client",
    )
    assert message.body_text == "Bonjour depuis Outlook"
    assert message.sent_at.year == 2025
    assert message.raw.name.endswith(".msg")
    assert linked(message, "person") == {person}


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_same_message_captured_at_once_by_two_workers_is_stored_once(mail_media):
    """The beat task and `fetch_mail` running together: the unique Message-ID decides, the
    loser reads the winner's message."""
    f.PersonFactory(email="jean.client@client.fr")
    raw = eml(message_id="<race@client.fr>", to=["capture@jalon.test"])
    results = in_threads(lambda i: capture(raw), 4)
    assert not [r for r in results if isinstance(r, Exception)]
    assert sum(r.created for r in results) == 1
    assert {r.message.pk for r in results} == {Message.objects.get().pk}
    assert MessageLink.objects.count() == 1
