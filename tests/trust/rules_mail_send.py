"""Rights rules of the sending pages (mail/views_send.py): a rep writes from any record they
see, reads the mail of records they see, and marks only their own messages private."""

from tests.trust.test_url_walk import DENIED, FORM_ERROR, OK, Rule, change_post, read

RULES = {
    # An empty POST is refused by the form (nothing sent); unseen records are not found.
    "mail_compose": Rule(
        get=OK, post=FORM_ERROR | DENIED, own_only_get=DENIED, query="prospect={prospect}"
    ),
    "mail_detail": read("sent_message"),
    "mail_private": change_post("sent_message", data=lambda w: {"private": "1"}),
}
