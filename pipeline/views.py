from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pipeline.models import Process


@login_required
@require_GET
def pipeline_list(request):
    processes = Process.objects.filter(active=True).prefetch_related("steps")
    return render(request, "pipeline/process_list.html", {"processes": processes})
