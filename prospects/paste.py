"""PROSTEP's "lightning" button: read a web-form e-mail of `KEY: value` lines into prospect fields.

Keys are French or English, in any case, with or without accents or spaces ("CODEPOSTAL",
"Code postal", "Zip"): the same matching as the import's headers. A line without a key
continues the previous value; blank lines are ignored; unknown keys go to the notes.
"""

import re

from prospects import importing

# A key: up to 40 characters of letters, spaces, dots, apostrophes, slashes and dashes, then a
# colon. "http://..." is not a key because the colon is followed by "//".
_KEY_LINE = re.compile(r"^\s*([^\W\d_][\w .'’/-]{0,39}?)\s*:(?!//)\s*(.*)$")
PASTE_FIELDS = (
    "civility",
    "first_name",
    "last_name",
    "company_name",
    "job_title",
    "email",
    "phone",
    "mobile",
    "address",
    "postal_code",
    "city",
    "country",
    "website",
    "notes",
    "external_ref",
    "sector",
)


def parse_paste(text: str) -> dict[str, str]:
    """Field values found in `text`; keys not understood end up in "notes" as "Key: value"."""
    entries: list[list] = []  # [target or None, key as written, lines]
    for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip():
            continue
        match = _KEY_LINE.match(line)
        if match:
            key, value = match.group(1).strip(), match.group(2).strip()
            target = importing.match_header(key)
            entries.append(
                [target if target in PASTE_FIELDS else None, key, [value] if value else []]
            )
        elif entries:
            entries[-1][2].append(line.strip())
        else:
            entries.append([None, "", [line.strip()]])
    values: dict[str, str] = {}
    notes: list[str] = []
    for target, key, lines in entries:
        value = "\n".join(lines) if target == "notes" or target is None else " ".join(lines)
        if target is None:
            notes.append(f"{key}: {value}" if key else value)
        elif target == "civility":
            values[target] = importing.parse_civility(value)
        elif target in values and target != "notes":
            notes.append(f"{key}: {value}")
        elif target == "notes":
            notes.insert(0, value)
        else:
            values[target] = value
    if values.get("email"):
        values["email"] = values["email"].lower()
    if notes:
        values["notes"] = "\n".join(n for n in notes if n)
    return values
