import pytest

from tests import factories as f


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing():
    """Test users' passwords hashed with a cheap hasher. PBKDF2's million rounds cost about 0.2 s
    of CPU for every user a test makes, which was the largest single cost of the suite; signing
    in still checks the password through the same code. Production keeps Django's hashers."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def rep(db):
    return f.RepFactory(username="alice", first_name="Alice", last_name="Durand")


@pytest.fixture
def other_rep(db):
    return f.RepFactory(username="bruno", first_name="Bruno", last_name="Lefèvre")


@pytest.fixture
def manager(db):
    return f.ManagerFactory(username="manager", first_name="Marie", last_name="Martin")


def sign_in(client, user):
    """Log `client` in as `user` as the login page leaves it: the session recorded in the user's
    sessions list and its activity just written (accounts/sessions.py writes it again after
    TOUCH_SECONDS), so the pages' query counts are those of a signed-in user's next request."""
    from allauth.usersessions.models import UserSession
    from django.core.cache import cache

    from accounts.sessions import TOUCH_SECONDS

    client.force_login(user)
    key = client.session.session_key
    UserSession.objects.create(session_key=key, user=user, ip="127.0.0.1", user_agent="")
    cache.set(f"usersession-seen:{key}", 1, TOUCH_SECONDS)
    return client


@pytest.fixture
def rep_client(client, rep):
    return sign_in(client, rep)


@pytest.fixture
def manager_client(client, manager):
    return sign_in(client, manager)


@pytest.fixture
def default_process(db):
    return f.default_process()


_flushed = False


def _note_flush(**kwargs):
    global _flushed
    _flushed = True


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (real worker, live server) flushes the database when it ends, which
    removes what data migrations created: the groups, default process, task types and other
    reference rows. Put them back right after the flush, so that the next test finds them
    whatever order the test processes run tests in (`--dist loadgroup` runs the real-worker group
    first)."""
    global _flushed
    yield
    if not _flushed or nextitem is None:
        return
    _flushed = False
    from pytest_django.plugin import blocking_manager_key

    from tests.reference import ensure_reference_data

    with item.config.stash[blocking_manager_key].unblock():
        ensure_reference_data()


def pytest_configure(config):
    # `flush` sends post_migrate once its tables are empty (as does the first migrate, harmlessly).
    from django.db.models.signals import post_migrate

    post_migrate.connect(_note_flush, dispatch_uid="tests-note-flush")


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Tests assert the English messages (most through their constants); the French interface
    is tested where it matters (the browser's Accept-Language, tests/browser/test_foundation.py)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Tasks run in-process in tests, even when CI configures a broker; only the tests marked
    `celery_worker` go through a real worker."""
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def pytest_collection_modifyitems(config, items):
    """Under `pytest -n 2 --dist loadgroup` (CI), the tests that go through a real Celery worker
    run on one test process, one after the other: they share one Redis queue, and a worker of one
    process would take the other's tasks into the wrong test database."""
    for item in items:
        if item.get_closest_marker("celery_worker"):
            item.add_marker(pytest.mark.xdist_group("celery_worker"))
