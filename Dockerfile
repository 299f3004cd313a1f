# OpenDTI production image (docs/deployment.md, "Docker"). Its build steps are the Makefile's own
# targets, the ones the test suite runs: `make install-production` (the first half of every
# `make install`: the production lock, with hashes) and `make static` (run by
# tests/production/test_gunicorn.py before it starts gunicorn). CI has no Docker engine, so the
# image itself is not built there; what it runs is tested.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=opendti.config.settings.production \
    OPENDTI_DATA_DIR=/var/lib/opendti \
    OPENDTI_STATIC_ROOT=/opt/opendti/static \
    OPENDTI_BIND=0.0.0.0:8000

RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /var/lib/opendti --shell /usr/sbin/nologin opendti

WORKDIR /opt/opendti
COPY Makefile pyproject.toml requirements.lock README.md gunicorn.conf.py ./
COPY src ./src
RUN make install-production PYTHON=python3 && make static

USER opendti
WORKDIR /var/lib/opendti
EXPOSE 8000
CMD ["/opt/opendti/.venv/bin/gunicorn", "-c", "/opt/opendti/gunicorn.conf.py"]
