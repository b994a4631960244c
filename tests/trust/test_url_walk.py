"""Every URL of the project, walked as a rep on another rep's records.

Reps see the team's records (only their own and unassigned ones with REPS_SEE_ONLY_OWN) and
change only their own and unassigned ones. The walk requests each URL pattern with GET and
POST, with and without the htmx header, and checks the answer against RULES; after each POST it
also checks that no row of the apps' tables changed. A URL without a rule fails the walk: add
one to RULES when you add a URL.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.trust.conftest import World

pytestmark = pytest.mark.django_db

OK = frozenset({200})
DENIED = frozenset({403, 404})
NOT_ALLOWED = frozenset({405})
REDIRECT = frozenset({302})
MOVED = frozenset({301})
# A POST on a page that creates the rep's own records, sent empty: refused by the form.
FORM_ERROR = frozenset({200, 400, 422})


@dataclass(frozen=True)
class Rule:
    """What a rep gets on another rep's object.

    obj: the World attribute named by the URL's <pk>; get/post: accepted status codes;
    own_only_get: accepted GET codes with REPS_SEE_ONLY_OWN (default: same as get);
    query: a query string (formatted with the world); data: a POST body built from the world,
    shaped as the real page sends it, so that a missing check shows as a changed row;
    writes: the POST may write rows of the rep's own (e.g. regenerate the rep's feed).
    """

    get: frozenset
    post: frozenset
    obj: str | None = None
    own_only_get: frozenset | None = None
    query: str = ""
    data: Callable[[World], dict] | None = None
    writes: bool = False
    target: str = "company"
    extra: dict = field(default_factory=dict)


def page(**kw) -> Rule:
    """A list or tool page that shows no single record."""
    return Rule(get=OK, post=NOT_ALLOWED, **kw)


def read(obj: str, **kw) -> Rule:
    """A read of one record: the team sees it, unless reps see only their own."""
    return Rule(get=OK, post=NOT_ALLOWED, obj=obj, own_only_get=frozenset({404}), **kw)


def change_post(obj: str | None = None, **kw) -> Rule:
    """A POST-only change of a record."""
    return Rule(get=NOT_ALLOWED, post=DENIED, obj=obj, **kw)


def change_form(obj: str | None = None, **kw) -> Rule:
    """An edit form (GET shows it, POST saves it): refused on both."""
    return Rule(get=DENIED, post=DENIED, obj=obj, **kw)


def managers_only(obj: str | None = None, get=DENIED, post=DENIED, **kw) -> Rule:
    return Rule(get=get, post=post, obj=obj, **kw)


RULES: dict[str, Rule] = {
    # Project pages and accounts.
    "dashboard": page(),
    "health": page(),  # public: the container's health check (core/health.py)
    "login": Rule(get=REDIRECT, post=REDIRECT | OK),
    "logout": Rule(get=OK, post=REDIRECT),  # allauth's: GET asks to confirm
    "password_change": Rule(get=OK, post=OK),
    "password_change_done": page(),
    "set_language": Rule(get=REDIRECT, post=REDIRECT),
    "trash": managers_only(post=DENIED | NOT_ALLOWED),
    "trash_restore": managers_only(get=DENIED | NOT_ALLOWED, post=DENIED),
    # The columns the user sees on a list: the user's own choice (core/columns.py).
    "list_columns_choose": Rule(
        get=NOT_ALLOWED,
        post=REDIRECT | frozenset({204}),
        writes=True,
        extra={"slug": "prospects"},
        data=lambda w: {"columns": ["company"]},
    ),
    # Contacts.
    "company_list": page(),
    "company_create": Rule(get=OK, post=FORM_ERROR),
    "company_detail": read("company"),
    "company_edit": change_form(
        "company", data=lambda w: {"name": "Taken over", "version": w.company.version}
    ),
    "company_transform": change_form("company", data=lambda w: {"customer_code": "C1"}),
    "company_trash": change_post("company"),
    "address_create": change_form("company", data=lambda w: {"line1": "1 rue de la Paix"}),
    "company_person_link": change_form("company", data=lambda w: {"person": w.person.pk}),
    "company_rep_add": change_form("company"),
    "company_rep_remove": change_post("company_rep"),
    "address_edit": change_form("address", data=lambda w: {"line1": "Elsewhere"}),
    "address_default": change_post("address"),
    "address_delete": change_post("address"),
    "postal_code_suggest": page(query="postal_code=69001"),
    "person_list": page(),
    "person_create": Rule(get=OK, post=FORM_ERROR),
    "mailing_export": page(),
    "person_detail": read("person"),
    "person_edit": change_form(
        "person", data=lambda w: {"last_name": "Taken", "version": w.person.version}
    ),
    "person_trash": change_post("person"),
    "person_company_link": change_form("person", data=lambda w: {"company": w.company.pk}),
    "affiliation_edit": change_form("affiliation", data=lambda w: {"role": "Boss"}),
    "affiliation_default": change_post("affiliation"),
    "affiliation_delete": change_post("affiliation"),
    "note_create": change_post(data=lambda w: {"subject": "Mine now", "text": "x"}),
    "note_delete": change_post("note"),
    "document_upload": change_post(),
    "document_download": read("document"),
    "document_delete": change_post("document"),
    # Prospects and opportunities.
    "prospect_list": page(),
    "prospect_create": Rule(get=OK, post=FORM_ERROR),
    "prospect_bulk": Rule(
        get=NOT_ALLOWED, post=REDIRECT, data=lambda w: {"ids": [w.prospect.pk], "action": "trash"}
    ),
    "prospect_import": Rule(get=OK, post=FORM_ERROR),
    "prospect_import_job": change_form("import_job"),
    "prospect_import_report": Rule(get=DENIED, post=NOT_ALLOWED | DENIED, obj="import_job"),
    # Makes a prospect of the rep's own from a contact of the team (checked below).
    "prospect_import_contact": Rule(
        get=OK,
        post=REDIRECT | DENIED,
        writes=True,
        data=lambda w: {"person": w.person.pk, "company": w.company.pk},
    ),
    "prospect_export": page(),
    "prospect_delete_all": managers_only(data=lambda w: {"confirmation": "DELETE"}),
    # The former address of the prospects' trash: a permanent redirect to the trash page.
    "prospect_trash": Rule(get=MOVED, post=NOT_ALLOWED),
    "prospect_detail": Rule(
        get=OK,
        post=DENIED,
        obj="prospect",
        own_only_get=frozenset({404}),
        data=lambda w: {"last_name": "Taken over", "version": w.prospect.version},
    ),
    "prospect_panel": read("prospect"),
    "prospect_opportunity_create": change_post("prospect", data=lambda w: {"summary": "Mine"}),
    "prospect_add_to_contacts": change_post("prospect"),
    "opportunity_detail": Rule(
        get=OK,
        post=DENIED,
        obj="opportunity",
        own_only_get=frozenset({404}),
        data=lambda w: {"summary": "Taken over", "version": w.opportunity.version},
    ),
    "opportunity_line_add": change_post(
        "opportunity", data=lambda w: {"item": "Free", "unit_price": "1"}
    ),
    "opportunity_line_edit": change_form(
        "line", data=lambda w: {"item": "Changed", "unit_price": "0"}
    ),
    "opportunity_line_delete": change_post("line"),
    "opportunity_sheet_pdf": read("opportunity"),  # the card printed (quotes.views.documents)
    # The catalogue: every user reads it and searches it; managers alone change it.
    "product_list": page(),
    "product_search": page(query="q=audit"),
    "product_create": managers_only(
        data=lambda w: {"code": "MINE", "label": "Mine", "unit_price": "1", "vat_rate": "20.00"}
    ),
    "product_edit": managers_only(
        "product",
        data=lambda w: {
            "code": w.product.code,
            "label": "Taken over",
            "unit_price": "1",
            "vat_rate": "20.00",
        },
    ),
    # Quotes: the list, the card and its draft's lines (quotes.views.cards).
    "quote_list": page(),
    "quote_detail": Rule(
        get=OK,
        post=DENIED,
        obj="quote",
        own_only_get=frozenset({404}),
        data=lambda w: {"title": "Taken over", "validity_days": "30", "version": w.quote.version},
    ),
    "quote_line_add": change_post(
        "quote",
        data=lambda w: {"item": "Mine", "quantity": "1", "unit_price": "1", "vat_rate": "20.00"},
    ),
    "quote_line_edit": change_form(
        "quote_line",
        data=lambda w: {"item": "Changed", "quantity": "1", "unit_price": "0", "vat_rate": "20.00"},
    ),
    "quote_line_delete": change_post("quote_line"),
    "quote_line_move": change_post("quote_line", data=lambda w: {"direction": "up"}),
    "quote_issue": change_post("quote"),
    "quote_revise": change_post("quote"),
    "opportunity_quotes": read("opportunity"),
    "quote_create": change_post("opportunity"),
    "quote_pdf": read("quote"),
    "quote_send": change_post("quote", data=lambda w: {"to_email": "me@example.com"}),
    "quote_win": change_post("quote"),
    # The client's public page: its secret token is the key (the walk passes another secret).
    "quote_public": Rule(get=DENIED, post=NOT_ALLOWED),
    "quote_public_pdf": Rule(get=DENIED, post=NOT_ALLOWED),
    "quote_public_logo": Rule(get=DENIED, post=NOT_ALLOWED),
    "quote_public_accept": Rule(get=NOT_ALLOWED, post=DENIED),
    "quote_public_refuse": Rule(get=NOT_ALLOWED, post=DENIED),
    # Pipeline: processes, step list, stages, board.
    "pipeline_list": page(),
    "pipeline_steps": page(),
    "pipeline_step_toggle": change_post(
        data=lambda w: {"done": "0", "version": w.opportunity.version}
    ),
    "pipeline_opportunity_delete": change_post(data=lambda w: {"version": w.opportunity.version}),
    "pipeline_board": page(),
    "board_move": Rule(
        get=NOT_ALLOWED,
        post=OK,  # refused inside the answer (toast + card back), checked by the diff
        data=lambda w: {
            "opportunity": w.opportunity.pk,
            "column": "won",
            "from": str(w.step.pk),
            "version": w.opportunity.version,
        },
    ),
    "board_column": page(),
    "board_lost": Rule(get=DENIED, post=NOT_ALLOWED, own_only_get=DENIED),
    "board_opportunity_create": Rule(get=OK, post=FORM_ERROR),
    "board_card": read("opportunity"),
    "board_step_create": managers_only(data=lambda w: {"label": "New"}),
    "board_step_edit": managers_only(data=lambda w: {"label": "Renamed"}),
    "board_step_fold": managers_only(get=NOT_ALLOWED | DENIED, data=lambda w: {"folded": "1"}),
    "board_step_delete": managers_only(get=NOT_ALLOWED | DENIED),
    # Tasks.
    "task_list": page(),
    "task_create": Rule(
        get=OK,
        post=FORM_ERROR | DENIED,
        data=lambda w: {"title": "Mine", "type": 1, "opportunity": w.opportunity.pk},
    ),
    "task_panel": read(None, query="opportunity={opportunity}"),
    "task_calendar": page(),
    "calendar_feed": Rule(get=OK, post=REDIRECT | OK, writes=True),
    "task_feed": Rule(get=OK, post=NOT_ALLOWED),  # the secret token is the key, by design
    "task_detail": read("task"),
    "task_edit": change_form("task", data=lambda w: {"title": "Taken", "version": w.task.version}),
    "task_toggle": change_post("task"),
    "task_delete": change_post("task"),
    "history_panel": read(None, query="opportunity={opportunity}"),
    # Forecast.
    "forecast": page(),
    "forecast_export": page(),
    "forecast_accuracy": page(),
    # Reports: every user; a rep's figures and lists are the rep's own (extra: which report).
    "reports": page(),
    "report_detail": page(extra={"slug": "time-in-step"}),
    "report_export": page(extra={"slug": "time-in-step"}),
    "report_drill": page(extra={"slug": "activity"}, query="key=idle:all"),
}
# Before sign-in: allauth's login, second step, password reset and single sign-on pages.
ACCOUNTS_PUBLIC = {
    "account_login",
    "account_inactive",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "mfa_authenticate",
    "openid_connect_login",
    "openid_connect_callback",
    "socialaccount_login_cancelled",
    "socialaccount_login_error",
}
# The rules of the other parts live in tests/trust/rules_<part>.py (each defines RULES).
for _module in sorted(Path(__file__).parent.glob("rules_*.py")):
    RULES.update(importlib.import_module(f"tests.trust.{_module.stem}").RULES)


def url_patterns(patterns=None, prefix=""):
    """Every named URL pattern of the project but the admin's."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield pattern


def url_names() -> list[str]:
    return sorted({p.name for p in url_patterns() if p.name})


def build_url(name: str, rule: Rule, w: World, overrides: dict | None = None) -> str:
    """The URL of `name` on the world's records; `overrides` replace path parameters."""
    pattern = next(p for p in url_patterns() if p.name == name)
    kwargs = {}
    for param in pattern.pattern.converters:
        if param == "pk":
            assert rule.obj, f"the rule of {name!r} must say which record its <pk> names (obj=)"
            kwargs["pk"] = getattr(w, rule.obj).pk
        elif param == "content_type_id":
            kwargs[param] = w.content_type_id(getattr(w, rule.target))
        elif param == "object_id":
            kwargs[param] = getattr(w, rule.target).pk
        elif param == "process_id":
            kwargs[param] = w.process.pk
        elif param == "opportunity_id":
            kwargs[param] = w.opportunity.pk
        elif param == "step_id":
            kwargs[param] = w.step.pk
        elif param == "key":
            kwargs[param] = str(w.step.pk)
        elif param == "token":
            kwargs[param] = w.feed.token
        elif param == "slug":
            kwargs[param] = rule.extra["slug"]
        else:
            raise AssertionError(f"the walk does not know the URL parameter {param!r} of {name!r}")
    url = reverse(name, kwargs=kwargs | (overrides or {}))
    if rule.query:
        url += "?" + rule.query.format(
            **{
                k: getattr(w, k).pk
                for k in ("company", "person", "prospect", "opportunity", "task")
            }
        )
    return url


APPS = (
    "core",
    "accounts",
    "contacts",
    "prospects",
    "catalogue",
    "pipeline",
    "quotes",
    "forecasting",
)


def snapshot() -> dict:
    """Every row of the apps' tables (the trash included)."""
    rows = {}
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            rows[model._meta.label] = list(model._base_manager.order_by("pk").values_list())
    return rows


def changed_tables(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def test_every_url_has_a_rule():
    missing = [name for name in url_names() if name not in RULES]
    assert not missing, (
        f"URLs without a rights rule: {missing}. Add each to RULES in {__file__} with what a rep "
        "gets on another rep's record (read, change_form, change_post, page, managers_only)."
    )


def test_every_rule_names_an_existing_url():
    names = set(url_names())
    stale = [name for name in RULES if name not in names]
    assert not stale, f"RULES name URLs that no longer exist: {stale}"


def walk(client, w: World, *, htmx: bool, own_only: bool) -> list[str]:
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    client.raise_request_exception = False
    problems = []
    for name in url_names():
        rule = RULES.get(name)
        if rule is None or name == "logout":
            continue
        url = build_url(name, rule, w)
        expected_get = (rule.own_only_get or rule.get) if own_only else rule.get
        response = client.get(url, **headers)
        status = response.status_code
        if status not in expected_get:
            problems.append(f"GET {url} ({name}): {status}, expected {sorted(expected_get)}")
        before = snapshot()
        data = rule.data(w) if rule.data else {}
        status = client.post(url, data, **headers).status_code
        if status not in rule.post:
            problems.append(f"POST {url} ({name}): {status}, expected {sorted(rule.post)}")
        if not rule.writes:
            changed = changed_tables(before, snapshot())
            if changed:
                problems.append(f"POST {url} ({name}) changed {changed}")
    return problems


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_rep_on_another_reps_records(rep_client, world, htmx):
    problems = walk(rep_client, world, htmx=htmx, own_only=False)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_rep_on_another_reps_records_when_reps_see_only_their_own(
    rep_client, world, settings, htmx
):
    settings.REPS_SEE_ONLY_OWN = True
    problems = walk(rep_client, world, htmx=htmx, own_only=True)
    assert not problems, "\n".join(problems)


def test_private_task_of_another_rep_is_not_readable(rep_client, world):
    for name in ("task_detail", "task_edit"):
        assert rep_client.get(reverse(name, args=[world.private_task.pk])).status_code == 404


def test_anonymous_users_are_sent_to_login(client, world):
    for name in url_names():
        rule = RULES.get(name)
        if rule is None or name in {"login", "logout", "set_language", "task_feed", "health"}:
            continue
        if name.startswith("quote_public"):  # the client's page: no login, its token is the key
            continue
        if name in ACCOUNTS_PUBLIC:  # the login's own pages (tests/trust/rules_accounts.py)
            continue
        if name == "web_form":  # a public web-to-lead form: no login, its key names it
            continue
        url = build_url(name, rule, world)
        for method in (client.get, client.post):
            response = method(url)
            if name.startswith("api-") or name == "api_schema":
                # The API answers a call without a token 401 and names its scheme.
                assert response.status_code == 401, f"{method.__name__} {url}"
                assert response["WWW-Authenticate"].startswith("Bearer"), url
                continue
            assert response.status_code in (302, 405), (
                f"{method.__name__} {url}: {response.status_code}"
            )
            if response.status_code == 302:
                assert response["Location"].startswith(reverse("login")), url


def test_manager_reads_every_page_of_another_reps_records(manager_client, world):
    manager_client.raise_request_exception = False
    errors = []
    for name in url_names():
        rule = RULES.get(name)
        if rule is None or name in {"logout", "login"}:
            continue
        url = build_url(name, rule, world)
        status = manager_client.get(url).status_code
        if status >= 500 or (rule.get == OK and status != 200):
            errors.append(f"GET {url} ({name}): {status}")
    assert not errors, "\n".join(errors)


def test_importing_a_team_contact_leaves_the_contact_alone(rep_client, rep, world):
    before = snapshot()["contacts.Person"]
    response = rep_client.post(
        reverse("prospect_import_contact"), {"person": world.person.pk, "company": world.company.pk}
    )
    assert response.status_code == 302
    assert snapshot()["contacts.Person"] == before
    from contacts.models import Prospect

    assert Prospect.objects.filter(person=world.person).exists()


TRASHABLE = (
    "contacts.Company",
    "contacts.Person",
    "contacts.Prospect",
    "pipeline.Opportunity",
    "pipeline.Task",
)


def test_no_page_deletes_a_trashable_record_for_good(manager_client, world):
    """Every delete of a company, person, prospect, opportunity or task goes to the trash: a
    manager POSTs to every URL of the project and no such row disappears from the database."""
    manager_client.raise_request_exception = False
    before = {label: len(rows) for label, rows in snapshot().items() if label in TRASHABLE}
    for name in url_names():
        rule = RULES.get(name)
        if rule is None or name in {"logout", "login", "prospect_delete_all"}:
            continue
        url = build_url(name, rule, world)
        status = manager_client.post(url, rule.data(world) if rule.data else {}).status_code
        assert status < 500, f"POST {url} ({name}) as a manager: {status}"
        after = {label: len(rows) for label, rows in snapshot().items() if label in TRASHABLE}
        lost = {
            label: before[label] - after[label] for label in before if after[label] < before[label]
        }
        assert not lost, f"POST {url} ({name}) deleted for good: {lost}"


def mark_world(w: World) -> None:
    """Give the other rep's records names that can be looked for in any answer."""
    type(w.company).all_objects.filter(pk=w.company.pk).update(name="Zq-company")
    type(w.person).all_objects.filter(pk=w.person.pk).update(last_name="Zq-person")
    type(w.prospect).all_objects.filter(pk=w.prospect.pk).update(
        last_name="Zq-prospect", company_name="Zq-prospect"
    )
    type(w.opportunity).all_objects.filter(pk=w.opportunity.pk).update(summary="Zq-opportunity")
    type(w.task).all_objects.filter(pk=w.task.pk).update(title="Zq-task")
    type(w.private_task).all_objects.filter(pk=w.private_task.pk).update(
        title="Zq-private", notes="Zq-private"
    )


def answers(client, w: World):
    """Every GET answer of the project (pages, fragments, exports), with and without htmx."""
    client.raise_request_exception = False
    for name in url_names():
        rule = RULES.get(name)
        if (
            rule is None
            or name
            in {
                "logout",
                "task_feed",
            }
            or name.startswith("quote_public")
        ):  # the feed and the client's page: by their secret
            continue
        url = build_url(name, rule, w)
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get(url, **headers)
            content = (
                b"".join(response.streaming_content) if response.streaming else response.content
            )
            yield name, url, response.status_code, content.decode(errors="replace")


def test_reps_who_see_only_their_own_find_nothing_of_others_anywhere(rep_client, world, settings):
    settings.REPS_SEE_ONLY_OWN = True
    mark_world(world)
    leaks = [
        f"{name} {url}" for name, url, _status, text in answers(rep_client, world) if "Zq-" in text
    ]
    assert not leaks, "another rep's records shown:\n" + "\n".join(leaks)


def test_the_team_sees_each_others_records_in_lists(rep_client, world):
    mark_world(world)
    seen = {
        name
        for name, _url, status, text in answers(rep_client, world)
        if status == 200 and "Zq-" in text
    }
    assert {
        "company_list",
        "person_list",
        "prospect_list",
        "pipeline_board",
        "pipeline_steps",
    } <= seen


def test_private_tasks_of_others_show_nowhere(rep_client, world):
    mark_world(world)
    leaks = [
        f"{name} {url}"
        for name, url, _status, text in answers(rep_client, world)
        if "Zq-private" in text
    ]
    assert not leaks, "another rep's private task shown:\n" + "\n".join(leaks)


def test_every_post_needs_the_csrf_token(rep, world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(rep)
    missing = []
    for name in url_names():
        rule = RULES.get(name)
        if rule is None or name == "web_form":  # posted to from customers' sites: no token,
            continue  # guarded by its honeypot, time check and rate limit
        url = build_url(name, rule, world)
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            status = client.post(url, rule.data(world) if rule.data else {}, **headers).status_code
            if status != 403:
                missing.append(f"POST {url} ({name}) without a token: {status}")
    assert not missing, "\n".join(missing)


# Changes of an opportunity that the process's rights govern (PROSTEP "Modif").
PROCESS_GOVERNED = {
    "board_move": lambda w: {
        "opportunity": w.opportunity.pk,
        "column": "won",
        "from": str(w.step.pk),
        "version": w.opportunity.version,
    },
    "pipeline_step_toggle": lambda w: {"done": "0", "version": w.opportunity.version},
    "pipeline_opportunity_delete": lambda w: {"version": w.opportunity.version},
}


def test_process_rights_come_on_top_of_ownership(rep, rep_client, media):
    """On a process whose opportunities only managers may modify, a rep cannot move, tick or
    delete even their own opportunity."""
    from django.contrib.auth.models import Group

    from core.roles import SALES_MANAGER
    from tests.trust.conftest import build_world

    w = build_world(rep)
    w.process.modify_groups.set([Group.objects.get(name=SALES_MANAGER)])
    rep_client.raise_request_exception = False
    problems = []
    for name, data in PROCESS_GOVERNED.items():
        if name not in url_names():
            continue
        before = snapshot()
        url = build_url(name, RULES[name], w)
        status = rep_client.post(url, data(w), HTTP_HX_REQUEST="true").status_code
        changed = changed_tables(before, snapshot())
        if changed or status >= 500:
            problems.append(f"POST {url} ({name}): {status}, changed {changed}")
    assert not problems, "\n".join(problems)
