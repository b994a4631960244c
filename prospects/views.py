import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from config.access import can_change, get_changeable_or_403, get_visible_or_404
from config.htmx import HtmxHttpRequest, close_modal, with_message
from config.roles import is_manager
from contacts.models import Person
from prospects import exporting, services
from prospects.filters import OPPORTUNITY_SORTS, SORTS, ProspectFilter
from prospects.forms import (
    BulkForm,
    ConfirmDeleteAllForm,
    ExtraFieldsForm,
    ImportUploadForm,
    LineForm,
    MappingForm,
    NewOpportunityForm,
    OpportunityForm,
    PasteForm,
    ProspectForm,
)
from prospects.models import (
    ExtraField,
    ImportJob,
    Opportunity,
    OpportunityLine,
    Prospect,
)
from prospects.paste import parse_paste

PAGE_SIZES = (10, 25, 50, 100)
PAGE_SIZE = 25
TABS = ("project", "details", "extra", "tasks", "history")


def _default_board_url(process=None) -> str:
    from pipeline.models import Process

    process = process or Process.objects.filter(is_default=True).only("pk").first()
    if process is None:
        return reverse("pipeline_list")
    try:
        return reverse("pipeline_board", args=[process.pk])
    except NoReverseMatch:
        return f"/pipeline/{process.pk}/board/"


def _next_or(request, default: str) -> str:
    """The POSTed `next` when it stays on this site, else `default` (no open redirect)."""
    next_url = request.POST.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return default


def _filtered(request):
    """The user's prospects with the list's filters applied (the list and the export share it)."""
    queryset = Prospect.objects.visible_to(request.user)
    prospect_filter = ProspectFilter(request.GET or None, queryset=queryset, user=request.user)
    return prospect_filter, prospect_filter.qs


def _sorted(request, queryset):
    sort = request.GET.get("sort", "name")
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    if key in OPPORTUNITY_SORTS:
        column = OPPORTUNITY_SORTS[key]
        first_open = (
            Opportunity.objects.visible_to(request.user)
            .filter(prospect=OuterRef("pk"), status=Opportunity.Status.OPEN)
            .order_by("next_action_at", "-created_at")
            .values(column)[:1]
        )
        value = (
            F("sort_value").desc(nulls_last=True)
            if descending
            else F("sort_value").asc(nulls_last=True)
        )
        return sort, queryset.annotate(sort_value=Subquery(first_open)).order_by(value, "id")
    if key not in SORTS:
        sort, key = "name", "name"
    fields = SORTS[key]
    if descending:
        fields = tuple(f"-{name}" for name in fields)
    return sort, queryset.order_by(*fields)


def _list_opportunities(user):
    return (
        Opportunity.objects.visible_to(user)
        .select_related("process", "step")
        .order_by("status", "-created_at", "id")
    )


@login_required
@require_http_methods(["GET"])
def prospect_list(request: HtmxHttpRequest):
    prospect_filter, queryset = _filtered(request)
    sort, queryset = _sorted(request, queryset)
    try:
        per_page = int(request.GET.get("per_page", PAGE_SIZE))
    except ValueError:
        per_page = PAGE_SIZE
    per_page = per_page if per_page in PAGE_SIZES else PAGE_SIZE
    queryset = queryset.select_related("owner").prefetch_related(
        Prefetch("opportunities", queryset=_list_opportunities(request.user)), "categories"
    )
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    for prospect in page.object_list:
        prospect.main = exporting.main_opportunity(prospect)
        prospect.other_count = len(prospect.opportunities.all()) - (1 if prospect.main else 0)
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = params.copy()
    sort_params.pop("sort", None)
    context = {
        "filter": prospect_filter,
        "page": page,
        "sort": sort,
        "per_page": per_page,
        "query": params.urlencode(),
        "sort_query": sort_params.urlencode(),
        "board_url": _default_board_url(prospect_filter.default_process),
        "is_manager": is_manager(request.user),
        "page_sizes": PAGE_SIZES,
    }
    template = "prospects/prospect_list.html"
    if request.htmx and not request.htmx.boosted and request.htmx.target == "prospect-rows":
        template += "#prospect-rows"
    return render(request, template, context)


@login_required
@require_http_methods(["GET"])
def prospect_panel(request: HtmxHttpRequest, pk: int):
    """The selected prospect's opportunities (those the user may see) and its task panel,
    shown below the list."""
    prospect = get_visible_or_404(
        Prospect.objects.select_related("owner", "company", "person"), request.user, pk=pk
    )
    opportunities = (
        Opportunity.objects.visible_to(request.user)
        .filter(prospect=prospect)
        .select_related("process", "step", "owner")
    )
    return render(
        request,
        "prospects/_prospect_panel.html",
        {
            "prospect": prospect,
            "opportunities": opportunities,
            "may_change": can_change(request.user, prospect),
        },
    )


@login_required
@require_POST
def prospect_bulk(request: HtmxHttpRequest):
    form = BulkForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose prospects and an action."))
        return redirect(_next_or(request, reverse("prospect_list")))
    ids = [p.pk for p in form.cleaned_data["ids"]]
    action = form.cleaned_data["action"]
    if action == "assign":
        count = services.prospects_assign(
            prospect_ids=ids, owner=form.cleaned_data["owner"], actor=request.user
        )
        text = _("%(count)d prospect(s) assigned.") % {"count": count}
    elif action == "categorize":
        count = services.prospects_categorize(
            prospect_ids=ids, category=form.cleaned_data["category"], actor=request.user
        )
        text = _("Category added to %(count)d prospect(s).") % {"count": count}
    else:
        count = services.prospects_trash(prospect_ids=ids, actor=request.user)
        text = _("%(count)d prospect(s) moved to the trash.") % {"count": count}
    skipped = len(ids) - count
    if skipped:
        text += " " + _("%(count)d skipped: you may not change them.") % {"count": skipped}
    messages.success(request, text)
    return redirect(_next_or(request, reverse("prospect_list")))


@login_required
@require_http_methods(["GET", "POST"])
def prospect_create(request: HtmxHttpRequest):
    paste_form = PasteForm()
    if request.method == "POST" and request.POST.get("action") == "paste":
        # The lightning button: fill the form for review, save nothing.
        paste_form = PasteForm(request.POST)
        paste_form.is_valid()
        values = parse_paste(paste_form.cleaned_data.get("text", ""))
        form = ProspectForm(initial={**values, "owner": request.user})
        if values:
            note, level = _("The form was filled from the e-mail: check it, then save."), "info"
        else:
            note, level = _("Nothing recognisable in the pasted text."), "warning"
        if request.htmx:
            response = render(request, "prospects/prospect_form.html#prospect-form", {"form": form})
            return with_message(response, note, level)
        getattr(messages, level)(request, note)
        paste_form = PasteForm()
    elif request.method == "POST":
        form = ProspectForm(request.POST)
        if form.is_valid():
            data = {
                k: v for k, v in form.cleaned_data.items() if k not in ("categories", "version")
            }
            prospect = services.prospect_create(
                actor=request.user, data=data, categories=form.cleaned_data["categories"]
            )
            messages.success(request, _("Prospect created."))
            return redirect(prospect)
    else:
        form = ProspectForm(initial={"owner": request.user})
    template = "prospects/prospect_form.html"
    if request.htmx and request.htmx.target == "prospect-form":
        template += "#prospect-form"
    return render(request, template, {"form": form, "paste_form": paste_form})


def _card_context(request, prospect: Prospect, tab: str, **extra) -> dict:
    context = {
        "prospect": prospect,
        "tab": tab,
        "tabs": TABS,
        "may_change": can_change(request.user, prospect),
        "opportunities": (
            Opportunity.objects.visible_to(request.user)
            .filter(prospect=prospect)
            .select_related("process", "step", "owner", "loss_reason")
        ),
        "board_url": _default_board_url(),
    }
    if tab == "details":
        context.setdefault("form", None)
    if tab == "extra":
        context["extra_fields"] = list(ExtraField.objects.all())
    context.update(extra)
    return context


@login_required
@require_http_methods(["GET", "POST"])
def prospect_detail(request: HtmxHttpRequest, pk: int):
    """The prospect card: project, details, extra fields, tasks and history tabs."""
    prospect = get_visible_or_404(
        Prospect.objects.select_related(
            "owner", "channel", "created_by", "updated_by", "company", "person"
        ),
        request.user,
        pk=pk,
    )
    tab = request.GET.get("tab") or request.POST.get("tab") or "project"
    tab = tab if tab in TABS else "project"
    form = extra_form = None
    status = 200
    if request.method == "POST":
        if not can_change(request.user, prospect):
            raise PermissionDenied
        try:
            if tab == "extra":
                extra_form = ExtraFieldsForm(request.POST, prospect=prospect)
                if extra_form.is_valid():
                    services.prospect_extra_update(
                        prospect_id=prospect.pk,
                        actor=request.user,
                        extra=extra_form.values(),
                        expected_version=extra_form.cleaned_data.get("version"),
                    )
                    messages.success(request, _("Saved."))
                    return redirect(f"{prospect.get_absolute_url()}?tab=extra")
            else:
                tab = "details"
                form = ProspectForm(request.POST, instance=prospect)
                if form.is_valid():
                    data = {
                        k: v
                        for k, v in form.cleaned_data.items()
                        if k not in ("categories", "version")
                    }
                    services.prospect_update(
                        prospect_id=prospect.pk,
                        actor=request.user,
                        data=data,
                        expected_version=form.cleaned_data.get("version"),
                        categories=form.cleaned_data["categories"],
                    )
                    messages.success(request, _("Saved."))
                    return redirect(f"{prospect.get_absolute_url()}?tab=details")
        except services.ConcurrentEdit as conflict:
            # Show the current values; the user's input is listed so nothing typed is lost.
            current = conflict.current
            submitted = form.cleaned_data if form is not None else extra_form.cleaned_data
            form = ProspectForm(instance=current) if tab == "details" else None
            extra_form = ExtraFieldsForm(prospect=current) if tab == "extra" else None
            prospect = current
            status = 409
            return render(
                request,
                "prospects/prospect_detail.html",
                _card_context(
                    request,
                    prospect,
                    tab,
                    form=form,
                    extra_form=extra_form,
                    conflict=conflict.message,
                    submitted={
                        k: v
                        for k, v in submitted.items()
                        if k != "version" and v not in (None, "", [])
                    },
                ),
                status=status,
            )
        status = 422
    if tab == "details" and form is None:
        form = ProspectForm(instance=prospect)
    if tab == "extra" and extra_form is None:
        extra_form = ExtraFieldsForm(prospect=prospect)
    context = _card_context(
        request,
        prospect,
        tab,
        form=form,
        extra_form=extra_form,
        new_opportunity_form=NewOpportunityForm(),
    )
    template = "prospects/prospect_detail.html"
    if request.htmx and request.htmx.target == "prospect-tab":
        template += "#prospect-tab"
    return render(request, template, context, status=status)


@login_required
@require_POST
def prospect_opportunity_create(request: HtmxHttpRequest, pk: int):
    from pipeline.services import MoveRefused

    prospect = get_changeable_or_403(Prospect, request.user, pk=pk)
    form = NewOpportunityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A new opportunity needs a summary and a process."))
        return redirect(prospect)
    data = form.cleaned_data
    fields = {"summary": data["summary"], "expected_date": data["expected_date"]}
    if data["amount"] is not None:
        fields["amount"] = data["amount"]
    try:
        opportunity = services.opportunity_add(
            prospect_id=prospect.pk, actor=request.user, process=data["process"], **fields
        )
    except MoveRefused as refused:
        messages.error(request, refused.message)
        return redirect(prospect)
    messages.success(request, _("Opportunity created."))
    return redirect(opportunity)


@login_required
@require_POST
def prospect_add_to_contacts(request: HtmxHttpRequest, pk: int):
    prospect = get_changeable_or_403(Prospect, request.user, pk=pk)
    company, person = services.prospect_add_to_contacts(prospect_id=prospect.pk, actor=request.user)
    messages.success(
        request,
        _("Linked to the contacts: %(what)s.")
        % {"what": " / ".join(str(x) for x in (company, person) if x) or "—"},
    )
    return redirect(prospect)


@login_required
@require_http_methods(["GET", "POST"])
def prospect_import_contact(request: HtmxHttpRequest):
    """Gestan's "import a contact": pick a person of the contact file; it becomes a prospect."""
    if request.method == "POST":
        raw = request.POST.get("person", "")
        person = get_visible_or_404(Person, request.user, pk=int(raw) if raw.isdigit() else 0)
        try:
            prospect = services.prospect_from_person(person_id=person.pk, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("prospect_import_contact")
        messages.success(request, _("%(person)s is in the prospect file.") % {"person": person})
        return redirect(prospect)
    query = (request.GET.get("q") or "").strip()
    people = Person.objects.visible_to(request.user).prefetch_related("companies")
    if query:
        for word in query.split()[:4]:
            people = people.filter(
                Q(last_name__icontains=word)
                | Q(first_name__icontains=word)
                | Q(email__icontains=word)
            )
    people = people.order_by("last_name", "first_name")[:30]
    template = "prospects/import_contact.html"
    if request.htmx and request.htmx.target == "people-results":
        template += "#people-results"
    return render(request, template, {"people": people, "q": query})


# --------------------------------------------------------------------------- opportunities


def _opportunity(request, pk: int) -> Opportunity:
    return get_visible_or_404(
        Opportunity.objects.select_related(
            "prospect",
            "process",
            "step",
            "owner",
            "loss_reason",
            "company",
            "person",
            "created_by",
            "updated_by",
        ),
        request.user,
        pk=pk,
    )


def _may_edit(user, opportunity: Opportunity) -> bool:
    """Its owner's right (`can_change`) and the process's modify right (PROSTEP "Modif")."""
    from pipeline.rights import can_modify_process_opportunities

    return can_change(user, opportunity) and can_modify_process_opportunities(
        user, opportunity.process
    )


def _changeable_opportunity(request, pk: int) -> Opportunity:
    opportunity = get_changeable_or_403(
        Opportunity.objects.select_related("process"), request.user, pk=pk
    )
    if not _may_edit(request.user, opportunity):
        raise PermissionDenied
    return opportunity


def _opportunity_context(request, opportunity, form=None, **extra) -> dict:
    may_change = _may_edit(request.user, opportunity)
    if form is not None and not may_change:
        for field in form.fields.values():
            field.disabled = True
    context = {
        "opportunity": opportunity,
        "may_change": may_change,
        "form": form,
        "lines": opportunity.lines.all(),
        "line_form": LineForm(),
        "step_probability": services.probability_from_step(opportunity),
        "board_url": _default_board_url(),
    }
    context.update(extra)
    return context


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_detail(request: HtmxHttpRequest, pk: int):
    """The opportunity card: project fields, status/step (through the process rules), lines."""
    from pipeline.services import MoveRefused

    opportunity = _opportunity(request, pk)
    status = 200
    if request.method == "POST":
        if not _may_edit(request.user, opportunity):
            raise PermissionDenied
        if request.POST.get("action") == "follow_step":
            return _probability_follow_step(request, opportunity)
        form = OpportunityForm(request.POST, instance=opportunity)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.opportunity_update(
                    opportunity_id=opportunity.pk,
                    actor=request.user,
                    data={k: data[k] for k in services.OPPORTUNITY_EDITABLE if k in data},
                    expected_version=data.get("version"),
                    to_status=data.get("status"),
                    to_step=data.get("step"),
                    loss_reason=data.get("loss_reason"),
                )
            except services.ConcurrentEdit as conflict:
                current = _opportunity(request, pk)
                return render(
                    request,
                    "prospects/opportunity_detail.html",
                    _opportunity_context(
                        request,
                        current,
                        form=OpportunityForm(instance=current),
                        conflict=conflict.message,
                        submitted={
                            k: v for k, v in data.items() if k != "version" and v not in (None, "")
                        },
                    ),
                    status=409,
                )
            except MoveRefused as refused:
                form.add_error(None, refused.message)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(opportunity)
        status = 422
    else:
        form = OpportunityForm(instance=opportunity)
    return render(
        request,
        "prospects/opportunity_detail.html",
        _opportunity_context(request, opportunity, form=form),
        status=status,
    )


def _probability_follow_step(request, opportunity):
    """The card's "follow the step again" button: undoes a probability typed by hand."""
    try:
        services.opportunity_probability_follow_step(
            opportunity_id=opportunity.pk,
            actor=request.user,
            expected_version=request.POST.get("version") or None,
        )
    except services.ConcurrentEdit as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, _("The probability follows the step again."))
    return redirect(opportunity)


def _lines_response(request, opportunity, line_form=None, status=200):
    opportunity.refresh_from_db()
    context = _opportunity_context(request, opportunity)
    if line_form is not None:
        context["line_form"] = line_form
    return render(
        request, "prospects/opportunity_detail.html#opportunity-lines", context, status=status
    )


@login_required
@require_POST
def opportunity_line_add(request: HtmxHttpRequest, pk: int):
    opportunity = _changeable_opportunity(request, pk)
    form = LineForm(request.POST)
    if form.is_valid():
        try:
            services.opportunity_line_add(
                opportunity_id=opportunity.pk, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
    if not request.htmx:
        if form.errors:
            messages.error(
                request, _("The line was not added: %(errors)s") % {"errors": form.errors.as_text()}
            )
        return redirect(opportunity)
    if form.errors:
        return _lines_response(request, opportunity, form)
    return with_message(_lines_response(request, opportunity), _("Line added."), "success")


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_line_edit(request: HtmxHttpRequest, pk: int):
    line = get_object_or_404(OpportunityLine, pk=pk)
    opportunity = _changeable_opportunity(request, line.opportunity_id)
    form = LineForm(request.POST or None, instance=line)
    if request.method == "POST" and form.is_valid():
        services.opportunity_line_update(
            line_id=line.pk, actor=request.user, data=form.cleaned_data
        )
        if request.htmx:
            return close_modal(_lines_response(request, opportunity))
        return redirect(opportunity)
    response = render(
        request,
        "prospects/line_form.html",
        {"form": form, "line": line, "opportunity": opportunity},
    )
    if request.htmx and request.method == "POST":
        response = reswap(retarget(response, "#modal-body"), "innerHTML")
    return response


@login_required
@require_POST
def opportunity_line_delete(request: HtmxHttpRequest, pk: int):
    line = get_object_or_404(OpportunityLine, pk=pk)
    opportunity = _changeable_opportunity(request, line.opportunity_id)
    services.opportunity_line_delete(line_id=line.pk, actor=request.user)
    if request.htmx:
        return with_message(_lines_response(request, opportunity), _("Line deleted."), "success")
    return redirect(opportunity)


# --------------------------------------------------------------------------- import / export


@login_required
@require_http_methods(["GET", "POST"])
def prospect_import(request: HtmxHttpRequest):
    """Step 1 of the wizard: upload a file (its header row is read at once)."""
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, initial={"owner": request.user}
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_create(
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
            services.import_job_start(job=job, actor=request.user, dry_run=dry_run)
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


# --------------------------------------------------------------------------- delete all, trash


def _managers_only(request):
    if not is_manager(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def prospect_delete_all(request: HtmxHttpRequest):
    _managers_only(request)
    form = ConfirmDeleteAllForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.prospects_trash_all(
                actor=request.user, confirmation=form.cleaned_data["confirmation"]
            )
        except ValidationError as error:
            form.add_error("confirmation", error)
        else:
            messages.success(
                request,
                _(
                    "%(count)d prospect(s) moved to the trash; restore them there within %(days)d days."
                )
                % {
                    "count": count,
                    "days": services.settings.TRASH_RETENTION_DAYS,
                },
            )
            return redirect("prospect_trash")
    count = Prospect.objects.count()
    return render(
        request,
        "prospects/delete_all.html",
        {
            "form": form,
            "count": count,
            "word": services.CONFIRMATION_WORD,
            "days": services.settings.TRASH_RETENTION_DAYS,
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET"])
def prospect_trash(request: HtmxHttpRequest):
    _managers_only(request)
    trashed = (
        Prospect.all_objects.trashed()
        .filter(deleted_at__gte=services.trash_limit())
        .select_related("deleted_by", "owner")
        .order_by("-deleted_at", "last_name", "id")
    )
    page = Paginator(trashed, 100).get_page(request.GET.get("page"))
    batches = (
        Prospect.all_objects.trashed()
        .filter(deleted_at__gte=services.trash_limit())
        .values("deleted_at", "deleted_by__username")
        .order_by("-deleted_at")
    )
    batches = batches.annotate(count=Count("id"))[:20]
    return render(
        request,
        "prospects/trash.html",
        {
            "page": page,
            "batches": batches,
            "days": services.settings.TRASH_RETENTION_DAYS,
        },
    )


@login_required
@require_POST
def prospect_restore(request: HtmxHttpRequest):
    _managers_only(request)
    ids = [int(x) for x in request.POST.getlist("ids") if x.isdigit()]
    batch = request.POST.get("batch")
    if batch:
        try:
            deleted_at = dt.datetime.fromisoformat(batch)
        except ValueError:
            deleted_at = None
        ids = (
            list(
                Prospect.all_objects.trashed()
                .filter(deleted_at=deleted_at)
                .values_list("pk", flat=True)
            )
            if deleted_at
            else []
        )
    try:
        count = services.prospects_restore(prospect_ids=ids, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(count)d prospect(s) restored.") % {"count": count})
    return redirect("prospect_trash")
