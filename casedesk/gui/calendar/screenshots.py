"""Offscreen pictures of the calendar views and the Today dashboard (for the docs and for review).

    python -m casedesk.gui.calendar.screenshots PROFILE_DIR OUT_DIR   # passphrase from CASEDESK_PASSPHRASE

Each widget is shown offscreen at a laptop size, its data loaded through the normal work source,
and grabbed to PNG.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from casedesk.db.store import Store
from casedesk.gui.calendar.pane import CalendarPane
from casedesk.gui.calendar.today import TodayDashboard

SIZE = (1280, 800)


def _wait(widget: QWidget, done: object, timeout_ms: int = 60_000) -> None:
    loop = QEventLoop()
    signal = getattr(widget, "sig_loaded")  # noqa: B009
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    signal.disconnect(loop.quit)
    del done


def render(store: Store, folder: Path) -> list[Path]:
    """calendar-month.png, calendar-week.png, calendar-agenda.png and today.png in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    pane = CalendarPane(store)
    pane.resize(*SIZE)
    pane.show()
    _wait(pane, None)
    for name in ("month", "week", "agenda"):
        if name != "month":
            pane.show_view(name)
            _wait(pane, None)
        QCoreApplication.processEvents()
        path = folder / f"calendar-{name}.png"
        pane.grab().save(str(path))
        written.append(path)
    pane.close()
    dashboard = TodayDashboard(store)
    dashboard.resize(*SIZE)
    dashboard.show()
    _wait(dashboard, None)
    QCoreApplication.processEvents()
    path = folder / "today.png"
    dashboard.grab().save(str(path))
    written.append(path)
    dashboard.close()
    source = getattr(pane, "source", None)
    for owner in (source, getattr(dashboard, "source", None)):
        wait = getattr(owner, "wait", None)
        if wait is not None:
            wait()
    return written


def main(argv: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication([])
    store = Store.open(Path(argv[0]), passphrase=os.environ.get("CASEDESK_PASSPHRASE", "demo"))
    try:
        for path in render(store, Path(argv[1])):
            print(path)
    finally:
        store.close()
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
