"""The French catalogue reads as French: every string translated, none fuzzy, French
typography (a non-breaking space before « : ; ! ? » and inside « », no straight or English
quotes, "…", no "(s)" plural), and the compiled catalogue holds what the .po says.

The rule for the spaces: U+00A0 (non-breaking space) before each of : ; ! ? and inside « »,
everywhere (one rule, no narrow spaces)."""

import gettext
import re

import pytest

from .catalogue import MO_FILE, read_po

NBSP = "\u00a0"
ENTRIES = [entry for entry in read_po() if not entry.obsolete]

# What a French string may hold that is not text: code samples, placeholders, HTML tags and
# entities, URLs ("https://"), times ("10:30"), e-mail addresses.
_NOT_TEXT = re.compile(
    r"<code>.*?</code>|%\([^)]*\)[sdif]|%[sdif]|\{[^{}]*\}|<[^>]*>|&[a-z]+;|&#\d+;|\w+://\S*"
    r"|\d{1,2}:\d{2}|[\w.+-]+@[\w.-]+"
)
# Strings French writes the same as English (names, codes, words borrowed as they are).
SAME_IN_FRENCH = {
    "Message-ID",
    "In-Reply-To",
    "References",
    "cc",
    "Cc",
    "HTML",
    "original",
    "e-mails",
    "catalogue",
    "code",
    "contacts",
    "Euro (EUR)",
    "Administration",
    "Mailing",
    "Prospect",
    "SIREN",
    "e-mail",
    "—",
    "mobile",
    "date",
    "note",
    "notes",
    "document",
    "documents",
    "type",
    "prospect",
    "prospects",
    "E-mail",
    "Total",
    "pipeline",
    "Note",
    "Document",
    "Absence",
    "total",
    "mode",
    "occurrences",
    "P",
    "NbJ",
    "Action",
    "import",
    "imports",
    "Contact",
    "SIRET",
    "logo",
    "IBAN",
    "BIC",
    "Date",
    "Client",
    "Message",
    "Menu",
    "Prospects",
    "Pipeline",
    "Catalogue",
    "Code",
    "Pages",
    "Contacts",
    "Notes",
    "Documents",
    "Mobile",
    "Type",
    "Kanban",
    "OK",
    "Actions",
    "Dates",
    "Import",
    "CSV (Excel)",
    "XLSX",
    "Page",
    "%(counter)s prospect",
    "Portable",
    "Date de naissance",
    "Secteur",
    "Type client",
    "inactive",  # an opportunity (feminine in French too)
    "active",
    "action",
    "introduction",
    "Confirmation",
    "API",
    "URL",
    "webhook",
    "webhooks",
    "Sessions",
    "E-mails",
    "export",
    "exports",
    "Exports",
    "%(counter)s export",
}


def text_of(translation: str) -> str:
    """The translation with its placeholders, tags, URLs and times replaced by a letter."""
    return _NOT_TEXT.sub("x", translation)


def faults(check) -> list[str]:
    found = []
    for entry in ENTRIES:
        for translation in entry.translations:
            reason = check(entry, translation)
            if reason:
                found.append(f"{entry}: {reason} in {translation!r}")
                break
    return found


def test_the_catalogue_is_read():
    assert len(ENTRIES) > 1000
    assert any(entry.msgid_plural for entry in ENTRIES)


def test_every_string_is_translated():
    untranslated = [str(e) for e in ENTRIES if not all(e.translations) or not e.translations]
    assert not untranslated, "\n".join(untranslated)


def test_no_fuzzy_entry():
    fuzzy = [str(e) for e in ENTRIES if "fuzzy" in e.flags]
    assert not fuzzy, "\n".join(fuzzy)


def test_no_english_left():
    same = [
        str(e)
        for e in ENTRIES
        if e.translations
        and e.translations[0] == e.msgid
        and re.search("[a-zA-Z]{2}", text_of(e.msgid))
        and e.msgid not in SAME_IN_FRENCH
    ]
    assert not same, "\n".join(same)


def _space_before_punctuation(_entry, translation):
    text = text_of(translation)
    for match in re.finditer(r"[:;!?]", text):
        start = match.start()
        before = text[start - 1] if start else ""
        after = text[start + 1 : start + 2]
        if before in {"", "x"} and not after.strip():
            # A placeholder or tag before it: "%(label)s :" is checked through its space.
            if before == "x" and start and text[start - 1] == "x":
                return f"no space before {match.group()!r}"
            continue
        if before != NBSP:
            return f"{'ordinary space' if before == ' ' else 'no space'} before {match.group()!r}"
    return ""


def test_a_non_breaking_space_before_colon_semicolon_and_marks():
    found = faults(_space_before_punctuation)
    assert not found, "\n".join(found)


def _guillemets(_entry, translation):
    text = text_of(translation)
    if '"' in text:
        return "straight double quotes"
    if "“" in text or "”" in text:
        return "English quotes"
    if re.search(f"«(?!{NBSP})", text) or re.search(f"(?<!{NBSP})»", text):
        return "« » without non-breaking spaces inside"
    return ""


def test_quotations_in_guillemets_with_non_breaking_spaces():
    found = faults(_guillemets)
    assert not found, "\n".join(found)


def test_ellipsis_and_e_mail_written_one_way():
    def check(_entry, translation):
        text = text_of(translation)
        if "..." in text:
            return "three dots instead of …"
        if re.search(r"(?<![-\w])(?:email|courriel|mail)\b", text, re.IGNORECASE):
            return "not written e-mail"
        return ""

    found = faults(check)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("mark", ["(s)", "(e)", "(es)", "(x)"])
def test_no_parenthesised_plural(mark):
    found = [
        str(e)
        for e in ENTRIES
        if mark in e.msgid or mark in e.msgid_plural or any(mark in t for t in e.translations)
    ]
    assert not found, "\n".join(found)


def test_plurals_have_both_forms():
    found = [str(e) for e in ENTRIES if e.msgid_plural and sorted(e.msgstr) != [0, 1]]
    assert not found, "\n".join(found)


def test_the_compiled_catalogue_is_the_po():
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in ENTRIES:
        if not all(entry.translations) or "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural:
            for n, form in ((1, 0), (2, 1)):
                got = (
                    compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                    if entry.msgctxt is not None
                    else compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                )
                if got != entry.msgstr[form]:
                    stale.append(str(entry))
        else:
            got = (
                compiled.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt is not None
                else compiled.gettext(entry.msgid)
            )
            if got != entry.msgstr[0]:
                stale.append(str(entry))
    assert not stale, "\n".join(stale[:50])
