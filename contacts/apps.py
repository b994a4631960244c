from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("contacts")

    def ready(self) -> None:
        from core import trash

        trash.register("company", "contacts.Company", position=10)
        trash.register("person", "contacts.Person", position=20)
