"""A small reader of the French catalogue (locale/fr/LC_MESSAGES/django.po), enough for the
tests: entries with their context, msgid, plural, msgstr(s), flags and references."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

PO_FILE = Path(__file__).resolve().parents[2] / "locale" / "fr" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False
    line: int = 0

    @property
    def translations(self) -> list[str]:
        return list(self.msgstr.values())

    def __str__(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


def _unquote(text: str) -> str:
    return ast.literal_eval(text.strip())


def read_po(path: Path = PO_FILE) -> list[Entry]:
    entries: list[Entry] = []
    entry = Entry()
    key = None
    started = False

    def close():
        nonlocal entry, started
        if started:
            entries.append(entry)
        entry, started = Entry(), False

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            close()
            key = None
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            started = True
            continue
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#:"):
            entry.references += line[2:].split()
            continue
        if line.startswith("#"):
            continue
        if not started:
            entry.line = number
            started = True
        if line.startswith('"'):
            value = _unquote(line)
            if key == "msgid":
                entry.msgid += value
            elif key == "msgid_plural":
                entry.msgid_plural += value
            elif key == "msgctxt":
                entry.msgctxt = (entry.msgctxt or "") + value
            else:
                entry.msgstr[key] += value
            continue
        word, _space, rest = line.partition(" ")
        if word == "msgid":
            key, entry.msgid = "msgid", _unquote(rest)
        elif word == "msgid_plural":
            key, entry.msgid_plural = "msgid_plural", _unquote(rest)
        elif word == "msgctxt":
            key, entry.msgctxt = "msgctxt", _unquote(rest)
        elif word == "msgstr":
            key = 0
            entry.msgstr[0] = _unquote(rest)
        elif word.startswith("msgstr["):
            key = int(word[7:-1])
            entry.msgstr[key] = _unquote(rest)
    close()
    return [e for e in entries if e.msgid or e.msgctxt]  # the header has an empty msgid
