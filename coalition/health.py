"""Readiness: can this instance serve real requests? Database, cache and broker, each reported separately.

`/healthz` (metrics) only says the process answers (liveness: restart me if not). `/readyz` says whether
what it depends on answers too, with 503 when one does not, so a load balancer can route around it and an
operator sees which one. Each check is bounded by a short timeout.
"""

import json
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)
READY_KEY = "readyz:probe"


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    token = str(time.time_ns())
    cache.set(READY_KEY, token, timeout=30)
    if cache.get(READY_KEY) != token:
        raise RuntimeError("the cache did not return what was just stored")


def _broker() -> None:
    url = settings.CELERY_BROKER_URL
    if settings.CELERY_TASK_ALWAYS_EAGER or url.startswith("memory://"):
        return  # tasks run in-process: there is no broker to reach
    from kombu import Connection

    timeout = settings.REDIS_SOCKET_TIMEOUT * 4
    options = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    with Connection(url, connect_timeout=timeout, transport_options=options) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
        conn.default_channel.client.ping()


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


def _run(name: str, check) -> str:
    try:
        check()
    except Exception:  # noqa: BLE001 - any failure means "not ready"; the log says why
        # The public answer names the dependency only: hosts, ports and messages stay in the log.
        logger.exception("Readiness: the %s is not available.", name)
        return "error"
    return "ok"


@never_cache
def readyz(request):
    results = {name: _run(name, check) for name, check in CHECKS.items()}
    ready = all(result == "ok" for result in results.values())
    return HttpResponse(
        json.dumps({"ready": ready, **results}),
        content_type="application/json",
        status=200 if ready else 503,
    )
