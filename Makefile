# Two commands on a fresh machine: `make demo` and `make test`. `make install` is the
# idempotent step both use: it (re)installs only when pyproject.toml changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export SAWT_HOME ?= $(CURDIR)/var

.PHONY: install demo serve test test-e2e lint format bench bench-reports bench-pages bench-form bench-api clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: install
	$(BIN)/sawt demo

serve: install
	$(BIN)/sawt migrate --no-input --verbosity 0
	$(BIN)/sawt serve

test: install
	$(BIN)/pytest

# Browser tests: the demo served by gunicorn, driven by Debian's Chromium (skipped without it);
# screenshots land in var/test-artifacts/e2e/.
test-e2e: install
	$(BIN)/pytest tests_e2e -m e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python bench/run.py

# The demo journey's PDF, the 20-journey portfolio PDF and the XLSX export, timed.
bench-reports: install
	$(BIN)/python bench/reports.py

# Server time of the journey page and the other pages on PostgreSQL with the 1 M-response
# bench data (a throwaway database, about 6 min; `--responses 20000 --complaints 4000` is quick).
bench-pages: install
	$(BIN)/python bench/pages.py

# The public form under load: 1,000 submissions, 100 at once, to `sawt serve` on 127.0.0.1, on
# SQLite and on PostgreSQL (a throwaway database), beside a bare Django view (about 2 min).
bench-form: install
	$(BIN)/python bench/form_load.py

clean:
	rm -rf $(VENV) var .pytest_cache

# Complaints per second through POST /api/v1/complaints/ against the file import (docs/benchmarks.md).
bench-api: install
	$(BIN)/python bench/api_ingest.py
