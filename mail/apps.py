from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "mail"
    verbose_name = _("E-mail")

    def ready(self) -> None:
        from mail.history import email_history
        from pipeline.history import register_history_source

        register_history_source(email_history)
