# Two commands matter: `make run` and `make test`. The rest are building blocks.
SHELL := /bin/bash
# CPython 3.12 or newer: 3.11 (seen with 3.11.2 and 3.11.7) can crash in its garbage
# collector when SQLAlchemy's weak-reference callbacks run while an instance dictionary is
# being built (see docs/architecture.md). Takes python3.12, python3.13, a pyenv 3.12 or 3.13,
# then python3.
PYTHON ?= $(shell \
  for v in python3.12 python3.13; do $$v -c '' 2>/dev/null && { command -v $$v; exit; }; done; \
  for v in $$(pyenv versions --bare 2>/dev/null | grep -E '^3\.1[23]\.' | sort -V); do \
    echo "$$(pyenv root)/versions/$$v/bin/python3"; exit; done; \
  command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000
BROWSER_DEPS := tests/browser/node_modules/axe-core/axe.min.js
LOCALES_DIR := locales
POT := $(LOCALES_DIR)/messages.pot

.PHONY: run test install lint typecheck test-sqlite test-postgres test-browser \
        translations-extract translations-update translations-compile translations-check clean \
        bench-pages bench-search bench-imports

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

## Serve on http://127.0.0.1:$(PORT) with the embedded SQLite database under instance/.
run: install translations-compile
	APP_ENV=development $(FLASK) db upgrade
	APP_ENV=development $(FLASK) data bootstrap
	APP_ENV=development $(FLASK) search rebuild --if-missing
	APP_ENV=development $(FLASK) run --host 127.0.0.1 --port $(PORT)

## The whole suite: lint, types, catalogs, tests on SQLite, on PostgreSQL when TEST_DATABASE_URL is set, browser.
test: install translations-compile lint typecheck translations-check test-sqlite test-postgres test-browser

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

test-sqlite:
	$(BIN)/pytest -m "not browser" -q

test-postgres:
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL"; \
	  TEST_DATABASE=postgres $(BIN)/pytest -m "not browser" -q; \
	else echo "TEST_DATABASE_URL not set: PostgreSQL run skipped"; fi

$(BROWSER_DEPS): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --silent
	touch $@

test-browser: install $(BROWSER_DEPS)
	$(BIN)/pytest -m browser -q

translations-extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --project Lokaltilbud -o $(POT) .

translations-update: translations-extract
	$(BIN)/pybabel update -i $(POT) -d $(LOCALES_DIR) --no-fuzzy-matching --ignore-obsolete

translations-compile: install
	$(BIN)/pybabel compile -d $(LOCALES_DIR) --statistics
	$(BIN)/pybabel compile -d admin/translations -D admin

translations-check: install
	$(BIN)/python -m directory.i18n_check

## Benchmarks write their figures into docs/performance.md.
## bench-search needs Norwegian prose: make bench-search CORPUS='reports/*.txt'
bench-pages: install
	$(BIN)/python bench/pages.py

bench-imports: install
	$(BIN)/python bench/imports.py $(BENCH_ARGS)

bench-search: install
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/search.py --corpus '$(CORPUS)' $(BENCH_ARGS)

clean:
	rm -rf $(VENV) tests/browser/node_modules .pytest_cache .mypy_cache .ruff_cache
