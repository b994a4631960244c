"""What the contact pages share: tabs, attachable records, going back."""

from django.shortcuts import redirect
from django.template.defaultfilters import date as date_filter
from django.utils import timezone

from core.redirects import safe_next

PAGE_SIZE = 50


COMPANY_TABS = [
    "identity",
    "addresses",
    "contacts",
    "management",
    "bank",
    "tasks",
    "notes",
    "documents",
    "history",
]


PERSON_TABS = ["identity", "companies", "tasks", "notes", "documents", "history"]


# Records notes and documents may be attached to ("app_label.model").
ATTACHABLE = {"contacts.company", "contacts.person", "contacts.prospect", "pipeline.opportunity"}


def redirect_back(request, fallback: str):
    return redirect(safe_next(request, fallback))


def query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def dated(value, kind: str = "") -> tuple[str, str]:
    """A list's date cell: the short local date, and its hover text (the whole date and time,
    then the kind of contact); ("", "") for no date. As the templates' `date` filter writes
    them, in the active language."""
    if not value:
        return "", ""
    local = timezone.localtime(value)
    title = date_filter(local, "j F Y H:i")
    return date_filter(local, "d/m/y"), f"{title} · {kind}" if kind else title
