"""E-mails as mail clients write them, for the capture tests."""

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from django.utils import timezone


@pytest.fixture
def mail_media(settings, tmp_path):
    """Raw messages and documents written to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def eml(
    *,
    sender="jean.client@client.fr",
    to=("rep@jalon.test",),
    cc=(),
    subject="Votre devis",
    text="Bonjour,\nmerci pour le devis.\n",
    html=None,
    message_id=None,
    in_reply_to=None,
    references=None,
    attachments=(),
    date=None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = subject
    message["Date"] = format_datetime(date or timezone.now())
    message["Message-ID"] = message_id or make_msgid(domain="client.fr")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    for name, data, mime in attachments:
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()
