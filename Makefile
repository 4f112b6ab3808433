# Librarian Commons — developer commands. `make run` and `make test` need only Python ≥ 3.11.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
STAMP  := $(VENV)/.installed-dev

.PHONY: run test lint format install lock migrations shell clean

run: $(STAMP)
	DJANGO_DEBUG=1 $(PY) manage.py devserver --port $(PORT)

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

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
