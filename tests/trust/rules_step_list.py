"""What a rep gets on "copy into" (issue 19): a record the rep sees may be copied (the copy is
the rep's own), but only into a company the rep may change: another rep's company is refused,
and only into another process than those the prospect is in (the world's prospect is in the
default process: the copy goes to a second one). With REPS_SEE_ONLY_OWN another rep's person
or prospect is not found at all."""

from tests import factories as f
from tests.trust.test_url_walk import DENIED, OK, REDIRECT, Rule


def _another_process(world) -> int:
    """A process the world's prospect is not in, made once per world."""
    if not hasattr(world, "copy_process"):
        world.copy_process = f.ProcessFactory(name="PROSTEP", steps=2)
    return world.copy_process.pk


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
        data=lambda w: {"process": _another_process(w)},
        writes=True,
    ),
}
