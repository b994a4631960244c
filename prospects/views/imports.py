from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import versions as versions
from core.htmx import HtmxHttpRequest
from core.roles import is_manager
from prospects import exporting
from prospects import imports as prospect_imports
from prospects.forms import (
    ImportUploadForm,
    MappingForm,
)
from prospects.models import ImportJob
from prospects.views.prospects import _filtered, _sorted


@login_required
@require_http_methods(["GET", "POST"])
def prospect_import(request: HtmxHttpRequest):
    """Step 1 of the wizard: upload a file (its header row is read at once)."""
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, initial={"owner": request.user}
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = prospect_imports.import_job_create(
                uploaded_file=form.cleaned_data["file"],
                actor=request.user,
                owner=form.cleaned_data["owner"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("prospect_import_job", pk=job.pk)
    jobs = ImportJob.objects.filter(actor=request.user)[:5]
    return render(
        request,
        "prospects/import_upload.html",
        {"form": form, "jobs": jobs},
        status=422 if request.method == "POST" else 200,
    )


def _job(request, pk: int) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.select_related("owner"), pk=pk)
    if job.actor_id != request.user.pk and not is_manager(request.user):
        raise Http404
    return job


@login_required
@require_http_methods(["GET", "POST"])
def prospect_import_job(request: HtmxHttpRequest, pk: int):
    """Steps 2 to 4: the mapping (editable), the check with its preview, the import."""
    job = _job(request, pk)
    form = MappingForm(
        request.POST or None,
        headers=job.headers,
        mapping=job.mapping,
        initial={"valid_only": job.valid_only},
    )
    if request.method == "POST":
        action = request.POST.get("action", "check")
        busy = job.state in (ImportJob.State.CHECKING, ImportJob.State.RUNNING)
        if busy or job.state in (ImportJob.State.DONE,):
            messages.warning(request, _("This import is already running or done."))
            return redirect("prospect_import_job", pk=job.pk)
        if form.is_valid():
            job.mapping = form.mapping()
            job.valid_only = form.cleaned_data["valid_only"]
            dry_run = action != "import"
            if not dry_run and job.state != ImportJob.State.CHECKED:
                dry_run = True  # the preview always comes first
            prospect_imports.import_job_start(job=job, actor=request.user, dry_run=dry_run)
            return redirect("prospect_import_job", pk=job.pk)
    job.refresh_from_db()
    context = {"job": job, "form": form, "progress": _progress(job)}
    template = "prospects/import_job.html"
    if request.htmx and request.htmx.target == "import-status":
        template += "#import-status"
    return render(request, template, context, status=422 if request.method == "POST" else 200)


def _progress(job: ImportJob) -> int:
    """Percentage of rows read by the running task (from the result backend)."""
    if job.state not in (ImportJob.State.CHECKING, ImportJob.State.RUNNING):
        return 100
    if not job.task_id or not job.total:
        return 0
    from celery.result import AsyncResult

    try:
        info = AsyncResult(job.task_id).info
    except Exception:  # noqa: BLE001 - no result backend: no figure, the page still polls
        return 0
    done = info.get("done", 0) if isinstance(info, dict) else 0
    return min(99, int(done * 100 / job.total))


@login_required
@require_http_methods(["GET"])
def prospect_import_report(request: HtmxHttpRequest, pk: int):
    job = _job(request, pk)
    if not job.report:
        raise Http404
    return FileResponse(
        job.report.open("rb"),
        as_attachment=True,
        filename=f"refused-{job.filename}.csv",
        content_type="text/csv; charset=utf-8",
    )


@login_required
@require_http_methods(["GET"])
def prospect_export(request: HtmxHttpRequest):
    """Exactly the filtered list (same query parameters), every field."""
    _filter, queryset = _filtered(request)
    _sort, queryset = _sorted(request, queryset)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if request.GET.get("format") == "xlsx":
        return FileResponse(
            exporting.xlsx_file(queryset, request.user),
            as_attachment=True,
            filename=f"prospects-{stamp}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return exporting.csv_download(queryset, f"prospects-{stamp}.csv", request.user)
