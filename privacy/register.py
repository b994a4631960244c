"""The register of processing (GDPR art. 30), built from the models, the settings and the data
in force: what Jalon stores per kind of record (from the models' fields), why, on which lawful
bases (counted), for how long (the settings), who sees it (roles, REPS_SEE_ONLY_OWN) and to
whom it goes (SMTP, webhooks, single sign-on, the company register)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from contacts.choices import LawfulBasis, Origin
from contacts.models import Company, Document, Note, Person, Prospect
from core.roles import SALES_MANAGER, SALES_REP
from mail.models import Message
from pipeline.models import Opportunity, Task

# Which category of data a field belongs to, by its name; the others are "other".
CATEGORIES = {
    "identity": (
        _("Identity"),
        {"civility", "first_name", "last_name", "birth_date", "language", "name", "from_name"},
    ),
    "contact": (
        _("Contact details"),
        {
            "email",
            "email2",
            "phone",
            "mobile",
            "address",
            "postal_code",
            "city",
            "country",
            "website",
            "from_address",
            "to",
            "cc",
        },
    ),
    "work": (
        _("Professional life"),
        {"job_title", "department", "company_name", "sector", "customer_type", "siren"},
    ),
    "economic": (
        _("Economic and commercial information"),
        {"amount", "probability", "expected_date", "status", "summary", "interest", "rating"},
    ),
    "free_text": (
        _("Free text (notes, comments, messages)"),
        {"notes", "project_notes", "text", "subject", "body_text", "body_html", "extra", "title"},
    ),
    "origin": (
        _("Origin and lawful basis"),
        {"origin", "origin_detail", "lawful_basis", "consent_at", "consent_proof", "channel"},
    ),
    "tracking": (
        _("Follow-up dates"),
        {
            "first_contact_at",
            "last_contact_at",
            "next_contact_at",
            "last_contact_type",
            "next_contact_type",
            "created_at",
            "updated_at",
        },
    ),
}

RECORDS = [
    (Prospect, _("Prospecting of companies' staff (B2B), the prospect file")),
    (Person, _("Management of the relation with customers' and prospects' contacts")),
    (Company, _("Management of customers and prospect companies")),
    (Opportunity, _("Following sales opportunities and the forecast")),
    (Task, _("Organising the sales reps' actions")),
    (Note, _("Keeping track of exchanges")),
    (Document, _("Keeping the documents exchanged")),
    (Message, _("Keeping the e-mails exchanged with customers and prospects")),
]

HIDDEN_FIELDS = {"id", "version", "search_text", "deleted_at", "deleted_by"}


def categories_of(model) -> list[tuple[str, list[str]]]:
    """The model's fields grouped by category: [(category label, [field labels])]."""
    found: dict[str, list[str]] = {}
    for field in model._meta.concrete_fields:
        if field.name in HIDDEN_FIELDS or isinstance(field, models.AutoField):
            continue
        if field.many_to_one and field.name.endswith("_by"):
            continue
        key = next((k for k, (_label, names) in CATEGORIES.items() if field.name in names), "other")
        found.setdefault(key, []).append(str(field.verbose_name))
    order = [*CATEGORIES, "other"]
    return [
        (str(CATEGORIES[k][0]) if k in CATEGORIES else str(_("Other")), found[k])
        for k in order
        if k in found
    ]


def _counts(model, field: str, choices) -> list[tuple[str, int]]:
    counted = dict(model.objects.values_list(field).annotate(n=Count("pk")).order_by())
    return [(str(label), counted.get(value, 0)) for value, label in choices]


def _webhooks() -> list[str]:
    """The hosts webhooks are delivered to, from any model of the project named like a webhook
    with a `url` field (the API app's), whatever app defines it."""
    hosts: set[str] = set()
    for model in apps.get_models():
        if "webhook" not in model.__name__.lower():
            continue
        names = {f.name for f in model._meta.concrete_fields}
        if "url" not in names:
            continue
        queryset = model._default_manager.all()
        if "active" in names:
            queryset = queryset.filter(active=True)
        elif "is_active" in names:
            queryset = queryset.filter(is_active=True)
        hosts |= {urlsplit(url).netloc or url for url in queryset.values_list("url", flat=True)}
    return sorted(hosts)


def _sso() -> list[str]:
    providers = getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}) or {}
    names = []
    for name, conf in providers.items():
        active = conf.get("APPS") or conf.get("APP") if isinstance(conf, dict) else conf
        if active:
            names.append(str(name))
    return names


def register() -> dict:
    """The register's content, computed now."""
    users = get_user_model().objects.filter(is_active=True)
    smtp = settings.EMAIL_BACKEND.endswith("smtp.EmailBackend")
    return {
        "records": [
            {
                "label": model._meta.verbose_name_plural,
                "purpose": purpose,
                "count": model._default_manager.count(),
                "categories": categories_of(model),
            }
            for model, purpose in RECORDS
        ],
        "bases": {
            "prospects": _counts(Prospect, "lawful_basis", LawfulBasis.choices),
            "people": _counts(Person, "lawful_basis", LawfulBasis.choices),
        },
        "origins": {
            "prospects": _counts(Prospect, "origin", Origin.choices),
            "people": _counts(Person, "origin", Origin.choices),
        },
        "retention": {
            "days": settings.RETENTION_DAYS,
            "grace": settings.RETENTION_GRACE_DAYS,
            "trash": settings.TRASH_RETENTION_DAYS,
        },
        "roles": {
            "reps": users.filter(groups__name=SALES_REP).distinct().count(),
            "managers": users.filter(groups__name=SALES_MANAGER).distinct().count(),
            "reps_see_only_own": settings.REPS_SEE_ONLY_OWN,
        },
        "recipients": {
            "smtp": settings.EMAIL_HOST if smtp else "",
            "imap": getattr(settings, "IMAP_HOST", "") or "",
            "webhooks": _webhooks(),
            "sso": _sso(),
            "register": urlsplit(getattr(settings, "SIRENE_API_URL", "") or "").netloc,
        },
    }
