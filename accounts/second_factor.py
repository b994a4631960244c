"""The second factor: who must have one (MFA_REQUIRED), who has one, and a manager's reset.

allauth's MFA keeps the authenticators (TOTP, recovery codes, passkeys); recovery codes alone
are no second factor, they stand in for a lost one.
"""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext_noop

from core.roles import is_manager

FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
# Kept untranslated in the log (Django's admin history shows change messages as written).
RESET_MESSAGE = gettext_noop("Second factor reset")


def second_factor_required(user) -> bool:
    """MFA_REQUIRED: "" for nobody, "managers" or "all"."""
    required = settings.MFA_REQUIRED.strip().lower()
    if required == "all":
        return True
    return required == "managers" and is_manager(user)


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type__in=FACTORS).exists()


@transaction.atomic
def second_factor_reset(*, user, actor) -> int:
    """Remove every authenticator of `user` (TOTP, passkeys, recovery codes), so that they set
    up a new one at their next login when it is compulsory; logged in the admin's history of
    the user, with who did it. Returns how many authenticators were removed."""
    removed, _ = Authenticator.objects.filter(user=user).delete()
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[user],
        action_flag=CHANGE,
        change_message=RESET_MESSAGE,
        single_object=True,
    )
    return removed


def reset_entries(user):
    """The log entries of the resets of `user`'s second factor, newest first."""
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(user),
        object_id=str(user.pk),
        change_message=RESET_MESSAGE,
    ).order_by("-action_time")
