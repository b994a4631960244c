"""The second factor made compulsory (MFA_REQUIRED), set up from /accounts/2fa/, and reset by a
manager from the admin."""

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from accounts.middleware import SET_UP_FIRST
from accounts.second_factor import RESET_MESSAGE, has_second_factor
from tests.accounts.conftest import log_in, totp_for

pytestmark = pytest.mark.django_db


def test_off_by_default_so_the_demo_logins_work(client, manager, settings):
    settings.MFA_REQUIRED = ""
    log_in(client, "manager")
    assert client.get(reverse("dashboard")).status_code == 200


def test_compulsory_for_managers_sends_a_manager_to_set_up(client, manager, settings):
    settings.MFA_REQUIRED = "managers"
    assert log_in(client, "manager").status_code == 302
    for path in (reverse("dashboard"), reverse("prospect_list"), reverse("account")):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == reverse("mfa_index"), path
    page = client.get(reverse("mfa_index"), follow=True)
    assert page.status_code == 200
    assert str(SET_UP_FIRST) in page.content.decode()
    # htmx requests are sent there too, as a full page.
    response = client.get(reverse("dashboard"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("mfa_index")


def test_compulsory_for_managers_leaves_reps_alone(client, rep, settings):
    settings.MFA_REQUIRED = "managers"
    log_in(client, "alice")
    assert client.get(reverse("dashboard")).status_code == 200


def test_compulsory_for_all_then_set_up_on_the_page(client, rep, settings):
    settings.MFA_REQUIRED = "all"
    log_in(client, "alice")
    assert client.get(reverse("dashboard")).status_code == 302
    # Setting up asks for the password again first (allauth's reauthentication).
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(response["Location"], {"password": "jalon-demo"})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert secret in page.content.decode()  # shown for apps that cannot scan the QR code
    response = client.post(reverse("mfa_activate_totp"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert has_second_factor(rep)
    # Recovery codes come with it.
    assert Authenticator.objects.filter(user=rep, type="recovery_codes").exists()
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_wrong_code_sets_nothing_up(client, rep):
    log_in(client, "alice")
    client.post(reverse("account_reauthenticate"), {"password": "jalon-demo"})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    response = client.post(reverse("mfa_activate_totp"), {"code": "123456"})
    assert response.status_code == 200
    assert not has_second_factor(rep)


def test_a_manager_resets_a_user_s_second_factor_from_the_admin(client, manager, rep):
    totp_for(rep)
    client.force_login(manager)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [rep.pk]},
    )
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=rep).exists()
    entry = LogEntry.objects.get(object_id=str(rep.pk), change_message=RESET_MESSAGE)
    assert entry.user == manager
    # The user logs in with the password alone, and sets up a new factor if it is compulsory.
    client.logout()
    assert log_in(client, "alice")["Location"] == "/"


def test_a_rep_cannot_reset_anyone(client, rep, other_rep):
    totp_for(other_rep)
    client.force_login(rep)
    client.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [other_rep.pk]},
    )
    assert has_second_factor(other_rep)
