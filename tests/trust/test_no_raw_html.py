"""User text reaches pages only through Django's autoescaping.

No template marks a value safe and no code builds HTML with mark_safe from data: there is no
rich-text field today. A field that must render HTML has to be cleaned with nh3 first (see
`sanitize` below, the one place allowed to mark HTML safe), and this test lists what bypasses it.
"""

import re
from pathlib import Path

import nh3

ROOT = Path(__file__).resolve().parents[2]
APPS = ("config", "core", "accounts", "contacts", "prospects", "pipeline", "forecasting", "demo")
RAW_TEMPLATE = re.compile(r"\|\s*safe\b|\{%\s*autoescape\s+off|\|\s*safeseq\b")
RAW_PYTHON = re.compile(r"\bmark_safe\(|\bSafeString\(|\bSafeText\(")


def sanitize(html: str) -> str:
    """What a rich-text field would go through before being marked safe."""
    return nh3.clean(
        html,
        tags={"p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "a"},
        url_schemes={"http", "https", "mailto"},
    )


def template_files():
    yield from (ROOT / "templates").rglob("*.html")
    for app in APPS:
        yield from (ROOT / app).rglob("templates/**/*.html")


def python_files():
    for app in APPS:
        yield from (path for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts)


def offenders(files, pattern) -> list[str]:
    found = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_no_template_turns_autoescaping_off():
    found = offenders(template_files(), RAW_TEMPLATE)
    assert not found, "values marked safe in templates (sanitise with nh3 first):\n" + "\n".join(
        found
    )


def test_no_code_marks_data_safe():
    found = offenders(python_files(), RAW_PYTHON)
    assert not found, (
        "HTML marked safe in code (use format_html, or nh3 for rich text):\n" + "\n".join(found)
    )


def test_the_sanitiser_strips_scripts_handlers_and_javascript_links():
    dirty = (
        '<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:alert(1)">x</a>'
        '<img src=x onerror=alert(1)><a href="https://example.com">ok</a></p>'
    )
    clean = sanitize(dirty)
    assert "<script" not in clean and "onerror" not in clean and "onclick" not in clean
    assert "javascript:" not in clean
    assert '<a href="https://example.com" rel="noopener noreferrer">ok</a>' in clean
