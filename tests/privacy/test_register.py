"""The register of processing reflects the settings and the data in force."""

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_register_reflects_settings_and_data(manager_client, rep, settings):
    settings.RETENTION_DAYS = 730
    settings.RETENTION_GRACE_DAYS = 14
    settings.TRASH_RETENTION_DAYS = 45
    settings.REPS_SEE_ONLY_OWN = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "smtp.example-mail.fr"
    for _ in range(3):
        f.ProspectFactory(owner=rep, mobile="", lawful_basis="consent")
    f.ProspectFactory(owner=rep, mobile="", lawful_basis="contract")

    html = manager_client.get(reverse("privacy_register")).content.decode()

    assert "Prospects: 730 days (about 2.0 years)" in html
    assert "grace period of 14 days" in html
    assert "kept in the trash 45 days" in html
    assert "each sees only their own records" in html
    assert "the SMTP server smtp.example-mail.fr" in html
    # Lawful bases counted: consent 3, contract 1, legitimate interest 0.
    assert '<td>Consent</td><td class="num">3</td>' in html
    assert '<td>Contract</td><td class="num">1</td>' in html
    # Categories built from the models' fields.
    assert "Contact details" in html and "birth date" in html
    assert "print" in html  # the print button and stylesheet


def test_register_changes_with_the_settings(manager_client, settings):
    settings.REPS_SEE_ONLY_OWN = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

    html = manager_client.get(reverse("privacy_register")).content.decode()

    assert "each sees the whole team's records" in html
    assert "no SMTP server set up" in html


def test_reps_cannot_read_the_register(rep_client):
    assert rep_client.get(reverse("privacy_register")).status_code == 403
