"""Junk in any parameter of any URL answers a page or a 4xx, never a 500.

Every URL pattern of the walk (RULES) is swept: each of its path converters and each parameter it
knows gets each JUNK value alone, the other parameters staying what the app sends, by GET and by
POST, with and without the htmx header. A URL's known parameters are
- those the walk sends (its rule's query and data),
- the fields of every form of the app's pages that submits to it, once per named submit button
  (read from the pages as a browser would send them: e.g. the opportunity card's "follow the
  step again" form, shown by the world's opportunity whose probability was set by hand),
- every name its view reads from request.GET or request.POST, recorded while it answers those
  requests,
- and a name no view reads (a junk parameter still shows in links and `next`).

A NUL byte anywhere in a request is refused with 400 by core.middleware.RefuseNulBytes: that is
asserted too, so that SQLite (which stores NUL) proves what PostgreSQL (which refuses it) needs.
Each request runs in a savepoint rolled back after it, so that every junk value meets the same
records. CI runs it on PostgreSQL (.ci/run); locally:
DATABASE_URL=postgresql://postgres@127.0.0.1:5432/jalon_junk .venv/bin/pytest --create-db \
    tests/trust/test_fuzz_every_param.py
Some ten thousand requests: a few minutes, the slowest tests of the suite.
"""

import copy
import logging
import traceback
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from unittest import mock
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.urls import Resolver404, resolve

from tests.trust.conftest import build_world
from tests.trust.forms import _FormReader
from tests.trust.test_url_walk import RULES, build_url, url_names, url_patterns

pytestmark = pytest.mark.django_db

# name -> the value as it travels (percent-encoded where it needs to be, or broken on purpose).
JUNK = {
    "30 digits": "9" * 30,
    "2**63": str(2**63),  # past a bigint column
    "2**31": str(2**31),  # past an integer (and a smallint) column on PostgreSQL
    "negative": "-1",
    "not a number": "abc",
    "exponent": "1e309",  # float("1e309") is inf
    "superscript two": quote("²"),  # str.isdigit() says yes, int() says no
    "NUL": "1%00",
    "bad encoding": "%ZZ%C3%28%FF",  # not percent-encoding, then not UTF-8
    "long": "x" * 10_000,
}
# A path converter gets the values that its pattern lets through to the view.
PATH_JUNK = {
    "int": ("30 digits", "2**63", "2**31", "NUL"),
    "str": tuple(JUNK),
}
NUL = "%00"
UNREAD = "zz-unread"
NOT_SWEPT = {"csrfmiddlewaretoken"}
SENTINEL = {"int": 918273645, "str": "zz-sentinel-zz"}


@dataclass
class Base:
    """A request the app makes to a URL: its method, parameters and htmx target."""

    method: str
    params: list[tuple[str, str]]
    target: str = ""


class _Forms(_FormReader):
    """A page's forms, each with its named submit buttons (a browser sends the one clicked)."""

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        a = dict(attrs)
        kind = (a.get("type") or ("submit" if tag == "button" else "text")).lower()
        named = self._form is not None and a.get("name") and tag in ("button", "input")
        if named and kind in ("submit", "image"):
            self._form.setdefault("buttons", []).append((a["name"], a.get("value", "")))


@contextmanager
def reading() -> Iterator[set]:
    """The names read from any QueryDict (request.GET, request.POST) while inside."""
    names: set = set()

    def recorder(original):
        def read(self, key, *args, **kwargs):
            if isinstance(key, str):
                names.add(key)
            return original(self, key, *args, **kwargs)

        return read

    with ExitStack() as stack:
        for method in ("__getitem__", "__contains__", "get", "getlist", "pop"):
            original = getattr(QueryDict, method)
            stack.enter_context(mock.patch.object(QueryDict, method, recorder(original)))
        yield names


class Sweeper:
    def __init__(self, client, world):
        self.client = client
        self.world = world
        self.cookies = copy.deepcopy(client.cookies)
        client.raise_request_exception = False

    def request(self, method: str, url: str, body: str = "", *, htmx: bool, target: str = ""):
        """One request, whose writes are rolled back; the client's cookies stay as they were."""
        headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": target} if htmx else {}
        self.client.cookies = copy.deepcopy(self.cookies)
        with transaction.atomic():
            if method == "GET":
                response = self.client.get(f"{url}?{body}" if body else url, **headers)
            else:
                response = self.client.post(
                    url, body, content_type="application/x-www-form-urlencoded", **headers
                )
            transaction.set_rollback(True)
        return response

    def harvest(self) -> dict[str, list[Base]]:
        """The forms of every page the walk reads, by the URL name they submit to."""
        bases = defaultdict(list)
        for name in sweep_names():
            url = build_url(name, RULES[name], self.world)
            for htmx in (False, True):
                response = self.request("GET", url, htmx=htmx)
                if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                    continue
                reader = _Forms()
                reader.feed(response.content.decode(errors="replace"))
                for form in reader.forms:
                    attrs = form["attrs"]
                    method = "POST" if attrs.get("hx-post") else "GET"
                    action = attrs.get("hx-post") or attrs.get("hx-get")
                    if not action:
                        action = attrs.get("action") or url
                        method = (attrs.get("method") or "get").upper()
                    try:
                        match = resolve(urlsplit(action).path or urlsplit(url).path)
                    except Resolver404:
                        continue
                    target = (attrs.get("hx-target") or "").lstrip("#")
                    for button in [None, *form.get("buttons", [])]:
                        fields = list(form["fields"]) + ([button] if button else [])
                        bases[match.url_name].append(Base(method, fields, target))
        return bases


def sweep_names() -> list[str]:
    return [name for name in url_names() if name in RULES]


def rule_bases(name: str, world) -> list[Base]:
    rule = RULES[name]
    query = urlsplit(build_url(name, rule, world)).query
    get = [tuple(pair.split("=", 1)) for pair in query.split("&") if pair]
    data = rule.data(world) if rule.data else {}
    post = [
        (k, str(v))
        for k, values in data.items()
        for v in (values if isinstance(values, list) else [values])
    ]
    return [Base("GET", get), Base("POST", post)]


def bases_of(name: str, method: str, world, harvested: dict) -> list[Base]:
    """The requests the app makes to `name` by `method`: the forms of its pages (one per set of
    fields and target), then the walk's own request unless one of those forms sends all of its
    parameters; a bare request when there is none."""
    chosen: list[Base] = []
    forms = [b for b in harvested[name] if b.method == method]
    rule = [b for b in rule_bases(name, world) if b.method == method]
    for base in forms + rule:
        names = {k for k, _ in base.params} - NOT_SWEPT
        for other in chosen:
            other_names = {k for k, _ in other.params} - NOT_SWEPT
            if (base in rule and names <= other_names) or (
                names == other_names and base.target == other.target
            ):
                break
        else:
            chosen.append(base)
    return chosen or [Base(method, [])]


def encode(params: list[tuple[str, str]], name: str, raw: str) -> str:
    """`params` url-encoded, with every value of `name` (or a new one) the raw junk `raw`."""
    kept = urlencode([(k, v) for k, v in params if k != name])
    return "&".join(part for part in (kept, f"{quote(name)}={raw}") if part)


def path_urls(name: str, world) -> Iterator[tuple[str, str, str]]:
    """(parameter, junk name, URL) for each path converter of `name` and each junk value."""
    pattern = next(p for p in url_patterns() if p.name == name)
    for param, converter in pattern.pattern.converters.items():
        kind = "int" if type(converter).__name__ in {"IntConverter", "IdConverter"} else "str"
        sentinel = SENTINEL[kind]
        url = build_url(name, RULES[name], world, overrides={param: sentinel})
        for junk in PATH_JUNK[kind]:
            yield param, junk, url.replace(str(sentinel), JUNK[junk], 1)


def cause(response) -> str:
    """What raised, and where in the project, for a 500."""
    if not getattr(response, "exc_info", None):
        return ""
    kind, error, trace = response.exc_info
    base = str(settings.BASE_DIR) + "/"
    ours = [
        frame
        for frame in traceback.extract_tb(trace)
        if frame.filename.startswith(base) and "/.venv/" not in frame.filename
    ]
    where = f" in {ours[-1].filename.removeprefix(base)}:{ours[-1].lineno}" if ours else ""
    return f" {kind.__name__}: {str(error)[:100]}{where}"


@pytest.fixture
def quiet():
    """Thousands of expected 4xx, and the 500s the assertion lists: no log for each."""
    logger = logging.getLogger("django.request")
    logger.disabled = True
    yield
    logger.disabled = False


def acceptable(url: str, body: str, status: int) -> bool:
    """Never a 500, and a NUL is refused with 400 (or 404 in a path that names no page)."""
    if NUL in body or NUL in urlsplit(url).query:
        return status == 400
    if NUL in url:
        return status in (400, 404)
    return status < 500


@pytest.fixture
def sweep_world(rep, manager, media):
    """The trust tests' world, its opportunity's probability set by hand so that its card
    shows the "follow the step again" form."""
    world = build_world(rep)
    type(world.opportunity).objects.filter(pk=world.opportunity.pk).update(
        probability_is_manual=True
    )
    return world


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_no_junk_parameter_breaks_a_url(manager_client, sweep_world, quiet, method, htmx):
    sweeper = Sweeper(manager_client, sweep_world)
    harvested = sweeper.harvest()
    problems = []

    def check(url: str, body: str, what: str, target: str = ""):
        raw = url + "?" + body
        response = sweeper.request(method, url, body, htmx=htmx, target=target)
        if not acceptable(url, body, response.status_code):
            shown = raw if len(raw) < 300 else raw[:120] + "…" + raw[-120:]
            problems.append(f"{method} {shown} ({what}): {response.status_code}{cause(response)}")

    for name in sweep_names():
        if htmx and (name.startswith("api-") or name == "api_schema"):
            continue  # the API answers JSON whatever the htmx header: swept once, without it
        url = build_url(name, RULES[name], sweep_world)
        # GET parameters travel in the query; a POST goes to the URL the walk posts to.
        path = urlsplit(url).path if method == "GET" else url
        bases = bases_of(name, method, sweep_world, harvested)
        for param, junk, junk_url in path_urls(name, sweep_world):
            junk_path = urlsplit(junk_url).path if method == "GET" else junk_url
            check(junk_path, urlencode(bases[0].params), f"{name} <{param}> = {junk}")
        seen = set()
        for base in bases:
            names = {k for k, _ in base.params}
            with reading() as read:
                sweeper.request(method, path, urlencode(base.params), htmx=htmx, target=base.target)
            for param in sorted((names | read | {UNREAD}) - NOT_SWEPT):
                for junk, raw in JUNK.items():
                    key = (param, junk, frozenset(names), base.target)
                    if key in seen:
                        continue
                    seen.add(key)
                    check(
                        path,
                        encode(base.params, param, raw),
                        f"{name} {param} = {junk}",
                        base.target,
                    )
    assert not problems, f"{len(problems)} junk requests failed:\n" + "\n".join(problems[:2000])
