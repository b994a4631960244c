"""Read the capture mailbox (imap-tools): file each message, then mark it seen, or move it to
IMAP_DONE_FOLDER when that is set.

Nothing is lost: a message leaves the folder (or is marked seen) only once it is stored in
Jalon, and a message that cannot be filed stays where it is for the next run. Nothing is filed
twice: filing is keyed on the Message-ID, so a run interrupted between filing and moving
files nothing again. Without IMAP_DONE_FOLDER the unseen messages are taken; with it, every
message of IMAP_FOLDER (what is done has left it). The outcome of each run, a server down or
a password refused included, is written to MailboxStatus for managers to see.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from imap_tools import AND, MailBox, MailboxLoginError, MailBoxUnencrypted, MailMessageFlags
from imap_tools.errors import MailboxFolderSelectError, UnexpectedCommandStatusError

from mail.capture.filing import CaptureContext, message_capture
from mail.models import MailboxStatus, Message

logger = logging.getLogger(__name__)

TIMEOUT = 30
UNREACHABLE = _("The mailbox server %(server)s cannot be reached (%(error)s).")
LOGIN_REFUSED = _("The mailbox refused the login of %(user)s: check IMAP_USER and IMAP_PASSWORD.")
FOLDER_MISSING = _("The folder %(folder)s does not exist in the mailbox (IMAP_FOLDER).")
IMAP_ERROR = _("The mailbox answered with an error: %(error)s")


@dataclass
class FetchReport:
    configured: bool = True
    taken: int = 0
    filed: int = 0
    already: int = 0
    failed: int = 0
    error: str = ""


def _connect():
    mailbox_class = MailBox if settings.IMAP_SSL else MailBoxUnencrypted
    return mailbox_class(settings.IMAP_HOST, settings.IMAP_PORT, timeout=TIMEOUT)


def _raw(mailbox, uid: str) -> bytes:
    status, data = mailbox.client.uid("fetch", uid, "(BODY.PEEK[])")
    if status != "OK":
        raise UnexpectedCommandStatusError(f"FETCH {uid}: {status}")
    return next(part[1] for part in data if isinstance(part, tuple))


def _done(mailbox, uids: list[str]) -> None:
    """Mark what was filed seen, and move it out of the folder when IMAP_DONE_FOLDER is set."""
    if not uids:
        return
    mailbox.flag(uids, MailMessageFlags.SEEN, True)
    folder = settings.IMAP_DONE_FOLDER
    if folder:
        if not mailbox.folder.exists(folder):
            mailbox.folder.create(folder)
        mailbox.move(uids, folder)


def _take(mailbox, report: FetchReport) -> None:
    criteria = "ALL" if settings.IMAP_DONE_FOLDER else AND(seen=False)
    errors = []
    context = CaptureContext.load()
    for uid in mailbox.uids(criteria):
        try:
            result = message_capture(
                raw=_raw(mailbox, uid), source=Message.Source.MAILBOX, context=context
            )
        except (UnexpectedCommandStatusError, imaplib.IMAP4.error, OSError):
            raise  # the connection itself: the run stops, the message stays
        except Exception as failure:  # this message only: it stays for the next run
            logger.exception("Could not file the captured message %s", uid)
            report.failed += 1
            errors.append(str(failure) or failure.__class__.__name__)
            continue
        report.taken += 1
        if result.created:
            report.filed += 1
        else:
            report.already += 1
        _done(mailbox, [uid])
    if errors:
        report.error = ngettext(
            "%(count)d message could not be filed and stays in the mailbox: %(error)s",
            "%(count)d messages could not be filed and stay in the mailbox: %(error)s",
            len(errors),
        ) % {"count": len(errors), "error": errors[0][:300]}


def mailbox_fetch() -> FetchReport:
    """One run over the capture mailbox; its outcome is stored in MailboxStatus."""
    if not settings.IMAP_HOST:
        return FetchReport(configured=False)
    report = FetchReport()
    server = f"{settings.IMAP_HOST}:{settings.IMAP_PORT}"
    try:
        with _connect() as mailbox:
            mailbox.login(settings.IMAP_USER, settings.IMAP_PASSWORD)
            mailbox.folder.set(settings.IMAP_FOLDER)
            _take(mailbox, report)
    except MailboxLoginError:
        report.error = str(LOGIN_REFUSED) % {"user": settings.IMAP_USER}
    except MailboxFolderSelectError:
        report.error = str(FOLDER_MISSING) % {"folder": settings.IMAP_FOLDER}
    except (OSError, ssl.SSLError) as failure:
        report.error = str(UNREACHABLE) % {"server": server, "error": failure}
    except Exception as failure:  # an IMAP protocol error: reported, the worker goes on
        logger.exception("The capture mailbox failed")
        report.error = str(IMAP_ERROR) % {"error": str(failure)[:300]}
    _status_record(report)
    return report


def _status_record(report: FetchReport) -> None:
    now = timezone.now()
    status = MailboxStatus.objects.order_by("pk").first() or MailboxStatus()
    status.checked_at = now
    status.error = report.error
    status.fetched = report.taken
    if not report.error:
        status.succeeded_at = now
    status.save()


def mailbox_status() -> MailboxStatus | None:
    return MailboxStatus.objects.order_by("pk").first()
