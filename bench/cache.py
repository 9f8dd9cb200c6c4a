#!/usr/bin/env python
"""Benchmark: `cache.get` through Django's stock Redis backend and through django-redis, side by side.

    REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/cache.py [--calls 5000]

Django's backend builds a new Redis client for every call; django-redis keeps one per server. Both are
measured with the socket timeouts the settings give them (REDIS_SOCKET_TIMEOUT).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def per_call_microseconds(cache, calls: int) -> float:
    cache.set("bench-cache-key", {"value": 1}, 60)
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            cache.get("bench-cache-key")
        rounds.append((time.perf_counter() - start) / calls * 1e6)
    cache.delete("bench-cache-key")
    return statistics.median(rounds)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=5000)
    args = parser.parse_args()
    url = os.environ.get("REDIS_URL")
    if not url:
        sys.exit("Set REDIS_URL to a Redis server, e.g. redis://127.0.0.1:6379/13")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coalition.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
    from django_redis.cache import RedisCache as DjangoRedisPackageCache

    timeout = settings.REDIS_SOCKET_TIMEOUT
    stock = per_call_microseconds(
        DjangoRedisCache(url, {"OPTIONS": {"socket_timeout": timeout, "socket_connect_timeout": timeout}}),
        args.calls,
    )
    package = per_call_microseconds(
        DjangoRedisPackageCache(
            url, {"OPTIONS": {"SOCKET_TIMEOUT": timeout, "SOCKET_CONNECT_TIMEOUT": timeout}}
        ),
        args.calls,
    )
    print(f"cache.get, median of 5 rounds of {args.calls:,} calls:")
    print(f"  Django's Redis backend (a client per call)   {stock:7.1f} µs")
    print(f"  django-redis (a client per server)           {package:7.1f} µs")
    print(f"  django-redis is faster by                    {stock / package:7.2f}×")


if __name__ == "__main__":
    main()
