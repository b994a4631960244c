"""What the contact pages share: tabs, attachable records, going back."""

from django.shortcuts import redirect

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
