from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = _("catalogue")

    def ready(self):
        from catalogue.selectors import register_fold

        # The catalogue's search folds accents in SQL (see catalogue.selectors.Folded).
        connection_created.connect(register_fold, dispatch_uid="catalogue_register_fold")
