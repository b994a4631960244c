from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Contacts")

    def ready(self) -> None:
        from core import trash

        trash.register("company", "contacts.Company", position=10)
        trash.register("person", "contacts.Person", position=20)

        from core.columns import Column
        from core.columns import register as register_columns

        # The columns of templates/contacts/company_list.html and person_list.html, in order.
        register_columns(
            "companies",
            (
                Column("name", _("Name"), required=True),
                Column("kind", _("Kind")),
                Column("postal_code", _("Postal code")),
                Column("city", _("City")),
                Column("phone", _("Phone")),
                Column("email", _("E-mail"), default=False),
                Column("siren", _("SIREN"), default=False),
                Column("last_contact", _("Last contact"), default=False),
                Column("next_contact", _("Next contact"), default=False),
                Column("owner", _("Owner")),
            ),
        )
        register_columns(
            "people",
            (
                Column("name", _("Name"), required=True),
                Column("job_title", _("Job title")),
                Column("department", _("Department"), default=False),
                Column("companies", _("Companies")),
                Column("email", _("E-mail")),
                Column("phone", _("Phone")),
                Column("mobile", _("Mobile")),
                Column("mailing", _("Mailing")),
            ),
        )
