"""Import jobs survive the broker going away and the worker dying: queueing gives up within
seconds with a message and the job stays retryable; a job whose worker stopped giving signs of
life is marked failed (when its page loads, and by a periodic task), can be run again, and
nothing of the interrupted run is written."""

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from config.celery import app
from contacts.models import Prospect
from prospects import import_jobs, imports, tasks
from prospects.models import ImportJob

pytestmark = pytest.mark.django_db

CSV = b"Nom;Ville\nDupont;Lyon\nMartin;Paris\n"
MAPPING = {"col_0": "last_name", "col_1": "city"}


def upload(client, content=CSV, name="salon.csv"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("prospect_import"), {"file": SimpleUploadedFile(name, content)}
        )
    assert response.status_code == 302, response.content.decode()[-1500:]
    return response["Location"]


def post(client, url, data, **extra):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, data, **extra)


def reset_broker_pools() -> None:
    """Forget the connections to the previous broker (Celery keeps them in pools)."""
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def broker_at(url: str):
    """Tasks go through the broker at `url` (not run in-process) for the block. (Celery reads
    CELERY_BROKER_URL from the environment before its configuration: CI sets it.)"""
    previous = app.conf.broker_url, app.conf.task_always_eager
    environment = os.environ.pop("CELERY_BROKER_URL", None)
    app.conf.broker_url, app.conf.task_always_eager = url, False
    reset_broker_pools()
    try:
        yield
    finally:
        if environment is not None:
            os.environ["CELERY_BROKER_URL"] = environment
        app.conf.broker_url, app.conf.task_always_eager = previous
        reset_broker_pools()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", import_jobs.IMPORT_BROKER_UNAVAILABLE),
        ("fr", "le service de traitement en arrière-plan est injoignable"),
    ],
)
def test_check_fails_fast_with_a_message_when_the_broker_is_unreachable_then_can_be_retried(
    rep_client, default_process, media, language, text
):
    url = upload(rep_client)
    with broker_at("redis://127.0.0.1:1/0"):  # a closed port: the broker is down
        started = time.perf_counter()
        response = post(
            rep_client, url, {**MAPPING, "action": "check"}, HTTP_ACCEPT_LANGUAGE=language
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 302
        assert elapsed < 5, f"the check took {elapsed:.1f} s to give up"
        job = ImportJob.objects.get()
        assert job.state == ImportJob.State.FAILED
        page = rep_client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert escape(str(text)) in page
        assert 'value="check"' in page  # the form is there to try again
    # The broker is back: the same job is checked, then imported.
    post(rep_client, url, {**MAPPING, "action": "check"})
    job.refresh_from_db()
    assert job.state == ImportJob.State.CHECKED and job.error == ""
    post(rep_client, url, {**MAPPING, "action": "import"})
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    assert Prospect.objects.count() == 2


def test_upload_fails_with_a_message_when_the_broker_is_unreachable(rep_client, media):
    with broker_at("redis://127.0.0.1:1/0"):
        started = time.perf_counter()
        url = upload(rep_client)
        assert time.perf_counter() - started < 5
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.FAILED
    page = rep_client.get(url).content.decode()
    assert escape(str(import_jobs.IMPORT_BROKER_UNAVAILABLE)) in page
    # Reading the file again works once the broker is back.
    post(rep_client, url, {"action": "read"})
    job.refresh_from_db()
    assert job.state == ImportJob.State.UPLOADED and job.headers == ["Nom", "Ville"]


def checked_job(client) -> tuple[str, ImportJob]:
    url = upload(client)
    post(client, url, {**MAPPING, "action": "check"})
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.CHECKED
    return url, job


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", import_jobs.IMPORT_STALE),
        ("fr", "ne donne plus signe de vie depuis plusieurs minutes"),
    ],
)
def test_a_job_without_sign_of_life_is_marked_failed_when_its_page_loads(
    rep_client, default_process, media, language, text
):
    url, job = checked_job(rep_client)
    long_ago = timezone.now() - dt.timedelta(seconds=settings.IMPORT_STALE_SECONDS + 60)
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.RUNNING,
        task_id="lost",
        language=language,
        started_at=long_ago,
        heartbeat_at=long_ago,
    )

    page = rep_client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()

    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED
    assert escape(str(text)) in page
    assert not Prospect.objects.exists()
    # Retried: checked again first, then imported.
    post(rep_client, url, {**MAPPING, "action": "import"})
    job.refresh_from_db()
    assert job.state == ImportJob.State.CHECKED
    post(rep_client, url, {**MAPPING, "action": "import"})
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and Prospect.objects.count() == 2


def test_a_live_job_is_left_running_and_shows_its_progress(rep_client, default_process, media):
    url, job = checked_job(rep_client)
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.RUNNING,
        task_id="alive",
        started_at=timezone.now() - dt.timedelta(hours=1),
        heartbeat_at=timezone.now() - dt.timedelta(seconds=5),
        done=1,
        total=2,
    )
    html = rep_client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="import-status")
    job.refresh_from_db()
    assert job.state == ImportJob.State.RUNNING
    assert 'value="50"' in html.content.decode()
    assert "HX-Refresh" not in html.headers


def test_the_polled_status_reloads_the_page_once_the_job_has_finished(
    rep_client, default_process, media
):
    url, _job = checked_job(rep_client)
    response = rep_client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="import-status")
    assert response.headers["HX-Refresh"] == "true"


def test_a_job_stuck_from_before_heartbeats_is_failed_too(rep_client, default_process, media):
    url, job = checked_job(rep_client)
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.CHECKING,
        heartbeat_at=None,
        created_at=timezone.now() - dt.timedelta(days=1),
    )
    rep_client.get(url)
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED


def test_the_periodic_task_fails_the_stale_jobs(rep_client, default_process, media):
    _url, job = checked_job(rep_client)
    long_ago = timezone.now() - dt.timedelta(hours=1)
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.CHECKING, task_id="lost", heartbeat_at=long_ago
    )
    assert tasks.import_jobs_fail_stale_task.delay().get() == 1
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED and job.error == str(import_jobs.IMPORT_STALE)
    schedule = settings.CELERY_BEAT_SCHEDULE["imports-stale"]
    assert schedule["task"] == tasks.import_jobs_fail_stale_task.name


def test_a_run_whose_job_was_given_up_meanwhile_writes_nothing(
    rep_client, default_process, media, monkeypatch, caplog
):
    """The job is marked failed (stale) while its run still goes on: the run's rows are rolled
    back with it, so a retry cannot import the file twice. (The marking happens here in the
    run's own transaction, so it is rolled back too; elsewhere it stays.)"""
    url, job = checked_job(rep_client)
    real_write = imports._write

    def write_then_lose_the_job(*args, **kwargs):
        real_write(*args, **kwargs)
        assert Prospect.objects.count() == 2
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.FAILED, error=str(import_jobs.IMPORT_STALE)
        )

    monkeypatch.setattr(imports, "_write", write_then_lose_the_job)
    post(rep_client, url, {**MAPPING, "action": "import"})
    job.refresh_from_db()
    assert job.state != ImportJob.State.DONE
    assert not Prospect.objects.exists()
    assert "given up during run" in caplog.text


def test_a_task_delivered_again_does_not_run_its_job_twice(rep_client, default_process, media):
    url, job = checked_job(rep_client)
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        rep_client.post(url, {**MAPPING, "action": "import"})
    job.refresh_from_db()
    assert job.state == ImportJob.State.RUNNING
    ImportJob.objects.filter(pk=job.pk).update(started_at=timezone.now())  # a worker took it
    for callback in queued:
        callback()
    job.refresh_from_db()
    assert job.state == ImportJob.State.RUNNING
    assert not Prospect.objects.exists()


def test_the_broker_settings_give_up_fast_and_keep_a_lost_task_from_looping():
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is False
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert options["visibility_timeout"] >= 3600
    assert options["socket_connect_timeout"] <= 3
    policy = settings.CELERY_TASK_PUBLISH_RETRY_POLICY
    assert policy["max_retries"] <= 3 and policy["interval_max"] <= 1
    backend_policy = settings.CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS["retry_policy"]
    assert backend_policy["max_retries"] <= 3


# --------------------------------------------------------------------------- a real worker


def worker_database_url() -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return (
        f"postgresql://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def start_worker(stale_seconds: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "DB_CONN_MAX_AGE": "0",
        "IMPORT_STALE_SECONDS": str(stale_seconds),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(condition, timeout: float, worker: subprocess.Popen, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if worker.poll() is not None:
            break
        time.sleep(0.05)
    worker.kill()
    output, _ = worker.communicate(timeout=30)
    pytest.fail(f"{what}: not within {timeout} s\n{output[-5000:]}")


def stop(worker: subprocess.Popen) -> str:
    worker.terminate()
    try:
        output, _ = worker.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        output, _ = worker.communicate(timeout=30)
    return output


@pytest.mark.celery_worker
@pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL"), reason="no CELERY_BROKER_URL: no real worker to test"
)
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_leaves_a_failed_job_to_retry_and_nothing_written(
    rep, client, media, settings
):
    if connection.vendor != "postgresql":
        pytest.skip("the worker is another process: it needs PostgreSQL through DATABASE_URL")
    from tests import factories as f

    f.default_process()
    client.force_login(rep)
    assert app.conf.task_always_eager is False
    app.control.purge()  # no message left from an earlier run may reach this worker
    settings.IMPORT_STALE_SECONDS = 3
    rows = 20_000
    content = "Nom;Ville\n" + "".join(f"Nom{i};Ville{i % 50}\n" for i in range(rows))

    worker = start_worker(stale_seconds=3)
    try:
        response = client.post(
            reverse("prospect_import"), {"file": SimpleUploadedFile("big.csv", content.encode())}
        )
        url = response["Location"]
        job = ImportJob.objects.get()
        wait_for(
            lambda: ImportJob.objects.filter(pk=job.pk, state="uploaded").exists(),
            60,
            worker,
            "the header row read by the worker",
        )
        client.post(url, {**MAPPING, "action": "check"})
        wait_for(
            lambda: ImportJob.objects.filter(pk=job.pk, state="checked").exists(),
            180,
            worker,
            "the check by the worker",
        )
        client.post(url, {**MAPPING, "action": "import"})
        wait_for(
            lambda: ImportJob.objects.filter(pk=job.pk, state="running", done__gte=1000).exists(),
            120,
            worker,
            "the import under way",
        )
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        output, _ = worker.communicate(timeout=30)

    job.refresh_from_db()
    assert job.state == ImportJob.State.RUNNING, output[-3000:]
    assert not Prospect.objects.exists()  # the worker's transaction died with it
    time.sleep(settings.IMPORT_STALE_SECONDS + 1)
    page = client.get(url).content.decode()
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED
    assert escape(str(import_jobs.IMPORT_STALE)) in page
    assert not Prospect.objects.exists()

    # Retried with a new worker: checked again, then imported, once.
    settings.IMPORT_STALE_SECONDS = 300
    worker = start_worker(stale_seconds=300)
    try:
        client.post(url, {**MAPPING, "action": "import"})
        wait_for(
            lambda: ImportJob.objects.filter(pk=job.pk, state="checked").exists(),
            180,
            worker,
            "the check again",
        )
        client.post(url, {**MAPPING, "action": "import"})
        wait_for(
            lambda: ImportJob.objects.filter(pk=job.pk, state="done").exists(),
            300,
            worker,
            "the import again",
        )
    finally:
        output = stop(worker)
    assert Prospect.objects.count() == rows, output[-3000:]
