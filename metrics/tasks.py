"""Background work of the metrics app: each task wraps one service call."""

import logging

from celery import shared_task
from django.db import OperationalError as DatabaseError
from kombu.exceptions import OperationalError as BrokerError

from .models import YearState
from .services import indicators_recompute, recompute_pending_clear, years_due

logger = logging.getLogger(__name__)

# Transient failures worth retrying: the database or the broker briefly unreachable.
RETRY_ON = (DatabaseError, BrokerError, ConnectionError)


@shared_task(
    bind=True,
    time_limit=10 * 60,
    soft_time_limit=9 * 60,
    autoretry_for=RETRY_ON,
    retry_backoff=True,
    retry_backoff_max=10 * 60,
    max_retries=5,
    acks_late=True,
)
def indicators_recompute_task(self, *, year: int, force: bool = False) -> str:
    """Recompute a year's indicators, unless another run already caught up with every request."""
    # Cleared first, so an approval arriving from now on queues a fresh recompute.
    recompute_pending_clear(year=year)
    if not force and not YearState.objects.filter(year=year, needs_recompute=True).exists():
        return f"{year}: already up to date."
    return indicators_recompute(year=year).summary()


@shared_task(time_limit=30 * 60, soft_time_limit=29 * 60, acks_late=True)
def indicators_recompute_due_task() -> list[str]:
    """Nightly: recompute every year marked as needing it, plus open and recent years (catches up on
    requests lost while the broker was down)."""
    summaries = []
    for year in years_due():
        try:
            summaries.append(indicators_recompute(year=year).summary())
        except Exception:
            # One broken year must not stop the others; it stays marked and is retried tomorrow.
            logger.exception("Nightly recompute of %s failed.", year)
    return summaries
