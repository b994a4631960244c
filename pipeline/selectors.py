"""Reads of the process pages: which process a user may open (`process_or_404`), and the
Kanban's columns, their totals and their first cards, in a constant number of
queries whatever the number of opportunities (one aggregate for every column's totals, one
windowed query for the ids of every column's first cards, one for what those cards show,
their next readable task included)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, JSONObject, RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.access import change_reach
from core.params import parse_int
from core.roles import is_manager
from pipeline.forms import BoardFilter
from pipeline.models import Opportunity, Process, Step, Task
from pipeline.rights import (
    can_modify_process_opportunities,
    modify_groups_annotations,
    modify_groups_record,
    process_rights_load,
)

PAGE_SIZE = 20  # cards shown per column before "load more"
WON = "won"
LOST = "lost"
# Won and Lost columns are keyed by negative numbers in SQL so that every column key is an int.
_WON_KEY = -1
_LOST_KEY = -2


@dataclass
class Column:
    key: str  # the step id, or "won" / "lost": the `data-column` hook
    label: str
    step: Step | None = None
    folded: bool = False
    count: int = 0
    amount: Decimal = Decimal("0")
    weighted: Decimal = Decimal("0")
    cards: list[Opportunity] = field(default_factory=list)

    @property
    def is_final(self) -> bool:
        return self.step is None

    @property
    def has_more(self) -> bool:
        """A folded column shows no cards, so nothing to load either."""
        return not self.folded and self.count > len(self.cards)

    @property
    def shown(self) -> int:
        return len(self.cards)


def column_key_of(opportunity: Opportunity) -> str:
    if opportunity.status == Opportunity.Status.WON:
        return WON
    if opportunity.status == Opportunity.Status.LOST:
        return LOST
    return str(opportunity.step_id)


def board_steps(process: Process) -> list[Step]:
    return list(process.steps.order_by("position", "id"))


def board_opportunities(*, process: Process, user, today: dt.date | None = None) -> QuerySet:
    """What the board shows: open opportunities, and those won or lost today (Gestan)."""
    today = today or timezone.localdate()
    return (
        Opportunity.objects.visible_to(user)
        .filter(process=process)
        .filter(
            Q(status=Opportunity.Status.OPEN)
            | Q(status__in=[Opportunity.Status.WON, Opportunity.Status.LOST], closing_date=today)
        )
    )


def _filtered(*, process: Process, user, filters: dict | None) -> QuerySet:
    """`board_opportunities` through the board's filters; without a filter, the opportunities
    themselves (the same rows, without building a filter set and its form: a move's totals)."""
    queryset = board_opportunities(process=process, user=user)
    if not filters:
        return queryset
    return BoardFilter(filters, queryset=queryset).qs


def _column_expression(first_step_id: int | None):
    # An open opportunity without a step (data imported before steps existed) sits in the
    # first column, where a drag can place it properly.
    return Case(
        When(status=Opportunity.Status.WON, then=Value(_WON_KEY)),
        When(status=Opportunity.Status.LOST, then=Value(_LOST_KEY)),
        default=Coalesce(F("step_id"), Value(first_step_id or 0)),
        output_field=IntegerField(),
    )


def _key_to_sql(key: str) -> int:
    return {WON: _WON_KEY, LOST: _LOST_KEY}.get(key) or int(key)


def _sql_to_key(value: int) -> str:
    return {_WON_KEY: WON, _LOST_KEY: LOST}.get(value) or str(value)


def column_totals(queryset: QuerySet, first_step_id: int | None) -> dict[str, dict]:
    """Count, amount and weighted amount of every column, in one aggregate query."""
    weighted = ExpressionWrapper(
        F("amount") * F("probability") / Value(100),
        output_field=DecimalField(max_digits=20, decimal_places=4),
    )
    rows = (
        queryset.annotate(column=_column_expression(first_step_id))
        .order_by()
        .values("column")
        .annotate(n=Count("id"), total=Sum("amount"), total_weighted=Sum(weighted))
    )
    return {
        _sql_to_key(row["column"]): {
            "count": row["n"],
            "amount": Decimal(row["total"] or 0),
            "weighted": Decimal(row["total_weighted"] or 0).quantize(Decimal("0.01")),
        }
        for row in rows
    }


# What a card shows: reading only these keeps 2,000-row boards light (prospects carry long
# notes and search text that a card never shows).
CARD_FIELDS = (
    "summary",
    "status",
    "step_id",
    "process_id",
    "position",
    "version",
    "amount",
    "probability",
    "next_action_at",
    "action_colour",
    "prospect_id",
    "company_id",
    "person_id",
    "owner_id",
    "prospect__company_name",
    "prospect__first_name",
    "prospect__last_name",
    "company__name",
    "person__first_name",
    "person__last_name",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
)


def _with_card_data(queryset: QuerySet, user) -> QuerySet:
    """Everything a card shows, in the cards' one query, as `user` may read it (`_cards` adds
    whether the card may be moved).

    The card's time and colour are the opportunity's stored action clock
    (`pipeline.clocks.opportunities_refresh`), which counts every open task, a colleague's
    private ones included: the deal has an action planned then, and the calendar shows that
    time as busy anyway. Its title, its importance and a link to it come only from the tasks
    `user` may read (`Task.objects.visible_to`): `next_task` holds the readable task due at
    the clock's time (`{"id", "title", "icon"}`), None when the first open task is one `user`
    may not read (the card then shows the time without a title)."""
    readable = Task.objects.visible_to(user).filter(done=False)
    next_task = (
        readable.filter(opportunity=OuterRef("pk"), start=OuterRef("next_action_at"))
        .order_by("start", "id")
        .values(data=JSONObject(id="id", title="title", icon="type__icon"))[:1]
    )
    return (
        queryset.select_related("prospect", "company", "person", "owner")
        .only(*CARD_FIELDS)
        .annotate(
            is_important=Exists(readable.filter(opportunity=OuterRef("pk"), important=True)),
            next_task=Subquery(next_task, output_field=JSONField()),
        )
    )


def _cards(queryset: QuerySet, user, process: Process) -> list[Opportunity]:
    """The cards of `queryset` (`_with_card_data`); `movable`: whether the card may be moved, as
    `opportunity_move` decides it (process right, then `can_change` on its owner, no subquery)."""
    may_modify = can_modify_process_opportunities(user, process)
    reach = change_reach(user)
    cards = list(_with_card_data(queryset, user))
    for card in cards:
        card.movable = may_modify and reach.admits(user, card.owner_id)
    return cards


def _first_cards(
    queryset: QuerySet, user, process: Process, first_step_id, folded_keys: set[int], limit: int
):
    """The first `limit` cards of every column: ids ranked over the opportunities alone, then
    the cards read for those ids. Ranked and joined in one query, PostgreSQL planned it costly
    enough to compile it (JIT), which took longer than running it."""
    column = _column_expression(first_step_id)
    ids = list(
        queryset.exclude(**({"step_id__in": folded_keys} if folded_keys else {}))
        .annotate(
            column=column,
            rank=Window(
                RowNumber(),
                partition_by=[column],
                order_by=[F("position").asc(), F("id").asc()],
            ),
        )
        .filter(rank__lte=limit)
        .order_by()
        .values_list("pk", flat=True)
    )
    if not ids:
        return []
    return _cards(
        Opportunity.objects.filter(pk__in=ids)
        .annotate(column=column)
        .order_by("column", "position", "id"),
        user,
        process,
    )


def board_columns(
    *,
    process: Process,
    user,
    filters: dict | None = None,
    limit: int = PAGE_SIZE,
    steps: list[Step] | None = None,
) -> tuple[list[Column], BoardFilter]:
    """The board's columns with their totals and first `limit` cards (folded columns: totals
    only). Queries: steps, totals, first cards' ids, cards, filter choices (when rendered)."""
    steps = board_steps(process) if steps is None else steps
    first_step_id = steps[0].pk if steps else None
    board_filter = BoardFilter(
        filters or {}, queryset=board_opportunities(process=process, user=user)
    )
    queryset = board_filter.qs
    totals = column_totals(queryset, first_step_id)
    folded = {step.pk for step in steps if step.folded}
    columns = [
        Column(key=str(step.pk), label=step.label, step=step, folded=step.folded) for step in steps
    ]
    columns += [Column(key=WON, label=str(_("Won"))), Column(key=LOST, label=str(_("Lost")))]
    by_key = {column.key: column for column in columns}
    for key, values in totals.items():
        if key in by_key:
            by_key[key].count = values["count"]
            by_key[key].amount = values["amount"]
            by_key[key].weighted = values["weighted"]
    for card in _first_cards(queryset, user, process, first_step_id, folded, limit):
        column = by_key.get(_sql_to_key(card.column))
        if column is not None:
            column.cards.append(card)
    return columns, board_filter


def column_page(
    *,
    process: Process,
    user,
    key: str,
    filters: dict | None = None,
    offset: int = 0,
    limit: int = PAGE_SIZE,
    first_step_id: int | None = None,
) -> tuple[list[Opportunity], bool]:
    """One more page of a column's cards ("load more") and whether more remain."""
    queryset = _filtered(process=process, user=user, filters=filters)
    # `_in_columns`: the column's rows through the index, not every card of the board.
    cards = _cards(
        queryset.filter(_in_columns([key], first_step_id))
        .annotate(column=_column_expression(first_step_id))
        .filter(column=_key_to_sql(key))
        .order_by("position", "id")[offset : offset + limit + 1],
        user,
        process,
    )
    return cards[:limit], len(cards) > limit


def column_of(
    *,
    process: Process,
    user,
    key: str,
    filters: dict | None = None,
    steps: list[Step] | None = None,
    limit: int = PAGE_SIZE,
) -> Column:
    """One column, totals and first cards, for a re-render after a move or a refusal."""
    steps = board_steps(process) if steps is None else steps
    first_step_id = steps[0].pk if steps else None
    step = next((s for s in steps if str(s.pk) == key), None)
    label = step.label if step else str(_("Won") if key == WON else _("Lost"))
    column = Column(key=key, label=label, step=step, folded=bool(step and step.folded))
    queryset = _filtered(process=process, user=user, filters=filters)
    values = column_totals(queryset, first_step_id).get(key)
    if values:
        column.count, column.amount, column.weighted = (
            values["count"],
            values["amount"],
            values["weighted"],
        )
    if not column.folded:
        column.cards, _more = column_page(
            process=process,
            user=user,
            key=key,
            filters=filters,
            limit=limit,
            first_step_id=first_step_id,
        )
    return column


def _in_columns(keys: list[str], first_step_id: int | None) -> Q:
    """Rows of the given columns only, so that a move's totals read two columns, not all."""
    step_ids = [pk for pk in (parse_int(key, min_value=1) for key in keys) if pk is not None]
    condition = Q(status=Opportunity.Status.OPEN, step_id__in=step_ids)
    if first_step_id in step_ids:
        condition |= Q(status=Opportunity.Status.OPEN, step__isnull=True)
    if WON in keys:
        condition |= Q(status=Opportunity.Status.WON)
    if LOST in keys:
        condition |= Q(status=Opportunity.Status.LOST)
    return condition


def headers_of(
    *,
    process: Process,
    user,
    keys: list[str],
    filters: dict | None = None,
    steps: list[Step] | None = None,
) -> list[Column]:
    """Totals of some columns (no cards), from the same single aggregate query."""
    steps = board_steps(process) if steps is None else steps
    first_step_id = steps[0].pk if steps else None
    queryset = _filtered(process=process, user=user, filters=filters)
    totals = column_totals(queryset.filter(_in_columns(keys, first_step_id)), first_step_id)
    columns = []
    for key in dict.fromkeys(keys):
        step = next((s for s in steps if str(s.pk) == key), None)
        label = step.label if step else str(_("Won") if key == WON else _("Lost"))
        column = Column(key=key, label=label, step=step, folded=bool(step and step.folded))
        values = totals.get(key)
        if values:
            column.count, column.amount, column.weighted = (
                values["count"],
                values["amount"],
                values["weighted"],
            )
        columns.append(column)
    return columns


def card_of(*, process: Process, user, opportunity_id: int) -> Opportunity | None:
    """One card with what it shows (after a move or a task change)."""
    cards = _cards(
        Opportunity.objects.visible_to(user).filter(process=process, pk=opportunity_id)[:1],
        user,
        process,
    )
    return cards[0] if cards else None


def process_or_404(user, process_id: int) -> Process:
    """The process `user` may open: every sales user sees the active processes, managers also
    the inactive ones; anything else is a 404. Its rights' groups are read with it (one more
    query, `process_rights_load`)."""
    processes = Process.objects.all()
    if not is_manager(user):
        processes = processes.filter(active=True)
    try:
        return process_rights_load(processes.get(pk=process_id))
    except Process.DoesNotExist as exc:
        raise Http404 from exc


def board_process_or_404(user, process_id: int) -> tuple[Process, list[Process]]:
    """`process_or_404` and the active processes the board's switcher lists, in one read."""
    processes = Process.objects.all()
    if is_manager(user):
        processes = processes.filter(Q(active=True) | Q(pk=process_id))
    else:
        # A rep's modify right (`pipeline.rights`) is read with the processes.
        processes = processes.filter(active=True).annotate(**modify_groups_annotations(user))
    processes = list(processes)
    process = next((p for p in processes if p.pk == process_id), None)
    if process is None:
        raise Http404
    if not is_manager(user):
        modify_groups_record(
            process, user, any_group=process.modify_groups_any, mine=process.modify_groups_mine
        )
    return process, [p for p in processes if p.active]


def process_steps_or_404(user, process_id: int) -> tuple[Process, list[Step]]:
    """`process_or_404` and its steps in order (`board_steps`), in one read: the steps with
    their process, or the process alone when it has no step yet."""
    steps = Step.objects.filter(process_id=process_id).select_related("process")
    manager = is_manager(user)
    if not manager:
        # A rep's modify right (`pipeline.rights`) is read with them.
        steps = steps.filter(process__active=True).annotate(
            **modify_groups_annotations(user, "process_id")
        )
    steps = list(steps.order_by("position", "id"))
    if not steps:
        return process_or_404(user, process_id), []
    process = steps[0].process
    if not manager:
        modify_groups_record(
            process, user, any_group=steps[0].modify_groups_any, mine=steps[0].modify_groups_mine
        )
    for step in steps:
        step.process = process  # one object for all, as `process.steps` would give
    return process, steps
