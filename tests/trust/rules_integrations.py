"""URL rules of the integrations: the public web form and the API of webhooks and forms.

The web form is public (no login, no CSRF token: any site may post to it); the walk passes a
key that opens no form, so it gets 404 both ways. Webhooks are the managers' alone (403 to a
rep, reads included: their URLs may carry secrets); web forms are read by every user and
changed by managers only."""

from tests.trust.test_url_walk import DENIED, OK, Rule

RULES = {
    "web_form": Rule(get=DENIED, post=DENIED),
    "api-webhook-list": Rule(get=DENIED, post=DENIED),
    "api-webhook-detail": Rule(get=DENIED, post=DENIED, obj="webhook"),
    "api-webhook-new-secret": Rule(get=DENIED, post=DENIED, obj="webhook"),
    "api-form-list": Rule(get=OK, post=DENIED),
    "api-form-detail": Rule(
        get=OK, post=DENIED, obj="web_form", own_only_get=OK, data=lambda w: {"name": "Mine"}
    ),
}
