"""Server-side cache of the public pages and API, invalidated all at once when a year is published.

Every key carries the current public cache version; `public_cache_clear()` replaces the version, so every
earlier entry becomes unreachable at once on any cache backend (Redis, or the shared file cache in development),
without having to find and delete keys. A fresh version is unique (a nanosecond clock), so even an evicted
version key can never bring an old entry back.

Every key also carries the build (`build_id()`, a hash of the static files' manifest): cached HTML links
`/static/css/milepost.<hash>.css`, and after a deploy that file may be gone, so a new build never reads
what an older one stored.

In front of the shared cache, each process keeps what it read for a moment (`LOCAL_SECONDS`, default 2 s,
setting `PUBLIC_CACHE_LOCAL_SECONDS`): a cache round trip costs about as much as rendering a small page,
and the overview is read far more often than anything is published. A publication is therefore visible
everywhere within those seconds (at once in the process that published).

When the cache fails (Redis down or frozen), pages are built from the database and served uncached: the
site is slower, never broken. After a failure this process leaves the cache alone for `DOWN_SECONDS`, so a
frozen Redis costs one socket timeout (REDIS_SOCKET_TIMEOUT) per process now and then, not one per call.
"""

import functools
import hashlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

VERSION_KEY = "metrics:public:version"
TIMEOUT = 60 * 60  # an hour; publishing clears it sooner
BROWSER_MAX_AGE = 5 * 60  # how long browsers and proxies may keep a public page or API response
LOCAL_MAX_ENTRIES = 512
DOWN_SECONDS = 10.0
# What a cache backend raises when its server is unreachable, slow or out of disk.
CACHE_ERRORS = (RedisError, ConnectionInterrupted, OSError)

_local: dict[str, Any] = {
    "version": None,
    "checked": 0.0,
    "values": {},
    "down_until": 0.0,
    "clear_owed": False,
}


def _local_seconds() -> float:
    return getattr(settings, "PUBLIC_CACHE_LOCAL_SECONDS", 2.0)


@functools.cache
def build_id() -> str:
    """A short hash of the collected static files' manifest ("dev" without one, as in development)."""
    if not settings.STATIC_ROOT:
        return "dev"
    # Django accepts STATIC_ROOT as a string too (bench/dashboard_settings.py sets one from the environment).
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    try:
        return hashlib.sha256(manifest.read_bytes()).hexdigest()[:12]
    except OSError:
        return "dev"


def public_cache_local_reset() -> None:
    """Forget this process's copy (tests call it between tests, as they clear the shared cache)."""
    _local.update(version=None, checked=0.0, values={}, down_until=0.0, clear_owed=False)
    build_id.cache_clear()


def _cache_call(method: str, *args, **kwargs) -> tuple[bool, Any]:
    """(answered, result) of one call to the shared cache; (False, None) while it is failing."""
    now = time.monotonic()
    if now < _local["down_until"]:
        return False, None
    try:
        return True, getattr(cache, method)(*args, **kwargs)
    except CACHE_ERRORS as error:
        logger.warning(
            "The cache is unavailable (%s); public pages are built from the database for %.0f s.",
            error,
            DOWN_SECONDS,
        )
        _local.update(down_until=time.monotonic() + DOWN_SECONDS, version=None, values={})
        return False, None


def public_cache_version() -> str | None:
    """The current public version, or None while the cache cannot be reached."""
    now = time.monotonic()
    if _local["version"] is not None and now - _local["checked"] < _local_seconds():
        return _local["version"]
    if _local["clear_owed"] and not _new_version():
        return None
    answered, version = _cache_call("get", VERSION_KEY)
    if answered and version is None:
        answered, _ = _cache_call("add", VERSION_KEY, str(time.time_ns()), timeout=None)
        answered, version = _cache_call("get", VERSION_KEY) if answered else (False, None)
    if not answered or version is None:
        return None
    if version != _local["version"]:
        _local["values"] = {}
    _local.update(version=version, checked=now)
    return version


def _new_version() -> bool:
    answered, _ = _cache_call("set", VERSION_KEY, str(time.time_ns()), timeout=None)
    _local["clear_owed"] = not answered
    return answered


def public_cache_clear() -> None:
    """Forget every cached public page and API response; call after publishing a release (on commit).

    If the cache cannot be reached, this process changes the version as soon as it can again.
    """
    _local.update(version=None, checked=0.0, values={})
    if not _new_version():
        logger.error("The public cache could not be cleared after a publication; retrying when it answers.")


def public_cache_key(name: str) -> str | None:
    version = public_cache_version()
    return None if version is None else f"metrics:public:{build_id()}:{version}:{name}"


def _get(key: str) -> Any:
    value = _local["values"].get(key)
    if value is None:
        _, value = _cache_call("get", key)
        if value is not None:
            _remember(key, value)
    return value


def _remember(key: str, value: Any) -> None:
    values = _local["values"]
    if len(values) >= LOCAL_MAX_ENTRIES:
        values.clear()
    values[key] = value


def public_cached(name: str, build: Callable[[], Any], *, timeout: int = TIMEOUT) -> Any:
    """The cached value for `name` under the current public version, built (and stored) when missing.

    The key is fixed before building, so a value built from data read before a publication is stored under
    the version of that time and never served as current. Without a cache, `build()` answers every call.
    """
    key = public_cache_key(name)
    if key is None:
        return build()
    value = _get(key)
    if value is None:
        value = build()
        _cache_call("set", key, value, timeout=timeout)
        _remember(key, value)
    return value
