from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pipeline.models import Task


@login_required
@require_GET
def task_list(request):
    tasks = Task.objects.filter(assignee=request.user, done=False).select_related("type")[:100]
    return render(request, "pipeline/task_list.html", {"tasks": tasks})
