"""The Redis cache backend the tests (and production) run on: django-redis, with a short socket timeout."""

import threading

from django.conf import settings
from django.core.cache import caches
from django_redis.cache import RedisCache


def test_the_tests_run_on_the_redis_cache_backend():
    assert isinstance(caches["default"], RedisCache), (
        "make test points REDIS_URL at Redis; the cache must use it"
    )


def test_a_frozen_redis_costs_at_most_the_configured_socket_timeout():
    options = settings.CACHES["default"]["OPTIONS"]
    assert options["SOCKET_TIMEOUT"] == options["SOCKET_CONNECT_TIMEOUT"] == settings.REDIS_SOCKET_TIMEOUT
    assert 0 < settings.REDIS_SOCKET_TIMEOUT <= 1


def test_values_round_trip_and_one_client_serves_every_call():
    cache = caches["default"]
    first = cache.client.get_client(write=True)

    cache.set("reuse-check", {"answers": [1, 2]}, 30)
    assert cache.add("reuse-check", "other", 30) is False
    assert cache.get("reuse-check") == {"answers": [1, 2]}
    assert cache.incr(cache.add("counter", 1, 30) and "counter") == 2
    cache.delete_many(["reuse-check", "counter"])
    assert cache.get_many(["reuse-check", "counter"]) == {}

    assert cache.client.get_client(write=True) is first


def test_threads_share_the_client_safely():
    # Django gives each thread its own backend; share one on purpose, as a pool's client may be shared.
    cache = caches["default"]
    errors = []

    def worker(n):
        try:
            for i in range(50):
                cache.set(f"thread-{n}-{i}", i, 30)
                assert cache.get(f"thread-{n}-{i}") == i
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
