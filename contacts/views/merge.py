"""The duplicates page and the merge screens of companies, people and prospects.

`/<kind>/<pk>/merge/` keeps the record `pk`: the page offers its likely duplicates (or what the
user searches for), then, once one is chosen (`?other=`), a table of the fields whose values
differ where the user picks, field by field, the value kept. The POST calls
`contacts.merge.record_merge`, which moves every link and puts the other record in the trash."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from contacts import duplicates
from contacts.merge import merge_fields, record_merge
from contacts.models import Company, Person, Prospect
from contacts.validators import format_phone
from core.access import get_changeable_or_403
from core.htmx import HtmxHttpRequest
from core.params import id_param
from core.users import user_label

KINDS = {
    "company": (Company, duplicates.company_merge_candidates, "company_merge"),
    "person": (Person, duplicates.person_merge_candidates, "person_merge"),
    "prospect": (Prospect, duplicates.prospect_merge_candidates, "prospect_merge"),
}


@login_required
@require_GET
def duplicate_list(request: HtmxHttpRequest):
    """Likely duplicates among the companies, people and prospects the user sees."""
    kind = request.GET.get("kind", "company")
    if kind not in KINDS:
        kind = "company"
    finder = {
        "company": duplicates.company_duplicate_groups,
        "person": duplicates.person_duplicate_groups,
        "prospect": duplicates.prospect_duplicate_groups,
    }[kind]
    return render(
        request,
        "contacts/duplicates.html",
        {"groups": finder(request.user), "kind": kind, "merge_url": KINDS[kind][2]},
    )


def _display(record, merge_field) -> str:
    value = getattr(record, merge_field.name)
    if value in (None, ""):
        return ""
    if merge_field.name == "owner":
        return user_label(value)
    if merge_field.name in ("phone", "mobile"):
        return format_phone(value)
    if merge_field.choices:
        return str(getattr(record, f"get_{merge_field.name}_display")())
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _rows(kept, other) -> list[dict]:
    """One row per field: both values, and which one is ticked (the kept record's, unless it
    is empty and the other's is not)."""
    rows = []
    for merge_field in merge_fields(type(kept)):
        mine, theirs = _display(kept, merge_field), _display(other, merge_field)
        rows.append(
            {
                "name": merge_field.name,
                "label": merge_field.verbose_name,
                "kept": mine,
                "other": theirs,
                "same": mine == theirs,
                "take_other": not mine and bool(theirs),
            }
        )
    return rows


def _merge_page(request: HtmxHttpRequest, kind: str, pk: int):
    model, candidates_of, url_name = KINDS[kind]
    kept = get_changeable_or_403(model.objects.all(), request.user, pk=pk)
    source = request.POST if request.method == "POST" else request.GET
    other_id = id_param(source, "other")
    other = None
    if other_id:
        other = model.all_objects.visible_to(request.user).filter(pk=other_id).first()
        if other is None:
            messages.error(request, _("This record does not exist or you may not see it."))
            return redirect(url_name, pk=kept.pk)
    if request.method == "POST" and other is not None:
        take = [
            row["name"]
            for row in _rows(kept, other)
            if request.POST.get(f"take_{row['name']}") == "other"
        ]
        try:
            result = record_merge(kept=kept, other=other, actor=request.user, take=take)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            moved = ", ".join(f"{label} {count}" for label, count in sorted(result.moved.items()))
            messages.success(
                request,
                _("“%(other)s” merged into “%(kept)s” and moved to the trash. Moved: %(moved)s.")
                % {"other": other, "kept": result.kept, "moved": moved or "—"},
            )
            return redirect(result.kept)
    query = request.GET.get("q", "").strip()[:100]
    candidates = [] if other else candidates_of(kept, request.user, query)
    return render(
        request,
        "contacts/merge.html",
        {
            "kind": kind,
            "kept": kept,
            "other": other,
            "rows": _rows(kept, other) if other else [],
            "candidates": candidates,
            "query": query,
            "merge_url": url_name,
            "verbose_name": model._meta.verbose_name,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def company_merge(request: HtmxHttpRequest, pk: int):
    return _merge_page(request, "company", pk)


@login_required
@require_http_methods(["GET", "POST"])
def person_merge(request: HtmxHttpRequest, pk: int):
    return _merge_page(request, "person", pk)


@login_required
@require_http_methods(["GET", "POST"])
def prospect_merge(request: HtmxHttpRequest, pk: int):
    return _merge_page(request, "prospect", pk)
