# chibo: the single entry point for development and CI (.ci/run calls `make test`).
# Needs only Python 3.11+ (as `python3`, or PYTHON=/path/to/python3.x make ...).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHIBO := $(BIN)/chibo
PYTEST := $(BIN)/pytest
RUFF := $(BIN)/ruff
STAMP := $(VENV)/.installed

# Parsed once when make starts: `make test` reports the time since then.
START_TIME := $(shell date +%s)

.PHONY: help install run lint format check-migrations test bench clean prod-local bench-scale load-test docs-preview

help: ## list the targets
	@echo "chibo make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-17s %s\n", $$1, $$2}'

# --- virtualenv --------------------------------------------------------------

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
		{ echo "chibo needs Python >= 3.11 ($(PYTHON) is $$($(PYTHON) -V 2>&1)); use PYTHON=python3.11 make ..." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Re-installed only when pyproject.toml changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

install: $(STAMP) ## create .venv and install chibo with its dev tools

# --- running -------------------------------------------------------------------

# `make run` serves on 127.0.0.1:$(PORT) (PORT=8001 make run) with the task worker
# beside the server (scripts/run-dev): Ctrl-C stops both.
PORT ?= 8000

run: install ## migrate, load demo data once, serve on http://127.0.0.1:$PORT (8000) with the task worker
	@mkdir -p var
	$(CHIBO) migrate --noinput
	@if $(CHIBO) demo-status; then \
		echo "==> demo data already loaded"; \
	else \
		echo "==> loading demo data (chibo seed-demo)"; \
		$(CHIBO) seed-demo; \
	fi
	PORT=$(PORT) $(CHIBO) demo-logins
	@echo "==> http://127.0.0.1:$(PORT)/ — máy chủ và bộ xử lý nền (chibo db_worker) chạy cùng nhau; Ctrl-C dừng cả hai"
	@scripts/run-dev $(PORT)

# Production stack on 127.0.0.1 (docs/deploy.md): PostgreSQL in var/prod-local,
# gunicorn (2 workers) on :8001, 1 task worker. PROD_MEMBERS=400000 for city scale.
prod-local: install ## production stack on 127.0.0.1:8001 (PostgreSQL, gunicorn ×2, worker)
	@$(BIN)/python -c 'import gunicorn' 2>/dev/null || $(BIN)/python -m pip install -q -e '.[dev,prod]'
	scripts/prod-local

# Samples of every Party document, rendered for a person to look at (not part of `make test`):
# a throwaway demo database (as of 07/12/2026), the DOCX files, PDF by LibreOffice, PNG by
# poppler into docs/samples/ (apt-get install -y libreoffice-writer-nogui poppler-utils).
PREVIEW_DB := sqlite:///$(CURDIR)/var/preview/db.sqlite3
docs-preview: install ## render a sample of every Party document to PDF and PNG (docs/samples/)
	@command -v soffice >/dev/null && command -v pdftoppm >/dev/null || \
		{ echo "docs-preview needs LibreOffice and poppler: apt-get install -y libreoffice-writer-nogui poppler-utils" >&2; exit 1; }
	rm -rf var/preview && mkdir -p var/preview docs/samples
	DATABASE_URL=$(PREVIEW_DB) $(CHIBO) migrate --noinput -v0
	DATABASE_URL=$(PREVIEW_DB) $(CHIBO) seed-demo --members 300 --as-of 2026-12-07 >/dev/null
	DATABASE_URL=$(PREVIEW_DB) $(CHIBO) docs-preview --output var/preview
	cd var/preview && soffice --headless --convert-to pdf *.docx >/dev/null
	rm -f docs/samples/*.png
	for pdf in var/preview/*.pdf; do pdftoppm -png -r 60 "$$pdf" "docs/samples/$$(basename "$$pdf" .pdf)"; done
	@ls docs/samples/*.png | wc -l | xargs echo "PNG pages in docs/samples:"

# 5.5M members on a kept PostgreSQL in var/bench-pg (docs/performance.md).
bench-scale: install ## national-scale benchmark (PostgreSQL, BENCH_MEMBERS=5500000)
	bench/run-scale

# Locust against a prod-local it starts itself (127.0.0.1 only, bounded time).
load-test: install ## load test: a working day (every role, reads and writes), 50 and 200 users against prod-local (docs/performance.md)
	@$(BIN)/python -c 'import locust, gunicorn' 2>/dev/null || $(BIN)/python -m pip install -q -e '.[dev,prod,bench]'
	bench/load-test

# --- quality -------------------------------------------------------------------

# pip-audit needs PyPI's per-version JSON API (its vulnerability data): when that
# cannot be reached (no network, or a proxy without it) the audit is skipped with
# the reason, rather than "passing" with every package unaudited.
lint: install ## ruff check (security rules "S" included) + ruff format --check + layers + mypy + pip-audit
	@rc=0; \
	echo "==> ruff check ."; $(RUFF) check . || rc=1; \
	echo "==> ruff format --check ."; $(RUFF) format --check . || rc=1; \
	echo "==> lint-imports (the layers of docs/architecture.md)"; $(BIN)/lint-imports --no-cache || rc=1; \
	echo "==> mypy (django-stubs; strict on lib, core, accounts)"; DATABASE_URL='sqlite://:memory:' $(BIN)/mypy || rc=1; \
	echo "==> pip-audit"; \
	if $(BIN)/python -c 'import django, urllib.request as u; u.urlopen(f"https://pypi.org/pypi/django/{django.__version__}/json", timeout=15)' >/dev/null 2>&1; then \
		$(BIN)/pip-audit --skip-editable --progress-spinner off || rc=1; \
	else \
		echo "SKIPPED pip-audit: PyPI's JSON API (vulnerability data) is not reachable from here"; \
	fi; \
	exit $$rc

format: install ## ruff format + ruff check --fix
	$(RUFF) format .
	$(RUFF) check --fix .

check-migrations: install ## fail if models changed without a migration
	@echo "==> chibo makemigrations --check --dry-run"
	@DATABASE_URL='sqlite://:memory:' $(CHIBO) makemigrations --check --dry-run

# --- tests ---------------------------------------------------------------------

# Browser tests need /usr/bin/chromium: scripts/ensure-chromium installs it as
# root, fails in CI (CI=true) when it cannot, and otherwise we skip them
# (CHIBO_SKIP_BROWSER=1). pytest's "no tests collected" (exit 5) is a failure.
# scripts/test-suites runs pytest on SQLite and on PostgreSQL side by side (SQLite's
# output printed after PostgreSQL's) and fails if either fails; CHIBO_TEST_SERIAL=1
# runs them one after the other.
test: install ## lint, migrations check, pytest on SQLite and on PostgreSQL (side by side)
	@trap 'rc=$$?; el=$$(( $$(date +%s) - $(START_TIME) )); \
		if [ $$rc -eq 0 ]; then st=OK; else st="FAILED (exit $$rc)"; fi; \
		printf "\n==> make test: %s in %dm%02ds\n" "$$st" $$((el / 60)) $$((el % 60))' EXIT; \
	set -e; \
	$(MAKE) --no-print-directory lint; \
	$(MAKE) --no-print-directory check-migrations; \
	if [ "$${CHIBO_SKIP_BROWSER:-}" != 1 ]; then \
		crc=0; scripts/ensure-chromium || crc=$$?; \
		if [ $$crc -eq 3 ]; then export CHIBO_SKIP_BROWSER=1; \
		elif [ $$crc -ne 0 ]; then exit $$crc; fi; \
	fi; \
	lrc=0; scripts/ensure-libreoffice-calc || lrc=$$?; \
	if [ $$lrc -ne 0 ] && [ $$lrc -ne 3 ]; then exit $$lrc; fi; \
	scripts/test-suites $(PYTEST) -m "not bench"

# Bench tests print their figures (-s). No bench tests yet (exit 5) is fine.
bench: install ## scale benchmarks (pytest -m bench -s) on SQLite then PostgreSQL
	@run_bench() { \
		rc=0; "$$@" || rc=$$?; \
		if [ $$rc -eq 5 ]; then echo "NOTE: no bench tests collected (ok)"; return 0; fi; \
		return $$rc; \
	}; \
	set -e; \
	export CHIBO_FUZZ_EXAMPLES=$${CHIBO_FUZZ_EXAMPLES:-5000}; \
	echo "==> pytest -m bench -s on SQLite"; \
	run_bench env -u DATABASE_URL $(PYTEST) -m bench -s; \
	echo "==> fuzz (CHIBO_FUZZ_EXAMPLES=$$CHIBO_FUZZ_EXAMPLES)"; \
	env -u DATABASE_URL $(PYTEST) tests/security/test_fuzz.py -m "not bench" -q; \
	echo "==> pytest -m bench -s on PostgreSQL"; \
	run_bench scripts/with-postgres $(PYTEST) -m bench -s; \
	el=$$(( $$(date +%s) - $(START_TIME) )); \
	printf "\n==> make bench: OK in %dm%02ds\n" $$((el / 60)) $$((el % 60))

clean: ## remove var/ (local database included), artifacts/ and caches (keeps .venv)
	rm -rf var artifacts .pytest_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
