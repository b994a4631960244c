import pytest

from tests import factories as f


@pytest.fixture
def rep(db):
    return f.RepFactory(username="alice", first_name="Alice", last_name="Durand")


@pytest.fixture
def other_rep(db):
    return f.RepFactory(username="bruno", first_name="Bruno", last_name="Lefèvre")


@pytest.fixture
def manager(db):
    return f.ManagerFactory(username="manager", first_name="Marie", last_name="Martin")


@pytest.fixture
def rep_client(client, rep):
    client.force_login(rep)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def default_process(db):
    return f.default_process()
