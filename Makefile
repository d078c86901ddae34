# The index of what a developer can do. Every target works on a fresh clone.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# axe-core for the browser tests, from the npm registry at the version package-lock.json pins.
NODE_STAMP := node_modules/.installed

.PHONY: help install run test lint format bench migrate sample clean screenshots

help:
	@echo "make run     install, migrate, load sample codes, serve http://127.0.0.1:8000 with a Celery worker and beat"
	@echo "make test    install, lint, and run the whole test suite"
	@echo "make lint    ruff check + ruff format --check"
	@echo "make format  ruff format and fix"
	@echo "make bench   the site under gunicorn (production settings) vs a bare Django view, one table"
	@echo "make screenshots  PNGs of the main pages at 1280 and 390 px into docs/screenshots/"

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

sample: migrate
	$(BIN)/python manage.py load_sample_data

run: sample
	$(BIN)/python manage.py setup_roles 2>/dev/null || true
	PATH="$(CURDIR)/$(BIN):$$PATH" bash bin/run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install $(NODE_STAMP) lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The load generator is Debian's wrk; the bench needs PostgreSQL and Redis (see README).
bench: install
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

screenshots: install
	SCREENSHOT_DIR="$(CURDIR)/docs/screenshots" $(BIN)/python -m pytest tests/browser/screenshots.py -q

clean:
	rm -rf $(VENV) node_modules var/*.sqlite3 var/static .pytest_cache
