# syntax=docker/dockerfile:1
# Milepost production image: `docker compose up --build` (see docker-compose.yml) or
#   docker build -t milepost . && docker run -e DJANGO_SECRET_KEY=... -e DJANGO_ALLOWED_HOSTS=... -p 8000:8000 milepost

# Stage 1: Bootstrap, plotly.js and axe-core from npm, copied as `make static` does, plus Bootstrap's two source
# maps: the minified files name them, and collectstatic's manifest storage fails on a reference it cannot find.
# Node.js stays in this stage; the final image never contains it.
FROM node:20-slim AS static
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error \
    && mkdir -p vendor/bootstrap vendor/plotly vendor/axe \
    && cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js vendor/bootstrap/ \
    && cp node_modules/bootstrap/dist/css/bootstrap.min.css.map node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map vendor/bootstrap/ \
    && cp node_modules/plotly.js-basic-dist-min/plotly-basic.min.js vendor/plotly/ \
    && cp node_modules/axe-core/axe.min.js vendor/axe/

# Stage 2: the application.
FROM python:3.13-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_DEBUG=false

RUN groupadd --system milepost \
    && useradd --system --gid milepost --create-home --home-dir /home/milepost milepost

WORKDIR /app
# pyproject.toml declares no packages ([tool.setuptools] packages = []), so `pip install .` installs only the
# pinned dependencies; the code itself runs from /app.
COPY . .
RUN pip install . && rm -rf build *.egg-info
COPY --from=static /build/vendor/ static/vendor/

# A throwaway key and host list only so settings load (production refuses to start without them);
# neither is stored in the image.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

# The code and collected static files stay root-owned, so the app cannot rewrite itself.
USER milepost
EXPOSE 8000
CMD ["gunicorn", "coalition.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
