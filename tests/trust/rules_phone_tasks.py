"""What a rep gets on the tasks' quick actions (issue 19): logging a call on another rep's
record is refused (it names the record in its body, as the card would); the look-up is a page
of the records the rep may see, never one record named by the URL."""

from tests.trust.test_url_walk import DENIED, Rule, page

RULES = {
    "call_log": Rule(
        get=DENIED,
        post=DENIED,
        query="target=prospect:{prospect}",
        data=lambda w: {
            "target": f"prospect:{w.prospect.pk}",
            "outcome": "reached",
            "plan_next": "on",
            "next_start": "2030-01-07T09:00",
        },
    ),
    "task_link_lookup": page(query="q=ac"),
}
