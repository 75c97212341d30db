"""Sync in the main window: "Sync now" (toolbar + File menu), "Connect to agency server…", the conflict
review pane (a dock), and the sync part of the status bar. The window calls install_sync_ui(window) once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu

from casedesk.gui.conflicts.pane import ConflictsPane
from casedesk.gui.ops import Changes
from casedesk.gui.sync.controller import SYNCED_TABLES, SyncController, SyncOutcome
from casedesk.gui.sync.enrol import EnrolDialog
from casedesk.gui.sync.rules import StatusParts

if TYPE_CHECKING:
    from casedesk.gui.main_window import MainWindow


def _file_menu(window: MainWindow) -> QMenu:
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and action.text().replace("&", "") == "File":
            return menu
    return window.menuBar().addMenu("&File")


class SyncUi(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.context = window.context
        self.controller = SyncController(self.context, self)
        self.enrol_dialog: EnrolDialog | None = None

        # ---- the conflict pane, a dock hidden until asked for ----
        self.conflicts = ConflictsPane(self.context)
        self.conflicts_dock = QDockWidget("Sync conflicts", window)
        self.conflicts_dock.setObjectName("conflicts_dock")
        self.conflicts_dock.setAccessibleName("Sync conflicts")
        self.conflicts_dock.setWidget(self.conflicts)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.conflicts_dock)
        self.conflicts_dock.hide()
        self.conflicts_dock.visibilityChanged.connect(self.on_conflicts_visibility)
        self.conflicts.sig_message.connect(window.show_message)
        self.conflicts.sig_resolved.connect(lambda _id: self.controller.refresh())

        # ---- actions ----
        self.sync_action = QAction("S&ync now", window)
        self.sync_action.setObjectName("sync_now_action")
        self.sync_action.setShortcut(QKeySequence("F5"))
        self.sync_action.setToolTip("Send your work to the agency server and bring back changes")
        self.sync_action.setStatusTip(self.sync_action.toolTip())
        self.sync_action.triggered.connect(self.on_sync_now)
        self.enrol_action = QAction("Co&nnect to agency server…", window)
        self.enrol_action.setObjectName("enrol_action")
        self.enrol_action.setStatusTip("Connect this computer to the agency server with a one-time code")
        self.enrol_action.triggered.connect(self.open_enrol_dialog)
        self.conflicts_action = QAction("Review sync &conflicts…", window)
        self.conflicts_action.setObjectName("conflicts_action")
        self.conflicts_action.setStatusTip("Records changed in two places: see both versions and decide")
        self.conflicts_action.triggered.connect(self.open_conflicts)
        for action in (self.sync_action, self.enrol_action, self.conflicts_action):
            window.addAction(action)
        menu = _file_menu(window)
        menu.insertActions(window.lock_action, [self.sync_action, self.enrol_action, self.conflicts_action])
        menu.insertSeparator(window.lock_action)
        window.toolbar.addAction(self.sync_action)

        # ---- status bar ----
        label = window.sync_label
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        label.linkActivated.connect(lambda _href: self.open_conflicts())

        # ---- wiring ----
        self.controller.sig_status.connect(self.show_status)
        self.controller.sig_synced.connect(self.on_synced)
        self.controller.sig_failed.connect(window.show_message)
        self.controller.sig_running.connect(lambda running: self.sync_action.setEnabled(not running and not self.context.is_locked))
        self.context.sig_changed.connect(self.on_changes)
        window.sig_unlocked.connect(self.on_unlocked)
        window.sig_locked.connect(self.on_locked)
        if self.context.is_locked:
            self.on_locked()
        else:
            self.on_unlocked()

    # ---- lock state -----------------------------------------------------------------------------------

    def on_unlocked(self) -> None:
        for action in (self.sync_action, self.enrol_action, self.conflicts_action):
            action.setEnabled(True)
        self.controller.start()
        if self.conflicts_dock.isVisible():
            self.conflicts.load()

    def on_locked(self) -> None:
        self.controller.stop()
        self.conflicts.clear()
        self.conflicts_dock.hide()
        if self.enrol_dialog is not None:
            self.enrol_dialog.reject()
        for action in (self.sync_action, self.enrol_action, self.conflicts_action):
            action.setEnabled(False)
        self.window.sync_label.setText("Sync paused while locked")
        self.window.sync_label.setToolTip("")

    # ---- status ---------------------------------------------------------------------------------------

    def show_status(self, parts: object) -> None:
        assert isinstance(parts, StatusParts)
        if self.context.is_locked:
            return
        label = self.window.sync_label
        label.setText(parts.rich_text())
        label.setToolTip(parts.tooltip)
        label.setStyleSheet("color: #a40000;" if parts.problem else "")
        self.conflicts_action.setText(
            f"Review sync &conflicts ({parts.conflicts})…" if parts.conflicts else "Review sync &conflicts…"
        )

    def on_changes(self, changes: object) -> None:
        assert isinstance(changes, Changes)
        if self.context.is_locked or not changes.touches(*SYNCED_TABLES):
            return
        self.controller.refresh()  # ops waiting and conflicts may have changed

    def on_synced(self, outcome: object) -> None:
        assert isinstance(outcome, SyncOutcome)
        result = outcome.result
        if result.pulled:
            # open client tabs show what the sync brought in
            open_clients = [ws.client_id for ws in self.window.workspaces()]
            if open_clients:
                self.context.notify(Changes(frozenset(SYNCED_TABLES), clients=frozenset(open_clients)))
        if self.conflicts_dock.isVisible() or result.conflicts:
            self.conflicts.load()
        pieces = [f"Synced: {result.pushed} sent, {result.pulled} received"]
        if result.conflicts:
            pieces.append(f"{result.conflicts} new conflict{'s' if result.conflicts != 1 else ''} to review")
        if result.stuck:
            pieces.append(f"{result.stuck} change{'s' if result.stuck != 1 else ''} could not be sent")
        self.window.show_message(", ".join(pieces) + ".")

    # ---- actions --------------------------------------------------------------------------------------

    def on_sync_now(self) -> None:
        self.controller.sync_now()

    def open_conflicts(self) -> None:
        if self.context.is_locked:
            return
        self.conflicts_dock.show()
        self.conflicts_dock.raise_()
        self.conflicts.load()

    def on_conflicts_visibility(self, visible: bool) -> None:
        if visible and not self.context.is_locked:
            self.conflicts.load()

    def open_enrol_dialog(self) -> EnrolDialog | None:
        if self.context.is_locked:
            return None
        status = self.controller.last_status
        dialog = EnrolDialog(self.context, self.window, current_url=status.server_url if status else None)
        dialog.sig_enrolled.connect(self.on_enrolled)
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(lambda _code: setattr(self, "enrol_dialog", None))
        self.enrol_dialog = dialog
        dialog.open()
        return dialog

    def on_enrolled(self, info: object) -> None:
        from casedesk.sync.client import EnrolResult

        assert isinstance(info, EnrolResult)
        self.controller.revoked = False
        self.window.show_message(f"Connected to {info.server_url} as {info.name}. Syncing now…")
        self.controller.refresh()
        self.controller.last_status = None  # enrolled now: let the first sync start before the status is back
        self.controller.sync_now(automatic=True)


def install_sync_ui(window: MainWindow) -> SyncUi:
    """Add sync to the main window (call once, after the window is built)."""
    ui = SyncUi(window)
    window.sync_ui = ui  # type: ignore[attr-defined]
    return ui
