# CaseDesk developer commands. Quick start: `make run` (the app on a demo caseload), `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.casedesk-installed
HAVE_UV := $(shell command -v uv 2>/dev/null)

.PHONY: run test lint typecheck bench screenshots dist selftest-dist install-desktop translations lock clean

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

# Check the bundle works (no display needed).
selftest-dist:
	QT_QPA_PLATFORM=offscreen dist/casedesk/casedesk --self-test

# Linux: menu entry and icon for the current user (the `casedesk` command must be on PATH).
DESKTOP_DIR ?= $(HOME)/.local/share/applications
ICON_DIR ?= $(HOME)/.local/share/icons/hicolor/scalable/apps
install-desktop:
	install -d $(DESKTOP_DIR) $(ICON_DIR)
	install -m 644 resources/linux/casedesk.desktop $(DESKTOP_DIR)/casedesk.desktop
	install -m 644 resources/icons/casedesk.svg $(ICON_DIR)/casedesk.svg
	-command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database $(DESKTOP_DIR)
	-command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t $(HOME)/.local/share/icons/hicolor

# Refresh resources/translations/*.ts from the tr() calls, then compile the .qm files the app loads.
TR_SOURCES := casedesk/gui/main_window.py casedesk/gui/notes/editor.py casedesk/gui/notes/spelling.py casedesk/gui/unlock/*.py \
	casedesk/gui/help/*.py casedesk/gui/firstrun/*.py
translations: $(STAMP)
	$(VENV)/bin/pyside6-lupdate $(TR_SOURCES) -ts resources/translations/casedesk_es.ts
	$(VENV)/bin/pyside6-lrelease resources/translations/casedesk_es.ts -qm resources/translations/casedesk_es.qm

# Regenerate the lock files after changing dependencies in pyproject.toml (needs uv).
lock:
	uv lock
	uv export --frozen --no-hashes --no-emit-project --format requirements-txt -o requirements.lock

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
