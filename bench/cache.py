#!/usr/bin/env python
"""Benchmark: `cache.get` through Django's stock Redis backend and through ours, side by side in one run.

    REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/cache.py [--calls 5000]

Ours (coalition/redis_cache.py) keeps one Redis client per connection pool; Django's builds one per call.
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
    from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

    from coalition.redis_cache import RedisCache

    stock = per_call_microseconds(DjangoRedisCache(url, {}), args.calls)
    ours = per_call_microseconds(RedisCache(url, {}), args.calls)
    print(f"cache.get, median of 5 rounds of {args.calls:,} calls:")
    print(f"  Django's Redis backend (a client per call)   {stock:7.1f} µs")
    print(f"  coalition.redis_cache (a client per pool)    {ours:7.1f} µs")
    print(f"  speed-up                                     {stock / ours:7.2f}×")


if __name__ == "__main__":
    main()
