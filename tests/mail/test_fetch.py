"""Reading the capture mailbox from a real IMAP server (Dovecot, tests/mail/dovecot.py)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mail.fetching import FOLDER_MISSING, LOGIN_REFUSED, mailbox_fetch
from mail.models import MailboxStatus, Message, MessageLink
from mail.tasks import mailbox_fetch_task
from tests import factories as f
from tests.mail.mails import eml

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mail_media")]


def status() -> MailboxStatus:
    return MailboxStatus.objects.get()


def test_fetch_files_each_message_and_marks_it_seen(capture_mailbox, rep):
    person = f.PersonFactory(email="jean.client@client.fr")
    capture_mailbox.deliver(
        eml(sender=rep.email, to=["jean.client@client.fr"], message_id="<a@x.fr>")
    )
    capture_mailbox.deliver(eml(sender="inconnu@ailleurs.fr", to=["x@y.fr"], message_id="<b@x.fr>"))
    report = mailbox_fetch()
    assert (report.taken, report.filed, report.error) == (2, 2, "")
    filed = Message.objects.get(message_id="<a@x.fr>")
    assert filed.source == Message.Source.MAILBOX and filed.owner == rep
    assert MessageLink.objects.get(message=filed).person == person
    assert not Message.objects.get(message_id="<b@x.fr>").filed
    assert all("\\Seen" in m.flags for m in capture_mailbox.messages())
    assert status().succeeded_at and status().fetched == 2 and not status().error
    # Run again: nothing new is taken, nothing filed twice.
    assert mailbox_fetch().taken == 0
    assert Message.objects.count() == 2


def test_with_a_done_folder_what_was_filed_moves_there(capture_mailbox, settings):
    settings.IMAP_DONE_FOLDER = "Filed"
    capture_mailbox.deliver(eml(message_id="<c@x.fr>"))
    assert mailbox_fetch().filed == 1
    assert capture_mailbox.messages("INBOX") == []
    assert [m.subject for m in capture_mailbox.messages("Filed")] == ["Votre devis"]


def test_a_message_put_back_is_not_filed_twice(capture_mailbox, settings):
    """A run that stopped between filing and moving: the next run takes it again, and the
    Message-ID keeps it from being filed twice."""
    raw = eml(message_id="<d@x.fr>")
    capture_mailbox.deliver(raw)
    mailbox_fetch()
    capture_mailbox.deliver(raw)
    report = mailbox_fetch()
    assert (report.taken, report.filed, report.already) == (1, 0, 1)
    assert Message.objects.filter(message_id="<d@x.fr>").count() == 1


def test_a_wrong_password_is_a_clear_state_and_nothing_is_lost(capture_mailbox, settings):
    capture_mailbox.deliver(eml(message_id="<e@x.fr>"))
    settings.IMAP_PASSWORD = "wrong"
    report = mailbox_fetch()
    assert report.error == str(LOGIN_REFUSED) % {"user": settings.IMAP_USER}
    assert status().error == report.error and status().succeeded_at is None
    assert not Message.objects.exists()
    settings.IMAP_PASSWORD = capture_mailbox.password
    assert mailbox_fetch().filed == 1
    assert status().error == ""


def test_a_server_down_does_not_crash_the_task(capture_mailbox, settings):
    settings.IMAP_PORT = 1  # nothing listens there
    assert mailbox_fetch_task.delay().get() == 0
    assert "cannot be reached" in status().error


def test_a_missing_folder_is_reported(capture_mailbox, settings):
    settings.IMAP_FOLDER = "Nowhere"
    assert mailbox_fetch().error == str(FOLDER_MISSING) % {"folder": "Nowhere"}


def test_fetch_mail_command(capture_mailbox, settings, capsys):
    capture_mailbox.deliver(eml(message_id="<g@x.fr>"))
    call_command("fetch_mail")
    assert "1 message(s) taken, 1 new" in capsys.readouterr().out
    settings.IMAP_PASSWORD = "wrong"
    with pytest.raises(CommandError, match="refused the login"):
        call_command("fetch_mail")


def test_fetch_mail_without_a_mailbox_says_so(settings):
    settings.IMAP_HOST = ""
    with pytest.raises(CommandError, match="IMAP_HOST is not set"):
        call_command("fetch_mail")
