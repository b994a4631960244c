"""The conversion funnel against a hand-built history with known answers.

Process A → B → C → D (free mode); the period is the first quarter of 2025; every
opportunity below is created in it unless said otherwise:

    o1  created in A, A→B, B→C, won in C
    o2  created in A, A→B, lost in B                  (counts where it was lost: B)
    o3  created in A, A→C (skipped B), open in C      (B counts as reached: it went beyond)
    o4  created in A, A→B, B→C, back C→B, open in B   (reached C, now in B)
    o5  created in B (a later step), open in B
    o6  created in A, open in A
    o7  (other rep) created in A, won in A

Reached (furthest step): o1 C, o2 B, o3 C, o4 C, o5 B, o6 A, o7 A.
"""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from forecasting.reports import REPORTS
from forecasting.reports.base import ReportFilters
from pipeline.models import HistoryEntry, Opportunity
from pipeline.services.opportunities import opportunity_create, opportunity_move
from tests import factories as f

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
WON, LOST, OPEN = Opportunity.Status.WON, Opportunity.Status.LOST, Opportunity.Status.OPEN


def at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2025, month, day, 12, tzinfo=PARIS)


def make(process, owner, *, created, moves=(), step, status=OPEN, prospect=None):
    """An opportunity created at `created` in the first step of `moves` (or `step`), moved
    through `moves` = [(from, to, when), ...], now in `step` with `status`."""
    prospect = prospect or f.ProspectFactory(owner=owner)
    first = moves[0][0] if moves else step
    opportunity = f.OpportunityFactory(
        process=process,
        step=step,
        status=status,
        owner=owner,
        prospect=prospect,
        created_at=created,
        closing_date=None if status == OPEN else created.date() + dt.timedelta(days=20),
        loss_reason=f.LossReasonFactory() if status == LOST else None,
    )
    history = [
        HistoryEntry(
            opportunity=opportunity,
            prospect=prospect,
            kind=HistoryEntry.Kind.CREATED,
            to_value=first.label,
            to_step=first,
            at=created,
        )
    ]
    history += [
        HistoryEntry(
            opportunity=opportunity,
            prospect=prospect,
            kind=HistoryEntry.Kind.STEP,
            from_value=source.label,
            to_value=target.label,
            from_step=source,
            to_step=target,
            at=when,
        )
        for source, target, when in moves
    ]
    if status != OPEN:
        history.append(
            HistoryEntry(
                opportunity=opportunity,
                prospect=prospect,
                kind=HistoryEntry.Kind.STATUS,
                from_value="open",
                to_value=status,
                at=created + dt.timedelta(days=20),
            )
        )
    HistoryEntry.objects.bulk_create(history)
    return opportunity


@pytest.fixture
def world(rep, other_rep):
    process = f.ProcessFactory(steps=[("A", 3, 10), ("B", 3, 30), ("C", 3, 60), ("D", 3, 80)])
    a, b, c, d = process.steps.order_by("position")
    channel = f.ChannelFactory(name="Trade show")
    category = f.CategoryFactory(name="Industry")
    o1 = make(
        process,
        rep,
        created=at(1, 5),
        moves=[(a, b, at(1, 6)), (b, c, at(1, 10))],
        step=c,
        status=WON,
        prospect=f.ProspectFactory(owner=rep, channel=channel),
    )
    o2 = make(
        process,
        rep,
        created=at(1, 7),
        moves=[(a, b, at(1, 8))],
        step=b,
        status=LOST,
        prospect=f.ProspectFactory(owner=rep, channel=channel),
    )
    o3 = make(process, rep, created=at(2, 1), moves=[(a, c, at(2, 3))], step=c)
    o4 = make(
        process,
        rep,
        created=at(2, 2),
        moves=[(a, b, at(2, 3)), (b, c, at(2, 5)), (c, b, at(2, 9))],
        step=b,
    )
    o5 = make(process, rep, created=at(3, 1), step=b)
    o6 = make(process, rep, created=at(3, 31), step=a)
    o7 = make(process, other_rep, created=at(2, 14), step=a, status=WON)
    # Out of the count: created before the period, in another process, in the trash.
    make(process, rep, created=at(1, 1) - dt.timedelta(days=1), step=b, status=WON)
    elsewhere = f.ProcessFactory(steps=2)
    make(elsewhere, rep, created=at(1, 5), step=elsewhere.steps.first())
    trashed = make(process, rep, created=at(1, 5), step=a)
    Opportunity.all_objects.filter(pk=trashed.pk).update(deleted_at=at(3, 1))
    # o3's prospect and company are both in the category: counted once.
    o3.prospect.categories.add(category)
    o3.company = f.CompanyFactory()
    o3.save()
    o3.company.categories.add(category)
    o6.prospect.categories.add(category)
    return {
        "process": process,
        "steps": (a, b, c, d),
        "o": (None, o1, o2, o3, o4, o5, o6, o7),
        "channel": channel,
        "category": category,
    }


def quarter(process=None, **kwargs) -> ReportFilters:
    return ReportFilters(
        start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 31), process=process, **kwargs
    )


def table(result) -> dict[str, dict[str, object]]:
    return {row["step"].value: {k: c.value for k, c in row.items()} for row in result.rows}


def drilled(report, filters, user, key) -> set[int]:
    return set(report.drill(filters, user, key).values_list("pk", flat=True))


def pks(*opportunities) -> set[int]:
    return {o.pk for o in opportunities}


def test_registered():
    report = REPORTS["funnel"]
    assert report.drills == "opportunities"
    assert report.title


def test_every_figure_per_step(world, manager):
    result = REPORTS["funnel"]().compute(quarter(world["process"]), manager)
    rows = table(result)
    assert list(rows) == ["A", "B", "C", "D", "All steps"]
    expected = {
        #      entered, moved on, won, lost, still in
        "A": (7, 6, 1, 0, 1),
        "B": (5, 3, 0, 1, 2),
        "C": (3, 1, 1, 0, 1),
        "D": (0, 0, 0, 0, 0),
    }
    for label, (entered, moved, won, lost, still) in expected.items():
        row = rows[label]
        assert (row["entered"], row["moved"], row["won"], row["lost"], row["open"]) == (
            entered,
            moved,
            won,
            lost,
            still,
        ), label
    assert rows["A"]["conversion"] == pytest.approx(100 * 2 / 7)
    assert rows["B"]["conversion"] == pytest.approx(20.0)
    assert rows["C"]["conversion"] == pytest.approx(100 / 3)
    assert rows["D"]["conversion"] is None  # nothing entered: no rate, not 0 %
    total = rows["All steps"]
    assert (total["entered"], total["won"], total["lost"], total["open"]) == (7, 2, 1, 4)
    assert total["conversion"] == pytest.approx(100 * 2 / 7)
    assert "created" in result.notes


def test_chart_entered_and_won_per_step(world, manager):
    chart = REPORTS["funnel"]().compute(quarter(world["process"]), manager).chart
    assert chart.kind == "bars"
    assert chart.categories == ["A", "B", "C", "D"]
    assert [s.values for s in chart.series] == [[7, 5, 3, 0], [1, 0, 1, 0]]
    assert [s.label for s in chart.series] == ["Entered", "Won from the step"]


def test_each_number_drills_to_the_opportunities_counted(world, manager):
    report = REPORTS["funnel"]()
    filters = quarter(world["process"])
    _, o1, o2, o3, o4, o5, o6, o7 = world["o"]
    a, b, c, d = world["steps"]
    result = report.compute(filters, manager)
    expected = {
        f"entered:{a.pk}": pks(o1, o2, o3, o4, o5, o6, o7),
        f"entered:{b.pk}": pks(o1, o2, o3, o4, o5),
        f"entered:{c.pk}": pks(o1, o3, o4),
        f"moved:{a.pk}": pks(o1, o2, o3, o4, o5, o7),
        f"moved:{b.pk}": pks(o1, o3, o4),
        f"moved:{c.pk}": pks(o1),
        f"won:{a.pk}": pks(o7),
        f"won:{c.pk}": pks(o1),
        f"lost:{b.pk}": pks(o2),
        f"open:{a.pk}": pks(o6),
        f"open:{b.pk}": pks(o4, o5),
        f"open:{c.pk}": pks(o3),
        f"converted:{a.pk}": pks(o1, o7),
        f"converted:{b.pk}": pks(o1),
        "entered:all": pks(o1, o2, o3, o4, o5, o6, o7),
        "won:all": pks(o1, o7),
        "lost:all": pks(o2),
        "open:all": pks(o3, o4, o5, o6),
        "converted:all": pks(o1, o7),
    }
    for key, opportunities in expected.items():
        assert drilled(report, filters, manager, key) == opportunities, key
    # Every cell's link answers exactly its count.
    for row in result.rows:
        for cell in row.values():
            if cell.drill and isinstance(cell.value, int):
                assert len(drilled(report, filters, manager, cell.drill)) == cell.value
    assert result.rows[0]["entered"].drill == f"entered:{a.pk}"
    assert result.rows[3]["won"].drill == f"won:{d.pk}"


def test_unknown_keys_answer_nothing(world, manager):
    report = REPORTS["funnel"]()
    filters = quarter(world["process"])
    other_step = f.ProcessFactory(steps=1).steps.get()
    for key in ("", "entered", "entered:x", "nope:all", f"entered:{other_step.pk}", "won:"):
        assert not report.drill(filters, manager, key).exists(), key


def test_a_rep_sees_only_their_own(world, rep, other_rep):
    report = REPORTS["funnel"]()
    filters = quarter(world["process"], owner=rep)  # as ReportFilters.from_form sets it
    rows = table(report.compute(filters, other_rep))
    # other_rep's own filters say owner=other_rep; even an owner=rep filter shows nothing.
    assert rows["A"]["entered"] == 0
    mine = quarter(world["process"], owner=other_rep)
    rows = table(report.compute(mine, other_rep))
    assert (rows["A"]["entered"], rows["A"]["won"], rows["B"]["entered"]) == (1, 1, 0)
    assert drilled(report, mine, other_rep, f"entered:{world['steps'][0].pk}") == pks(world["o"][7])
    assert not report.drill(filters, other_rep, "entered:all").exists()


def test_rep_channel_and_category_filters(world, manager, rep):
    report = REPORTS["funnel"]()
    _, o1, o2, o3, o4, o5, o6, o7 = world["o"]
    a, b, c, d = world["steps"]
    by_rep = table(report.compute(quarter(world["process"], owner=rep), manager))
    assert (by_rep["A"]["entered"], by_rep["A"]["won"]) == (6, 0)
    channel = quarter(world["process"], channel=world["channel"])
    rows = table(report.compute(channel, manager))
    assert [rows[s]["entered"] for s in "ABCD"] == [2, 2, 1, 0]
    assert (rows["B"]["lost"], rows["C"]["won"]) == (1, 1)
    category = quarter(world["process"], category=world["category"])
    rows = table(report.compute(category, manager))
    assert [rows[s]["entered"] for s in "ABCD"] == [2, 1, 1, 0]
    assert drilled(report, category, manager, f"entered:{a.pk}") == pks(o3, o6)
    assert report.drill(category, manager, f"entered:{a.pk}").count() == 2


def test_the_period_is_the_creation_date(world, manager):
    report = REPORTS["funnel"]()
    february = ReportFilters(
        start=dt.date(2025, 2, 1), end=dt.date(2025, 2, 28), process=world["process"]
    )
    _, o1, o2, o3, o4, o5, o6, o7 = world["o"]
    assert drilled(report, february, manager, "entered:all") == pks(o3, o4, o7)
    assert table(report.compute(february, manager))["B"]["entered"] == 2


def test_without_a_process_the_default_one(world, manager, rep, default_process):
    step = default_process.steps.order_by("position").first()
    mine = make(default_process, rep, created=at(2, 1), step=step)
    result = REPORTS["funnel"]().compute(quarter(), manager)
    assert result.rows[0]["step"].value == step.label
    assert result.rows[0]["entered"].value == 1
    assert default_process.name in result.notes
    assert drilled(REPORTS["funnel"](), quarter(), manager, "entered:all") == pks(mine)


def test_created_by_the_service_counts_from_its_first_step(manager, rep):
    """History written by the real services: creation then a move to a later step."""
    process = f.ProcessFactory(steps=3, mode="step")
    first, second, third = process.steps.order_by("position")
    opportunity = opportunity_create(
        actor=manager, process=process, summary="Served", owner=rep, prospect=f.ProspectFactory()
    )
    opportunity_move(opportunity_id=opportunity.pk, actor=manager, to_step=third)
    opportunity_move(
        opportunity_id=opportunity.pk,
        actor=manager,
        to_status=LOST,
        loss_reason=f.LossReasonFactory(),
    )
    today = timezone.localdate()
    filters = ReportFilters(start=today, end=today, process=process)
    rows = {r["step"].value: r for r in REPORTS["funnel"]().compute(filters, manager).rows}
    assert [rows[s.label]["entered"].value for s in (first, second, third)] == [1, 1, 1]
    assert [rows[s.label]["lost"].value for s in (first, second, third)] == [0, 0, 1]
    assert rows[second.label]["moved"].value == 1


@pytest.mark.parametrize("by_category", [False, True])
def test_a_constant_number_of_queries(world, manager, by_category, django_assert_max_num_queries):
    filters = quarter(world["process"], category=world["category"] if by_category else None)
    # The steps, the manager check, the figures (the furthest step computed once per row).
    with django_assert_max_num_queries(3) as context:
        REPORTS["funnel"]().compute(filters, manager)
    figures = context.captured_queries[-1]["sql"]
    assert figures.count("pipeline_historyentry") == 1
