"""Text normalisation shared by search, duplicate detection and import header matching."""

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def strip_accents(value: str) -> str:
    if value.isascii():
        return value  # nothing to decompose (the common case of names, e-mails and codes)
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize(value: str) -> str:
    """Lower-case, accent-free words separated by single spaces: "École  d'Été" -> "ecole d ete"."""
    return " ".join(_NON_WORD.split(strip_accents(value or "").lower())).strip()


def person_name(first_name: str, last_name: str) -> str:
    """A person's name as the application writes it: "Jules MARTIN"."""
    return " ".join(p for p in [first_name, last_name.upper()] if p)


def compact(value: str) -> str:
    """Normalised with no separators at all, for header matching: "Code postal" -> "codepostal"."""
    return normalize(value).replace(" ", "")
