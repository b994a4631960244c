"""The import wizard's tasks. Each takes the job's id and is queued under the task id its job
names (its run): a task delivered again, or run after its job was given up, does nothing. Their
results are not kept: the job holds its state, progress and heartbeat in the database, so the
wizard's page never waits on the result backend."""

from celery import shared_task


@shared_task(bind=True, ignore_result=True)
def import_read_task(self, job_id: int) -> None:
    """Read a wizard file's header row and first rows (the mapping's start)."""
    from prospects.import_jobs import import_job_read

    import_job_read(job_id=job_id, run=self.request.id or "")


@shared_task(bind=True, ignore_result=True)
def import_prospects_task(self, job_id: int, dry_run: bool) -> None:
    """Check or import a wizard file."""
    from prospects.import_jobs import import_job_execute

    import_job_execute(job_id=job_id, dry_run=dry_run, run=self.request.id or "")


@shared_task
def import_jobs_fail_stale_task() -> int:
    """Fail the import jobs whose worker stopped giving signs of life (Celery beat, every five
    minutes)."""
    from prospects.import_jobs import import_jobs_fail_stale

    return import_jobs_fail_stale()
