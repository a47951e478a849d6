# A newcomer's two commands: `make run` and `make test`. Everything else here serves them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
MANAGE := $(BIN)/python manage.py

.PHONY: run serve worker backup restore lock install-runtime test bench audit install setup content check lint format migrations-check test-postgres superuser clean

# Two locked sets (pip-tools, every package pinned with its hashes; see the README to upgrade):
# requirements/runtime.txt is what the site needs to run, and all `make serve` installs;
# requirements/development.txt adds the tests and tools, for `make run` and `make test`.
# Each is installed again only when its lock file changes.
$(BIN)/.runtime-installed: requirements/runtime.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/runtime.txt
	touch $@

$(BIN)/.installed: requirements/development.txt $(BIN)/.runtime-installed
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/development.txt
	touch $@

install: $(BIN)/.installed

install-runtime: $(BIN)/.runtime-installed

# After editing requirements/*.in (or to take newer versions: add --upgrade), write the locks again.
lock: install
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --output-file requirements/runtime.txt requirements/runtime.in
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --output-file requirements/development.txt requirements/development.in

# Migrate, and load the site's content into an empty database only: staff edits survive.
setup: install
	$(MANAGE) compile_translations --verbosity 0
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_content

# Put the shipped content back on purpose: edits to the same pages are replaced.
content: install
	@echo "This replaces edits made in the admin to the shipped pages with fixtures/ (Ctrl+C to stop)."
	@sleep 3
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_content --overwrite

run: setup
	@echo ""
	@echo "The site is starting. Open http://$(HOST):$(PORT)/ in your browser (Ctrl+C stops it)."
	@echo ""
	$(MANAGE) runserver $(HOST):$(PORT)

# Production (see README, "Deploying"): migrate, load the shipped content into an empty database
# (never over staff edits), collect static files, then gunicorn on HOST:PORT with WEB_CONCURRENCY
# workers, and the background worker that sends e-mail beside it (it waits out a database restart,
# and is started again whenever it stops). Stopping `make serve` stops both. Every setting comes from
# the environment; start-up names any that is missing. Both write their counts for /metrics into
# one folder (PROMETHEUS_MULTIPROC_DIR, emptied at each start; a new one if unset).
serve worker: export DJANGO_SETTINGS_MODULE = mesoclinic.settings.production
serve: install-runtime
	$(MANAGE) compile_translations --verbosity 0
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_content
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(MANAGE) write_error_pages --verbosity 0
	$(MANAGE) make_renditions
	metrics=$${PROMETHEUS_MULTIPROC_DIR:-$$(mktemp -d -t mesoclinic-metrics-XXXXXX)}; mkdir -p "$$metrics"; rm -f "$$metrics"/*.db; export PROMETHEUS_MULTIPROC_DIR="$$metrics"; \
	( while true; do $(MANAGE) requeue_stalled_tasks --verbosity 0; $(MANAGE) run_worker; echo "The worker stopped (exit $$?): starting it again in 5 s." >&2; sleep 5; done ) & worker=$$!; \
	trap 'children=$$(pgrep -P $$worker); kill $$worker 2>/dev/null; kill $$children 2>/dev/null; wait $$worker' EXIT; \
	HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn --config deploy/gunicorn.conf.py

# The background worker alone, for a server that runs only that (or a second one).
worker: install-runtime
	$(MANAGE) requeue_stalled_tasks
	$(MANAGE) run_worker

# A backup of the database and the uploaded pictures into a new folder under BACKUP_DIR
# (default backups/), and putting one back: make restore BACKUP=backups/mesoclinic-<time>.
# In production, run them with the same environment as `make serve` (deploy/ has a daily timer).
backup: install-runtime
	$(MANAGE) backup_site

restore: install-runtime
	@test -n "$(BACKUP)" || { echo "Say which backup: make restore BACKUP=backups/mesoclinic-<time>"; exit 2; }
	$(MANAGE) restore_site "$(BACKUP)"

check: install
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

# A new migration must be one the old code, still running during a rolling deploy, can live with
# (django-migration-linter; docs/deploying.md, "Deploys without downtime"; pyproject.toml lists
# the migrations released before the check).
# It reads PostgreSQL's SQL (production's; SQLite rebuilds a table for any change, which it flags):
# the PostgreSQL at MIGRATIONS_CHECK_DATABASE_URL, or this machine's, when one answers.
MIGRATIONS_CHECK_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
migrations-check: install
	@if $(BIN)/python -c "import psycopg, sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$(MIGRATIONS_CHECK_DATABASE_URL)" 2>/dev/null; then \
		DATABASE_URL="$(MIGRATIONS_CHECK_DATABASE_URL)" DJANGO_SETTINGS_MODULE=mesoclinic.settings.test $(MANAGE) lintmigrations --quiet ok ignore; \
	else \
		echo "No PostgreSQL answers at MIGRATIONS_CHECK_DATABASE_URL: the migrations are read as SQLite's."; \
		DJANGO_SETTINGS_MODULE=mesoclinic.settings.test $(MANAGE) lintmigrations --quiet ok ignore; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Every test, on SQLite unless DATABASE_URL says otherwise. Browser tests need /usr/bin/chromium:
# without it they are skipped with a plain message (and fail the run when CI=true).
test: install lint check migrations-check
	DJANGO_SETTINGS_MODULE=mesoclinic.settings.test $(MANAGE) compile_translations --verbosity 0
	DJANGO_SETTINGS_MODULE=mesoclinic.settings.test $(BIN)/python -m pytest

# The same suite against the PostgreSQL server on this machine.
test-postgres:
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(MAKE) test

# What a page costs a phone and the server, against the goals in bench/run.py (not part of `test`:
# timings belong in a benchmark, not in pass/fail tests). DATABASE_URL picks the database.
bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/serve.py

# Lighthouse (mobile) and the Nu Html Checker on every public page and form state, against the site
# as `make serve` runs it (PostgreSQL and Redis on this machine). Both come from package.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

audit: install node_modules/.installed
	CHROME_PATH=$${CHROME_PATH:-/usr/bin/chromium} $(BIN)/python bench/audit.py

superuser: setup
	$(MANAGE) createsuperuser

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache .hypothesis staticfiles
