"""The Kanban's server side: rendering, totals, paging, filters, and every rule behind a move
(applied by `pipeline.services.opportunity_move`, reached through the board's endpoint)."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.models import Prospect
from pipeline.models import AutomationRule, HistoryEntry, Opportunity, Process, Step, StepProgress
from pipeline.selectors import PAGE_SIZE, WON
from pipeline.services import opportunities as opportunity_services
from pipeline.views import board
from tests import factories as f

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def board_url(process, **params):
    url = reverse("pipeline_board", args=[process.pk])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def move_url(process):
    return reverse("board_move", args=[process.pk])


def steps_of(process):
    return list(process.steps.order_by("position", "id"))


def triggers(response) -> dict:
    return json.loads(response.headers.get("HX-Trigger", "{}"))


def move(client, opportunity, column, **extra):
    data = {
        "opportunity": opportunity.pk,
        "column": column,
        "from": str(opportunity.step_id),
        "version": opportunity.version,
        **extra,
    }
    return client.post(move_url(opportunity.process), data, **HTMX)


@pytest.fixture
def process(db):
    return f.ProcessFactory(steps=3)


@pytest.fixture
def own_opportunity(rep, process):
    return f.OpportunityFactory(
        process=process, owner=rep, prospect=f.ProspectFactory(owner=rep), amount=Decimal("20000")
    )


# --------------------------------------------------------------------------- rendering


def test_board_shows_one_column_per_step_then_won_and_lost(rep_client, process):
    response = rep_client.get(board_url(process))
    assert response.status_code == 200
    html = response.content.decode()
    keys = [str(step.pk) for step in steps_of(process)] + ["won", "lost"]
    positions = [html.index(f'data-column="{key}"') for key in keys]
    assert positions == sorted(positions)


def test_board_shows_open_and_today_closed_opportunities_only(rep_client, rep, process):
    today = timezone.localdate()
    visible = [
        f.OpportunityFactory(process=process, summary="Open one"),
        f.OpportunityFactory(
            process=process, summary="Won today", status="won", closing_date=today
        ),
        f.OpportunityFactory(
            process=process,
            summary="Lost today",
            status="lost",
            closing_date=today,
            loss_reason=f.LossReasonFactory(),
        ),
    ]
    hidden = [
        f.OpportunityFactory(
            process=process,
            summary="Won yesterday",
            status="won",
            closing_date=today - dt.timedelta(days=1),
        ),
        f.OpportunityFactory(process=process, summary="Inactive", status="inactive"),
        f.OpportunityFactory(process=process, summary="Trashed", deleted_at=timezone.now()),
    ]
    html = rep_client.get(board_url(process)).content.decode()
    for opportunity in visible:
        assert f'data-opportunity="{opportunity.pk}"' in html
    for opportunity in hidden:
        assert f'data-opportunity="{opportunity.pk}"' not in html
    won = html[html.index('data-column="won"') : html.index('data-column="lost"')]
    assert f'data-opportunity="{visible[1].pk}"' in won


def test_column_totals_count_sum_and_weighted_sum(rep_client, process):
    first = steps_of(process)[0]
    f.OpportunityFactory(process=process, step=first, amount=Decimal("10000"), probability=10)
    f.OpportunityFactory(process=process, step=first, amount=Decimal("30000"), probability=50)
    response = rep_client.get(board_url(process), HTTP_ACCEPT_LANGUAGE="fr")
    column = next(c for c in response.context["columns"] if c.key == str(first.pk))
    assert column.count == 2
    assert column.amount == Decimal("40000")
    assert column.weighted == Decimal("16000.00")
    html = response.content.decode()
    header = html[html.index(f'id="column-header-{first.pk}"') :]
    assert "40 000 €" in header.replace("\u202f", " ").replace("\xa0", " ")


def test_card_shows_project_company_person_action_amount_probability_owner(
    rep_client, rep, process
):
    company = f.CompanyFactory(name="Acme Industries")
    person = f.PersonFactory(first_name="Jeanne", last_name="Martin")
    opportunity = f.OpportunityFactory(
        process=process,
        prospect=None,
        company=company,
        person=person,
        owner=rep,
        summary="New roof",
        amount=Decimal("12500"),
        probability=30,
    )
    late = timezone.now() - dt.timedelta(days=2)
    f.TaskFactory(
        opportunity=opportunity, title="Call back about the quote", start=late, important=True
    )
    f.TaskFactory(opportunity=opportunity, title="Later task", start=late + dt.timedelta(days=9))
    from pipeline.clocks import opportunities_refresh

    opportunities_refresh([opportunity.pk])
    html = rep_client.get(board_url(process), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    card = html[html.index(f'data-opportunity="{opportunity.pk}"') :]
    card = card[: card.index("</article>")]
    assert "New roof" in card
    assert "Acme Industries" in card and "Jeanne MARTIN" in card
    assert "Call back about the quote" in card and "Later task" not in card
    assert timezone.localtime(late).strftime("%d/%m/%Y %H:%M") in card
    assert 'data-colour="red"' in card
    assert "12 500 €" in card.replace("\u202f", " ").replace("\xa0", " ")
    assert "30 %" in card.replace("\xa0", " ")
    assert ">AD<" in card  # Alice Durand
    assert "kc-flag" in card
    assert f'data-version="{opportunity.version}"' in card
    assert f'href="/opportunities/{opportunity.pk}/"' in card


def test_a_card_reads_the_same_in_every_answer_and_escapes_what_users_typed(
    rep_client, rep, process
):
    """The board, "load more", a card's refresh and a move's answer draw a card alike; a
    move only changes its version (and here not its probability, set by hand)."""
    first, second, _third = steps_of(process)
    typed = '<b>Roof & "tiles"</b>'
    opportunity = f.OpportunityFactory(
        process=process,
        step=first,
        owner=rep,
        summary=typed,
        prospect=f.ProspectFactory(owner=rep, company_name="Smith & Sons <SA>"),
        probability=40,
        probability_is_manual=True,
        position=5,
    )
    f.TaskFactory(opportunity=opportunity, assignee=rep, title="Call <Ann>", important=True)
    from pipeline.clocks import opportunities_refresh

    opportunities_refresh([opportunity.pk])
    opportunity.refresh_from_db()
    on_board = _card_html(rep_client.get(board_url(process)).content.decode(), opportunity)
    more = rep_client.get(
        reverse("board_column", args=[process.pk, first.pk]) + "?offset=0", **HTMX
    ).content.decode()
    refreshed = rep_client.get(
        reverse("board_card", args=[process.pk, opportunity.pk]), **HTMX
    ).content.decode()
    assert _card_html(more, opportunity) == on_board
    assert _card_html(refreshed, opportunity) == on_board
    assert "<b>" not in on_board and "&lt;b&gt;Roof &amp; &quot;tiles&quot;&lt;/b&gt;" in on_board
    assert "Smith &amp; Sons &lt;SA&gt;" in on_board and "Call &lt;Ann&gt;" in on_board
    assert "kc-flag" in on_board and "data-movable" in on_board

    moved = move(rep_client, opportunity, str(second.pk)).content.decode()
    opportunity.refresh_from_db()
    assert opportunity.step == second
    assert _card_html(moved, opportunity) == on_board.replace(
        f'data-version="{opportunity.version - 1}"', f'data-version="{opportunity.version}"'
    )


def test_board_has_ctrl_k_link_to_the_prospect_list(rep_client, process):
    html = rep_client.get(board_url(process)).content.decode()
    assert f'href="{reverse("prospect_list")}" data-ctrl-k' in html


def test_board_query_count_does_not_grow_with_cards(
    rep_client, process, django_assert_max_num_queries
):
    def make(count):
        for opportunity in f.OpportunityFactory.create_batch(count, process=process):
            f.TaskFactory(opportunity=opportunity)
        for opportunity in f.OpportunityFactory.create_batch(
            count,
            process=process,
            prospect=None,
            company=f.CompanyFactory(),
            person=f.PersonFactory(),
            owner=f.RepFactory(),
        ):
            f.TaskFactory(opportunity=opportunity, important=True)

    make(3)
    rep_client.get(board_url(process))  # warm caches (session, groups)
    with django_assert_max_num_queries(14) as few:
        rep_client.get(board_url(process))
    make(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        rep_client.get(board_url(process))


def test_column_shows_first_page_and_loads_more(rep_client, process, django_assert_max_num_queries):
    first = steps_of(process)[0]
    f.OpportunityFactory.create_batch(PAGE_SIZE + 5, process=process, step=first)
    response = rep_client.get(board_url(process))
    column = next(c for c in response.context["columns"] if c.key == str(first.pk))
    assert column.count == PAGE_SIZE + 5 and len(column.cards) == PAGE_SIZE
    html = response.content.decode()
    assert html.count("data-opportunity=") == PAGE_SIZE
    assert reverse("board_column", args=[process.pk, first.pk]) + f"?offset={PAGE_SIZE}" in html

    url = reverse("board_column", args=[process.pk, first.pk]) + f"?offset={PAGE_SIZE}"
    with django_assert_max_num_queries(10):
        more = rep_client.get(url, **HTMX)
    page = more.content.decode()
    assert page.count("data-opportunity=") == 5
    assert 'id="more-' in page and "offset=" not in page


def test_load_more_reads_the_column_it_names_only(rep_client, process):
    """The first column's next page includes the open opportunities without a step; Won's,
    the opportunities won today only."""
    first, second, _third = steps_of(process)
    today = timezone.localdate()
    f.OpportunityFactory.create_batch(PAGE_SIZE, process=process, step=first, position=0)
    stepless = f.OpportunityFactory(process=process, step=None, position=1)
    f.OpportunityFactory.create_batch(3, process=process, step=second, position=2)
    won = f.OpportunityFactory.create_batch(
        PAGE_SIZE + 1, process=process, step=second, status="won", closing_date=today
    )
    f.OpportunityFactory(
        process=process, status="won", closing_date=today - dt.timedelta(days=1), position=9
    )

    def more(key):
        url = reverse("board_column", args=[process.pk, key]) + f"?offset={PAGE_SIZE}"
        return re.findall(r'data-opportunity="(\d+)"', rep_client.get(url, **HTMX).content.decode())

    assert more(first.pk) == [str(stepless.pk)]
    assert more("won") == [str(won[-1].pk)]


def test_folded_column_shows_its_count_but_no_cards(rep_client, process):
    first = steps_of(process)[0]
    first.folded = True
    first.save()
    opportunity = f.OpportunityFactory(process=process, step=first)
    response = rep_client.get(board_url(process))
    html = response.content.decode()
    assert f'data-opportunity="{opportunity.pk}"' not in html
    column = next(c for c in response.context["columns"] if c.key == str(first.pk))
    assert column.folded and column.count == 1
    assert 'class="kanban-column folded"' in html


def test_a_folded_column_offers_no_load_more(rep_client, process):
    """A folded column shows no cards, so it has none to load either, however many it holds."""
    first, second = steps_of(process)[:2]
    first.folded = True
    first.save()
    f.OpportunityFactory.create_batch(PAGE_SIZE + 2, process=process, step=first)
    f.OpportunityFactory.create_batch(PAGE_SIZE + 2, process=process, step=second)
    html = rep_client.get(board_url(process)).content.decode()
    assert reverse("board_column", args=[process.pk, first.pk]) not in html
    assert reverse("board_column", args=[process.pk, second.pk]) + f"?offset={PAGE_SIZE}" in html


def test_filters_by_owner_category_and_search(rep_client, rep, other_rep, process):
    category = f.CategoryFactory(name="Trade show")
    mine = f.OpportunityFactory(process=process, owner=rep, summary="Solar panels")
    theirs = f.OpportunityFactory(process=process, owner=other_rep, summary="Heat pump")
    mine.prospect.categories.add(category)

    def shown(**params):
        html = rep_client.get(board_url(process, **params)).content.decode()
        return {o.pk for o in (mine, theirs) if f'data-opportunity="{o.pk}"' in html}

    assert shown() == {mine.pk, theirs.pk}
    assert shown(owner=other_rep.pk) == {theirs.pk}
    assert shown(category=category.pk) == {mine.pk}
    assert shown(q="heat") == {theirs.pk}
    assert shown(q=theirs.prospect.company_name.split()[0]) >= {theirs.pk}


def test_filtered_board_answers_htmx_with_the_board_partial(rep_client, process):
    response = rep_client.get(board_url(process, q="x"), HTTP_HX_TARGET="board", **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board"')
    assert "<html" not in html


def test_board_requires_login(client, process):
    response = client.get(board_url(process))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_unknown_process_is_404(rep_client):
    assert rep_client.get("/pipeline/999999/board/").status_code == 404


def test_reps_see_only_their_own_when_configured(rep_client, rep, other_rep, process, settings):
    settings.REPS_SEE_ONLY_OWN = True
    mine = f.OpportunityFactory(process=process, owner=rep)
    theirs = f.OpportunityFactory(process=process, owner=other_rep)
    html = rep_client.get(board_url(process)).content.decode()
    assert f'data-opportunity="{mine.pk}"' in html
    assert f'data-opportunity="{theirs.pk}"' not in html
    response = move(rep_client, theirs, str(steps_of(process)[1].pk))
    assert triggers(response)["jalon:message"]["text"] == str(board.NOT_FOUND)
    theirs.refresh_from_db()
    assert theirs.step == steps_of(process)[0]


# --------------------------------------------------------------------------- moves


def test_move_to_next_column_records_history_and_answers_card_and_totals(
    rep_client, rep, own_opportunity
):
    process = own_opportunity.process
    first, second, _third = steps_of(process)
    response = move(rep_client, own_opportunity, str(second.pk))
    assert response.status_code == 200
    own_opportunity.refresh_from_db()
    assert own_opportunity.step == second
    assert own_opportunity.probability == second.probability
    entry = HistoryEntry.objects.get(opportunity=own_opportunity, kind=HistoryEntry.Kind.STEP)
    assert (entry.from_value, entry.to_value, entry.actor) == (first.label, second.label, rep)
    html = response.content.decode()
    assert html.lstrip().startswith(f'<article class="kanban-card" id="card-{own_opportunity.pk}"')
    assert f'data-version="{own_opportunity.version}"' in html
    assert f'id="column-header-{first.pk}" hx-swap-oob="true"' in html
    assert f'id="column-header-{second.pk}" hx-swap-oob="true"' in html
    assert "board:moved" in triggers(response)
    counts = dict(re.findall(r'id="column-header-(\w+)".*?data-count[^>]*>(\d+)<', html, re.S))
    assert counts == {str(first.pk): "0", str(second.pk): "1"}
    second_header = html[html.index(f'id="column-header-{second.pk}"') :]
    assert re.search(r"20.000.€", second_header)


def test_move_keeps_the_order_inside_the_column(rep_client, rep, process):
    first, second, _third = steps_of(process)
    a, b, c = (
        f.OpportunityFactory(process=process, step=second, owner=rep, position=i) for i in range(3)
    )
    moving = f.OpportunityFactory(process=process, step=first, owner=rep)
    move(rep_client, moving, str(second.pk), prev=a.pk, next=b.pk)
    order = list(
        Opportunity.objects.filter(step=second)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    assert order == [a.pk, moving.pk, b.pk, c.pk]
    # Reordering inside a column goes through the same endpoint.
    c.refresh_from_db()
    response = rep_client.post(
        move_url(process),
        {
            "opportunity": c.pk,
            "column": second.pk,
            "from": second.pk,
            "version": c.version,
            "next": a.pk,
        },
        **HTMX,
    )
    assert response.status_code == 200
    order = list(
        Opportunity.objects.filter(step=second)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    assert order == [c.pk, a.pk, moving.pk, b.pk]


def column_positions(step) -> list[tuple[int, int]]:
    return list(
        Opportunity.objects.filter(step=step, status=Opportunity.Status.OPEN)
        .order_by("position", "id")
        .values_list("pk", "position")
    )


def test_a_drop_next_to_a_free_place_moves_no_other_card(rep_client, rep, process):
    first, second, _third = steps_of(process)
    a, b, c = (
        f.OpportunityFactory(process=process, step=second, owner=rep, position=i)
        for i in (0, 5, 10)
    )
    versions = {o.pk: o.version for o in (a, b, c)}
    moving = f.OpportunityFactory(process=process, step=first, owner=rep)
    assert move(rep_client, moving, str(second.pk), prev=a.pk, next=b.pk).status_code == 200
    assert column_positions(second) == [(a.pk, 0), (moving.pk, 1), (b.pk, 5), (c.pk, 10)]
    # The other cards were not written: their versions (what a stale drop checks) stand.
    assert {o.pk: o.version for o in Opportunity.objects.filter(pk__in=versions)} == versions


def test_a_drop_shifts_the_cards_up_to_the_first_free_place_only(rep_client, rep, process):
    first, second, _third = steps_of(process)
    a, b, c, d, e = (
        f.OpportunityFactory(process=process, step=second, owner=rep, position=i)
        for i in (0, 1, 2, 5, 6)
    )
    moving = f.OpportunityFactory(process=process, step=first, owner=rep)
    assert move(rep_client, moving, str(second.pk), prev=a.pk, next=b.pk).status_code == 200
    assert column_positions(second) == [
        (a.pk, 0),
        (moving.pk, 1),
        (b.pk, 2),
        (c.pk, 3),
        (d.pk, 5),
        (e.pk, 6),
    ]
    # On top of the column, before a card with no free place in front of it.
    d.refresh_from_db()
    assert move(rep_client, d, str(second.pk), next=a.pk).status_code == 200
    assert [pk for pk, _position in column_positions(second)] == [
        d.pk,
        a.pk,
        moving.pk,
        b.pk,
        c.pk,
        e.pk,
    ]
    assert dict(column_positions(second))[e.pk] == 6


def test_a_drop_leaves_the_trashed_cards_of_the_column_alone(rep_client, rep, process):
    """A card in the trash neither holds a place nor moves: the drop sees the column as the
    board shows it."""
    first, second, _third = steps_of(process)
    a, b, c = (
        f.OpportunityFactory(process=process, step=second, owner=rep, position=i) for i in (0, 1, 3)
    )
    trashed = f.OpportunityFactory(
        process=process, step=second, owner=rep, position=2, deleted_at=timezone.now()
    )
    moving = f.OpportunityFactory(process=process, step=first, owner=rep)
    assert move(rep_client, moving, str(second.pk), prev=a.pk, next=b.pk).status_code == 200
    assert column_positions(second) == [(a.pk, 0), (moving.pk, 1), (b.pk, 2), (c.pk, 3)]
    assert Opportunity.all_objects.get(pk=trashed.pk).position == 2


def test_a_drop_in_won_shifts_the_won_cards_of_every_step(rep_client, rep, process):
    first, second, third = steps_of(process)
    won = [
        f.OpportunityFactory(
            process=process, step=step, owner=rep, position=i, status=Opportunity.Status.WON
        )
        for i, step in enumerate((first, second, third))
    ]
    open_card = f.OpportunityFactory(process=process, step=second, owner=rep, position=1)
    moving = f.OpportunityFactory(process=process, step=first, owner=rep, position=9)
    response = move(rep_client, moving, WON, prev=won[0].pk, next=won[1].pk)
    assert response.status_code == 200
    assert list(
        Opportunity.objects.filter(process=process, status=Opportunity.Status.WON)
        .order_by("position")
        .values_list("pk", "position")
    ) == [(won[0].pk, 0), (moving.pk, 1), (won[1].pk, 2), (won[2].pk, 3)]
    open_card.refresh_from_db()
    assert open_card.position == 1


def test_room_is_made_among_the_open_cards_without_a_step(rep, process):
    """Open cards imported without a step share one column (the first): making room there
    leaves the cards of a step alone."""
    first = steps_of(process)[0]
    a, b, c = (
        f.OpportunityFactory(process=process, step=None, owner=rep, position=i) for i in (0, 1, 3)
    )
    in_step = f.OpportunityFactory(process=process, step=first, owner=rep, position=1)
    moving = f.OpportunityFactory(process=process, step=None, owner=rep, position=9)
    opportunity_services._make_room(moving, Opportunity.Status.OPEN, None, 1)
    positions = dict(Opportunity.objects.values_list("pk", "position"))
    assert [positions[o.pk] for o in (a, b, c, in_step, moving)] == [0, 2, 3, 1, 9]


def test_move_refused_without_the_object_right(rep_client, other_rep, process):
    theirs = f.OpportunityFactory(process=process, owner=other_rep)
    response = move(rep_client, theirs, str(steps_of(process)[1].pk))
    assert response.headers["HX-Reswap"] == "none"
    events = triggers(response)
    assert events["board:refused"] == {"opportunity": theirs.pk}
    assert events["jalon:message"]["text"] == str(opportunity_services.NOT_ALLOWED_OBJECT)
    theirs.refresh_from_db()
    assert theirs.step == steps_of(process)[0]
    assert not HistoryEntry.objects.filter(opportunity=theirs, kind=HistoryEntry.Kind.STEP).exists()


def test_move_refused_without_the_process_right(rep_client, own_opportunity):
    process = own_opportunity.process
    process.modify_groups.add(f.manager_group())
    response = move(rep_client, own_opportunity, str(steps_of(process)[1].pk))
    assert triggers(response)["jalon:message"]["text"] == str(opportunity_services.NOT_ALLOWED)
    own_opportunity.refresh_from_db()
    assert own_opportunity.step == steps_of(process)[0]


def test_malformed_version_is_refused_as_stale(rep_client, own_opportunity):
    process = own_opportunity.process
    first, second, _third = steps_of(process)
    response = move(rep_client, own_opportunity, str(second.pk), version="abc")
    assert response.status_code == 200
    events = triggers(response)
    assert events["board:refused"] == {"opportunity": own_opportunity.pk}
    assert "was changed by" in events["jalon:message"]["text"]
    own_opportunity.refresh_from_db()
    assert own_opportunity.step == first


def test_stale_move_is_refused_and_shows_the_real_place(rep_client, manager, own_opportunity):
    process = own_opportunity.process
    first, second, third = steps_of(process)
    seen_version = own_opportunity.version
    opportunity_services.opportunity_move(
        opportunity_id=own_opportunity.pk, actor=manager, to_step=third
    )
    response = rep_client.post(
        move_url(process),
        {
            "opportunity": own_opportunity.pk,
            "column": second.pk,
            "from": first.pk,
            "version": seen_version,
        },
        **HTMX,
    )
    events = triggers(response)
    assert events["board:refused"] == {"opportunity": own_opportunity.pk}
    assert third.label in events["jalon:message"]["text"]
    own_opportunity.refresh_from_db()
    assert own_opportunity.step == third
    html = response.content.decode()
    # The three columns involved come back as they really are.
    for step in (first, second, third):
        assert f'id="column-{step.pk}" data-column="{step.pk}"' in html
    third_column = html[html.index(f'data-column="{third.pk}"') :]
    assert f'data-opportunity="{own_opportunity.pk}"' in third_column


def test_lost_needs_a_reason_from_the_dialog(rep_client, own_opportunity):
    process = own_opportunity.process
    dialog = rep_client.get(
        reverse("board_lost", args=[process.pk, own_opportunity.pk])
        + f"?from={own_opportunity.step_id}&version={own_opportunity.version}",
        **HTMX,
    )
    assert 'name="loss_reason"' in dialog.content.decode()
    response = move(rep_client, own_opportunity, "lost", via="dialog")
    assert response.headers["HX-Retarget"] == "#modal-body"
    assert 'name="loss_reason"' in response.content.decode()
    own_opportunity.refresh_from_db()
    assert own_opportunity.status == Opportunity.Status.OPEN


def test_lost_without_a_reason_is_refused_by_the_service(rep_client, own_opportunity):
    response = move(rep_client, own_opportunity, "lost")
    assert triggers(response)["jalon:message"]["text"] == str(
        opportunity_services.LOSS_REASON_REQUIRED
    )


def test_lost_with_a_reason(rep_client, own_opportunity):
    reason = f.LossReasonFactory(name="Too expensive")
    response = move(rep_client, own_opportunity, "lost", via="dialog", loss_reason=reason.pk)
    events = triggers(response)
    assert "board:moved" in events and "jalon:close-modal" in events
    own_opportunity.refresh_from_db()
    assert own_opportunity.status == Opportunity.Status.LOST
    assert own_opportunity.loss_reason == reason
    assert own_opportunity.closing_date == timezone.localdate()
    assert 'id="column-header-lost" hx-swap-oob="true"' in response.content.decode()


def test_won_then_dragged_back_reopens(rep_client, own_opportunity):
    move(rep_client, own_opportunity, "won")
    own_opportunity.refresh_from_db()
    assert own_opportunity.status == Opportunity.Status.WON
    assert own_opportunity.probability == 100
    move(rep_client, own_opportunity, str(own_opportunity.step_id), **{"from": "won"})
    own_opportunity.refresh_from_db()
    assert own_opportunity.status == Opportunity.Status.OPEN


def test_step_by_step_move_completes_the_earlier_steps(rep_client, own_opportunity):
    process = own_opportunity.process
    process.mode = Process.Mode.STEP_BY_STEP
    process.save()
    first, second, third = steps_of(process)
    move(rep_client, own_opportunity, str(third.pk))
    done = set(
        StepProgress.objects.filter(opportunity=own_opportunity).values_list("step_id", flat=True)
    )
    assert done == {first.pk, second.pk}


def test_move_appends_the_log_line_to_the_prospect_comment(rep_client, own_opportunity):
    process = own_opportunity.process
    process.log_step_changes = True
    process.save()
    first, second, _third = steps_of(process)
    move(rep_client, own_opportunity, str(second.pk))
    own_opportunity.prospect.refresh_from_db()
    assert f"{first.label} → {second.label}" in own_opportunity.prospect.notes


def test_manual_probability_is_kept(rep_client, own_opportunity):
    own_opportunity.probability = 77
    own_opportunity.probability_is_manual = True
    own_opportunity.save()
    move(rep_client, own_opportunity, str(steps_of(own_opportunity.process)[2].pk))
    own_opportunity.refresh_from_db()
    assert own_opportunity.probability == 77


def test_automation_rule_moving_elsewhere_re_renders_the_columns(rep_client, own_opportunity):
    process = own_opportunity.process
    first, second, third = steps_of(process)
    AutomationRule.objects.create(
        process=process, event=AutomationRule.Event.STATUS_CHANGED, status="won", target_step=third
    )
    response = move(rep_client, own_opportunity, "won")
    own_opportunity.refresh_from_db()
    assert own_opportunity.step == third
    assert own_opportunity.status == Opportunity.Status.WON
    assert HistoryEntry.objects.filter(opportunity=own_opportunity, rule__isnull=False).exists()
    # Still in Won: the answer is the card, as dropped.
    assert response.content.decode().lstrip().startswith("<article")


def test_move_to_a_column_of_another_process_is_refused(rep_client, own_opportunity):
    other = f.ProcessFactory(steps=1)
    response = move(rep_client, own_opportunity, str(steps_of(other)[0].pk))
    assert triggers(response)["jalon:message"]["text"] == str(board.UNKNOWN_COLUMN)


def test_move_needs_post_and_login(rep_client, own_opportunity):
    assert rep_client.get(move_url(own_opportunity.process)).status_code == 405
    response = Client().post(move_url(own_opportunity.process), {})
    assert response.status_code == 302


def test_move_query_count_is_small(rep_client, own_opportunity, django_assert_max_num_queries):
    second = steps_of(own_opportunity.process)[1]
    rep_client.get(board_url(own_opportunity.process))
    with django_assert_max_num_queries(40):
        move(rep_client, own_opportunity, str(second.pk))


# --------------------------------------------------------------------------- dialogs


def test_add_an_opportunity_in_a_chosen_column(rep_client, rep, process):
    second = steps_of(process)[1]
    prospect = f.ProspectFactory(owner=rep)
    url = reverse("board_opportunity_create", args=[process.pk])
    dialog = rep_client.get(f"{url}?column={second.pk}", **HTMX)
    assert dialog.status_code == 200
    assert f'<option value="{second.pk}" selected>' in dialog.content.decode()
    response = rep_client.post(
        url,
        {"summary": "Extension", "prospect": prospect.pk, "step": second.pk, "amount": "5000"},
        **HTMX,
    )
    opportunity = Opportunity.objects.get(summary="Extension")
    assert (opportunity.step, opportunity.owner, opportunity.prospect) == (second, rep, prospect)
    assert "jalon:close-modal" in triggers(response)
    assert f'data-opportunity="{opportunity.pk}"' in response.content.decode()


def test_add_an_opportunity_with_a_new_prospect(rep_client, rep, process):
    url = reverse("board_opportunity_create", args=[process.pk])
    rep_client.post(
        url,
        {
            "summary": "Veranda",
            "company_name": "Dupont SARL",
            "last_name": "Dupont",
            "step": steps_of(process)[0].pk,
        },
        **HTMX,
    )
    opportunity = Opportunity.objects.get(summary="Veranda")
    assert opportunity.prospect.company_name == "Dupont SARL"
    assert opportunity.prospect.owner == rep


def test_add_an_opportunity_refused_creates_no_prospect(rep_client, process):
    process.modify_groups.add(f.manager_group())
    url = reverse("board_opportunity_create", args=[process.pk])
    response = rep_client.post(
        url,
        {"summary": "Veranda", "company_name": "Ghost SARL", "step": steps_of(process)[0].pk},
        **HTMX,
    )
    assert response.status_code == 403
    assert not Prospect.objects.filter(company_name="Ghost SARL").exists()


def test_add_an_opportunity_needs_a_prospect(rep_client, process):
    url = reverse("board_opportunity_create", args=[process.pk])
    response = rep_client.post(url, {"summary": "Nobody", "step": steps_of(process)[0].pk}, **HTMX)
    assert "Choose a prospect" in response.content.decode()
    assert not Opportunity.objects.filter(summary="Nobody").exists()


def test_inactive_process_board_hidden_from_reps(rep_client, rep):
    process = f.ProcessFactory(steps=2, active=False)
    first = steps_of(process)[0]
    create = reverse("board_opportunity_create", args=[process.pk])
    assert rep_client.get(board_url(process)).status_code == 404
    assert rep_client.get(create, **HTMX).status_code == 404
    response = rep_client.post(
        create, {"summary": "Sneaky", "company_name": "Ghost SARL", "step": first.pk}, **HTMX
    )
    assert response.status_code == 404
    assert not Opportunity.objects.filter(summary="Sneaky").exists()


def test_inactive_process_board_open_to_managers(manager_client):
    process = f.ProcessFactory(steps=2, active=False)
    assert manager_client.get(board_url(process)).status_code == 200


def test_card_partial(rep_client, own_opportunity):
    url = reverse("board_card", args=[own_opportunity.process.pk, own_opportunity.pk])
    html = rep_client.get(url, **HTMX).content.decode()
    assert html.lstrip().startswith("<article")


def _card_html(html: str, opportunity) -> str:
    start = html.index(f'id="card-{opportunity.pk}"')
    return html[html.rindex("<article", 0, start) : html.index("</article>", start)]


def test_only_cards_the_user_may_move_are_draggable_and_offer_the_move_menu(
    rep_client, manager, other_rep, process, own_opportunity
):
    theirs = f.OpportunityFactory(process=process, prospect=f.ProspectFactory(owner=other_rep))
    unassigned = f.OpportunityFactory(process=process, prospect=f.ProspectFactory(owner=None))
    html = rep_client.get(board_url(process)).content.decode()
    for opportunity, movable in ((own_opportunity, True), (unassigned, True), (theirs, False)):
        card = _card_html(html, opportunity)
        assert ("data-movable" in card) is movable, opportunity
        assert ("data-move-menu" in card) is movable, opportunity
    manager_client = Client()
    manager_client.force_login(manager)
    html = manager_client.get(board_url(process)).content.decode()
    assert "data-movable" in _card_html(html, theirs)
    # The same on the card answered alone (after a task dialog) and after a move.
    card = rep_client.get(reverse("board_card", args=[process.pk, theirs.pk]), **HTMX)
    assert "data-movable" not in card.content.decode()
    moved = move(rep_client, own_opportunity, str(steps_of(process)[1].pk))
    assert "data-movable" in _card_html(moved.content.decode(), own_opportunity)


def test_no_card_is_draggable_without_the_process_modify_right(
    rep_client, process, own_opportunity
):
    process.modify_groups.add(f.manager_group())
    html = rep_client.get(board_url(process)).content.decode()
    assert "data-movable" not in html and "data-move-menu" not in html


def test_card_partial_of_a_card_the_user_may_not_see_is_a_404(
    rep_client, other_rep, process, own_opportunity, settings
):
    settings.REPS_SEE_ONLY_OWN = True
    theirs = f.OpportunityFactory(process=process, prospect=f.ProspectFactory(owner=other_rep))
    elsewhere = f.OpportunityFactory(
        process=f.ProcessFactory(steps=1), prospect=own_opportunity.prospect
    )
    trashed = f.OpportunityFactory(process=process, prospect=own_opportunity.prospect)
    Opportunity.all_objects.filter(pk=trashed.pk).update(deleted_at=timezone.now())
    for opportunity_id in (theirs.pk, elsewhere.pk, trashed.pk, 999999):
        url = reverse("board_card", args=[process.pk, opportunity_id])
        for headers in ({}, HTMX):
            assert rep_client.get(url, **headers).status_code == 404, opportunity_id


# --------------------------------------------------------------------------- columns


def test_manager_adds_renames_folds_and_deletes_a_column(manager_client, process):
    url = reverse("board_step_create", args=[process.pk])
    response = manager_client.post(
        url, {"label": "Signature", "probability": 90, "duration_days": 5}, **HTMX
    )
    step = Step.objects.get(process=process, label="Signature")
    assert 'hx-swap-oob="true"' in response.content.decode().split("data-process")[0]
    edit = reverse("board_step_edit", args=[process.pk, step.pk])
    manager_client.post(edit, {"label": "Contract", "probability": 95, "duration_days": 5}, **HTMX)
    step.refresh_from_db()
    assert (step.label, step.probability) == ("Contract", 95)
    manager_client.post(
        reverse("board_step_fold", args=[process.pk, step.pk]), {"folded": "1"}, **HTMX
    )
    step.refresh_from_db()
    assert step.folded
    manager_client.post(reverse("board_step_delete", args=[process.pk, step.pk]), **HTMX)
    assert not Step.objects.filter(pk=step.pk).exists()


def test_a_column_with_opportunities_cannot_be_deleted(manager_client, process):
    first = steps_of(process)[0]
    f.OpportunityFactory(process=process, step=first, status="inactive")
    response = manager_client.post(
        reverse("board_step_delete", args=[process.pk, first.pk]), **HTMX
    )
    assert "cannot be deleted" in triggers(response)["jalon:message"]["text"]
    assert Step.objects.filter(pk=first.pk).exists()


def test_reps_cannot_change_columns(rep_client, process):
    first = steps_of(process)[0]
    assert rep_client.get(reverse("board_step_create", args=[process.pk])).status_code == 403
    assert (
        rep_client.post(
            reverse("board_step_fold", args=[process.pk, first.pk]), {"folded": "1"}
        ).status_code
        == 403
    )
    assert (
        rep_client.post(reverse("board_step_delete", args=[process.pk, first.pk])).status_code
        == 403
    )
    assert "board_step_edit" not in rep_client.get(board_url(process)).content.decode()


def test_rule_moving_the_card_elsewhere_re_renders_the_columns(rep_client, own_opportunity):
    process = own_opportunity.process
    first, _second, third = steps_of(process)
    move(rep_client, own_opportunity, "won")
    own_opportunity.refresh_from_db()
    AutomationRule.objects.create(
        process=process, event=AutomationRule.Event.STATUS_CHANGED, status="open", target_step=third
    )
    response = move(rep_client, own_opportunity, str(first.pk), **{"from": "won"})
    own_opportunity.refresh_from_db()
    assert (own_opportunity.status, own_opportunity.step) == (Opportunity.Status.OPEN, third)
    assert response.headers["HX-Reswap"] == "none"
    events = triggers(response)
    assert "board:moved" in events
    assert third.label in events["jalon:message"]["text"]
    html = response.content.decode()
    third_column = html[html.index(f'data-column="{third.pk}"') :]
    assert f'data-opportunity="{own_opportunity.pk}"' in third_column


def test_stale_drop_on_lost_closes_the_dialog_and_refuses(rep_client, manager, own_opportunity):
    seen = own_opportunity.version
    opportunity_services.opportunity_move(
        opportunity_id=own_opportunity.pk,
        actor=manager,
        to_step=steps_of(own_opportunity.process)[1],
    )
    reason = f.LossReasonFactory()
    response = rep_client.post(
        move_url(own_opportunity.process),
        {
            "opportunity": own_opportunity.pk,
            "column": "lost",
            "from": own_opportunity.step_id,
            "version": seen,
            "via": "dialog",
            "loss_reason": reason.pk,
        },
        **HTMX,
    )
    events = triggers(response)
    assert "board:refused" in events and "jalon:close-modal" in events
    own_opportunity.refresh_from_db()
    assert own_opportunity.status == Opportunity.Status.OPEN


def test_load_more_keeps_the_filters(rep_client, rep, other_rep, process):
    first = steps_of(process)[0]
    f.OpportunityFactory.create_batch(PAGE_SIZE + 2, process=process, step=first, owner=rep)
    f.OpportunityFactory.create_batch(3, process=process, step=first, owner=other_rep)
    html = rep_client.get(board_url(process, owner=rep.pk)).content.decode()
    assert f"offset={PAGE_SIZE}&amp;owner={rep.pk}" in html
    url = reverse("board_column", args=[process.pk, first.pk])
    page = rep_client.get(f"{url}?offset={PAGE_SIZE}&owner={rep.pk}", **HTMX).content.decode()
    assert page.count("data-opportunity=") == 2


def test_load_more_of_an_unknown_column_is_refused(rep_client, process):
    other = f.ProcessFactory(steps=1)
    url = reverse("board_column", args=[process.pk, steps_of(other)[0].pk])
    assert rep_client.get(url, **HTMX).status_code == 403
