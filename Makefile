# Librarian Commons — developer commands. `make run` and `make test` need only Python ≥ 3.11.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
STAMP  := $(VENV)/.installed-dev

.PHONY: run test test-fast lint format install lock migrations shell clean bench lighthouse backup restore

run: $(STAMP)
	DJANGO_DEBUG=1 $(PY) manage.py devserver --port $(PORT)

# Tests run in parallel (pytest-xdist), each worker on a database of its own in the same
# PostgreSQL. TEST_WORKERS=auto is a worker per core plus one (tests/conftest.py); TEST_WORKERS=0
# runs them in this one process. Locally each worker's database is kept between runs
# (--reuse-db; PYTEST_ARGS=--create-db rebuilds it), CI (CI=true) builds them afresh.
TEST_WORKERS ?= auto
PYTEST := $(PY) -m pytest -n $(TEST_WORKERS) --dist load $(if $(CI),,--reuse-db)

# Coverage of the app's Python and templates (pyproject.toml); `make test COVERAGE=` runs without
# it, about a third faster on Python 3.11.
COVERAGE ?= --cov --cov-report=term

test: $(STAMP)
	@mkdir -p var/coverage
	$(PYTEST) $(COVERAGE) $(PYTEST_ARGS)

# Without the browser tests and those starting servers or workers: a quick check while working.
test-fast: $(STAMP)
	$(PYTEST) -m "not browser and not processes" $(PYTEST_ARGS)

# Types ([tool.mypy] in pyproject.toml). django-stubs' plugin loads the settings: DATABASE_URL
# names a database that is never opened, so no embedded PostgreSQL starts for it.
MYPY := DJANGO_DEBUG=1 DATABASE_URL=postgres://type-check.invalid/unused $(VENV)/bin/mypy

# .pre-commit-config.yaml runs the same checks on each commit (`.venv/bin/pre-commit install`)
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(MYPY)
	$(VENV)/bin/djlint templates --lint
	find . -name '*.py' -not -path './$(VENV)/*' -not -path './node_modules/*' -not -path './var/*' -print0 \
		| xargs -0 $(VENV)/bin/django-upgrade --target-version 5.2 --check
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Benchmarks (issue 9): build the data set at SCALE (500 = 100,000 stories; 5 for a smoke run),
# serve it with the production settings under gunicorn, load it with wrk, then scan the headers
# with the Mozilla HTTP Observatory. Figures go to benchmarks/RESULTS.md.
SCALE ?= 500
BENCH_ARGS ?=
bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { echo "make bench needs wrk, an HTTP load generator: apt-get install wrk (Debian/Ubuntu) or brew install wrk (macOS)"; exit 2; }
	$(PY) -m benchmarks.run --scale $(SCALE) $(BENCH_ARGS)
	$(PY) -m benchmarks.observatory --if-available

# Lighthouse (accessibility, best practices, SEO; mobile and desktop) on the main pages, served
# with the production settings over HTTPS on 127.0.0.1. Needs node and Chromium; Lighthouse
# itself is fetched into node_modules/ on first use (not needed by `make test`).
LIGHTHOUSE_VERSION ?= 12.8.2
LIGHTHOUSE_ARGS ?=
lighthouse: $(STAMP)
	@command -v node >/dev/null 2>&1 || { echo "make lighthouse needs node and npm: apt-get install nodejs npm (Debian/Ubuntu) or brew install node (macOS)"; exit 2; }
	@test -f node_modules/lighthouse/cli/index.js || { echo "Installing lighthouse@$(LIGHTHOUSE_VERSION) into node_modules/ (once; not saved to any manifest)…"; npm install --no-save --no-audit --no-fund lighthouse@$(LIGHTHOUSE_VERSION); }
	$(PY) -m benchmarks.lighthouse $(LIGHTHOUSE_ARGS)

# Backups of the database (the embedded one, or DATABASE_URL): `make backup` writes
# var/backups/<database>-<time>.dump (or FILE=…); `make restore FILE=…` loads one back, and
# needs FORCE=1 to replace a database that already has tables. Stop the app first.
backup: $(STAMP)
	$(PY) scripts/db_backup.py backup $(if $(FILE),--file "$(FILE)")

restore: $(STAMP)
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/<name>.dump [FORCE=1]"; exit 2; }
	$(PY) scripts/db_backup.py restore --file "$(FILE)" $(if $(FORCE),--force)

install: $(STAMP)

$(STAMP): requirements/dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.12, for example).")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	@# browser tests use the system Chromium when there is one, else Playwright's own
	@command -v chromium >/dev/null 2>&1 || [ -n "$$CHROMIUM_PATH" ] || $(VENV)/bin/playwright install chromium
	@touch $@

# Re-pin every dependency after editing pyproject.toml (needs network access to PyPI).
lock: $(STAMP)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.11 --quiet -o requirements/base.txt
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --quiet -o requirements/dev.txt

migrations: $(STAMP)
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations

shell: $(STAMP)
	DJANGO_DEBUG=1 $(PY) manage.py shell

clean:
	rm -rf $(VENV) var
