"""Issue 20: the layout's fixed parts (head, top bar, sidebar) are rendered once per process and
reused, as in production; each language, role and section still gets its own, and nothing of
one user reaches another."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fragments_cached(settings):
    """The production cache of the layout's fragments (DEBUG renders them every time)."""
    settings.CACHES = {
        **settings.CACHES,
        "template_fragments": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-layout-fragments",
            "TIMEOUT": None,
        },
    }


def page(client, url="/", language="en") -> str:
    response = client.get(url, headers={"Accept-Language": language})
    assert response.status_code == 200
    return response.content.decode()


def test_each_role_language_and_section_gets_its_own_layout(client, rep, manager):
    sign_in(client, manager)
    boss = page(client)
    assert 'href="/admin/"' in boss and "Marie Martin" in boss
    assert '<a href="/" class="active">' in boss

    client.logout()
    sign_in(client, rep)
    mine = page(client)
    assert 'href="/admin/"' not in mine and reverse("trash") not in mine
    assert "Alice Durand" in mine and "Marie Martin" not in mine
    assert '<a href="/" class="active">' in mine and "Dashboard" in mine

    french = page(client, language="fr")
    assert "Tableau de bord" in french and "Aller au contenu" in french
    assert '<html lang="fr">' in french and "Dashboard" not in french

    tasks = page(client, reverse("task_calendar"))
    assert '<a href="/" class="">' in tasks
    assert f'<a href="{reverse("task_list")}" class="active">' in tasks


def test_each_page_keeps_its_own_csrf_token_and_return_address(rep):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, rep)
    first = page(client, reverse("task_calendar"))
    assert f'name="next" type="hidden" value="{reverse("task_calendar")}"' in first
    other = page(client, reverse("calendar_feed"))
    assert f'name="next" type="hidden" value="{reverse("calendar_feed")}"' in other
    token = re.search(r'"X-CSRFToken": "([^"]+)"', other).group(1)
    assert client.post(reverse("calendar_feed"), headers={"X-CSRFToken": token}).status_code == 302
    assert client.post(reverse("calendar_feed")).status_code == 403
