"""Reads of the process pages shared by the step list and the Kanban."""

from django.http import Http404

from config.roles import is_manager
from pipeline.models import Process


def process_or_404(user, process_id: int) -> Process:
    """The process `user` may open: every sales user sees the active processes, managers also
    the inactive ones; anything else is a 404."""
    processes = Process.objects.prefetch_related("modify_groups", "delete_groups")
    if not is_manager(user):
        processes = processes.filter(active=True)
    try:
        return processes.get(pk=process_id)
    except Process.DoesNotExist as exc:
        raise Http404 from exc
