# The site as an image: `docker compose up` (or `podman compose up`) runs the whole production
# site from compose.yaml. Built from the locked runtime requirements only; runs as a user of its
# own, on a read-only root file system (write only to /tmp, a tmpfs); every setting comes from
# the environment (docs/deploying.md, "Every setting"). BASE: any Debian bookworm with Python
# 3.11 and python3-venv (tests/test_image.py builds one from Debian's packages with debootstrap).
ARG BASE=docker.io/library/python:3.11-slim-bookworm

FROM ${BASE} AS build
ENV PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /build
COPY requirements/runtime.txt requirements/runtime.txt
COPY manage.py ./
COPY mesoclinic mesoclinic
COPY sitewide sitewide
COPY treatments treatments
COPY appointments appointments
COPY templates templates
COPY static static
COPY locale locale
COPY fixtures fixtures
COPY deploy deploy
RUN sh deploy/image/build.sh /opt/mesoclinic/venv /srv/mesoclinic /build

FROM ${BASE}
# pg_dump and pg_restore for `manage.py backup_site` / `restore_site` (PostgreSQL 15's client).
RUN if ! command -v pg_dump >/dev/null; then \
        apt-get update && apt-get install -y --no-install-recommends postgresql-client && rm -rf /var/lib/apt/lists/*; \
    fi \
    && useradd --system --uid 10001 --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin mesoclinic
COPY --from=build /opt/mesoclinic/venv /opt/mesoclinic/venv
COPY --from=build /srv/mesoclinic /srv/mesoclinic
ENV PATH=/opt/mesoclinic/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=mesoclinic.settings.production \
    DJANGO_STATIC_ROOT=/srv/mesoclinic/staticfiles \
    PROMETHEUS_MULTIPROC_DIR=/tmp/metrics \
    HOME=/tmp \
    HOST=0.0.0.0 PORT=8000
WORKDIR /srv/mesoclinic
USER mesoclinic
EXPOSE 8000
# Alive when the site answers /healthz and reaches its database (a silent worker is the
# worker's own container's business, and Prometheus's: deploy/prometheus/alerts.yml).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["python", "deploy/image/healthcheck.py"]
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py"]
