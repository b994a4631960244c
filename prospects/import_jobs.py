"""The import wizard's jobs: a file goes through three Celery tasks, reading its header row,
the check (a dry run with its preview) and the import (`prospects.imports.prospects_import`).
The web request only measures the file (`readers.inspect`) and queues them; without a broker
they run in-process.

Each run is named by its task id, kept on the job (`task_id`): a run does its work only if the
job still names it, so a message delivered twice, or a run given up as stale and started again,
never writes twice. A worker writes its run's heartbeat on the job; a run silent for
IMPORT_STALE_SECONDS is failed and may be started again, and since the import's rows and the
job's final state are written in one transaction, nothing of a killed run remains."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from kombu.exceptions import OperationalError as BrokerError

from prospects import importing, readers
from prospects.imports import extra_labels, prospects_import

SAMPLE_ROWS = 3

# What the wizard's page says when a job's run could not go on (kept as constants: tests
# assert them).
IMPORT_BROKER_UNAVAILABLE = gettext_lazy(
    "The background service is unreachable, so the file could not be handed over to it. "
    "Nothing was written; try again in a few minutes."
)
IMPORT_STALE = gettext_lazy(
    "The background service has given no sign of life for several minutes (it was probably "
    "restarted), so the work stopped. Nothing was written; you can try again."
)

# How often a running job writes its sign of life (at most; see `_heartbeat_interval`).
HEARTBEAT_SECONDS = 2.0


logger = logging.getLogger(__name__)


def import_job_create(*, uploaded_file, actor, owner=None):
    """Keep an uploaded file for the wizard once it is measured against the IMPORT_* limits
    (`readers.inspect`: what it unzips to, its rows and columns; nothing parses it here), then
    queue the reading of its header row. Refused (ValidationError, nothing kept) when the file
    is beyond the limits or unreadable."""
    from prospects.models import ImportJob

    job = ImportJob(
        filename=uploaded_file.name[:255],
        actor=actor,
        owner=owner,
        state=ImportJob.State.READING,
    )
    job.file.save(
        f"{timezone.now():%Y%m%d%H%M%S}-{Path(uploaded_file.name).name}", uploaded_file, save=False
    )
    try:
        facts = readers.inspect(job.file.path, job.filename)
    except ValueError as exc:
        job.file.delete(save=False)
        raise ValidationError(str(exc)) from exc
    job.total = facts.rows
    job.save()
    import_job_read_start(job=job, actor=actor)
    return job


def import_job_read_start(*, job, actor) -> None:
    """Queue the reading of the file's header row (again, after a failure)."""
    from prospects import tasks
    from prospects.models import ImportJob

    _queue(job, ImportJob.State.READING, tasks.import_read_task, (job.pk,))


def import_job_start(*, job, actor, dry_run: bool) -> None:
    """Queue the check (dry run) or the import of a wizard file as a Celery task."""
    from prospects import tasks
    from prospects.models import ImportJob

    state = ImportJob.State.CHECKING if dry_run else ImportJob.State.RUNNING
    _queue(job, state, tasks.import_prospects_task, (job.pk, dry_run))


def _queue(job, state: str, task, args: tuple) -> None:
    """Give the job a new run (its task id) in `state`, then queue the task once the job is
    saved. A broker that does not answer is given up within seconds (CELERY_* settings): the
    job is then failed with IMPORT_BROKER_UNAVAILABLE, and can be run again."""
    run = uuid.uuid4().hex
    job.state, job.task_id, job.error = state, run, ""
    job.started_at, job.heartbeat_at, job.done = None, timezone.now(), 0
    job.language = translation.get_language() or settings.LANGUAGE_CODE
    job.save(
        update_fields=[
            "state",
            "task_id",
            "error",
            "started_at",
            "heartbeat_at",
            "done",
            "language",
            "mapping",
            "valid_only",
        ]
    )

    def queue() -> None:
        try:
            task.apply_async(args, task_id=run)
        except (BrokerError, OSError, TimeoutError):
            logger.warning("import job %s: the broker does not answer", job.pk, exc_info=True)
            _fail(job.pk, run, str(IMPORT_BROKER_UNAVAILABLE))
        except Exception as exc:
            logger.exception("import job %s: the task could not be queued or failed", job.pk)
            # In-process (no broker) the run has already said on its job why it failed, and
            # this changes nothing; through a broker, the task was not queued.
            eager = task.app.conf.task_always_eager
            _fail(job.pk, run, str(exc) if eager else str(IMPORT_BROKER_UNAVAILABLE))

    transaction.on_commit(queue)


def _fail(job_id: int, run: str, error: str) -> bool:
    """Fail the job with `error`, if `run` is still its run under way."""
    from prospects.models import ImportJob

    return bool(
        ImportJob.objects.filter(pk=job_id, task_id=run, state__in=ImportJob.BUSY).update(
            state=ImportJob.State.FAILED, error=error[:2000]
        )
    )


def _heartbeat_interval() -> float:
    return max(0.1, min(HEARTBEAT_SECONDS, settings.IMPORT_STALE_SECONDS / 5))


class _Heartbeat:
    """A run's signs of life: every few seconds the time and the rows read so far, written on
    the job from a thread with its own database connection, since the run's own writes sit in
    one transaction that nobody sees before it ends. Not on SQLite, where the run's transaction
    is the one writer the database allows: there the job's last sign is when the run began."""

    def __init__(self, job_id: int, run: str):
        self.job_id, self.run, self.done = job_id, run, 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def progress(self, done: int) -> None:
        self.done = done

    def __enter__(self) -> _Heartbeat:
        if connection.vendor != "sqlite":
            self._thread = threading.Thread(
                target=self._beat, name=f"import-job-{self.job_id}-heartbeat", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _beat(self) -> None:
        from prospects.models import ImportJob

        try:
            while not self._stop.wait(_heartbeat_interval()):
                try:
                    with transaction.atomic():
                        if connection.vendor == "postgresql":
                            # Never wait long behind the run's own last update of its job.
                            with connection.cursor() as cursor:
                                cursor.execute("SET LOCAL lock_timeout = '1s'")
                        ImportJob.objects.filter(
                            pk=self.job_id, task_id=self.run, state__in=ImportJob.BUSY
                        ).update(heartbeat_at=timezone.now(), done=self.done)
                except DatabaseError:
                    logger.warning("import job %s: heartbeat not written", self.job_id)
        finally:
            connections.close_all()  # this thread's own connections


@contextmanager
def _job_run(job_id: int, run: str, state: str) -> Iterator[tuple[Any, _Heartbeat] | None]:
    """The job and its heartbeat while a task works on it, or None when the job does not wait
    for this run (given up as stale, started again, or already taken: a message delivered
    twice). The run writes in the language of the user who started it; a ValueError (a file
    beyond the limits, unreadable) fails the job with its message, anything else with its
    text, and is raised again for the worker's log."""
    from prospects.models import ImportJob

    now = timezone.now()
    claimed = ImportJob.objects.filter(
        pk=job_id, task_id=run, state=state, started_at__isnull=True
    ).update(started_at=now, heartbeat_at=now)
    if not claimed:
        logger.info("import job %s: run %s is no longer expected, not run", job_id, run)
        yield None
        return
    job = ImportJob.objects.select_related("actor", "owner").get(pk=job_id)
    with (
        translation.override(job.language or settings.LANGUAGE_CODE),
        _Heartbeat(job_id, run) as heartbeat,
    ):
        try:
            yield job, heartbeat
        except ValueError as exc:
            _fail(job_id, run, str(exc))
        except Exception as exc:
            _fail(job_id, run, str(exc))
            raise


def import_job_read(*, job_id: int, run: str) -> bool:
    """Read a wizard file's header row and its first rows (the examples of the mapping), and
    guess the mapping (the read task calls this). False when the run was not expected."""
    from prospects.models import ImportJob

    with _job_run(job_id, run, ImportJob.State.READING) as current:
        if current is None:
            return False
        job, _heartbeat = current
        source = readers.open_source(job.file.path, job.filename)
        try:
            sample = []
            for raw in source.rows:
                sample.append([importing.text(v) for v in raw][: len(source.headers)])
                if len(sample) >= SAMPLE_ROWS:
                    break
        finally:
            source.close()
        return bool(
            ImportJob.objects.filter(pk=job.pk, task_id=run, state=ImportJob.State.READING).update(
                state=ImportJob.State.UPLOADED,
                headers=source.headers,
                mapping=importing.guess_mapping(source.headers, extra_labels()),
                preview={"sample": sample},
                heartbeat_at=timezone.now(),
            )
        )
    return False


def import_job_execute(*, job_id: int, dry_run: bool, run: str = ""):
    """The check or the import of a wizard file (the Celery task calls this). The refused rows'
    report is written next to the file; counts and a preview are kept on the job. The job's
    new state is written in the import's own transaction, and only if the job still waits for
    this run: a run given up meanwhile (found stale, started again) is rolled back whole."""
    from django.core.files.storage import default_storage

    from prospects.models import ImportJob

    state = ImportJob.State.CHECKING if dry_run else ImportJob.State.RUNNING
    with _job_run(job_id, run, state) as current:
        if current is None:
            return None
        job, heartbeat = current
        report_name = f"imports/{Path(job.file.name).stem}-refused.csv"
        report_path = Path(default_storage.path(report_name))
        report_path.parent.mkdir(parents=True, exist_ok=True)
        with (
            open(report_path, "w", encoding="utf-8-sig", newline="") as handle,
            transaction.atomic(),
        ):
            report = prospects_import(
                path=job.file.path,
                filename=job.filename,
                actor=job.actor,
                mapping=job.mapping,
                owner=job.owner,
                valid_only=job.valid_only,
                dry_run=dry_run,
                report_file=handle,
                progress=heartbeat.progress,
            )
            if dry_run:
                new_state = ImportJob.State.CHECKED
            elif report.refused and not job.valid_only:
                new_state = ImportJob.State.REFUSED
            else:
                new_state = ImportJob.State.DONE
            finished = ImportJob.objects.filter(pk=job.pk, task_id=run, state=state).update(
                state=new_state,
                total=report.total,
                done=report.total,
                valid=report.valid,
                refused=report.refused,
                created=report.created,
                preview={**report.as_dict(), "sample": (job.preview or {}).get("sample", [])},
                report=report_name if report.refused else "",
                heartbeat_at=timezone.now(),
            )
            if not finished:
                logger.warning("import job %s: given up during run %s, rolled back", job.pk, run)
                transaction.set_rollback(True)
                return None
        return report
    return None


def import_jobs_fail_stale(*, job_id: int | None = None) -> int:
    """Fail the jobs whose run gave no sign of life for IMPORT_STALE_SECONDS while reading,
    checking or importing (worker killed or restarted, no worker running, message lost): the
    run's transaction died with it, so nothing was written, and the job can be run again (a
    late run then finds it is no longer expected). Called when a job's page loads and every
    five minutes by Celery beat (`prospects.tasks.import_jobs_fail_stale_task`). Returns the
    number of jobs failed."""
    from prospects.models import ImportJob

    limit = timezone.now() - dt.timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    # Jobs from before heartbeats existed count from their creation.
    silent = Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, created_at__lt=limit)
    stale = ImportJob.objects.filter(silent, state__in=ImportJob.BUSY)
    if job_id is not None:
        stale = stale.filter(pk=job_id)
    failed = 0
    for pk, run, language in stale.values_list("pk", "task_id", "language"):
        with translation.override(language or settings.LANGUAGE_CODE):
            error = str(IMPORT_STALE)
        failed += ImportJob.objects.filter(
            silent, pk=pk, task_id=run, state__in=ImportJob.BUSY
        ).update(state=ImportJob.State.FAILED, error=error)
        logger.warning("import job %s: no sign of life from run %s, failed", pk, run)
    return failed
