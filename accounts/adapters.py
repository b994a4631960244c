"""How django-allauth fits Jalon: no public sign-up, the client's address as Jalon reads it, and
single sign-on that only lets in the users who already exist, matched by their e-mail."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.proxies import client_ip

SSO_NO_ACCOUNT = _(
    "No Jalon account uses the e-mail address {email}. Ask a manager to create your account "
    "with this address, then sign in again."
)
SSO_NO_VERIFIED_EMAIL = _(
    "Your identity provider did not give a verified e-mail address: Jalon cannot tell which "
    "account is yours."
)

QUIET_MESSAGES = {"account/messages/logged_in.txt", "account/messages/logged_out.txt"}


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Accounts are created by managers in the admin."""
        return False

    def add_message(self, request, level, message_template=None, *args, **kwargs) -> None:
        """No "Successfully signed in/out" toast: the page itself says it."""
        if message_template in QUIET_MESSAGES:
            return
        super().add_message(request, level, message_template, *args, **kwargs)

    def get_client_ip(self, request: HttpRequest) -> str:
        """The client's address behind TRUSTED_PROXY_COUNT proxies, as login throttling and the
        audit trail read it (core/proxies.py)."""
        return client_ip(request)


def verified_email(sociallogin) -> str | None:
    """The e-mail address the provider vouches for, or None."""
    for address in sociallogin.email_addresses:
        if address.verified or settings.SSO_TRUST_EMAIL:
            return address.email
    return None


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        """Single sign-on never creates an account."""
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin) -> None:
        """Connect the provider's identity to the active user with the same verified e-mail,
        or refuse with a message on the login page: no account is ever made for a stranger."""
        if sociallogin.is_existing:
            return
        email = verified_email(sociallogin)
        if not email:
            self._refuse(request, SSO_NO_VERIFIED_EMAIL)
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            self._refuse(request, str(SSO_NO_ACCOUNT).format(email=email))
        sociallogin.connect(request, user)

    @staticmethod
    def _refuse(request: HttpRequest, message) -> None:
        messages.error(request, message)
        raise ImmediateHttpResponse(redirect("login"))
