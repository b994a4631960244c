"""The text normalisation that search words, duplicate keys and header matching share: plain
ASCII text (most names, e-mails and codes) skips the Unicode decomposition and comes out as
the decomposition would give it."""

import unicodedata

import pytest

from contacts.text import compact, normalize, strip_accents


def decomposed(value: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))


@pytest.mark.parametrize(
    "value",
    ["Martin", "contact12@example3.fr", "01 40 12 34 56", "  D'Artagnan--et Cie ", "", "Ø", "ﬁ"],
)
def test_strip_accents_is_the_decomposition_without_its_marks(value):
    assert strip_accents(value) == decomposed(value)


def test_normalize_and_compact():
    assert normalize("École  d'Été") == "ecole d ete"
    assert normalize("Paul.Martin@Example.FR") == "paul martin example fr"
    assert compact("Code postal") == "codepostal"
    assert normalize("Société ﬁnancière") == "societe financiere"
