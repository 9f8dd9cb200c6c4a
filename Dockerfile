# syntax=docker/dockerfile:1
# Milepost production image: `docker compose up --build` (see docker-compose.yml) or, on its own (SQLite in
# /data, tasks in-process):
#   docker build -t milepost . && docker run -e DJANGO_SECRET_KEY=... -e DJANGO_ALLOWED_HOSTS=localhost -e DJANGO_SECURE_SSL_REDIRECT=false -p 8000:8000 milepost

# Stage 1: Bootstrap and plotly.js from npm, copied as `make static` does, plus Bootstrap's two source maps:
# the minified files name them, and collectstatic's manifest storage fails on a reference it cannot find.
# axe-core is a development dependency (the accessibility tests), so it never reaches the image.
# Node.js (the current LTS) stays in this stage; the final image never contains it.
FROM node:26-slim AS static
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error \
    && mkdir -p vendor/bootstrap vendor/plotly \
    && cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js vendor/bootstrap/ \
    && cp node_modules/bootstrap/dist/css/bootstrap.min.css.map node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map vendor/bootstrap/ \
    && cp node_modules/plotly.js-basic-dist-min/plotly-basic.min.js vendor/plotly/

# Stage 2: the application.
FROM python:3.13-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_NO_CACHE=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_DEBUG=false \
    DATABASE_URL=sqlite:////data/db.sqlite3 \
    CACHE_DIR=/data/cache \
    EXPORTS_DIR=/data/exports

RUN groupadd --system milepost \
    && useradd --system --gid milepost --create-home --home-dir /home/milepost milepost \
    && mkdir -p /data/cache /data/exports && chown -R milepost:milepost /data

# Dependencies first, exactly as uv.lock pins them (hashes checked), so a code change reuses this layer.
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN pip install uv==0.13.8 \
    && uv sync --locked --no-dev \
    && pip uninstall --yes uv

COPY . .
COPY --from=static /build/vendor/ static/vendor/

# A throwaway key and host list only so settings load (production refuses to start without them);
# neither is stored in the image.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

# The code and collected static files stay root-owned, so the app cannot rewrite itself; it writes only to
# /data (SQLite and the file cache when there is no DATABASE_URL or REDIS_URL; mount a volume there).
USER milepost
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["python", "-m", "coalition.healthcheck"]
# Workers and timeout come from GUNICORN_WORKERS and GUNICORN_TIMEOUT (coalition/gunicorn.conf.py).
# Without a database server, the SQLite file is migrated on start; with one, docker-compose.yml's
# `migrate` service does it once before web starts.
CMD ["sh", "-c", "case \"$DATABASE_URL\" in sqlite*) python manage.py migrate --noinput ;; esac && exec gunicorn --config coalition/gunicorn.conf.py coalition.wsgi:application"]
