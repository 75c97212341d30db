"""The Help menu's actions, added to the main window by one call: install_help_menu(window, menu)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QWidget

from casedesk import diagnostics
from casedesk.gui.context import AppContext
from casedesk.gui.help.windows import AboutDialog, HelpWindow, ShortcutsDialog

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass
class HelpMenu:
    window: QMainWindow
    context: AppContext
    guide_action: QAction
    shortcuts_action: QAction
    diagnostics_action: QAction
    open_windows: list[QWidget] = field(default_factory=list)
    last_report: Path | None = None

    def show_guide(self) -> HelpWindow:
        guide = HelpWindow(self.window)
        self._show(guide)
        return guide

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self.window.actions(), self.window)
        self._show(dialog)
        return dialog

    def show_about(self) -> AboutDialog:
        dialog = AboutDialog(str(self.context.data_dir), self.window)
        self._show(dialog)
        return dialog

    def _show(self, widget: QWidget) -> None:
        self.open_windows = [w for w in self.open_windows if w.isVisible()]
        self.open_windows.append(widget)
        widget.show()

    def save_diagnostics(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self.window,
            QCoreApplication.translate("HelpMenu", "Save diagnostic report"),
            str(Path.home() / "casedesk-diagnostics.txt"),
            QCoreApplication.translate("HelpMenu", "Text files (*.txt)"),
        )
        if path:
            self.write_diagnostics(Path(path))

    def write_diagnostics(self, target: Path) -> None:
        """Read the settings when unlocked (off the UI thread), then write the report to `target`."""
        if self.context.is_locked:
            self._write(target, None)
            return

        def read(s: Session) -> dict[str, Any]:
            from casedesk.services import settings

            return settings.all_settings(s)

        self.context.submit(
            read, on_done=lambda values: self._write(target, values), on_error=lambda _e: self._write(target, None)
        )

    def _write(self, target: Path, values: object) -> None:
        from casedesk.vault import keychain

        report = diagnostics.build_report(
            settings=values if isinstance(values, dict) else None,
            keyring_backend=keychain.backend_name(),
            log_file=diagnostics.current_log_file(),
            data_dir=Path(self.context.data_dir),
        )
        try:
            diagnostics.write_report(target, report)
        except OSError as exc:
            show = getattr(self.window, "show_error", None)
            if callable(show):
                show(
                    QCoreApplication.translate("HelpMenu", "The diagnostic report could not be saved: {0}.").format(
                        exc.strerror or exc
                    )
                )
            return
        self.last_report = target
        message = getattr(self.window, "show_message", None)
        if callable(message):
            message(QCoreApplication.translate("HelpMenu", "Diagnostic report saved to {0}.").format(target))


def install_help_menu(window: QMainWindow, context: AppContext, menu: QMenu) -> HelpMenu:
    """Add User guide (F1), Keyboard shortcuts and Save diagnostic report to `menu`."""
    guide = QAction(QCoreApplication.translate("HelpMenu", "&User guide"), window)
    guide.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
    if guide.shortcut().isEmpty():
        guide.setShortcut(QKeySequence("F1"))
    shortcuts = QAction(QCoreApplication.translate("HelpMenu", "&Keyboard shortcuts"), window)
    report = QAction(QCoreApplication.translate("HelpMenu", "Save &diagnostic report…"), window)
    help_menu = HelpMenu(window, context, guide, shortcuts, report)
    guide.triggered.connect(help_menu.show_guide)
    shortcuts.triggered.connect(help_menu.show_shortcuts)
    report.triggered.connect(help_menu.save_diagnostics)
    for action in (guide, shortcuts, report):
        window.addAction(action)
        menu.addAction(action)
    menu.addSeparator()
    return help_menu
