"""Load the main window's modules in the background while the unlock screen waits for the passphrase.

Starting CaseDesk shows the unlock screen first, with only what it needs (Qt, the key file, the keychain);
SQLAlchemy, the data model, the services and every pane take about a second more to import, and that
second is spent while the worker types instead of after she presses Enter. Imports only: no widget and
no database is touched off the UI thread. A failed import here is ignored; the real import on the UI
thread reports it as usual.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

# What the main window adds once its store is open (sync, backups, the Today dashboard and calendar, the
# client workspace, settings): imported by MainWindow when it installs them, so loaded here beforehand.
WINDOW_EXTRAS_MODULES = (
    "casedesk.services.workspace",
    "casedesk.gui.calendar.install",
    "casedesk.gui.sync.ui",
    "casedesk.gui.backups.ui",
    "casedesk.gui.caseload.workspace",
    "casedesk.gui.settings.dialog",
)
MAIN_WINDOW_MODULES = ("casedesk.db.store", "casedesk.gui.main_window", *WINDOW_EXTRAS_MODULES)


def import_quietly(modules: tuple[str, ...]) -> None:
    """Import `modules` in order, stopping at the first failure (the UI thread's own import reports it)."""
    try:
        for name in modules:
            importlib.import_module(name)
    except Exception:
        pass


class WarmUp:
    def __init__(self, modules: tuple[str, ...] = MAIN_WINDOW_MODULES) -> None:
        self._modules = modules
        self._thread = threading.Thread(target=self._run, name="casedesk-warm-up", daemon=True)
        self.done = threading.Event()

    def start(self) -> WarmUp:
        self._thread.start()
        return self

    def start_after_first_paint(self, widget: QWidget) -> WarmUp:
        """Begin once `widget` has painted, so the loading does not slow the screen it hides behind."""
        after_first_paint(widget, self.start)
        return self

    def _run(self) -> None:
        try:
            import_quietly(self._modules)
        finally:
            self.done.set()


def after_first_paint(widget: QWidget, then: Callable[[], object]) -> None:
    """Call `then` once, right after `widget` first paints (the watcher is a child of `widget`)."""
    _FirstPaint(widget, then)


class _FirstPaint(QObject):
    def __init__(self, widget: QWidget, then: Callable[[], object]) -> None:
        super().__init__(widget)
        self._then: Callable[[], object] | None = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            then, self._then = self._then, None
            if then is not None:
                then()
        return False
