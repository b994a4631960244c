"""Rights rules of the REST API (/api/v1/) and of the token page (/account/tokens/).

The walk logs in with a session: the API accepts it (with the CSRF token on writes, as any form:
see tests/trust/test_url_walk.py's CSRF test) and applies the pages' rights. So a rep reads the
team's records (404 on another rep's when reps see only their own), a POST to a list with an
empty body is refused by validation (400) and changes nothing, the read-only kinds answer 405 to
a POST, and a move of another rep's opportunity is refused (403). Anonymous calls (no token, no
session) get 401 from the API, not a redirect to the login page: tests/api/test_access.py.
"""

from tests.trust.test_url_walk import DENIED, FORM_ERROR, NOT_ALLOWED, OK, Rule, page, read

# A POST to a list creates a record: sent empty, it is refused by the serializer.
CREATE_LIST = Rule(get=OK, post=FORM_ERROR)

RULES = {
    "api_schema": page(),
    "api_docs": page(),
    "api_tokens": Rule(get=OK, post=FORM_ERROR),
    # Another user's token is not found: each user sees only their own.
    "api_token_revoke": Rule(get=NOT_ALLOWED, post=DENIED, obj="api_token"),
    "api-company-list": CREATE_LIST,
    "api-company-detail": read("company"),
    "api-address-list": CREATE_LIST,
    "api-address-detail": read("address"),
    "api-person-list": CREATE_LIST,
    "api-person-detail": read("person"),
    "api-prospect-list": CREATE_LIST,
    "api-prospect-detail": read("prospect"),
    "api-opportunity-list": CREATE_LIST,
    "api-opportunity-detail": read("opportunity"),
    "api-opportunity-move": Rule(
        get=NOT_ALLOWED,
        post=DENIED,
        obj="opportunity",
        data=lambda w: {"status": "won", "version": w.opportunity.version},
    ),
    "api-line-list": CREATE_LIST,
    "api-line-detail": read("line"),
    "api-task-list": CREATE_LIST,
    "api-task-detail": read("task"),
    "api-quote-list": page(),
    "api-quote-detail": read("quote"),
    "api-process-list": page(),
    "api-process-detail": Rule(get=OK, post=NOT_ALLOWED, obj="process"),
    "api-step-list": page(),
    "api-step-detail": Rule(get=OK, post=NOT_ALLOWED, obj="step"),
}
