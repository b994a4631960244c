"""The inbox of unfiled mail, a dropped file, and filing by hand (mail/capture/views.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.choices import Origin
from contacts.models import Prospect
from mail.capture.filing import message_capture
from mail.fetching import LOGIN_REFUSED
from mail.models import MailboxStatus, Message, MessageLink
from tests import factories as f
from tests.mail.mails import eml

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mail_media")]


def unfiled(owner=None, **kwargs):
    raw = eml(sender="inconnu@ailleurs.fr", to=["x@ailleurs.fr"], **kwargs)
    source = Message.Source.UPLOAD if owner else Message.Source.MAILBOX
    return message_capture(raw=raw, source=source, actor=owner).message


def upload(client, raw, name="message.eml", **data):
    file = SimpleUploadedFile(name, raw, content_type="message/rfc822")
    return client.post(reverse("mail_upload"), {"file": file, **data})


def test_an_uploaded_eml_matching_nobody_waits_in_the_uploaders_inbox(rep_client, rep):
    response = upload(rep_client, eml(sender="inconnu@ailleurs.fr", subject="Salon Batimat"))
    assert response.status_code == 302 and response.url == reverse("mail_inbox")
    message = Message.objects.get()
    assert message.owner == rep and message.source == Message.Source.UPLOAD
    page = rep_client.get(reverse("mail_inbox"))
    assert "Salon Batimat" in page.content.decode()


def test_an_uploaded_eml_dropped_on_a_card_is_filed_there(rep_client, rep):
    prospect = f.ProspectFactory(mobile="", owner=rep)
    url = prospect.get_absolute_url()
    response = upload(rep_client, eml(sender="inconnu@ailleurs.fr"), prospect=prospect.pk, next=url)
    assert response.status_code == 302 and response.url == url
    assert MessageLink.objects.get().prospect == prospect


def test_upload_refuses_what_is_not_an_email(rep_client):
    response = upload(rep_client, b"%PDF-1.4", name="devis.pdf")
    assert response.status_code == 400
    assert "Drop an e-mail file (.eml or .msg)." in response.content.decode()
    assert not Message.objects.exists()


def test_upload_on_a_card_the_rep_cannot_see_is_refused(rep_client, other_rep, settings):
    settings.REPS_SEE_ONLY_OWN = True
    prospect = f.ProspectFactory(mobile="", owner=other_rep)
    response = upload(rep_client, eml(), prospect=prospect.pk)
    assert response.status_code == 404
    assert not Message.objects.exists()


def test_the_inbox_shows_only_the_reps_own_unfiled_mail(rep_client, rep, other_rep):
    unfiled(rep, subject="Mine")
    unfiled(other_rep, subject="Personal of another rep")
    unfiled(None, subject="Nobody's")
    content = rep_client.get(reverse("mail_inbox")).content.decode()
    assert "Mine" in content
    assert "Personal of another rep" not in content
    assert "Nobody&#x27;s" not in content and "Nobody's" not in content


def test_managers_see_mail_of_nobody_and_the_mailbox_status(manager_client, rep):
    unfiled(None, subject="Nobody's mail")
    unfiled(rep, subject="A rep's personal mail")
    MailboxStatus.objects.create(error=str(LOGIN_REFUSED) % {"user": "capture@x.fr"})
    content = manager_client.get(reverse("mail_inbox")).content.decode()
    assert "Nobody" in content
    assert "A rep&#x27;s personal mail" not in content
    assert "refused the login of capture@x.fr" in content


def test_reps_do_not_see_the_mailbox_status(rep_client):
    MailboxStatus.objects.create(error="secret detail")
    content = rep_client.get(reverse("mail_inbox")).content.decode()
    assert "secret detail" not in content and "data-mailbox-status" not in content


def test_search_then_file_on_a_record_in_one_click(rep_client, rep):
    message = unfiled(rep)
    prospect = f.ProspectFactory(
        mobile="", owner=rep, last_name="Lambert", company_name="Menuiserie Lambert"
    )
    opportunity = f.OpportunityFactory(prospect=prospect)
    results = rep_client.get(
        reverse("mail_file_search", args=[message.pk]), {"q": "lambert"}, HTTP_HX_REQUEST="true"
    )
    assert f'data-file-on="prospect-{prospect.pk}"' in results.content.decode()
    response = rep_client.post(
        reverse("mail_file", args=[message.pk]), {"prospect": prospect.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and response.content == b""
    message.refresh_from_db()
    assert message.filed
    assert {link.prospect or link.opportunity for link in message.links.all()} == {
        prospect,
        opportunity,
    }
    assert "message" not in rep_client.get(reverse("mail_inbox")).context or not list(
        rep_client.get(reverse("mail_inbox")).context["page"]
    )


def test_file_search_without_htmx_is_a_page(rep_client, rep):
    message = unfiled(rep)
    f.CompanyFactory(name="Boulangerie Martin")
    response = rep_client.get(reverse("mail_file_search", args=[message.pk]), {"q": "martin"})
    assert response.status_code == 200
    assert "Boulangerie Martin" in response.content.decode()
    assert "<html" in response.content.decode()


def test_make_a_prospect_from_a_message(rep_client, rep):
    text = "Nom : Girard\nPrénom : Lucie\nSociété : Girard Paysage\nTéléphone : 04 78 00 00 00\n"
    message = message_capture(
        raw=eml(sender="Lucie Girard <lucie@girard-paysage.fr>", to=["x@y.fr"], text=text),
        source=Message.Source.UPLOAD,
        actor=rep,
    ).message
    response = rep_client.post(reverse("mail_make_prospect", args=[message.pk]))
    prospect = Prospect.objects.get()
    assert response.status_code == 302 and response.url == prospect.get_absolute_url()
    assert (prospect.last_name, prospect.first_name, prospect.company_name) == (
        "Girard",
        "Lucie",
        "Girard Paysage",
    )
    assert prospect.email == "lucie@girard-paysage.fr"
    assert prospect.owner == rep and prospect.origin == Origin.EMAIL
    assert MessageLink.objects.get(message=message).prospect == prospect


def test_make_a_prospect_of_a_known_address_files_it_on_the_existing_one(rep_client, rep):
    existing = f.ProspectFactory(mobile="", owner=rep, email="lucie@girard-paysage.fr")
    message = message_capture(
        raw=eml(sender="lucie@girard-paysage.fr", to=["x@y.fr"]),
        source=Message.Source.UPLOAD,
        actor=rep,
    ).message
    MessageLink.objects.filter(message=message).delete()
    rep_client.post(reverse("mail_make_prospect", args=[message.pk]))
    assert Prospect.objects.count() == 1
    assert MessageLink.objects.get(message=message).prospect == existing


def test_set_aside_as_private_and_delete(rep_client, rep):
    private, deleted = unfiled(rep, subject="Perso"), unfiled(rep, subject="Pub")
    url = reverse("mail_inbox_action", args=[private.pk])
    assert rep_client.post(url, {"action": "private"}).status_code == 302
    private.refresh_from_db()
    assert private.private
    raw_name = deleted.raw.name
    rep_client.post(reverse("mail_inbox_action", args=[deleted.pk]), {"action": "delete"})
    assert not Message.objects.filter(pk=deleted.pk).exists()
    assert raw_name
    content = rep_client.get(reverse("mail_inbox")).content.decode()
    assert "Perso" not in content and "Pub" not in content


def test_a_rep_may_not_act_on_a_message_seen_through_a_record(rep_client, other_rep):
    prospect = f.ProspectFactory(mobile="", owner=other_rep, email="client@ailleurs.fr")
    message = message_capture(
        raw=eml(sender="client@ailleurs.fr", to=[other_rep.email]), source=Message.Source.MAILBOX
    ).message
    assert MessageLink.objects.get(message=message).prospect == prospect
    for name in ("mail_make_prospect", "mail_inbox_action"):
        response = rep_client.post(reverse(name, args=[message.pk]), {"action": "delete"})
        assert response.status_code == 403
    assert Message.objects.filter(pk=message.pk).exists()


def test_the_inbox_query_count_does_not_grow_with_its_rows(
    rep_client, rep, django_assert_max_num_queries
):
    for n in range(30):
        unfiled(rep, subject=f"Message {n}")
    with django_assert_max_num_queries(12):
        rep_client.get(reverse("mail_inbox"))
