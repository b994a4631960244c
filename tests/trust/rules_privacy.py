"""Rights rules of the privacy pages (privacy/urls.py): managers only, reps refused."""

from tests.trust.test_url_walk import DENIED, NOT_ALLOWED, managers_only

RULES = {
    "privacy_retention": managers_only(post=DENIED | NOT_ALLOWED),
    "privacy_keep": managers_only("prospect", get=DENIED | NOT_ALLOWED),
    "privacy_person_export": managers_only("person", post=DENIED | NOT_ALLOWED),
    "privacy_prospect_export": managers_only("prospect", post=DENIED | NOT_ALLOWED),
    "privacy_person_erase": managers_only(
        "person", data=lambda w: {"confirmation": w.person.last_name}
    ),
    "privacy_prospect_erase": managers_only(
        "prospect", data=lambda w: {"confirmation": w.prospect.last_name or "ERASE"}
    ),
    "privacy_register": managers_only(post=DENIED | NOT_ALLOWED),
    "privacy_exports": managers_only(post=DENIED | NOT_ALLOWED),
}
