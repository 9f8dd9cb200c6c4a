"""Server-side cache of the public pages and API, invalidated all at once when a year is published.

Every key carries the current public cache version; `public_cache_clear()` replaces the version, so every
earlier entry becomes unreachable at once on any cache backend (Redis, or the shared file cache in development),
without having to find and delete keys. A fresh version is unique (a nanosecond clock), so even an evicted
version key can never bring an old entry back.

In front of the shared cache, each process keeps what it read for a moment (`LOCAL_SECONDS`, default 2 s,
setting `PUBLIC_CACHE_LOCAL_SECONDS`): a cache round trip through Django's Redis backend costs about as much as
rendering a small page, and the overview is read far more often than anything is published. A publication
is therefore visible everywhere within those seconds (at once in the process that published).
"""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache

VERSION_KEY = "metrics:public:version"
TIMEOUT = 60 * 60  # an hour; publishing clears it sooner
BROWSER_MAX_AGE = 5 * 60  # how long browsers and proxies may keep a public page or API response
LOCAL_MAX_ENTRIES = 512

_local: dict[str, Any] = {"version": None, "checked": 0.0, "values": {}}


def _local_seconds() -> float:
    return getattr(settings, "PUBLIC_CACHE_LOCAL_SECONDS", 2.0)


def public_cache_local_reset() -> None:
    """Forget this process's copy (tests call it between tests, as they clear the shared cache)."""
    _local.update(version=None, checked=0.0, values={})


def public_cache_version() -> str:
    now = time.monotonic()
    if _local["version"] is not None and now - _local["checked"] < _local_seconds():
        return _local["version"]
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, str(time.time_ns()), timeout=None)
        version = cache.get(VERSION_KEY)
    if version != _local["version"]:
        _local["values"] = {}
    _local.update(version=version, checked=now)
    return version


def public_cache_clear() -> None:
    """Forget every cached public page and API response; call after publishing a release (on commit)."""
    cache.set(VERSION_KEY, str(time.time_ns()), timeout=None)
    public_cache_local_reset()


def public_cache_key(name: str) -> str:
    return f"metrics:public:{public_cache_version()}:{name}"


def _get(key: str) -> Any:
    value = _local["values"].get(key)
    if value is None:
        value = cache.get(key)
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
    the version of that time and never served as current.
    """
    key = public_cache_key(name)
    value = _get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=timeout)
        _remember(key, value)
    return value
