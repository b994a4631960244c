"""Rights rules of the e-mail capture pages (mail/capture/views.py)."""

from tests.trust.test_url_walk import DENIED, FORM_ERROR, NOT_ALLOWED, OK, Rule, change_post, page

RULES = {
    "mail_inbox": page(),
    # An upload without a file is refused; one with a file files the rep's own message.
    "mail_upload": Rule(get=OK, post=FORM_ERROR),
    "mail_file_search": Rule(get=DENIED, post=NOT_ALLOWED, obj="captured_message", query="q=acme"),
    "mail_file": change_post("captured_message", data=lambda w: {"company": w.company.pk}),
    "mail_make_prospect": change_post("captured_message"),
    "mail_inbox_action": change_post("captured_message", data=lambda w: {"action": "delete"}),
}
