"""Background work of the surveys app: each task wraps one service."""

from celery import shared_task

from .services.reminders import reminders_send


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60)
def reminders_send_task() -> int:
    """Send the deadline reminders due today (idempotent: each reminder goes out once)."""
    return reminders_send()
