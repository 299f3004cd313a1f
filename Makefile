# The two set-up commands of the README: `make demo` and `make test`. Everything else supports them.
# Production (docs/deployment.md, and the Dockerfile) uses `make install-production` and
# `make static`, the same targets `make test` runs or tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export OPENDTI_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test install install-production static browser redis lint bench bench-load audit lock clean

# What production runs, nothing else: every package pinned with its hashes (requirements.lock).
$(VENV)/.installed-production: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# Development adds the test, lint and audit tools (requirements-dev.lock, the same pins plus those).
$(VENV)/.installed-dev: $(VENV)/.installed-production requirements-dev.lock
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

install-production: $(VENV)/.installed-production

install: $(VENV)/.installed-dev

# Static files for production: hashed names and compressed copies (whitenoise) in STATIC_ROOT.
# Collecting needs no database and no secret, so the image can be built without either.
static: install-production
	DJANGO_SETTINGS_MODULE=opendti.config.settings.production \
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-collectstatic-only}" \
	DATABASE_URL="$${DATABASE_URL:-sqlite://:memory:}" \
	DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-localhost}" \
	$(BIN)/opendti collectstatic --noinput --verbosity 0

# The browser tests (tests/e2e/) drive Debian's chromium; Playwright never downloads its own.
browser:
	@command -v chromium >/dev/null || { \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# The production tests (tests/production/) use Redis at 127.0.0.1:6379 (databases 5 and 6): started
# here when it is not answering (installed with apt when missing), with nothing kept on disk.
redis:
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  command -v redis-server >/dev/null || { $$SUDO apt-get update -qq && \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; }; \
	  $$SUDO mkdir -p /var/lib/redis /var/log/redis; \
	  $$SUDO redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
	    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log; \
	  for i in $$(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done; }

demo: install
	DJANGO_SETTINGS_MODULE=opendti.config.settings.local $(BIN)/opendti migrate --noinput
	DJANGO_SETTINGS_MODULE=opendti.config.settings.local $(BIN)/opendti load-demo
	@echo ""
	@echo "OpenDTI portal: http://$(HOST):$(PORT)/   (admin: http://$(HOST):$(PORT)/admin/)"
	@echo ""
	DJANGO_SETTINGS_MODULE=opendti.config.settings.local DJANGO_DEBUG=1 $(BIN)/opendti runserver $(HOST):$(PORT)

test: install browser redis
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/mypy
	DJANGO_SETTINGS_MODULE=opendti.config.settings.test $(BIN)/opendti makemigrations --check --dry-run
	$(BIN)/pytest -n auto

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

bench: install
	$(BIN)/python bench/run.py

# The national load benchmark under the production server (bench/README.md), not part of `make
# test`: about 10 minutes on 3,400 units. It empties the PostgreSQL database it is given
# (LOAD_DATABASE, created here when missing). wrk comes from Debian; locust lives in an
# environment of its own (LOCUST_VENV), outside the project's pins.
LOCUST_VENV ?= /tmp/locust-venv
LOCUST_VERSION ?= 2.47.0
LOAD_DATABASE ?= postgres://postgres@127.0.0.1:5432/opendti_load
bench-load: install redis
	@command -v wrk >/dev/null || { \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	@test -x $(LOCUST_VENV)/bin/locust || { \
	  $(PYTHON) -m venv $(LOCUST_VENV) && \
	  $(LOCUST_VENV)/bin/pip install --quiet "locust==$(LOCUST_VERSION)"; }
	@psql "$(LOAD_DATABASE)" -c "select 1" >/dev/null 2>&1 || \
	  psql "$(dir $(LOAD_DATABASE))postgres" -c 'create database "$(notdir $(LOAD_DATABASE))"'
	OPENDTI_LOCUST=$(LOCUST_VENV)/bin/locust $(BIN)/python bench/load.py \
	  --database "$(LOAD_DATABASE)" $(BENCH_LOAD_ARGS)

# Known vulnerabilities in the production pins. Needs a machine that reaches a vulnerability
# database (PyPI's or OSV's); not part of CI, whose machines reach none (docs/deployment.md).
audit: install
	$(BIN)/pip-audit --require-hashes --disable-pip --progress-spinner off -r requirements.lock

# Re-pin after changing pyproject.toml: uv keeps every pin it can and adds hashes; the
# development lock takes the production pins as they are.
lock: install
	$(BIN)/uv pip compile pyproject.toml --quiet --generate-hashes --python-version 3.11 \
	  -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --quiet --extra dev --generate-hashes --python-version 3.11 \
	  -c requirements.lock -o requirements-dev.lock

clean:
	rm -rf $(VENV) var
