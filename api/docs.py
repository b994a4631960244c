"""The API's browsable documentation: Swagger UI, served from the site's own files (the
drf-spectacular-sidecar package) and started by static/js/api_docs.js, so that it runs under
the strict Content-Security-Policy (no inline script or style)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.htmx import HtmxHttpRequest


@login_required
@require_GET
def api_docs(request: HtmxHttpRequest):
    return render(request, "api/docs.html")
