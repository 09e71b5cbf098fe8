# The README's commands. Everything installs into .venv; nothing by hand.
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTHON ?= python3
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test test-fast lint format clean

# bash, so that a pipe fails when its first command does (the install's progress is filtered)
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

$(STAMP): pyproject.toml
	@echo "== installing Agora and its dependencies into $(VENV) (the first time takes a few minutes)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# one line per package fetched, so a first install shows it is moving
	$(BIN)/python -m pip install --progress-bar off -e '.[dev]' \
	  | awk '/^(Collecting|Successfully installed)/ { print substr($$0, 1, 100); fflush() }'
	touch $(STAMP)
	@echo "== installed"

install: $(STAMP)

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

clean:
	rm -rf $(VENV) agora.sqlite3 staticfiles .pytest_cache .hypothesis artifacts
