from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self):
        from forecasting.services import digest_section_register
        from privacy.digest import retention_section

        digest_section_register(retention_section)
