"""Fixtures of the e-mail tests. mail-capture: the private Dovecot server (`imap_server`,
`capture_mailbox`, tests/mail/dovecot.py) and media files in a temporary folder (`mail_media`)."""

from tests.mail.dovecot import capture_mailbox, imap_server  # noqa: F401
from tests.mail.mails import mail_media  # noqa: F401
