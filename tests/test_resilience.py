"""Redis down or frozen under the running app: public pages and the API are built from the database,
`/readyz` says which dependency is missing, `/healthz` stays a liveness check. Each test runs its own
redis-server on its own port (never the shared one), and kills or freezes it."""

import json
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis

from metrics.cache import public_cache_local_reset, public_cached

from .factories import release_with_values

pytestmark = pytest.mark.django_db

PUBLIC_URLS = [
    "/",
    "/detection/",
    "/trends/",
    "/api/v1/indicators/",
    "/api/v1/years/",
    "/api/v1/indicators.csv",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def own_redis(settings, tmp_path):
    """A redis-server of this test's own, used as the cache and the broker; stopped at the end whatever happens."""
    server = shutil.which("redis-server")
    assert server, "redis-server is needed (apt-get install redis-server)"
    port = _free_port()
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_timeout=1)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": getattr(settings, "REDIS_SOCKET_TIMEOUT", 0.25),
                "SOCKET_TIMEOUT": getattr(settings, "REDIS_SOCKET_TIMEOUT", 0.25),
            },
        }
    }
    settings.CELERY_BROKER_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    public_cache_local_reset()
    yield process, client
    if process.poll() is None:
        os.kill(process.pid, signal.SIGCONT)
        process.kill()
    process.wait(timeout=10)
    public_cache_local_reset()


@pytest.fixture
def published():
    release_with_values(2025, {"members": 57, "classifiers.image": 41}, denominator=57)


def _get_all(client) -> dict[str, int]:
    return {url: client.get(url).status_code for url in PUBLIC_URLS}


def _readiness(client):
    response = client.get("/readyz")
    return response.status_code, json.loads(response.content)


def test_public_pages_and_the_api_survive_redis_being_killed(client, own_redis, published):
    process, redis_client = own_redis
    assert _get_all(client) == dict.fromkeys(PUBLIC_URLS, 200)
    assert redis_client.dbsize() > 0  # the pages were cached in our Redis

    process.kill()
    process.wait(timeout=10)
    public_cache_local_reset()  # a fresh process: nothing remembered locally

    assert _get_all(client) == dict.fromkeys(PUBLIC_URLS, 200)
    assert "57" in client.get("/").text  # built from the database
    assert client.get("/healthz").status_code == 200  # liveness: the process itself is fine
    status, report = _readiness(client)
    assert status == 503
    assert report["ready"] is False and report["database"] == "ok"
    assert report["cache"] == report["broker"] == "error"
    assert "127.0.0.1" not in json.dumps(report)  # which dependency, never where it lives


def test_a_frozen_redis_costs_a_request_a_fraction_of_a_second_not_seconds(
    client, own_redis, published, settings
):
    process, _ = own_redis
    assert client.get("/").status_code == 200
    os.kill(process.pid, signal.SIGSTOP)  # accepts connections, never answers
    try:
        public_cache_local_reset()
        started = time.monotonic()
        statuses = _get_all(client)
        elapsed = time.monotonic() - started
    finally:
        os.kill(process.pid, signal.SIGCONT)
    assert statuses == dict.fromkeys(PUBLIC_URLS, 200)
    # One socket timeout, after which this process leaves the cache alone for a while (metrics/cache.py).
    assert elapsed < len(PUBLIC_URLS) * getattr(settings, "REDIS_SOCKET_TIMEOUT", 0.25), elapsed


def test_pages_use_the_cache_again_once_redis_is_back(client, own_redis, published, monkeypatch):
    import metrics.cache

    process, redis_client = own_redis
    os.kill(process.pid, signal.SIGSTOP)
    try:
        assert client.get("/").status_code == 200
    finally:
        os.kill(process.pid, signal.SIGCONT)
    redis_client.flushdb()
    monkeypatch.setattr(metrics.cache, "DOWN_SECONDS", 0.0)
    metrics.cache._local["down_until"] = 0.0
    assert client.get("/").status_code == 200
    assert redis_client.dbsize() > 0


def test_healthz_is_liveness_and_readyz_reports_each_dependency(client):
    assert client.get("/healthz").status_code == 200
    status, report = _readiness(client)
    assert status == 200
    assert report == {"ready": True, "database": "ok", "cache": "ok", "broker": "ok"}


# --- Cache keys and deploys -----------------------------------------------------------------------------


def test_a_new_build_never_reads_html_an_older_build_cached(settings, tmp_path):
    from metrics.cache import build_id

    settings.STATIC_ROOT = tmp_path
    manifest = tmp_path / "staticfiles.json"
    manifest.write_text(json.dumps({"paths": {"css/milepost.css": "css/milepost.0ld0ld.css"}}))
    public_cache_local_reset()
    old_build = build_id()
    assert public_cached("html:overview", lambda: '<link href="/static/css/milepost.0ld0ld.css">') == (
        '<link href="/static/css/milepost.0ld0ld.css">'
    )

    # The deploy: new static files, new processes (nothing remembered), the same shared cache.
    manifest.write_text(json.dumps({"paths": {"css/milepost.css": "css/milepost.n3wn3w.css"}}))
    public_cache_local_reset()
    assert build_id() != old_build
    html = public_cached("html:overview", lambda: '<link href="/static/css/milepost.n3wn3w.css">')
    assert html == '<link href="/static/css/milepost.n3wn3w.css">'


def test_a_static_root_given_as_a_string_is_read_too(settings, tmp_path):
    from metrics.cache import build_id

    settings.STATIC_ROOT = str(
        tmp_path
    )  # as bench/dashboard_settings.py sets it; every public page was a 500
    (tmp_path / "staticfiles.json").write_text("{}")
    public_cache_local_reset()
    assert build_id() != "dev"


def test_without_a_manifest_the_build_is_development(settings, tmp_path):
    from metrics.cache import build_id

    settings.STATIC_ROOT = tmp_path
    public_cache_local_reset()
    assert build_id() == "dev"
