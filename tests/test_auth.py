"""Authentication, the two groups and their permissions."""

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.roles import SALES_MANAGER, SALES_REP, is_manager

pytestmark = pytest.mark.django_db

PUBLIC_PREFIXES = (
    "accounts/login",
    "accounts/logout",
    "accounts/inactive",  # allauth's page for a deactivated account, shown after its login
    "accounts/password/reset",  # password reset by e-mail
    "accounts/2fa/authenticate",  # the second step of a login
    "accounts/sso/",  # single sign-on (404 unless configured)
    "i18n/",
    "tasks/feed/",
    "health/",  # the container's health check: "ok" or "unavailable", nothing else
)


def parameterless_paths(resolver=None, prefix=""):
    """Every URL of the project that takes no argument."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from parameterless_paths(pattern, route)
        elif isinstance(pattern, URLPattern) and "<" not in route and "(?P" not in route:
            yield "/" + route.lstrip("^").rstrip("$")


def test_every_page_but_login_requires_a_signed_in_user(client):
    paths = [
        p
        for p in parameterless_paths()
        if not p.startswith("/admin") and not p.lstrip("/").startswith(PUBLIC_PREFIXES)
    ]
    assert "/" in paths and "/prospects/" in paths
    for path in paths:
        response = client.get(path)
        if path.startswith("/api/v1/") and path != reverse("api_docs"):
            # A machine's call: no redirect to a login page, a 401 that names the scheme.
            assert response.status_code == 401, path
            assert response["WWW-Authenticate"].startswith("Bearer"), path
            continue
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("login")), path


def test_login_page_is_public_and_styled(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"jalon.css" in response.content


def test_login_then_logout(client, rep):
    response = client.post(reverse("login"), {"username": "alice", "password": "jalon-demo"})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("dashboard")).status_code == 302


def test_password_change_page_uses_the_app_layout(rep_client):
    response = rep_client.get(reverse("password_change"))
    assert response.status_code == 200
    assert b'class="sidebar"' in response.content


def test_groups_exist_with_their_permissions():
    rep = Group.objects.get(name=SALES_REP)
    manager = Group.objects.get(name=SALES_MANAGER)
    rep_perms = set(rep.permissions.values_list("content_type__app_label", "codename"))
    manager_perms = set(manager.permissions.values_list("content_type__app_label", "codename"))
    assert ("pipeline", "change_opportunity") in rep_perms
    assert ("contacts", "add_company") in rep_perms
    assert ("pipeline", "view_process") in rep_perms
    assert ("pipeline", "change_process") not in rep_perms
    assert ("pipeline", "change_process") in manager_perms
    assert ("accounts", "change_user") in manager_perms
    assert rep_perms < manager_perms | rep_perms


def test_managers_get_the_admin_and_reps_do_not(rep_client, manager, client):
    assert rep_client.get("/admin/").status_code == 302
    client.force_login(manager)
    assert is_manager(manager)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


def test_navigation_shows_admin_to_managers_only(rep_client, manager, client):
    assert b'href="/admin/"' not in rep_client.get("/").content
    client.force_login(manager)
    assert b'href="/admin/"' in client.get("/").content


def test_htmx_requests_carry_the_csrf_token(rep_client):
    content = rep_client.get("/").content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in content
    assert "/static/django_htmx/htmx-2" in content
