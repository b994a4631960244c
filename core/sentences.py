"""Sentences built around names: one final period, even after a name that ends with one.

A legal form or an abbreviation ending a name ("Dupont S.A.R.L.", "Martin et Cie.") followed by
the sentence's own period would read "S.A.R.L.." (French and English typography both write one
period there). `sentence` drops the second period; an ellipsis ("...") is left alone.
"""

import re

_DOUBLED_PERIOD = re.compile(r"(?<=[^.]\.)\.(?!\.)")


def sentence(text) -> str:
    """`text` (a message with names filled in) with no period doubled by an abbreviation."""
    return _DOUBLED_PERIOD.sub("", str(text))
