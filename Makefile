# A newcomer's two commands: `make run` and `make test`. Everything else here serves them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
MANAGE := $(BIN)/python manage.py

.PHONY: run test bench install setup content check lint format migrations-check test-postgres superuser clean

# The venv is rebuilt only when requirements.txt changes.
$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

install: $(BIN)/.installed

# Migrate and (re)load the site's content. Fixtures carry fixed keys, so loading again updates
# the same rows instead of adding copies.
setup: install
	$(MANAGE) migrate --noinput
	$(MANAGE) loaddata clinic mesotherapy

run: setup
	@echo ""
	@echo "The site is starting. Open http://$(HOST):$(PORT)/ in your browser (Ctrl+C stops it)."
	@echo ""
	$(MANAGE) runserver $(HOST):$(PORT)

check: install
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

migrations-check: check

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Every test, on SQLite unless DATABASE_URL says otherwise. Browser tests need /usr/bin/chromium:
# without it they are skipped with a plain message (and fail the run when CI=true).
test: install lint check
	DJANGO_SETTINGS_MODULE=mesoclinic.settings.test $(BIN)/python -m pytest

# The same suite against the PostgreSQL server on this machine.
test-postgres:
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(MAKE) test

# What a page costs a phone and the server, against the goals in bench/run.py (not part of `test`:
# timings belong in a benchmark, not in pass/fail tests). DATABASE_URL picks the database.
bench: install
	$(BIN)/python bench/run.py

superuser: setup
	$(MANAGE) createsuperuser

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis staticfiles
