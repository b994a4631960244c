"""Simultaneous moves of one card, as gunicorn workers make them: each request on its own
database connection, all waiting on the same row lock. Exactly one applies; the others are
refused as stale, cleanly (no 500). Needs PostgreSQL (SQLite has no row locks); CI runs it."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from core import versions
from pipeline.models import HistoryEntry, Opportunity
from pipeline.services import opportunities as opportunity_services
from tests import factories as f
from tests.concurrency import in_threads, postgresql_only

WRITERS = 8

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgresql_only,
]


def stale_start() -> str:
    return str(versions.STALE_VERSION).split("{")[0]


@pytest.fixture
def card(rep):
    process = f.ProcessFactory(steps=4)
    return f.OpportunityFactory(process=process, owner=rep, prospect=f.ProspectFactory(owner=rep))


def test_eight_simultaneous_board_moves_one_applies_the_others_are_refused_as_stale(rep, card):
    steps = list(card.process.steps.order_by("position", "id"))
    clients = []
    for _ in range(WRITERS):
        client = Client(raise_request_exception=True)
        client.force_login(rep)
        clients.append(client)
    url = reverse("board_move", args=[card.process_id])

    def drop(i):
        # Every writer saw the same version; they drop the card on different columns.
        target = steps[1 + i % (len(steps) - 1)]
        return clients[i].post(
            url,
            {
                "opportunity": card.pk,
                "column": str(target.pk),
                "from": str(card.step_id),
                "version": card.version,
            },
            HTTP_HX_REQUEST="true",
        )

    responses = in_threads(drop, WRITERS)

    errors = [r for r in responses if isinstance(r, Exception)]
    assert errors == []
    assert [r.status_code for r in responses] == [200] * WRITERS
    events = [json.loads(r.headers["HX-Trigger"]) for r in responses]
    moved = [e for e in events if "board:moved" in e]
    refused = [e for e in events if "board:refused" in e]
    assert (len(moved), len(refused)) == (1, WRITERS - 1)
    assert all(stale_start() in json.dumps(e, ensure_ascii=False) for e in refused)
    card.refresh_from_db()
    assert card.version == 2
    assert HistoryEntry.objects.filter(opportunity=card, kind=HistoryEntry.Kind.STEP).count() == 1


def test_eight_simultaneous_service_moves_one_applies_the_others_raise_move_refused(rep, card):
    steps = list(card.process.steps.order_by("position", "id"))

    def move(i):
        try:
            opportunity_services.opportunity_move(
                opportunity_id=card.pk,
                actor=rep,
                to_step=steps[1 + i % (len(steps) - 1)],
                expected_version=card.version,
            )
        except opportunity_services.MoveRefused as refusal:
            return refusal
        return "moved"

    results = in_threads(move, WRITERS)

    assert results.count("moved") == 1
    refusals = [r for r in results if isinstance(r, opportunity_services.MoveRefused)]
    assert len(refusals) == WRITERS - 1
    assert all(r.conflict is not None and stale_start() in r.message for r in refusals)
    assert Opportunity.objects.get(pk=card.pk).version == 2
