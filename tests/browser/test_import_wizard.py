"""The import wizard in Chromium, in French: a zip bomb refused at the upload with its reason,
an ordinary file read, checked and imported, and a job whose worker died offered again."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Prospect
from prospects.models import ImportJob
from tests import factories as f
from tests.prospects.test_import_limits import shared_strings_of, sheet_xml, write_xlsx_parts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR"}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_a_bomb_is_refused_and_a_file_is_imported_in_french(
    page, live_server, login, media, tmp_path
):
    f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    f.default_process()
    bomb = tmp_path / "salon.xlsx"
    write_xlsx_parts(bomb, sheet_xml([["Nom"], ["Dupont"]]), shared_strings_of(170 * 1024 * 1024))
    login(page, "alice")

    page.goto(f"{live_server.url}/prospects/import/")
    page.set_input_files("#id_file", str(bomb))
    page.get_by_role("button", name="Suivant : colonnes").click()
    expect(page.locator("#id_file_error")).to_contain_text(
        "Une fois décompressé, le fichier dépasse"
    )
    page.screenshot(path=tmp_path / "1-bomb-refused.png", full_page=True)
    assert not ImportJob.objects.exists()

    salon = tmp_path / "salon.csv"
    salon.write_text(
        "Nom;Prénom;Société;Courriel\nHisson;Paul;Euro Transports;paul@euro.fr\n"
        "Énard;Zoé;Été SA;zoe@ete.fr\n",
        encoding="utf-8",
    )
    page.set_input_files("#id_file", str(salon))
    page.get_by_role("button", name="Suivant : colonnes").click()
    expect(page.locator(".mapping-table")).to_contain_text("Hisson")
    page.screenshot(path=tmp_path / "2-columns.png", full_page=True)
    page.get_by_role("button", name="Suivant : vérification").click()
    expect(page.locator("[data-count=valid]")).to_have_text("2")
    page.screenshot(path=tmp_path / "3-checked.png", full_page=True)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("#import-status")).to_have_attribute("data-state", "done")
    assert Prospect.objects.count() == 2

    # A job whose worker stopped answering: failed with its reason, and offered again.
    job = ImportJob.objects.get()
    long_ago = timezone.now() - dt.timedelta(hours=1)
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.RUNNING, language="fr", heartbeat_at=long_ago, started_at=long_ago
    )
    page.goto(f"{live_server.url}/prospects/import/{job.pk}/")
    expect(page.locator("#import-status")).to_contain_text("ne donne plus signe de vie")
    expect(page.get_by_role("button", name="Vérifier à nouveau")).to_be_visible()
    page.screenshot(path=tmp_path / "4-stale.png", full_page=True)
