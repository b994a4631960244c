"""Icons in Chromium: on the dashboard, a prospect card, the board and the step list, every
control without visible text has a name a screen reader reads (aria-label, aria-labelledby,
title or a visually hidden text), and every icon drawn from the sprite resolves (the sprite is
served and holds each symbol the page uses)."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from core.roles import SALES_MANAGER, SALES_REP
from pipeline.models import Process, TaskType
from pipeline.services import opportunities as opportunity_services
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The controls that show no text of their own, each with the name it would be read by.
UNNAMED = """
() => {
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const shownText = (el) => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll(".visually-hidden, svg, [aria-hidden='true']").forEach((n) => n.remove());
    return copy.textContent.trim();
  };
  const name = (el) => {
    const labelledby = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean)
      .map((id) => (document.getElementById(id) || {}).textContent || "").join(" ").trim();
    const hidden = Array.from(el.querySelectorAll(".visually-hidden"))
      .map((n) => n.textContent.trim()).join(" ").trim();
    const alt = Array.from(el.querySelectorAll("img[alt]")).map((n) => n.alt.trim()).join(" ");
    return (el.getAttribute("aria-label") || "").trim() || labelledby || hidden || alt
      || (el.getAttribute("title") || "").trim();
  };
  return Array.from(document.querySelectorAll("a[href], button, summary, [role=button]"))
    .filter((el) => visible(el) && shownText(el) === "" && !name(el))
    .map((el) => el.outerHTML.slice(0, 200));
}
"""

# Each sprite icon of the page: [sprite URL, symbol id].
ICONS = """
() => Array.from(document.querySelectorAll("svg.icon use")).map((use) => {
  const href = use.getAttribute("href");
  const [url, id] = href.split("#");
  return [new URL(url, document.baseURI).href, id];
})
"""


@pytest.fixture
def pages(live_server):
    for name in (SALES_REP, SALES_MANAGER):
        Group.objects.get_or_create(name=name)
    call, _created = TaskType.objects.get_or_create(
        code="call", defaults={"name": "Call", "icon": "phone"}
    )
    if not Process.objects.filter(is_default=True).exists():
        f.ProcessFactory(name="Default", is_default=True, steps=1)
    alice = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    process = f.ProcessFactory(name="Sales", mode=Process.Mode.STEP_BY_STEP, steps=4)
    steps = list(process.steps.order_by("position"))
    prospect = f.ProspectFactory(owner=alice, last_name="Martin")
    opportunity = opportunity_services.opportunity_create(
        actor=alice, process=process, step=steps[1], summary="Till for 3 shops", prospect=prospect
    )
    f.TaskFactory(
        type=call,
        title="Call back about the quote",
        opportunity=opportunity,
        assignee=alice,
        created_by=alice,
        important=True,
        start=timezone.now() + dt.timedelta(hours=2),
    )
    return {
        "dashboard": "/",
        "prospect card": f"/prospects/{prospect.pk}/",
        "board": f"/pipeline/{process.pk}/board/",
        "step list": f"/pipeline/{process.pk}/steps/",
    }


def test_icon_controls_are_named_and_every_icon_resolves(page, live_server, login, pages):
    login(page, "alice")
    sprites: dict[str, set[str]] = {}
    unnamed = {}
    for title, path in pages.items():
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, title
        found = page.evaluate(UNNAMED)
        if found:
            unnamed[title] = found
        icons = page.evaluate(ICONS)
        assert icons, f"the {title} draws icons from the sprite"
        for url, symbol in icons:
            sprites.setdefault(url, set()).add(symbol)

    assert unnamed == {}
    # One sprite file, requested once: served, and holding every symbol the pages used.
    assert len(sprites) == 1
    ((url, symbols),) = sprites.items()
    answer = page.request.get(url)
    assert answer.status == 200
    text = answer.text()
    assert sorted(s for s in symbols if f'<symbol id="{s}"' not in text) == []
