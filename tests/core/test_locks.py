"""Row locks (`core.db.lock_row`): the row is locked without joins, then read with its
relations, so that a writer that waited for the lock never sees a relation as NULL
(tests/pipeline/test_concurrent_moves.py shows the race on PostgreSQL)."""

import ast
from pathlib import Path

import pytest

from core.db import lock_row
from pipeline.models import Opportunity
from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent.parent
APPS = ["config", "demo", "forecasting", "prospects", "pipeline", "contacts", "accounts", "core"]
JOINS = {"select_related", "prefetch_related"}


def _chain(node: ast.AST) -> list[str]:
    """The method names of a call chain, `a.b().c().d()` -> ["b", "c", "d"]."""
    names = []
    while isinstance(node, ast.Call | ast.Attribute):
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        else:
            node = node.func
    return names[::-1]


def test_no_locking_read_joins_other_tables():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                names = _chain(node) if isinstance(node, ast.Call) else []
                if "select_for_update" in names and JOINS & set(names):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == [], "lock with core.db.lock_row(..., related=...) instead"


@pytest.mark.django_db
def test_lock_row_returns_the_row_with_its_relations(rep, django_assert_num_queries):
    opportunity = f.OpportunityFactory(owner=rep, prospect=f.ProspectFactory(owner=rep))
    with django_assert_num_queries(2):
        locked = lock_row(Opportunity.objects, opportunity.pk, related=("step", "owner"))
        assert (locked.step.label, locked.owner) == (opportunity.step.label, rep)


@pytest.mark.django_db
def test_lock_row_of_a_row_out_of_the_queryset_raises_does_not_exist(rep):
    opportunity = f.OpportunityFactory(owner=rep, prospect=f.ProspectFactory(owner=rep))
    with pytest.raises(Opportunity.DoesNotExist):
        lock_row(Opportunity.objects.exclude(pk=opportunity.pk), opportunity.pk)
