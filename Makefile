# The README's two commands: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: install run test test-unit lint bench chromium localstripe clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## Serve the marketplace at http://127.0.0.1:$${MARKETPLACE_PORT:-8000} with demo data on first start.
run: install
	$(PY) -m marketplace serve

## Headless Chromium for the browser tests (Debian's package; Playwright drives it).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

## localstripe, the Stripe emulator the payment tests run against. GPL-3.0: it lives in its own
## virtualenv, runs as a separate process, and is never installed into or imported by the product.
LOCALSTRIPE_VERSION := 1.15.10
LOCALSTRIPE_VENV := var/localstripe-venv
LOCALSTRIPE_STAMP := $(LOCALSTRIPE_VENV)/.installed-$(LOCALSTRIPE_VERSION)

$(LOCALSTRIPE_STAMP):
	@mkdir -p var
	@test -x $(LOCALSTRIPE_VENV)/bin/python || $(PYTHON) -m venv $(LOCALSTRIPE_VENV)
	$(LOCALSTRIPE_VENV)/bin/python -m pip install --quiet 'localstripe==$(LOCALSTRIPE_VERSION)'
	@rm -f $(LOCALSTRIPE_VENV)/.installed-* && touch $(LOCALSTRIPE_STAMP)

localstripe: $(LOCALSTRIPE_STAMP)

## The whole test suite (unit, integration on a real PostgreSQL, web, browser).
test: install chromium localstripe
	$(PY) -m pytest

test-unit: install
	$(PY) -m pytest tests/unit

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: install
	@command -v wrk >/dev/null 2>&1 || { echo "installing wrk for the HTTP benchmarks"; if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }
	$(PY) -m benchmarks.run_all

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
