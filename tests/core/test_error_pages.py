"""The 400, 403, 404 and 500 pages: styled like the app, in the user's language, with
DEBUG=False; the 500 page renders without the database, the request or the context processors."""

import pytest
from django.template import loader
from django.urls import path
from django.utils import translation

from config.urls import urlpatterns as project_urls

pytestmark = pytest.mark.django_db


def crash(request):
    raise RuntimeError("boom")


urlpatterns = [*project_urls, path("crash/", crash)]

TITLES = {
    400: {"en": "Request refused", "fr": "Demande refusée"},
    403: {"en": "Access denied", "fr": "Accès refusé"},
    404: {"en": "Page not found", "fr": "Page introuvable"},
    500: {"en": "Server error", "fr": "Erreur du serveur"},
}
LANGUAGES = ["en", "fr"]


@pytest.fixture
def production(settings, client):
    settings.DEBUG = False
    client.raise_request_exception = False
    return client


def get(client, url: str, language: str):
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


def assert_page(response, status: int, language: str, *, layout: str):
    html = response.content.decode()
    assert response.status_code == status
    assert f'<html lang="{language}">' in html
    assert f"<title>{TITLES[status][language]} · Jalon</title>" in html
    assert f"<h1>{TITLES[status][language]}</h1>" in html
    assert f'data-error="{status}"' in html
    assert "css/jalon.css" in html
    if layout == "app":
        assert 'id="sidebar"' in html and 'id="messages"' in html
    else:
        assert 'class="error-page"' in html and 'id="sidebar"' not in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_404_in_the_app_layout(production, rep, language):
    production.force_login(rep)
    assert_page(get(production, "/nowhere/", language), 404, language, layout="app")


@pytest.mark.parametrize("language", LANGUAGES)
def test_404_for_visitors_without_the_app(production, language):
    assert_page(get(production, "/nowhere/", language), 404, language, layout="alone")


@pytest.mark.parametrize("language", LANGUAGES)
def test_403_in_the_app_layout(production, rep, language):
    production.force_login(rep)
    assert_page(get(production, "/trash/", language), 403, language, layout="app")


@pytest.mark.parametrize("language", LANGUAGES)
def test_400_for_a_nul_byte_in_the_app_layout(production, rep, language):
    production.force_login(rep)
    response = get(production, "/prospects/import-contact/?q=%00", language)
    assert_page(response, 400, language, layout="app")


@pytest.mark.parametrize("language", LANGUAGES)
def test_400_from_django_alone(production, rep, language):
    """Django's own 400 (here an unknown host) renders the page without the request."""
    production.force_login(rep)
    response = production.get("/", HTTP_HOST="evil.example", HTTP_ACCEPT_LANGUAGE=language)
    assert_page(response, 400, language, layout="alone")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.urls(__name__)
def test_500_alone_in_the_users_language(production, rep, language):
    production.force_login(rep)
    assert_page(get(production, "/crash/", language), 500, language, layout="alone")


def test_csrf_refusal_is_styled(rep):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(rep)
    response = client.post("/prospects/new/", {}, HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Formulaire expiré</h1>" in html and "css/jalon.css" in html


@pytest.mark.django_db(False)
@pytest.mark.parametrize("language", LANGUAGES)
def test_500_page_needs_no_database_nor_request(language):
    """No database (this test may not touch it), no request, no context processors."""
    with translation.override(language):
        html = loader.get_template("500.html").render()
    assert f"<h1>{TITLES[500][language]}</h1>" in html
