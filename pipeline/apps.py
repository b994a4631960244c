from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "pipeline"
    verbose_name = _("Pipeline")

    def ready(self) -> None:
        from contacts.attachments import DOCUMENT_ATTACHED_HOOKS
        from pipeline.services.automation import on_document_attached

        if on_document_attached not in DOCUMENT_ATTACHED_HOOKS:
            DOCUMENT_ATTACHED_HOOKS.append(on_document_attached)

        from core import trash
        from pipeline.clocks import restored_refresh
        from pipeline.services.activities import series_cuts_restore

        trash.register("opportunity", "pipeline.Opportunity", position=40)
        trash.register("task", "pipeline.Task", position=50)
        trash.on_restored(restored_refresh)
        trash.on_restored(series_cuts_restore)
