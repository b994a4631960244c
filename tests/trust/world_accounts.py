"""The other rep's passkey and session, for the walk over the account pages."""

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession


def build(world) -> dict:
    passkey = Authenticator.objects.create(
        user=world.owner,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": "Zq-key", "credential": {}},
    )
    session = UserSession.objects.create(
        user=world.owner,
        ip="192.0.2.10",
        session_key="zqsessionofanotherrep0000000000",
        user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
    )
    return {"passkey": passkey, "user_session": session}
