from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts.models import ExtraField, Person, Prospect
from contacts.register import RegisterUnavailable, register_company
from contacts.register_sync import company_fill_from_register
from core.access import can_change, get_changeable_or_403, get_visible_or_404
from core.columns import columns_context
from core.conflicts import stale_response
from core.htmx import HtmxHttpRequest, with_message
from core.params import id_param, int_param
from core.redirects import safe_next
from core.roles import is_manager
from core.sentences import sentence
from core.versions import ConcurrentEdit
from pipeline.models import Opportunity
from pipeline.services import cards as card_services
from pipeline.views.board import board_url
from pipeline.views.calls import call_log_context
from prospects import services
from prospects.filters import ProspectFilter, filter_fields
from prospects.forms import (
    BulkForm,
    ConfirmDeleteAllForm,
    ExtraFieldsForm,
    NewOpportunityForm,
    PasteForm,
    ProspectForm,
)
from prospects.list_rows import LIST_FIELDS, LIST_OPPORTUNITY_FIELDS, dress_rows
from prospects.paste import parse_paste
from prospects.selectors import prospect_page, prospects_sorted

PAGE_SIZES = (10, 25, 50, 100)
PAGE_SIZE = 25
TABS = ("project", "details", "extra", "tasks", "history")


def _filtered(request):
    """The user's prospects with the list's filters applied (the list and the export share it)."""
    queryset = Prospect.objects.visible_to(request.user)
    prospect_filter = ProspectFilter(request.GET or None, queryset=queryset, user=request.user)
    return prospect_filter, prospect_filter.qs


def _sorted(request, queryset):
    return prospects_sorted(queryset, sort=request.GET.get("sort"), user=request.user)


def _list_opportunities(user):
    return (
        Opportunity.objects.visible_to(user)
        .select_related("step")
        .only(*LIST_OPPORTUNITY_FIELDS)
        .order_by("status", "-created_at", "id")
    )


@login_required
@require_http_methods(["GET"])
def prospect_list(request: HtmxHttpRequest):
    prospect_filter, queryset = _filtered(request)
    sort, queryset = _sorted(request, queryset)
    per_page = int_param(request.GET, "per_page", PAGE_SIZE)
    per_page = per_page if per_page in PAGE_SIZES else PAGE_SIZE
    # Plain lists (`to_attr`): a related manager made per row and per read costs more than
    # the row's reading.
    queryset = (
        queryset.select_related("owner")
        .only(*LIST_FIELDS)
        .prefetch_related(
            Prefetch(
                "opportunities",
                queryset=_list_opportunities(request.user),
                to_attr="listed_opportunities",
            ),
            Prefetch("categories", to_attr="listed_categories"),
        )
    )
    page = prospect_page(queryset, page_number=request.GET.get("page"), per_page=per_page)
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = params.copy()
    sort_params.pop("sort", None)
    columns = columns_context(user=request.user, list_name="prospects")
    context = {
        "filter": prospect_filter,
        "page": page,
        "rows": dress_rows(page.object_list),
        # One flag per column, read by every row (cheaper than `"city" in shown` each time;
        # every column named, as a missing key costs the template three failed lookups).
        "show": {column.name: shown for column, shown in columns["column_choices"]},
        "sort": sort,
        "per_page": per_page,
        "query": params.urlencode(),
        "sort_query": sort_params.urlencode(),
        "page_sizes": PAGE_SIZES,
        **columns,
    }
    template = "prospects/prospect_list.html"
    if request.htmx and not request.htmx.boosted and request.htmx.target == "prospect-rows":
        # The rows alone: no filter bar, so none of its choice lists is read.
        return render(request, template + "#prospect-rows", context)
    context |= {
        "filter_fields": filter_fields(prospect_filter.form),
        "board_url": board_url(prospect_filter.default_process),
        "is_manager": is_manager(request.user),
    }
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
        return redirect(safe_next(request, reverse("prospect_list")))
    ids = [p.pk for p in form.cleaned_data["ids"]]
    action = form.cleaned_data["action"]
    if action == "assign":
        count = services.prospects_assign(
            prospect_ids=ids, owner=form.cleaned_data["owner"], actor=request.user
        )
        text = ngettext("%(count)d prospect assigned.", "%(count)d prospects assigned.", count) % {
            "count": count
        }
    elif action == "categorize":
        count = services.prospects_categorize(
            prospect_ids=ids, category=form.cleaned_data["category"], actor=request.user
        )
        text = ngettext(
            "Category added to %(count)d prospect.", "Category added to %(count)d prospects.", count
        ) % {"count": count}
    else:
        count = services.prospects_trash(prospect_ids=ids, actor=request.user)
        text = ngettext(
            "%(count)d prospect moved to the trash.",
            "%(count)d prospects moved to the trash.",
            count,
        ) % {"count": count}
    skipped = len(ids) - count
    if skipped:
        text += " " + ngettext(
            "%(count)d skipped: you may not change it.",
            "%(count)d skipped: you may not change them.",
            skipped,
        ) % {"count": skipped}
    messages.success(request, text)
    return redirect(safe_next(request, reverse("prospect_list")))


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
        "board_url": board_url(),
    }
    if context["may_change"]:
        context.update(call_log_context(prospect))
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
        except ConcurrentEdit as conflict:
            # The form shows the current values; the conflict lists what the user typed.
            prospect = conflict.current
            if tab == "extra":
                typed, current = extra_form, ExtraFieldsForm(prospect=prospect)
                form_context = {"extra_form": current}
            else:
                typed, current = form, ProspectForm(instance=prospect)
                form_context = {"form": current}
            return stale_response(
                request,
                "prospects/prospect_detail.html",
                _card_context(request, prospect, tab, **form_context),
                error=conflict,
                typed=typed,
                current=current,
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
    from pipeline.services.opportunities import MoveRefused

    prospect = get_changeable_or_403(Prospect, request.user, pk=pk)
    form = NewOpportunityForm(request.POST)
    if not form.is_valid():
        # The card again, with what was typed and the reason next to each refused field.
        context = _card_context(request, prospect, "project", new_opportunity_form=form)
        return render(request, "prospects/prospect_detail.html", context, status=422)
    data = form.cleaned_data
    fields = {"summary": data["summary"], "expected_date": data["expected_date"]}
    if data["amount"] is not None:
        fields["amount"] = data["amount"]
    try:
        opportunity = card_services.opportunity_add(
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
        sentence(
            _("Linked to the contacts: %(what)s.")
            % {"what": " / ".join(str(x) for x in (company, person) if x) or "—"}
        ),
    )
    siren = request.POST.get("register_siren", "").strip()
    if company is not None and siren:
        # Picked in the national register: complete the company (contacts.register_sync).
        _complete_from_register(request, company, siren, request.POST.get("register_siret", ""))
    return redirect(prospect)


def _complete_from_register(request, company, siren: str, siret: str) -> None:
    siret = siret.strip()[:14]
    try:
        found = register_company(siren[:9], siret=siret)
    except (RegisterUnavailable, ValueError) as exc:
        messages.warning(request, str(getattr(exc, "message", exc)))
        return
    if found is not None and can_change(request.user, company):
        company_fill_from_register(company=company, found=found, siret=siret, actor=request.user)


@login_required
@require_http_methods(["GET", "POST"])
def prospect_import_contact(request: HtmxHttpRequest):
    """Gestan's "import a contact": pick a person of the contact file; it becomes a prospect."""
    if request.method == "POST":
        person = get_visible_or_404(Person, request.user, pk=id_param(request.POST, "person"))
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


# --------------------------------------------------------------------------- import / export


# --------------------------------------------------------------------------- delete all, trash


def _trash_of_prospects() -> str:
    return f"{reverse('trash')}?kind=prospect"


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
                ngettext(
                    "%(count)d prospect moved to the trash; restore it there within %(days)d days.",
                    "%(count)d prospects moved to the trash; restore them there within %(days)d days.",
                    count,
                )
                % {
                    "count": count,
                    "days": services.settings.TRASH_RETENTION_DAYS,
                },
            )
            return redirect(_trash_of_prospects())
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
@require_GET
def prospect_trash(request: HtmxHttpRequest):
    """The prospects' former trash page: the trash page, showing the prospects."""
    return redirect(_trash_of_prospects(), permanent=True)
