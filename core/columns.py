"""The columns a user chose for a list (the prospect, company and person lists).

Each app registers its list's columns in its `AppConfig.ready` (`register`); a list page asks
`list_columns` which ones to render for the user (their saved choice, else the list's
defaults) and renders only those. The choice is saved by `list_columns_save`, posted from the
list's column chooser (`templates/core/_column_chooser.html`) to `list_columns_choose`.
Required columns (the name that opens the record) cannot be hidden.
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from core.htmx import HtmxHttpRequest
from core.models import ListColumns
from core.redirects import safe_next


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    default: bool = True
    required: bool = False


LISTS: dict[str, tuple[Column, ...]] = {}


def register(list_name: str, columns: tuple[Column, ...]) -> None:
    LISTS[list_name] = tuple(columns)


def list_columns(*, user, list_name: str) -> list[Column]:
    """The columns of `list_name` the user sees, in the list's order: their saved choice (the
    required ones always among them), else the list's defaults."""
    columns = LISTS[list_name]
    saved = (
        ListColumns.objects.filter(user=user, list_name=list_name)
        .values_list("columns", flat=True)
        .first()
    )
    if saved is None:
        return [column for column in columns if column.default or column.required]
    chosen = set(saved)
    return [column for column in columns if column.required or column.name in chosen]


def list_columns_save(*, user, list_name: str, names: list[str]) -> list[str]:
    """Keep the user's choice of columns for `list_name` (unknown names dropped, required ones
    added)."""
    columns = LISTS[list_name]
    wanted = set(names)
    kept = [column.name for column in columns if column.required or column.name in wanted]
    with transaction.atomic():
        ListColumns.objects.update_or_create(
            user=user, list_name=list_name, defaults={"columns": kept}
        )
    return kept


def columns_context(*, user, list_name: str) -> dict:
    """What a list template needs: the names of the columns to render (`{% if "city" in shown
    %}`) and the chooser's checkboxes (`templates/core/_column_chooser.html`)."""
    names = {column.name for column in list_columns(user=user, list_name=list_name)}
    return {
        "shown": names,
        "column_list": list_name,
        "column_choices": [(column, column.name in names) for column in LISTS[list_name]],
    }


@login_required
@require_POST
def list_columns_choose(request: HtmxHttpRequest, slug: str):
    """Save the columns the user ticked in the chooser of the list `slug`."""
    if slug not in LISTS:
        raise Http404
    list_columns_save(user=request.user, list_name=slug, names=request.POST.getlist("columns"))
    if request.htmx:
        # The list re-renders with only the chosen columns.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect(safe_next(request, default="dashboard"))
