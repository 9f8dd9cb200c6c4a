"""Milepost settings: everything comes from the environment, with safe development defaults.

With no environment at all the app runs on SQLite and executes Celery tasks in-process, so the demo
needs no server. `.env.example` lists every variable; the README explains each one.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Development by default; production (DJANGO_DEBUG=false, as the Dockerfile sets) refuses to start without a real secret
# key and host list (see README, "Deploy").
DEBUG = env.bool("DJANGO_DEBUG", default=True)
if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-development-key-do-not-use-in-production")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
else:
    SECRET_KEY = env("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "surveys",
    "metrics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # After authentication: ends idle or too-old sessions, and marks every signed-in page as not storable.
    "coalition.middleware.SessionLifetimeMiddleware",
    "coalition.middleware.PrivatePagesNotStoredMiddleware",
    # Last, as django-axes requires, so it sees every failed login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "coalition.urls"
WSGI_APPLICATION = "coalition.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "surveys.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "surveys.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out person is refused before their password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "surveys:home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Failures count per (account, address): wrong passwords lock that account from that address only, never
# everyone behind one address nor the owner elsewhere (coalition/login_attempts.py).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # what the login form posts (USERNAME_FIELD is "email")
AXES_USERNAME_CALLABLE = "coalition.login_attempts.login_username"
AXES_CLIENT_IP_CALLABLE = "coalition.login_attempts.client_ip"
AXES_LOCKOUT_CALLABLE = "coalition.login_attempts.locked_out"
AXES_RESET_ON_SUCCESS = True
# How many proxies of ours stand in front of the app (a TLS proxy: 1). Their X-Forwarded-For entries name
# the visitor; with 0 the header is ignored, since anyone can send it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Sessions end after a while without a request (staff sooner: they see every member's answers) and at
# the latest SESSION_ABSOLUTE_HOURS after logging in, however active (coalition/middleware.py).
SESSION_IDLE_STAFF_MINUTES = env.int("SESSION_IDLE_STAFF_MINUTES", default=30)
SESSION_IDLE_MEMBER_MINUTES = env.int("SESSION_IDLE_MEMBER_MINUTES", default=8 * 60)
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 60 * 60

OTP_TOTP_ISSUER = "Milepost"
INVITATION_VALID_HOURS = env.int("INVITATION_VALID_HOURS", default=72)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND_PATH = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH}}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env("EMAIL_HOST", default="localhost"),
        "port": env.int("EMAIL_PORT", default=25),
        "username": env("EMAIL_HOST_USER", default=""),
        "password": env("EMAIL_HOST_PASSWORD", default=""),
        "use_tls": env.bool("EMAIL_USE_TLS", default=False),
    }
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Milepost <milepost@localhost>")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Redis is optional: without REDIS_URL, tasks run in-process and the cache lives in files, which every
# process of one machine shares (a publication made by a command is seen by the running site at once).
REDIS_URL = env("REDIS_URL", default="")
# Seconds a cache call may wait for Redis: a frozen Redis then costs a page this long once (metrics/cache.py
# stops asking for a while), instead of hanging it.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.25)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": REDIS_SOCKET_TIMEOUT,
                "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env("CACHE_DIR", default=str(BASE_DIR / ".cache")),
        }
    }

# A host name even for the in-memory broker, or kombu warns "No hostname was supplied" on every send.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Sending a task while Redis is down fails within seconds (the caller records what is owed, see
# metrics/services/recompute.py) instead of retrying for minutes inside a request.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "socket_timeout": 5, "socket_connect_timeout": 2}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}
# Every night at 02:30: recompute the indicators of every year marked as needing it (e.g. an approval made
# while Redis was down) plus open and recent years.
CELERY_BEAT_SCHEDULE["indicators-recompute-due"] = {
    "task": "metrics.tasks.indicators_recompute_due_task",
    "schedule": crontab(hour=2, minute=30),
}
# Every day at 07:00: e-mail the 14-, 7- and 1-day deadline reminders to organisations that have not
# submitted (each reminder goes out once; see surveys/services/reminders.py).
CELERY_BEAT_SCHEDULE["surveys-reminders-send"] = {
    "task": "surveys.tasks.reminders_send_task",
    "schedule": crontab(hour=7, minute=0),
}
# Big CSV exports (the audit log) are written by the worker into this private folder, never under a public
# URL; web and worker must share it. Staff download them through a view; they expire after EXPORT_KEEP_HOURS.
EXPORTS_DIR = Path(env("EXPORTS_DIR", default=str(BASE_DIR / "var" / "exports")))
EXPORT_KEEP_HOURS = env.int("EXPORT_KEEP_HOURS", default=24)
# Every hour at :15: delete the export files that have expired.
CELERY_BEAT_SCHEDULE["surveys-exports-purge"] = {
    "task": "surveys.tasks.export_jobs_purge_task",
    "schedule": crontab(minute=15),
}
# Seconds a recompute waits after an approval so that a burst of approvals costs one recompute.
INDICATORS_RECOMPUTE_DELAY = env.int("INDICATORS_RECOMPUTE_DELAY", default=10)

# Public figures: a member count below this is withheld (see the methodology page).
MIN_PUBLISHED_COUNT = env.int("MIN_PUBLISHED_COUNT", default=5)

# Django's built-in content security policy: nothing but our own origin, and no inline script.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# One handler, on the root logger. Django's own console handler for `django.*` is left out (it printed
# every line a second time in debug).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "axes": {"level": "WARNING"},
    },
}
