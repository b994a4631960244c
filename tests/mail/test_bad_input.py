"""What the world sends: captured mail that is broken, huge or hostile is filed, never lost,
never crashes the capture (mail/capture/parsing.py, mail/capture/filing.py)."""

import pytest
from django.urls import reverse

from contacts.models import Document
from mail.capture.filing import message_capture
from mail.capture.parsing import parse
from mail.models import Message, MessageLink
from tests import factories as f
from tests.mail.mails import eml

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mail_media")]


def capture(raw, **kwargs):
    return message_capture(raw=raw, source=Message.Source.MAILBOX, **kwargs).message


def test_malformed_mime_is_filed_with_what_can_be_read(rep):
    f.PersonFactory(email="jean@client.fr")
    raw = (
        b"From: Jean <jean@client.fr>\r\nTo: " + rep.email.encode() + b"\r\n"
        b"Subject: broken\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n'
        b"--never-closed\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"!!! not base64 !!!\r\n--never-closed\r\nContent-Type: application/pdf\r\n\r\n"
    )
    message = capture(raw)
    assert message.subject == "broken"
    assert message.filed
    assert message.raw.read() == raw


def test_eight_bit_headers_in_an_unknown_charset(rep):
    raw = (
        b"From: =?x-unknown?q?Andr=E9?= <andre@client.fr>\r\nTo: x@y.fr\r\n"
        b"Subject: Re\xe7u : facture \xe9t\xe9\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\n"
        b"Voil\xe0 la facture.\r\n"
    )
    message = capture(raw)
    assert message.subject == "Reçu : facture été"
    assert message.body_text.startswith("Voilà la facture.")
    assert message.from_address == "andre@client.fr"


def test_an_attachment_over_the_limit_is_left_out_and_the_message_says_so(rep, settings):
    settings.DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
    person = f.PersonFactory(email="jean@client.fr")
    big = b"%PDF-1.4\n" + b"0" * (30 * 1024 * 1024)
    small = b"%PDF-1.4 small"
    raw = eml(
        sender="jean@client.fr",
        to=[rep.email],
        attachments=[
            ("plans.pdf", big, "application/pdf"),
            ("devis.pdf", small, "application/pdf"),
        ],
    )
    message = capture(raw)
    assert MessageLink.objects.get(message=message).person == person
    assert [d.name for d in Document.objects.all()] == ["devis.pdf"]
    assert "plans.pdf" in message.body_text and "not kept" in message.body_text
    assert "the limit is 10.0 MB" in message.body_text
    assert message.size == len(raw)


def test_a_message_with_500_recipients(rep):
    recipients = [f"contact{n}@client{n % 7}.fr" for n in range(500)]
    people = [f.PersonFactory(email=address) for address in recipients[:20]]
    message = capture(eml(sender=rep.email, to=recipients[:250], cc=recipients[250:]))
    assert len(message.to) == 250 and len(message.cc) == 250
    assert {link.person for link in message.links.exclude(person=None)} == set(people)


def test_a_thread_loop_ends(rep):
    capture(eml(message_id="<a@loop>", references="<b@loop>", in_reply_to="<b@loop>"))
    b = capture(eml(message_id="<b@loop>", references="<a@loop>", in_reply_to="<a@loop>"))
    itself = capture(eml(message_id="<c@loop>", references="<c@loop>", in_reply_to="<c@loop>"))
    a = Message.objects.get(message_id="<a@loop>")
    assert a.thread is None and b.thread == a
    assert itself.thread is None


def test_html_with_scripts_is_stored_raw_and_shown_sanitised(rep_client, rep):
    html = '<p onclick="steal()">Bonjour</p><script>alert("x")</script><img src=x onerror=alert(1)>'
    message = message_capture(
        raw=eml(sender="x@ailleurs.fr", html=html),
        source=Message.Source.UPLOAD,
        actor=rep,
    ).message
    assert "<script>" in message.body_html  # kept as it came
    page = rep_client.get(reverse("mail_detail", args=[message.pk])).content.decode()
    assert "Bonjour" in page
    assert 'alert("x")' not in page and "onerror" not in page and "onclick" not in page
    inbox = rep_client.get(reverse("mail_inbox")).content.decode()
    assert "<script>alert" not in inbox


def test_a_broken_outlook_file_is_kept_not_lost(rep):
    raw = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    message = capture(raw)
    assert message.message_id.endswith("@jalon.invalid>")
    assert message.raw.name.endswith(".msg")
    assert message.raw.read() == raw


def test_a_nul_byte_and_garbage_do_not_stop_the_capture(rep):
    raw = b"\x00\xff\xfe garbage without headers \x00\r\n\r\n\x00body"
    message = capture(raw)
    assert "\x00" not in message.body_text
    assert Message.objects.count() == 1


def test_parse_never_raises_on_headers_the_policy_cannot_read():
    raw = (
        b"From: <<<@@@>>>\r\nTo: ,,,;;;\r\nDate: not a date\r\nMessage-ID: no brackets\r\n"
        b"References: <a@b> <<c@d>\r\nSubject: =?utf-8?b?!!!?=\r\n\r\nx"
    )
    parsed = parse(raw)
    assert parsed.from_address == "" and parsed.to == []
    assert parsed.sent_at is None
    assert parsed.message_id.endswith("@jalon.invalid>")
