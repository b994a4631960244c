# ruff: noqa: F811 (the SMTP fixtures are imported, then requested by name)
"""Sending an e-mail from a card (issue 15, "Send from Jalon"): through a real SMTP server
(aiosmtpd), stored as a sent Message filed on every record it concerns, with the "an e-mail is
sent" automation; refused to a rep who may not see the record; nothing kept when SMTP fails."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.attachments import document_attach
from mail.models import Message, MessageAttachment
from mail.sending import NO_QUOTE, NOT_ATTACHABLE, SEND_FAILED, message_send
from pipeline.models import AutomationRule, Opportunity
from tests import factories as f
from tests.mail.send_smtp import smtp_down, smtp_server  # noqa: F401 (fixtures)
from tests.quotes.lifecycle_setup import sent_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def claire(owner):
    """A prospect of `owner` with one open project."""
    prospect = f.ProspectFactory(
        owner=owner,
        civility="Mme",
        first_name="Claire",
        last_name="Petit",
        company_name="Boulangerie Petit",
        email="claire@petit.fr",
        mobile="",
    )
    opportunity = f.OpportunityFactory(
        prospect=prospect, owner=owner, summary="Four à pain", amount=Decimal("12500")
    )
    return prospect, opportunity


def attach(target, actor, name="plan.pdf", content=b"%PDF-1.4 plan du fournil"):
    return document_attach(
        target=target,
        uploaded_file=SimpleUploadedFile(name, content, "application/pdf"),
        actor=actor,
    )


def linked(message: Message) -> set:
    found = set()
    for link in message.links.all():
        for field in ("company", "person", "prospect", "opportunity", "quote"):
            if getattr(link, f"{field}_id"):
                found.add((field, getattr(link, f"{field}_id")))
    return found


def test_an_email_from_a_prospect_arrives_with_its_attachment_and_headers(smtp_server, rep):
    prospect, opportunity = claire(rep)
    document = attach(prospect, rep)

    message = message_send(
        actor=rep,
        record=prospect,
        to=["claire@petit.fr"],
        cc=["compta@petit.fr"],
        subject="Votre four à pain",
        body="Bonjour Madame Petit,\nVoici le plan.",
        documents=[document],
    )

    sender, recipients, received = smtp_server.received[0]
    assert len(smtp_server.received) == 1
    assert sender == "crm@jalon.test"
    assert sorted(recipients) == ["claire@petit.fr", "compta@petit.fr"]
    assert received["Subject"] == "Votre four à pain"
    assert received["To"] == "claire@petit.fr"
    assert received["Cc"] == "compta@petit.fr"
    assert received["From"].addresses[0].display_name == "Alice Durand"
    assert received["Reply-To"] == "alice@example.com"
    assert received["Message-ID"] == message.message_id
    assert received.get_body(("plain",)).get_content().startswith("Bonjour Madame Petit,")
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == "plan.pdf"
    assert attachment.get_content() == b"%PDF-1.4 plan du fournil"

    message.refresh_from_db()
    assert message.direction == Message.Direction.SENT
    assert message.source == Message.Source.JALON
    assert message.owner == rep and message.filed and not message.private
    assert message.message_id.startswith("<") and message.message_id.endswith("@jalon.test>")
    assert message.to == ["claire@petit.fr"] and message.cc == ["compta@petit.fr"]
    assert linked(message) == {("prospect", prospect.pk), ("opportunity", opportunity.pk)}
    assert MessageAttachment.objects.get(message=message).document == document


def test_an_email_from_a_quote_carries_its_pdf_and_is_filed_on_the_whole_deal(smtp_server, rep):
    quote = sent_for(rep)
    opportunity = quote.opportunity

    message = message_send(
        actor=rep,
        record=quote,
        to=["jeanne@martin.fr"],
        subject="Devis",
        body="Ci-joint notre devis.",
        attach_quote=True,
    )

    [attachment] = list(smtp_server.messages[0].iter_attachments())
    assert attachment.get_filename() == f"{quote.number}.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF")
    assert linked(message) == {
        ("quote", quote.pk),
        ("opportunity", opportunity.pk),
        ("company", opportunity.company_id),
        ("person", opportunity.person_id),
    }


def test_a_sent_email_runs_the_email_sent_rule_of_its_opportunity(smtp_server, rep):
    prospect, opportunity = claire(rep)
    target = opportunity.process.steps.order_by("position")[2]
    AutomationRule.objects.create(
        process=opportunity.process, event=AutomationRule.Event.EMAIL_SENT, target_step=target
    )
    AutomationRule.objects.create(
        process=opportunity.process,
        event=AutomationRule.Event.EMAIL_RECEIVED,
        target_step=opportunity.process.steps.order_by("position")[3],
    )

    message_send(actor=rep, record=opportunity, to=["claire@petit.fr"], subject="S", body="B")

    assert Opportunity.objects.get(pk=opportunity.pk).step == target


def test_a_rep_who_may_not_see_the_record_is_refused(smtp_server, settings, rep, other_rep):
    settings.REPS_SEE_ONLY_OWN = True
    prospect, _opportunity = claire(other_rep)

    with pytest.raises(PermissionDenied):
        message_send(actor=rep, record=prospect, to=["claire@petit.fr"], subject="S", body="B")

    assert smtp_server.received == []
    assert not Message.objects.exists()


def test_the_compose_page_of_an_unseen_record_is_not_found(
    smtp_server, settings, rep_client, other_rep
):
    settings.REPS_SEE_ONLY_OWN = True
    prospect, _opportunity = claire(other_rep)
    url = reverse("mail_compose")

    assert rep_client.get(url, {"prospect": prospect.pk}).status_code == 404
    response = rep_client.post(
        url, {"prospect": prospect.pk, "to": "claire@petit.fr", "subject": "S", "body": "B"}
    )
    assert response.status_code == 404
    assert smtp_server.received == [] and not Message.objects.exists()


def test_when_smtp_fails_nothing_is_kept(smtp_down, rep):
    prospect, _opportunity = claire(rep)

    with pytest.raises(ValidationError) as refused:
        message_send(actor=rep, record=prospect, to=["claire@petit.fr"], subject="S", body="B")

    assert refused.value.messages[0].startswith(str(SEND_FAILED).split("(")[0])
    assert not Message.objects.exists()


def test_a_document_of_another_record_is_refused(smtp_server, rep):
    prospect, _opportunity = claire(rep)
    elsewhere = attach(f.CompanyFactory(owner=rep), rep)

    with pytest.raises(ValidationError) as refused:
        message_send(
            actor=rep,
            record=prospect,
            to=["claire@petit.fr"],
            subject="S",
            body="B",
            documents=[elsewhere],
        )

    assert refused.value.messages == [str(NOT_ATTACHABLE)]
    assert smtp_server.received == []


def test_the_compose_page_prefills_the_address_and_sends(smtp_server, rep_client, rep):
    prospect, _opportunity = claire(rep)
    document = attach(prospect, rep)
    url = reverse("mail_compose")

    page = rep_client.get(url, {"prospect": prospect.pk})
    assert page.status_code == 200
    assert 'value="claire@petit.fr"' in page.content.decode()
    assert "plan.pdf" in page.content.decode()

    response = rep_client.post(
        url,
        {
            "prospect": prospect.pk,
            "to": "claire@petit.fr; achats@petit.fr",
            "cc": "",
            "subject": "Rendez-vous",
            "body": "Bonjour",
            "documents": [document.pk],
            "private": "on",
        },
    )

    assert response.status_code == 302
    assert response.url == f"{prospect.get_absolute_url()}?tab=history"
    message = Message.objects.get()
    assert message.to == ["claire@petit.fr", "achats@petit.fr"] and message.private
    assert [a.get_filename() for a in smtp_server.messages[0].iter_attachments()] == ["plan.pdf"]


def test_an_htmx_send_redirects_the_page_and_a_bad_address_is_shown(smtp_server, rep_client, rep):
    prospect, _opportunity = claire(rep)
    url = reverse("mail_compose")
    data = {"prospect": prospect.pk, "subject": "S", "body": "B"}

    bad = rep_client.post(url, {**data, "to": "claire@petit"})
    assert bad.status_code == 200
    assert "“claire@petit” is not a valid e-mail address." in bad.content.decode()

    response = rep_client.post(url, {**data, "to": "claire@petit.fr"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{prospect.get_absolute_url()}?tab=history"
    assert len(smtp_server.received) == 1


def test_received_mail_runs_the_email_received_rule_and_other_events_are_refused(rep):
    from mail.services import run_email_automation
    from tests.mail.test_history import stored

    _prospect, opportunity = claire(rep)
    target = opportunity.process.steps.order_by("position")[1]
    AutomationRule.objects.create(
        process=opportunity.process,
        event=AutomationRule.Event.EMAIL_RECEIVED,
        target_step=target,
    )
    message = stored(rep, links=[opportunity])

    run_email_automation(message, AutomationRule.Event.EMAIL_RECEIVED)

    assert Opportunity.objects.get(pk=opportunity.pk).step == target
    with pytest.raises(ValueError):
        run_email_automation(message, AutomationRule.Event.TASK_DONE)


def test_a_draft_quote_offers_no_pdf_to_attach(smtp_server, rep):
    from tests.quotes.lifecycle_setup import draft_for

    draft = draft_for(rep)

    with pytest.raises(ValidationError) as refused:
        message_send(
            actor=rep, record=draft, to=["a@b.fr"], subject="S", body="B", attach_quote=True
        )
    assert refused.value.messages == [str(NO_QUOTE)]


def test_every_card_offers_to_write_and_prefills_its_contact(rep_client, rep):
    quote = sent_for(rep)
    opportunity = quote.opportunity
    records = {
        "company": (opportunity.company, "jeanne@martin.fr"),
        "person": (opportunity.person, "jeanne@martin.fr"),
        "opportunity": (opportunity, "jeanne@martin.fr"),
        "quote": (quote, "jeanne@martin.fr"),
        "prospect": (claire(rep)[0], "claire@petit.fr"),
    }
    for kind, (record, address) in records.items():
        card = rep_client.get(record.get_absolute_url()).content.decode()
        compose = f"{reverse('mail_compose')}?{kind}={record.pk}"
        assert compose in card.replace("&amp;", "&"), kind

        page = rep_client.get(compose).content.decode()
        assert f'value="{address}"' in page, kind
        assert ("Attach the quote PDF" in page) is (kind in ("opportunity", "quote")), kind
