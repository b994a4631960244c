"""Icons are the Lucide sprite's (core/icons.py): every name a template asks for is in the set
and in the sprite file, no Unicode glyph stands in for an icon any more, and the tag hides the
drawing from screen readers while an icon alone on a control is named by its label."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError

from core.icons import DEFAULT_TASK_ICON, ICONS, SPRITE, TASK_ICONS, task_icon

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"
SPRITE_TEXT = (ROOT / "static" / SPRITE).read_text()
# Printed documents (WeasyPrint) draw their own ticks and boxes: no sprite in a PDF.
PRINTED = ("quotes/pdf/",)

# Glyphs that stood for icons before the sprite. The rating's ★/☆ stay (a rating, read out
# through its label), and so do typographic marks: "›" between breadcrumbs, "×" in "amount ×
# probability", "€" in amounts, "…" in "Move to…".
GLYPHS = "◧◎▥☺✎⇄☎✉✔◉⇩⇅↻▾▲▼☰⇔⋯⚑▦🔒📎⚡⇢↑↓←→✓✕"
ICON_TAG = re.compile(r"""\{%\s*icon\s+["']([^"']+)["']""")


def _templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if not name.startswith(PRINTED):
            yield name, path.read_text()


def test_every_icon_a_template_names_is_in_the_set_and_in_the_sprite():
    used = {(name, icon) for name, text in _templates() for icon in ICON_TAG.findall(text)}
    assert used, "the templates draw icons with {% icon %}"
    unknown = sorted((name, icon) for name, icon in used if icon not in ICONS)
    assert unknown == []
    missing = sorted(icon for _name, icon in used if f'<symbol id="{icon}"' not in SPRITE_TEXT)
    assert missing == []


def test_the_sprite_holds_every_name_of_the_set_and_the_set_is_sorted():
    assert list(ICONS) == sorted(ICONS)
    assert [icon for icon in ICONS if f'<symbol id="{icon}"' not in SPRITE_TEXT] == []
    assert set(TASK_ICONS) <= set(ICONS)


@pytest.mark.parametrize("glyph", list(GLYPHS))
def test_no_template_draws_an_icon_with_a_glyph(glyph):
    assert [name for name, text in _templates() if glyph in text] == []


def test_no_script_builds_an_icon_with_a_glyph():
    scripts = sorted((ROOT / "static" / "js").glob("*.js"))
    # Comments may name the arrow keys; the markup scripts build may not hold a glyph.
    code = {
        path.name: re.sub(r"//[^\n]*|/\*.*?\*/", "", path.read_text(), flags=re.S)
        for path in scripts
    }
    assert [(name, g) for name, text in code.items() for g in GLYPHS if g in text] == []


def test_a_decorative_icon_is_hidden_from_screen_readers():
    html = Template('{% load core_tags %}{% icon "phone" %}').render(Context())

    assert html.startswith('<svg class="icon icon-phone"')
    assert 'aria-hidden="true"' in html and 'focusable="false"' in html
    assert re.search(r'<use href="[^"]*vendor/lucide/sprite\.svg#phone"></use>', html)
    assert "visually-hidden" not in html


def test_an_icon_alone_on_a_control_is_named_by_its_label():
    html = Template('{% load core_tags %}{% icon "pencil" label=label %}').render(
        Context({"label": "Edit <the> task"})
    )

    assert 'aria-hidden="true"' in html
    assert html.endswith('<span class="visually-hidden">Edit &lt;the&gt; task</span>')


def test_an_unknown_icon_is_refused_when_rendered():
    with pytest.raises(TemplateSyntaxError, match="core/icons.py"):
        Template('{% load core_tags %}{% icon "no-such-icon" %}').render(Context())


def test_a_task_types_icon_falls_back_to_the_default():
    assert task_icon("phone") == "phone"
    assert task_icon("") == DEFAULT_TASK_ICON
    assert task_icon("☎") == DEFAULT_TASK_ICON
    html = Template("{% load core_tags %}{% icon kind|task_icon %}").render(Context({"kind": ""}))
    assert f"#{DEFAULT_TASK_ICON}" in html


@pytest.mark.django_db
def test_the_reference_task_types_name_sprite_icons():
    """Migration 0009 turned the glyphs of the reference data into sprite names."""
    from pipeline.models import TaskType

    icons = dict(TaskType.objects.values_list("code", "icon"))
    assert icons == {
        "todo": "circle-check",
        "call": "phone",
        "meeting": "handshake",
        "email": "mail",
        "absence": "calendar-off",
    }
