# The README's commands. Everything installs into .venv; nothing by hand.
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTHON ?= python3
STAMP := $(VENV)/.installed-stamp

.PHONY: install lock demo test test-fast lint format clean dist

# bash, so that a pipe fails when its first command does (the install's progress is filtered)
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

# Only from the lock (requirements/dev.txt: exact versions, every file's hash), never the
# ranges in pyproject.toml: two installs a month apart, or a city's server and its test
# machine, run the same code. `make lock` resolves the ranges again (docs/operations.md).
$(STAMP): pyproject.toml requirements/dev.txt
	@$(PYTHON) tools/lock.py --check
	@echo "== installing Agora and its dependencies into $(VENV) from the lock (the first time takes a few minutes)"
	$(PYTHON) -m venv $(VENV)
	@# one line per package fetched, so a first install shows it is moving
	$(BIN)/python -m pip install --progress-bar off --require-hashes --no-deps -r requirements/dev.txt \
	  | awk '/^(Collecting|Successfully installed)/ { print substr($$0, 1, 100); fflush() }'
	@# Agora itself, built with the locked setuptools (no unpinned build environment)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)
	@echo "== installed"

install: $(STAMP)

# Resolve pyproject.toml's ranges again into requirements/*.txt (commit them); `make install`
# refuses a pyproject.toml changed since.
lock: install
	$(BIN)/python tools/lock.py

# the letters' QR codes and the e-mails' links point at where the demo is served
demo: export AGORA_PUBLIC_URL ?= http://127.0.0.1:$(PORT)
demo: install
	$(BIN)/agora migrate --noinput
	$(BIN)/agora collectstatic --noinput --verbosity 0
	$(BIN)/agora load-demo
	@echo "Serving Agora on http://127.0.0.1:$(PORT)/ (admin: /admin/). Ctrl-C stops it."
	@# the background-job consumer (deadlines every 5 minutes, emails) runs beside the server
	$(BIN)/agora run_huey --quiet & HUEY=$$!; trap 'kill $$HUEY 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/agora runserver 127.0.0.1:$(PORT)

test: install lint
	$(BIN)/agora makemigrations --check --dry-run
	@# one worker per core (pytest-xdist): each has its own test database
	$(BIN)/pytest -n auto --durations=15

# Everything but the slow tests (load benchmarks, restore drill, browser journeys), with a
# short model-based run: for the edit-test loop. `make test` is what CI runs.
test-fast: install lint
	AGORA_MODEL_EXAMPLES=$${AGORA_MODEL_EXAMPLES:-3} $(BIN)/pytest -n auto -m "not slow" -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The wheel and the source distribution of this version (pyproject.toml), into dist/: templates,
# static files, catalogs and rulebooks inside (tests/test_release.py installs the wheel alone).
dist: install
	rm -rf dist
	$(BIN)/python -m build --no-isolation --sdist --wheel --outdir dist .

clean:
	rm -rf dist $(VENV) agora.sqlite3 staticfiles .pytest_cache .hypothesis artifacts
