# syntax=docker/dockerfile:1
# AI Incident Desk: one image for every `incident-desk` command. It runs the bot by default
# (`incident-desk run`); `incident-desk migrate` is a separate one-off command (the compose
# `migrate` service, the Kubernetes Job). docs/DEPLOYMENT.md explains the rest.
# tests/deploy/test_dockerfile.py runs this file's install line and healthcheck without Docker.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- build: install the project and its dependencies into a virtual environment ----------
FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY manifests ./manifests
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check /src

# ---- runtime: the virtual environment only, run as an unprivileged user ------------------
FROM ${PYTHON_IMAGE}
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORT=3000 \
    INCIDENT_DESK_HOME=/var/lib/incident-desk \
    MPLCONFIGDIR=/tmp/matplotlib
RUN groupadd --system --gid 10001 desk \
    && useradd --system --uid 10001 --gid desk --home-dir /var/lib/incident-desk \
       --create-home --shell /usr/sbin/nologin desk
COPY --from=build /opt/venv /opt/venv
USER 10001:10001
WORKDIR /var/lib/incident-desk
EXPOSE 3000
# /healthz answers 200 while the database answers. The slim image has no curl, so Python asks.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)" || exit 1
ENTRYPOINT ["incident-desk"]
CMD ["run"]
