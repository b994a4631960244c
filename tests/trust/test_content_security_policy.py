"""A strict Content-Security-Policy on every page, and templates that need nothing more.

No inline script or event handler, no style attribute or element, no htmx feature that needs
eval (`hx-on`, `hx-trigger` filters such as `click[...]`): scripts and styles come from the
site's own files. tests/browser/test_content_security_policy.py checks the pages in Chromium.
"""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.trust.test_url_walk import RULES, build_url, url_names

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}

FORBIDDEN_IN_TEMPLATES = {
    "an inline event handler (on...=)": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "a style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "a <style> element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "an inline <script>": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "hx-on (needs eval)": re.compile(r"hx-on", re.IGNORECASE),
    "an hx-trigger filter [...] (needs eval)": re.compile(
        r"""hx-trigger\s*=\s*("[^"]*\[|'[^']*\[)""", re.IGNORECASE
    ),
    "js: values (need eval)": re.compile(r"""hx-va(ls|rs)\s*=\s*["']\s*(js|javascript):"""),
}

# Widget attributes set in Python end up in the same pages.
FORBIDDEN_IN_PYTHON = {
    "an inline event handler": re.compile(r"""["']on[a-z]+["']\s*:"""),
    "a style attribute": re.compile(r"""["']style["']\s*:"""),
    "hx-on": re.compile(r"hx-on"),
    "an hx-trigger filter": re.compile(r"""["']hx-trigger["']\s*:\s*["'][^"']*\["""),
}
APPS = ("accounts", "contacts", "core", "forecasting", "pipeline", "prospects", "config", "demo")


def templates() -> list[Path]:
    """The templates served as pages. E-mails are not (no CSP applies to them), and mail
    clients keep inline styles more reliably than anything else: they may keep them. Nor are
    the PDFs' templates, drawn by WeasyPrint on the server and sent as PDF files."""
    return [
        path
        for path in sorted((ROOT / "templates").rglob("*.html"))
        if not {"email", "pdf"} & set(path.relative_to(ROOT / "templates").parts)
    ]


def test_templates_need_no_inline_script_style_or_eval():
    paths = templates()
    assert len(paths) > 40
    problems = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for what, pattern in FORBIDDEN_IN_TEMPLATES.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert not problems, "\n".join(problems)


def test_form_widgets_add_no_inline_script_or_style():
    problems = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            for what, pattern in FORBIDDEN_IN_PYTHON.items():
                for match in pattern.finditer(text):
                    line = text.count("\n", 0, match.start()) + 1
                    problems.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert not problems, "\n".join(problems)


def policy_of(response) -> dict[str, set[str]]:
    header = response.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.wsgi_request.path}"
    directives = {}
    for directive in header.split(";"):
        name, *sources = directive.split()
        directives[name] = set(sources)
    return directives


def assert_strict(response, url):
    policy = policy_of(response)
    assert policy == POLICY, f"{url}: {response['Content-Security-Policy']}"
    assert "unsafe-inline" not in response["Content-Security-Policy"], url
    assert "unsafe-eval" not in response["Content-Security-Policy"], url


def test_the_login_page_and_errors_carry_the_policy(client):
    assert_strict(client.get(reverse("login")), "login")
    assert_strict(client.get("/no-such-page/"), "404")


def test_every_page_carries_the_strict_policy(manager_client, world):
    manager_client.raise_request_exception = False
    for name in url_names():
        rule = RULES.get(name)
        if rule is None or name in {"logout"}:
            continue
        url = build_url(name, rule, world)
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = manager_client.get(url, **headers)
            assert response.status_code < 500, url
            assert_strict(response, url)


def test_the_admin_runs_under_the_same_policy(admin_client, world):
    """Django's admin needs no inline script or style: no relaxed policy under /admin/."""
    for url in (
        "/admin/",
        "/admin/contacts/company/",
        f"/admin/contacts/company/{world.company.pk}/change/",
        f"/admin/pipeline/process/{world.process.pk}/change/",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_strict(response, url)
