from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Webhooks and web forms")

    def ready(self) -> None:
        from core import events
        from integrations.webhooks import on_event

        events.register(on_event)
