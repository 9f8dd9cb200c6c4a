"""Background work of the surveys app: each task wraps one service."""

from celery import shared_task

from .services.exports import export_job_run, export_jobs_purge
from .services.reminders import reminders_send


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60)
def reminders_send_task() -> int:
    """Send the deadline reminders due today (idempotent: each reminder goes out once)."""
    return reminders_send()


@shared_task(time_limit=30 * 60, soft_time_limit=29 * 60, acks_late=True)
def export_job_run_task(*, job_id: str) -> str:
    """Write a queued CSV export into the private exports folder (a rerun rewrites the same file)."""
    job = export_job_run(job_id=job_id)
    return f"{job}: {job.rows_done} rows."


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60)
def export_jobs_purge_task() -> int:
    """Hourly: delete the export files that have expired."""
    return export_jobs_purge()
