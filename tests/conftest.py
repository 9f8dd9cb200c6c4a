"""Test settings and shared fixtures: the one place where tests override settings."""

import os
from urllib.parse import urlsplit

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.db import connections
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from coalition.celery import app as celery_app
from surveys.models import Membership, User

from .factories import MembershipFactory, OrganizationFactory, UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    # Tasks run in-process unless a test starts a real worker (see tests/metrics/test_worker.py).
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True


def redis_flush_refusal(location: str, *, test_url: str | None, dotenv_url: str | None) -> str:
    """Why the tests must not flush the Redis database at `location` (every test starts with FLUSHDB), or "".

    Only the database given for tests may be flushed: TEST_REDIS_URL when set (make test sets it);
    otherwise anything but database 0 (the development database in the README, .env.example and compose)
    and the REDIS_URL of a developer's .env file, which settings.py would otherwise pick up silently.
    """
    if test_url:
        if location != test_url:
            return f"the cache is {location}, but TEST_REDIS_URL is {test_url}"
        return ""
    if location == dotenv_url:
        return f"{location} comes from your .env file (your development Redis)"
    if (urlsplit(location).path.strip("/") or "0") == "0":
        return f"{location} is Redis database 0, where development data lives"
    return ""


def _dotenv_redis_url() -> str | None:
    from django.conf import settings

    path = settings.BASE_DIR / ".env"
    lines = path.read_text().splitlines() if path.exists() else []
    for line in lines:
        name, _, value = line.strip().removeprefix("export ").partition("=")
        if name.strip() == "REDIS_URL":
            return value.strip().strip("'\"")
    return None


@pytest.fixture(scope="session", autouse=True)
def _only_the_test_redis_is_flushed():
    from django.conf import settings

    location = settings.CACHES["default"].get("LOCATION", "")
    if "redis" in settings.CACHES["default"]["BACKEND"]:
        reason = redis_flush_refusal(
            location, test_url=os.environ.get("TEST_REDIS_URL"), dotenv_url=_dotenv_redis_url()
        )
        if reason:
            pytest.exit(
                f"Refusing to run the tests: they empty their Redis database, and {reason}. Give them a "
                "database of their own, e.g. TEST_REDIS_URL=redis://127.0.0.1:6379/15 "
                "REDIS_URL=redis://127.0.0.1:6379/15 (make test does this).",
                returncode=4,
            )
    yield


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from metrics.cache import public_cache_local_reset

    cache.clear()
    public_cache_local_reset()  # the public pages' per-process copy of the cache (metrics/cache.py)
    yield


def login_staff(client, user: User):
    """Log a staff user in with a confirmed, verified second factor."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def org_a():
    return OrganizationFactory(name="Alpha Social")


@pytest.fixture
def org_b():
    return OrganizationFactory(name="Bravo Games")


@pytest.fixture
def contributor_a(org_a):
    return MembershipFactory(organization=org_a, role=Membership.Role.CONTRIBUTOR).user


@pytest.fixture
def lead_a(org_a):
    return MembershipFactory(organization=org_a, role=Membership.Role.LEAD).user


@pytest.fixture
def member_b(org_b):
    return MembershipFactory(organization=org_b, role=Membership.Role.LEAD).user


@pytest.fixture
def reviewer():
    return UserFactory(staff_role=User.StaffRole.REVIEWER)


@pytest.fixture
def administrator():
    return UserFactory(staff_role=User.StaffRole.ADMINISTRATOR, is_staff=True, is_superuser=True)


@pytest.fixture
def reviewer_client(client, reviewer):
    return login_staff(client, reviewer)


@pytest.fixture
def admin_client(client, administrator):
    return login_staff(client, administrator)


@pytest.fixture
def lead_client(client, lead_a):
    client.force_login(lead_a)
    return client


@pytest.fixture
def contributor_client(client, contributor_a):
    client.force_login(contributor_a)
    return client


@pytest.fixture
def real_worker(monkeypatch):
    """A real Celery worker thread consuming from Redis (tests marked celery_worker, transactional db)."""
    if not django_settings.REDIS_URL:
        pytest.fail("This test needs Redis: run it with REDIS_URL set (see README, running the tests).")
    # The worker thread's database connections close after each task, so the test database can be torn down.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = True
