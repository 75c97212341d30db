"""`casedesk` start-up: first run without a profile, the demo with its passphrase shown, into the window."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from casedesk.db.profile import ProfilePaths
from casedesk.gui.app import run
from casedesk.gui.main_window import MainWindow
from casedesk.gui.unlock.dialog import UnlockDialog
from casedesk.gui.unlock.wizard import FirstRunWizard

pytestmark = pytest.mark.gui


def when(condition: Callable[[], QWidget | None], then: Callable[[QWidget], None]) -> None:
    """Run `then(widget)` as soon as `condition()` finds it (checked from the event loop, no sleeping)."""

    def check() -> None:
        widget = condition()
        if widget is None:
            QTimer.singleShot(20, check)
        else:
            then(widget)

    QTimer.singleShot(0, check)


def modal(kind: type) -> Callable[[], QWidget | None]:
    def find() -> QWidget | None:
        widget = QApplication.activeModalWidget()
        return widget if isinstance(widget, kind) and widget.isVisible() else None

    return find


def test_first_start_without_a_profile_opens_the_set_up_wizard(qapp, tmp_path: Path) -> None:
    seen: list[str] = []
    when(modal(FirstRunWizard), lambda w: (seen.append(type(w).__name__), w.reject()))
    assert run(argparse.Namespace(data_dir=str(tmp_path / "new"), demo=False)) == 0
    assert seen == ["FirstRunWizard"]
    assert not ProfilePaths(tmp_path / "new").exists()  # cancelled before creating anything


def test_demo_shows_its_passphrase_and_unlocks_into_the_main_window(qapp, tmp_path: Path) -> None:
    seen: dict[str, object] = {}

    def unlock(dialog: QWidget) -> None:
        assert isinstance(dialog, UnlockDialog)
        seen["hint"] = dialog.form.demo_label.isVisible() and "demo" in dialog.form.demo_label.text()
        dialog.form.passphrase_edit.setText("demo")
        dialog.form.on_submit()

    def loaded_window() -> QWidget | None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible() and widget.caseload.model.rowCount():
                return widget
        return None

    def close(window: QWidget) -> None:
        assert isinstance(window, MainWindow)
        seen["title"] = window.windowTitle()
        seen["rows"] = window.caseload.model.total
        window.close()

    when(modal(UnlockDialog), unlock)
    when(loaded_window, close)
    assert run(argparse.Namespace(data_dir=str(tmp_path / "demo"), demo=True)) == 0
    assert seen["hint"] is True
    assert seen["title"] == "CaseDesk — demo profile"
    assert seen["rows"] == 60
    assert ProfilePaths(tmp_path / "demo").read_state().get("open") is False  # closed cleanly
