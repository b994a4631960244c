import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api import services


def bearer(user, *, read_only: bool = False, name: str = "Test") -> APIClient:
    """An API client calling with a new token of `user`."""
    _token, secret = services.token_create(user=user, name=name, read_only=read_only, actor=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.secret = secret
    return client


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def rep_api(rep):
    return bearer(rep)


@pytest.fixture
def other_api(other_rep):
    return bearer(other_rep)


@pytest.fixture
def manager_api(manager):
    return bearer(manager)


@pytest.fixture
def read_only_api(rep):
    return bearer(rep, read_only=True)


@pytest.fixture
def anonymous_api():
    return APIClient()
