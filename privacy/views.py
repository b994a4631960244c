"""The privacy pages, for managers: prospects due under the retention rule, a person's or
prospect's data exported or erased, the register of processing, the audit of exports."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts.models import Person, Prospect
from core.exports import export_audit
from core.htmx import HtmxHttpRequest
from core.models import ExportRecord
from core.redirects import safe_next
from core.roles import is_manager
from core.users import active_users, user_label
from privacy import exporting, retention, services
from privacy.models import PrivacyLog
from privacy.register import register

PAGE_SIZE = 50
KEPT = gettext_lazy("“%(record)s” is kept for another %(days)d days.")
ERASED = gettext_lazy("The record has been erased: its personal data is gone, its figures stay.")

# What each export's URL name exported, as the audit page names it.
EXPORT_LABELS = {
    "prospect_export": gettext_lazy("Prospect list"),
    "prospect_import_report": gettext_lazy("Refused rows of an import"),
    "mailing_export": gettext_lazy("Mailing list"),
    "forecast_export": gettext_lazy("Forecast"),
    "report_export": gettext_lazy("Report"),
    "privacy_person_export": gettext_lazy("A person's data"),
    "privacy_prospect_export": gettext_lazy("A prospect's data"),
}


def _managers_only(request) -> None:
    if not is_manager(request.user):
        raise PermissionDenied(services.MANAGERS_ONLY)


def _record(kind: str, pk: int):
    model = Prospect if kind == PrivacyLog.Kind.PROSPECT else Person
    return get_object_or_404(model.objects.all(), pk=pk)


# --- retention -----------------------------------------------------------------------------


@login_required
@require_GET
def privacy_retention(request: HtmxHttpRequest):
    """The prospects with no contact for RETENTION_DAYS, oldest contact first, each with the
    night it will be anonymised unless someone acts."""
    _managers_only(request)
    due = retention.due_prospects()
    page = Paginator(
        retention.with_last_contact(due).select_related("owner").order_by("last_contact", "pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    for prospect in page:
        prospect.anonymised_on = retention.anonymisation_day(prospect.last_contact)
    recent = PrivacyLog.objects.exclude(action=PrivacyLog.Action.EXPORT).select_related("actor")[
        :20
    ]
    template = "privacy/retention.html"
    if request.htmx and not request.htmx.boosted:
        template += "#retention-rows"
    return render(
        request,
        template,
        {
            "page": page,
            "recent": recent,
            "days": _days_context(),
            "today": timezone.localdate(),
        },
    )


def _days_context() -> dict:
    return {
        "retention": settings.RETENTION_DAYS,
        "grace": settings.RETENTION_GRACE_DAYS,
        "years": round(settings.RETENTION_DAYS / 365, 1),
    }


@login_required
@require_POST
def privacy_keep(request: HtmxHttpRequest, pk: int):
    _managers_only(request)
    prospect = get_object_or_404(Prospect.objects.all(), pk=pk)
    services.prospect_keep(
        prospect=prospect, actor=request.user, reason=request.POST.get("reason", "")
    )
    messages.success(
        request, KEPT % {"record": str(prospect), "days": _days_context()["retention"]}
    )
    return redirect(safe_next(request, default="privacy_retention"))


# --- rights of the person ------------------------------------------------------------------


def _export(request, kind: str, pk: int):
    _managers_only(request)
    obj = _record(kind, pk)
    handle, rows = exporting.archive(obj)
    filename = f"{kind}-{obj.pk}-{timezone.localtime():%Y%m%d-%H%M}.zip"
    export_audit(request=request, kind=f"privacy_{kind}_export", filename=filename, rows=rows)
    PrivacyLog.objects.create(
        action=PrivacyLog.Action.EXPORT,
        kind=kind,
        object_id=obj.pk,
        actor=request.user,
        detail={"rows": rows},
    )
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/zip"
    )


@login_required
@require_GET
def privacy_person_export(request: HtmxHttpRequest, pk: int):
    return _export(request, PrivacyLog.Kind.PERSON, pk)


@login_required
@require_GET
def privacy_prospect_export(request: HtmxHttpRequest, pk: int):
    return _export(request, PrivacyLog.Kind.PROSPECT, pk)


class EraseForm(forms.Form):
    confirmation = forms.CharField(label=gettext_lazy("Confirmation"), max_length=120)


def _erase(request, kind: str, pk: int):
    _managers_only(request)
    obj = _record(kind, pk)
    word = services.confirmation_word(obj)
    form = EraseForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.record_erase(
                obj=obj, actor=request.user, confirmation=form.cleaned_data["confirmation"]
            )
        except ValidationError as error:
            form.add_error("confirmation", error)
        else:
            messages.success(request, ERASED)
            return redirect(obj.get_absolute_url())
    if request.method == "POST":
        status = 422
    scope = services.scope_of(obj)
    context = {
        "form": form,
        "record": obj,
        "kind": kind,
        "word": word,
        "scope": scope,
        "anonymised": services.is_anonymised(obj),
    }
    return render(request, "privacy/erase.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def privacy_person_erase(request: HtmxHttpRequest, pk: int):
    return _erase(request, PrivacyLog.Kind.PERSON, pk)


@login_required
@require_http_methods(["GET", "POST"])
def privacy_prospect_erase(request: HtmxHttpRequest, pk: int):
    return _erase(request, PrivacyLog.Kind.PROSPECT, pk)


# --- register and audit of exports ---------------------------------------------------------


@login_required
@require_GET
def privacy_register(request: HtmxHttpRequest):
    _managers_only(request)
    return render(
        request,
        "privacy/register.html",
        {**register(), "today": timezone.localdate(), "days": _days_context()},
    )


class ExportFilter(forms.Form):
    user = forms.ModelChoiceField(
        queryset=active_users(), required=False, label=gettext_lazy("User")
    )
    start = forms.DateField(
        required=False,
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        required=False,
        label=gettext_lazy("To"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].label_from_instance = user_label


@login_required
@require_GET
def privacy_exports(request: HtmxHttpRequest):
    """Who exported which list or file, when, with how many rows."""
    _managers_only(request)
    form = ExportFilter(request.GET or None)
    records = ExportRecord.objects.select_related("user")
    if form.is_valid():
        data = form.cleaned_data
        if data["user"]:
            records = records.filter(user=data["user"])
        if data["start"]:
            start = timezone.make_aware(dt.datetime.combine(data["start"], dt.time.min))
            records = records.filter(at__gte=start)
        if data["end"]:
            end = timezone.make_aware(dt.datetime.combine(data["end"], dt.time.min))
            records = records.filter(at__lt=end + dt.timedelta(days=1))
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    for record in page:
        record.label = EXPORT_LABELS.get(record.kind, record.kind)
    query = request.GET.copy()
    query.pop("page", None)
    template = "privacy/exports.html"
    if request.htmx and not request.htmx.boosted:
        template += "#export-rows"
    return render(request, template, {"form": form, "page": page, "query": query.urlencode()})
