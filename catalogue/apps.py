from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = _("Catalogue")

    def ready(self):
        from catalogue.selectors import register_fold
        from contacts.filters import register_rep_lookup

        # The company list's "representative" filter also finds the reps by product family.
        register_rep_lookup("family_reps__user")

        # The catalogue's search folds accents in SQL (see catalogue.selectors.Folded).
        connection_created.connect(register_fold, dispatch_uid="catalogue_register_fold")
