# syntax=docker/dockerfile:1.7
#
# Nexus production image, in three stages:
#   assets  - `make assets`: npm ci, then the front-end libraries into nexus/static/vendor/
#   build   - uv sync into /app/.venv, add the vendored assets, collectstatic
#   runtime - python:3.12-slim with only the venv and the source, as a non-root user, gunicorn
#
# The same image runs every role; only the command differs (see compose.yaml, deploy/k8s):
#   web     (default CMD)  gunicorn nexus.wsgi:application on port 8000
#   worker  celery -A nexus worker -l info
#   beat    celery -A nexus beat -l info --scheduler django_celery_beat.schedulers:DatabaseScheduler
#   migrate python manage.py migrate --noinput

FROM node:22-bookworm-slim AS assets
# `make assets` runs npm ci and copies the libraries into nexus/static/vendor/ (Makefile).
RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile package.json package-lock.json ./
RUN make assets


FROM python:3.12-slim AS build
COPY --from=ghcr.io/astral-sh/uv:0.13 /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
# Dependencies first, in their own layer: it is rebuilt only when the lock changes.
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    uv sync --frozen --no-dev --no-install-project
COPY . .
RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-dev
COPY --from=assets /src/nexus/static/vendor ./nexus/static/vendor
# Production settings use whitenoise's manifest storage, so the manifest must be built with
# NEXUS_MODE=production. These values only satisfy the start-up checks; nothing connects.
RUN NEXUS_MODE=production \
    SECRET_KEY=build-time-only-collectstatic-key-not-used-at-runtime \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build:build@localhost:5432/build \
    /app/.venv/bin/python manage.py collectstatic --noinput


FROM python:3.12-slim AS runtime
# A fixed, numeric uid/gid so Kubernetes' runAsNonRoot can verify it without a passwd lookup.
RUN groupadd --system --gid 10001 nexus \
    && useradd --system --uid 10001 --gid nexus --home-dir /app --shell /usr/sbin/nologin nexus
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    NEXUS_MODE=production \
    LOG_FORMAT=json \
    MEDIA_ROOT=/data/media \
    WEB_CONCURRENCY=3
WORKDIR /app
# Owned by root and read-only to the app user: the code never needs to write to itself.
COPY --from=build /app /app
# Attachments' local storage (compose mounts its shared "media" volume here; a new volume takes
# the folder's owner, so the app user may write it). Kubernetes uses an S3-compatible bucket.
RUN mkdir -p /data/media && chown 10001:10001 /data/media
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# gunicorn reads WEB_CONCURRENCY for its worker count. The heartbeat files go to /dev/shm
# because the root filesystem may be read-only (deploy/k8s) and overlayfs is slow for them;
# for the same reason there is no control socket (it would go to the read-only $HOME).
# Forwarded headers are trusted from any peer: only the load balancer can reach port 8000.
CMD ["gunicorn", "nexus.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--worker-tmp-dir", "/dev/shm", \
     "--no-control-socket", \
     "--forwarded-allow-ips", "*", \
     "--access-logfile", "-", \
     "--graceful-timeout", "30"]
