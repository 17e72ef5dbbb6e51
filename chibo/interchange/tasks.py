"""Background work of the interchange app: a thin wrapper around the import service."""

from __future__ import annotations

from django_tasks import task


@task()
def run_import_job(job_id: str, dry_run: bool) -> None:
    from chibo.interchange.jobs import job_run

    job_run(job_id=job_id, dry_run=dry_run)


@task()
def preview_import_job(job_id: str) -> None:
    from chibo.interchange.jobs import job_preview

    job_preview(job_id=job_id)
