"""E-mails on the record: what reps send from Jalon and what the capture mailbox receives.

A message is stored once (keyed on its Message-ID) and linked to every record it concerns;
its history rows come from the links. What matches nobody waits unfiled in the inbox, seen
only by the rep it belongs to and by managers.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def raw_path(instance: "Message", filename: str) -> str:
    return f"mail/{timezone.now():%Y/%m}/{filename}"


class Message(models.Model):
    class Direction(models.TextChoices):
        SENT = "sent", _("sent")
        RECEIVED = "received", _("received")

    class Source(models.TextChoices):
        JALON = "jalon", _("sent from Jalon")
        MAILBOX = "mailbox", _("capture mailbox")
        UPLOAD = "upload", _("file dropped")

    message_id = models.CharField(_("Message-ID"), max_length=998, unique=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=998, blank=True)
    references = models.TextField(_("References"), blank=True)
    # The first message of the thread (Message-ID, In-Reply-To and References resolved).
    thread = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    from_address = models.EmailField(_("from"), max_length=320, blank=True)
    from_name = models.CharField(_("sender name"), max_length=250, blank=True)
    to = models.JSONField(_("to"), default=list, blank=True)  # ["a@b.fr", ...]
    cc = models.JSONField(_("cc"), default=list, blank=True)
    sent_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    body_text = models.TextField(_("text"), blank=True)
    # As received; sanitised with nh3 before it is ever shown.
    body_html = models.TextField(_("HTML"), blank=True)
    # The rep who sent it, or who put the mailbox in Bcc / forwarded it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mail_messages",
    )
    private = models.BooleanField(_("private"), default=False)
    filed = models.BooleanField(_("filed"), default=False, db_index=True)
    # The message as it came (.eml bytes), so that filing it later keeps its attachments.
    raw = models.FileField(_("original"), upload_to=raw_path, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    created_at = models.DateTimeField(_("received by Jalon"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")

    def __str__(self) -> str:
        return self.subject or str(_("(no subject)"))


class MessageLink(models.Model):
    """One record a message concerns: exactly one of the targets is set."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="links")
    company = models.ForeignKey(
        "contacts.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        "contacts.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    prospect = models.ForeignKey(
        "contacts.Prospect", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    opportunity = models.ForeignKey(
        "pipeline.Opportunity", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    quote = models.ForeignKey(
        "quotes.Quote", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("e-mail link")
        verbose_name_plural = _("e-mail links")

    def __str__(self) -> str:
        target = self.company or self.person or self.prospect or self.opportunity or self.quote
        return f"{self.message} → {target}"


class MessageAttachment(models.Model):
    """A message's attachment, kept as a document of each record the message is filed on."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "contacts.Document", on_delete=models.CASCADE, related_name="mail_attachments"
    )

    class Meta:
        verbose_name = _("e-mail attachment")
        verbose_name_plural = _("e-mail attachments")

    def __str__(self) -> str:
        return str(self.document)


class EmailTemplate(models.Model):
    """A manager's template with merge fields ({{ person.first_name }}, {{ amount }}...)."""

    name = models.CharField(_("name"), max_length=120)
    language = models.CharField(
        _("language"), max_length=7, choices=settings.LANGUAGES, default="fr"
    )
    subject = models.CharField(_("subject"), max_length=250)
    body = models.TextField(_("text"))
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")

    def __str__(self) -> str:
        return self.name


class LeadRule(models.Model):
    """A web-form e-mail (by its sender or subject) becomes a prospect in a process and step."""

    name = models.CharField(_("name"), max_length=120)
    sender_pattern = models.CharField(_("sender address contains"), max_length=250, blank=True)
    subject_pattern = models.CharField(_("subject contains"), max_length=250, blank=True)
    process = models.ForeignKey(
        "pipeline.Process", verbose_name=_("process"), on_delete=models.CASCADE
    )
    step = models.ForeignKey(
        "pipeline.Step", verbose_name=_("step"), null=True, blank=True, on_delete=models.SET_NULL
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.ForeignKey(
        "contacts.Channel",
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("web-form lead rule")
        verbose_name_plural = _("web-form lead rules")

    def __str__(self) -> str:
        return self.name


class MailboxStatus(models.Model):
    """The capture mailbox's last run, shown to managers (one row)."""

    checked_at = models.DateTimeField(_("last check"), null=True, blank=True)
    succeeded_at = models.DateTimeField(_("last success"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    fetched = models.PositiveIntegerField(_("messages taken"), default=0)

    class Meta:
        verbose_name = _("mailbox status")
        verbose_name_plural = _("mailbox status")

    def __str__(self) -> str:
        return str(self.checked_at or "—")
