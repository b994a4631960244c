from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import versions as versions
from core.archives import megabytes
from core.exports import export_audit, export_counted
from core.htmx import HtmxHttpRequest
from core.roles import is_manager
from prospects import exporting, import_jobs
from prospects.forms import (
    ImportUploadForm,
    MappingForm,
)
from prospects.models import ImportJob
from prospects.views.prospects import _filtered, _sorted


@login_required
@require_http_methods(["GET", "POST"])
def prospect_import(request: HtmxHttpRequest):
    """Step 1 of the wizard: upload a file. It is measured against the import limits here;
    its header row is read by a task, which the job's page waits for."""
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, initial={"owner": request.user}
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = import_jobs.import_job_create(
                uploaded_file=form.cleaned_data["file"],
                actor=request.user,
                owner=form.cleaned_data["owner"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("prospect_import_job", pk=job.pk)
    import_jobs.import_jobs_fail_stale()
    jobs = ImportJob.objects.filter(actor=request.user)[:5]
    return render(
        request,
        "prospects/import_upload.html",
        {"form": form, "jobs": jobs, "limits": _limits()},
        status=422 if request.method == "POST" else 200,
    )


def _limits() -> dict[str, str]:
    """What a file may hold, as the upload page states it."""
    return {
        "rows": number_format(settings.IMPORT_MAX_ROWS, force_grouping=True),
        "columns": number_format(settings.IMPORT_MAX_COLUMNS, force_grouping=True),
        "megabytes": megabytes(settings.IMPORT_MAX_BYTES),
    }


def _job(request, pk: int) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.select_related("owner"), pk=pk)
    if job.actor_id != request.user.pk and not is_manager(request.user):
        raise Http404
    return job


@login_required
@require_http_methods(["GET", "POST"])
def prospect_import_job(request: HtmxHttpRequest, pk: int):
    """Steps 2 to 4: the mapping (editable), the check with its preview, the import. While a
    task works on the job the status polls; a job whose task stopped giving signs of life is
    failed here, and a failed job can be run again."""
    job = _job(request, pk)
    if import_jobs.import_jobs_fail_stale(job_id=job.pk):
        job.refresh_from_db()
    form = MappingForm(
        request.POST or None,
        headers=job.headers,
        mapping=job.mapping,
        initial={"valid_only": job.valid_only},
    )
    if request.method == "POST":
        action = request.POST.get("action", "check")
        if job.is_busy or job.state == ImportJob.State.DONE:
            messages.warning(request, _("This import is already running or done."))
            return redirect("prospect_import_job", pk=job.pk)
        if not job.headers:  # the header row was never read: read it (again)
            if job.state == ImportJob.State.FAILED:
                import_jobs.import_job_read_start(job=job, actor=request.user)
            return redirect("prospect_import_job", pk=job.pk)
        if action != "read" and form.is_valid():
            job.mapping = form.mapping()
            job.valid_only = form.cleaned_data["valid_only"]
            dry_run = action != "import"
            if not dry_run and job.state != ImportJob.State.CHECKED:
                dry_run = True  # the preview always comes first
            import_jobs.import_job_start(job=job, actor=request.user, dry_run=dry_run)
            return redirect("prospect_import_job", pk=job.pk)
    job.refresh_from_db()
    context = {"job": job, "form": form, "progress": _progress(job)}
    template = "prospects/import_job.html"
    polled = request.htmx and request.htmx.target == "import-status"
    if polled:
        template += "#import-status"
    response = render(request, template, context, status=422 if request.method == "POST" else 200)
    if polled and not job.is_busy:
        # The task has finished: the whole page changes (the mapping, the preview, the buttons).
        response["HX-Refresh"] = "true"
    return response


def _progress(job: ImportJob) -> int:
    """Percentage of the rows the running task has read (its heartbeat writes them)."""
    if not job.is_busy:
        return 100
    if not job.total:
        return 0
    return min(99, int(job.done * 100 / job.total))


@login_required
@require_http_methods(["GET"])
def prospect_import_report(request: HtmxHttpRequest, pk: int):
    job = _job(request, pk)
    if not job.report:
        raise Http404
    export_audit(
        request=request,
        kind="prospect_import_report",
        filename=f"refused-{job.filename}.csv",
        rows=job.refused,
    )
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
        filename = f"prospects-{stamp}.xlsx"
        return FileResponse(
            exporting.xlsx_file(queryset, request.user, _audit(request, filename)),
            as_attachment=True,
            filename=filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    filename = f"prospects-{stamp}.csv"
    return exporting.csv_download(queryset, filename, request.user, _audit(request, filename))


def _audit(request, filename: str):
    """Counts the exported rows into the audit of exports (`core.exports`)."""
    return lambda rows: export_counted(
        rows, request=request, kind="prospect_export", filename=filename
    )
