from celery import shared_task


@shared_task(bind=True)
def import_prospects_task(self, job_id: int, dry_run: bool) -> dict:
    """Check or import a wizard file; progress (rows read) goes to the result backend."""
    from prospects.imports import import_job_execute

    def progress(done: int) -> None:
        if not self.request.called_directly and not self.request.is_eager:
            self.update_state(state="PROGRESS", meta={"done": done})

    report = import_job_execute(job_id=job_id, dry_run=dry_run, progress=progress)
    return {"total": report.total, "created": report.created, "refused": report.refused}
