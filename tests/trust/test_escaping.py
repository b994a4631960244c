"""Hostile text in every text field of every model never reaches a page unescaped.

Script-style and attribute-breaking payloads are written straight into every CharField and
TextField of the apps' models (bypassing forms, as an import or an old record would), then
every page and htmx fragment of the project is requested. New models, fields and URLs are
covered without touching this file.
"""

import re

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from core import trash
from tests import factories as f
from tests.trust.conftest import build_world
from tests.trust.test_url_walk import RULES, build_url, url_names

pytestmark = pytest.mark.django_db

APPS = ("core", "accounts", "contacts", "prospects", "pipeline", "forecasting")
SCRIPT = '<script>alert("x")</script>'
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
SHORT = '"<x>'
URL = "javascript:alert(1)//"
# Fields the application reads as structured values (never typed as free text by users).
STRUCTURED = {
    "pipeline.Task.weekdays",
    "pipeline.CalendarFeed.token",
    "contacts.CompanySearchWord.word",
    "accounts.User.password",
}
# What an unescaped payload looks like in HTML.
RAW = [
    re.compile(p, re.I)
    for p in (r"<script>alert\(", r"<img src=x onerror", r"<x>", r"href=[\"']?\s*javascript:")
]


def text_fields(model):
    for field in model._meta.concrete_fields:
        label = f"{model._meta.label}.{field.name}"
        if not isinstance(field, (models.CharField, models.TextField)) or field.primary_key:
            continue
        if field.choices or isinstance(field, models.SlugField) or label in STRUCTURED:
            continue
        yield field


def payload_for(field, pk: int) -> str | None:
    suffix = str(pk) if field.unique else ""
    if isinstance(field, models.URLField) or field.name in {"website", "url"}:
        candidates = [URL]
    else:
        candidates = [ATTRIBUTE + SCRIPT, SCRIPT, ATTRIBUTE, SHORT]
    limit = field.max_length or 10_000
    for text in candidates:
        if len(text + suffix) <= limit:
            return text + suffix
    return None


def poison() -> int:
    """Write a payload into every text field of every row; returns the number of fields."""
    count = 0
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            fields = list(text_fields(model))
            for pk in model._base_manager.values_list("pk", flat=True):
                values = {f.attname: payload_for(f, pk) for f in fields}
                values = {k: v for k, v in values.items() if v is not None}
                if values:
                    model._base_manager.filter(pk=pk).update(**values)
                    count += len(values)
    return count


def unescaped(html: str) -> list[str]:
    return [pattern.pattern for pattern in RAW if pattern.search(html)]


ESCAPED = ("&lt;script&gt;alert(", "&lt;img src=x onerror", "&quot;&lt;x&gt;")
# Pages that show stored text: the sweep must find the payloads there, escaped (so that the
# test cannot pass by showing nothing).
SHOWN = {
    "dashboard",
    "company_list",
    "company_detail",
    "person_list",
    "person_detail",
    "prospect_list",
    "prospect_detail",
    "opportunity_detail",
    "pipeline_board",
    "pipeline_steps",
    "task_list",
    "task_detail",
    "task_calendar",
    "forecast",
}


def sweep(client, world, names, shown=None) -> list[str]:
    client.raise_request_exception = False
    problems = []
    shown = set() if shown is None else shown
    for name in names:
        rule = RULES.get(name)
        if rule is None or name in {"logout", "login", "set_language"}:
            continue  # a URL without a rule fails the URL walk, which asks for one
        url = build_url(name, rule, world)
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get(url, **headers)
            if response.status_code >= 500:
                problems.append(f"GET {url} {headers}: {response.status_code}")
                continue
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            html = response.content.decode()
            if any(text in html for text in ESCAPED):
                shown.add(name)
            found = unescaped(html)
            if found:
                problems.append(f"GET {url} {headers}: unescaped {found}")
    return problems


@pytest.fixture
def poisoned(rep, media):
    world = build_world(rep)
    # The world's passkey carries no real WebAuthn credential (the browser tests register real
    # ones), which allauth cannot parse on its owner's 2FA pages: here the visiting rep owns the
    # world, so the passkey goes to someone else.
    type(world.passkey).objects.filter(pk=world.passkey.pk).update(user=f.RepFactory())
    assert poison() > 50
    world.company.refresh_from_db()
    assert world.company.name.startswith(ATTRIBUTE)
    return world


def test_every_page_escapes_every_text_field(rep_client, poisoned):
    shown = set()
    problems = sweep(rep_client, poisoned, url_names(), shown)
    assert not problems, "\n".join(problems)
    assert shown >= SHOWN, f"pages that should show the stored text did not: {SHOWN - shown}"


def test_search_and_filters_echo_hostile_queries_escaped(rep_client, poisoned):
    rep_client.raise_request_exception = False
    for name in (
        "prospect_list",
        "company_list",
        "person_list",
        "task_list",
        "prospect_import_contact",
    ):
        response = rep_client.get(reverse(name), {"q": ATTRIBUTE + SCRIPT})
        assert response.status_code == 200, name
        assert not unescaped(response.content.decode()), name


def test_manager_pages_escape_every_text_field(manager_client, poisoned, manager):
    problems = sweep(manager_client, poisoned, url_names())
    for kind in trash.KINDS:
        trash.record_trash(obj=getattr(poisoned, kind), actor=manager)
    html = manager_client.get(reverse("trash")).content.decode()
    assert 'data-trash="company-' in html
    assert not unescaped(html)
    assert not problems, "\n".join(problems)
