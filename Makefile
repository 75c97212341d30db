# CaseDesk developer commands. Quick start: `make run` (the app on a demo caseload), `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.casedesk-installed
HAVE_UV := $(shell command -v uv 2>/dev/null)

.PHONY: run test lint typecheck bench screenshots dist lock clean

$(STAMP): pyproject.toml requirements.lock
ifdef HAVE_UV
	uv sync --frozen
else
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
endif
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m casedesk --demo

test: $(STAMP) lint
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check casedesk tests bench
	$(PY) -m mypy

bench: $(STAMP)
	$(PY) -m bench

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m casedesk.gui.screenshots docs

dist: $(STAMP)
	$(PY) -m PyInstaller --noconfirm build.spec

# Regenerate the lock files after changing dependencies in pyproject.toml (needs uv).
lock:
	uv lock
	uv export --frozen --no-hashes --no-emit-project --format requirements-txt -o requirements.lock

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
