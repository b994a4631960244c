"""Every string the code and the templates mark for translation is in the French catalogue.

`test_french_catalogue.py` reads the catalogue: it fails on an entry left untranslated or
fuzzy. A string marked in the code but never added to the catalogue (makemessages not run) is
untranslated too, and shows in English to a French user: this test extracts the marked strings
as `makemessages -l fr --ignore=.venv --ignore=node_modules --ignore=tests` does (xgettext on
the Python files and on the templates turned into Python by Django's `templatize`) and fails on
each one the catalogue lacks."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils.translation.template import templatize

from .catalogue import PO_FILE, read_po

ROOT = PO_FILE.parents[3]
IGNORED = {
    ".venv",
    "node_modules",
    "tests",
    "locale",
    "static",
    "docs",
    "scripts",
    "jalon.egg-info",
}
# Django's own makemessages keywords for the "django" domain (xgettext adds _, gettext, ngettext).
KEYWORDS = [
    "--keyword=gettext_noop",
    "--keyword=gettext_lazy",
    "--keyword=ngettext_lazy:1,2",
    "--keyword=pgettext:1c,2",
    "--keyword=npgettext:1c,2,3",
    "--keyword=pgettext_lazy:1c,2",
    "--keyword=npgettext_lazy:1c,2,3",
]

pytestmark = pytest.mark.skipif(not shutil.which("xgettext"), reason="xgettext (gettext) missing")


def _sources(suffix: str) -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob(f"*{suffix}")
        if not (set(path.relative_to(ROOT).parts[:-1]) & IGNORED)
        and not any(part.startswith(".") for part in path.relative_to(ROOT).parts)
    )


def extract(tmp_path: Path) -> Path:
    """The marked strings of the project, as a .po template written in `tmp_path`."""
    files = [str(path) for path in _sources(".py")]
    for number, template in enumerate(_sources(".html")):
        # makemessages's own step: a template becomes Python that xgettext reads.
        text = templatize(template.read_text(encoding="utf-8"), origin=str(template))
        copy = tmp_path / f"template_{number}.py"
        copy.write_text(text, encoding="utf-8")
        files.append(str(copy))
    listing = tmp_path / "files.txt"
    listing.write_text("\n".join(files), encoding="utf-8")
    output = tmp_path / "django.pot"
    subprocess.run(
        [
            "xgettext",
            "--language=Python",
            "--from-code=UTF-8",
            *KEYWORDS,
            f"--files-from={listing}",
            f"--output={output}",
        ],
        check=True,
        capture_output=True,
    )
    return output


def keys(entries) -> set[tuple]:
    return {(entry.msgctxt, entry.msgid) for entry in entries if entry.msgid}


def test_every_marked_string_is_in_the_catalogue(tmp_path):
    marked = keys(read_po(extract(tmp_path)))
    assert len(marked) > 1000  # the extraction found the project's strings
    catalogue = keys(entry for entry in read_po() if not entry.obsolete)
    missing = sorted(marked - catalogue, key=lambda key: (key[1], key[0] or ""))
    assert not missing, (
        f"{len(missing)} string(s) marked for translation are not in {PO_FILE.name} "
        "(run makemessages, then translate them):\n"
        + "\n".join(f"{ctx + ' | ' if ctx else ''}{msgid!r}" for ctx, msgid in missing)
    )


def test_a_string_missing_from_the_catalogue_is_found(tmp_path, monkeypatch):
    """The check itself: a template with a string the catalogue lacks is caught."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text(
        '{% load i18n %}<p>{% translate "A sentence no one translated" %}</p>'
        "{% blocktranslate count counter=n %}{{ counter }} orphan{% plural %}{{ counter }} orphans"
        "{% endblocktranslate %}",
        encoding="utf-8",
    )
    (tmp_path / "views.py").write_text(
        'from django.utils.translation import pgettext_lazy\nX = pgettext_lazy("menu", "Orphan")\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    marked = keys(read_po(extract(out)))
    assert marked == {
        (None, "A sentence no one translated"),
        (None, "%(counter)s orphan"),
        ("menu", "Orphan"),
    }
    assert not marked & keys(read_po())
