"""gunicorn's settings, from the environment: `gunicorn --config coalition/gunicorn.conf.py coalition.wsgi`.

Set explicitly rather than left to gunicorn's defaults (1 worker, 30 s), so an operator sizes them for the
machine: about two workers per core, and a timeout above the slowest page (the staff exports).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = timeout
accesslog = "-"
