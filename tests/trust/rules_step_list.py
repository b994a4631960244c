"""What a rep gets on "copy into" (issue 19): a record the rep sees may be copied (the copy is
the rep's own), but only into a company the rep may change: another rep's company is refused.
With REPS_SEE_ONLY_OWN another rep's person or prospect is not found at all."""

from tests.trust.test_url_walk import DENIED, OK, REDIRECT, Rule

RULES = {
    "person_copy": Rule(
        get=OK,
        post=DENIED,
        obj="person",
        own_only_get=frozenset({404}),
        data=lambda w: {"company": w.company.pk},
    ),
    "prospect_copy": Rule(
        get=OK,
        post=REDIRECT | frozenset({404}),
        obj="prospect",
        own_only_get=frozenset({404}),
        data=lambda w: {"process": w.process.pk},
        writes=True,
    ),
}
