from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProspectsConfig(AppConfig):
    name = "prospects"
    verbose_name = _("prospects")

    def ready(self) -> None:
        from core import trash
        from prospects.services import prospects_restore

        def restore(*, ids, actor):
            prospects_restore(prospect_ids=ids, actor=actor)

        # The prospect record lives in contacts; its trash rules (what comes back with it) here.
        trash.register("prospect", "contacts.Prospect", position=30, restore=restore)
