# The two set-up commands of the README: `make demo` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export OPENDTI_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test install browser lint bench clean

$(BIN)/opendti: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(BIN)/opendti

# The browser tests (tests/e2e/) drive Debian's chromium; Playwright never downloads its own.
browser:
	@command -v chromium >/dev/null || { \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

demo: install
	DJANGO_SETTINGS_MODULE=opendti.config.settings.local $(BIN)/opendti migrate --noinput
	DJANGO_SETTINGS_MODULE=opendti.config.settings.local $(BIN)/opendti load-demo
	@echo ""
	@echo "OpenDTI portal: http://$(HOST):$(PORT)/   (admin: http://$(HOST):$(PORT)/admin/)"
	@echo ""
	DJANGO_SETTINGS_MODULE=opendti.config.settings.local $(BIN)/opendti runserver $(HOST):$(PORT)

test: install browser
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/mypy
	DJANGO_SETTINGS_MODULE=opendti.config.settings.test $(BIN)/opendti makemigrations --check --dry-run
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var
