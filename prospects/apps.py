from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProspectsConfig(AppConfig):
    name = "prospects"
    verbose_name = _("Prospects")

    def ready(self) -> None:
        from core import trash
        from prospects.services import prospects_restore

        def restore(*, ids, actor):
            prospects_restore(prospect_ids=ids, actor=actor)

        # The prospect record lives in contacts; its trash rules (what comes back with it) here.
        trash.register("prospect", "contacts.Prospect", position=30, restore=restore)

        from core.columns import Column
        from core.columns import register as register_columns

        # The prospect list's columns (templates/prospects/prospect_list.html), in its order.
        register_columns(
            "prospects",
            (
                Column("name", _("Name"), required=True),
                Column("company", _("Company")),
                Column("project", _("Project")),
                Column("status", _("Status")),
                Column("step", _("Step")),
                Column("next_action", _("Next action")),
                Column("amount", _("Amount")),
                Column("probability", _("Probability")),
                Column("expected", _("Expected date")),
                Column("owner", _("Owner")),
                Column("city", _("City")),
                Column("created", _("Created"), default=False),
            ),
        )
