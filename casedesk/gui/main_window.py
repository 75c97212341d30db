"""The main window shell: panes (docks), client tabs, menus, toolbar, status bar, auto-lock.

It arranges panes and routes signals; what each pane shows and does lives in that pane's package.

The window and its caseload pane import no SQLAlchemy, models or services at module level: started with a
remembered passphrase, the window paints the caseload read before the store opened (a `CaseloadPreview`,
gui/startup.py) while the rest loads; `on_store_opened` then fills in everything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from casedesk.gui.autolock import IdleWatcher
from casedesk.gui.caseload.pane import CaseloadPane
from casedesk.gui.context import AppContext
from casedesk.gui.ops import Changes
from casedesk.gui.printing.actions import PrintActions
from casedesk.gui.unlock.form import UnlockForm
from casedesk.gui.upcoming.pane import UpcomingPane

if TYPE_CHECKING:  # loaded when first needed, after the first paint
    from sqlalchemy.orm import Session

    from casedesk.db.store import Store
    from casedesk.gui.caseload.workspace import ClientWorkspace
    from casedesk.gui.formeditor import FormEditorPane, FormFillDialog
    from casedesk.gui.settings.dialog import SettingsDialog
    from casedesk.services.caseload_preview import CaseloadPreview
    from casedesk.services.notes import Autosaved
    from casedesk.services.workspace import StatusCounts

SYNC_PLACEHOLDER = "Not connected to an agency server"
OPENING_TEXT = "Opening…"
STATUS_TABLES = ("progress_note", "service_plan", "quarterly_report", "client", "setting", "appointment", "follow_up")


@dataclass
class _Place:
    """Where the worker was when the window locked: open clients, their sections and note editors."""

    clients: list[str] = field(default_factory=list)
    current_client: int = -1
    sections: dict[str, int] = field(default_factory=dict)
    editors: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)  # client -> [(note id, exists)]
    carets: dict[str, tuple[str, int]] = field(default_factory=dict)  # editor key -> (section, cursor position)
    focused: str | None = None  # the editor key that had the keyboard focus


class LockScreen(QWidget):
    """Holds the unlock form, built the first time the window locks (asking the OS keychain whether it
    works can take half a second, which has no place on the path to the first paint)."""

    sig_unlocked = Signal(object)  # the open Store

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._form: UnlockForm | None = None
        self._layout = QVBoxLayout(self)
        self._layout.addStretch(1)

    @property
    def form(self) -> UnlockForm:
        if self._form is None:
            self._form = UnlockForm(self._context, self, title="CaseDesk is locked")
            self._form.setFixedWidth(min(520, max(320, self.width() - 40)))
            self._form.sig_unlocked.connect(self.sig_unlocked)
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(self._form)
            row.addStretch(1)
            self._layout.addLayout(row)
            self._layout.addStretch(2)
        return self._form


class MainWindow(QMainWindow):
    sig_locked = Signal()
    sig_unlocked = Signal()
    sig_closing = Signal()  # before the store closes (gui/startup.py: a store still opening is closed too)

    def __init__(
        self,
        context: AppContext,
        prefs: QSettings,
        parent: QWidget | None = None,
        preview: CaseloadPreview | None = None,
    ) -> None:
        """`preview`: the caseload read before the store opened; the window shows it with every action
        off until `on_store_opened` (or `on_store_failed`) is called. Without it, the context's store is
        open (or the window starts locked)."""
        super().__init__(parent)
        self.setObjectName("main_window")
        self.setWindowTitle(self.tr("CaseDesk") + (" — demo profile" if context.demo else ""))
        self.setAccessibleName("CaseDesk")
        self.context = context
        self.prefs = prefs
        self._place = _Place()
        self._offered_recovery = False
        self._quitting = False
        self.recovery_box: QMessageBox | None = None
        self.form_editor: FormEditorPane | None = None  # made the first time it is opened
        self.form_editor_dock: QDockWidget | None = None
        self.fill_dialog: FormFillDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        self._locked_state: QByteArray | None = None
        self._extras_installed = False

        # ---- panes ----
        self.caseload = CaseloadPane(context)
        self.caseload_dock = self._dock(self.tr("Caseload"), "caseload_dock", self.caseload, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.upcoming = UpcomingPane(context)
        self.upcoming_dock = self._dock(
            "Upcoming visits", "upcoming_dock", self.upcoming, Qt.DockWidgetArea.RightDockWidgetArea
        )

        self.client_tabs = QTabWidget()
        self.client_tabs.setObjectName("client_tabs")
        self.client_tabs.setAccessibleName("Open clients")
        self.client_tabs.setTabsClosable(True)
        self.client_tabs.setMovable(True)
        self.client_tabs.tabCloseRequested.connect(self.on_client_tab_close)
        self.home: QWidget = QLabel(
            "<h2>No client open</h2><p>Find a client in the caseload: press <b>Ctrl+F</b>, type part of a name, "
            "record number or agency, then press <b>Enter</b>.</p><p>Search the text of all notes with the box "
            "under the caseload.</p>"
        )
        self.home.setAccessibleName("No client open")
        self.home.setWordWrap(True)
        self.home.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.work_stack = QStackedWidget()
        self.work_stack.addWidget(self.home)
        self.work_stack.addWidget(self.client_tabs)
        self.lock_screen = LockScreen(context)
        self.lock_screen.sig_unlocked.connect(self.on_unlocked_from_lock)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.work_stack)
        self.stack.addWidget(self.lock_screen)
        self.setCentralWidget(self.stack)

        # ---- actions, menus, toolbar, status bar ----
        self._build_actions()
        self.print_actions = PrintActions(self, context, self.current_workspace, self.show_message, self.show_error)
        self.lock_label = QLabel()
        self.lock_label.setAccessibleName("Lock state")
        self.sync_label = QLabel(SYNC_PLACEHOLDER)
        self.sync_label.setAccessibleName("Sync state")
        self.counts_label = QLabel()
        self.counts_label.setAccessibleName("Unsigned drafts and overdue items")
        status = self.statusBar()
        status.addPermanentWidget(self.counts_label)
        status.addPermanentWidget(self.sync_label)
        status.addPermanentWidget(self.lock_label)

        # ---- wiring ----
        self._startup_place: _Place | None = None
        self.caseload.sig_loaded.connect(self.on_caseload_loaded)
        self.caseload.client_activated.connect(self.on_client_activated)
        self.caseload.note_activated.connect(self.open_note)
        self.upcoming.client_activated.connect(self.on_client_activated)
        context.sig_changed.connect(self.on_changes)
        context.sig_about_to_lock.connect(self.on_about_to_lock)
        context.ops.sig_failed.connect(self.show_error)
        self.idle = IdleWatcher(10, self)
        self.idle.sig_idle.connect(self.on_idle)

        self.resize(1280, 800)
        self.restore_layout()
        if preview is not None:
            self._show_preview(preview)
            return  # the rest is installed when the store has opened
        if context.is_locked:
            self._show_locked()
        else:
            self.on_unlocked()
        self._install_extras()

    def _install_extras(self) -> None:
        """Sync, backups, the Today dashboard and the calendar: added once, after the store has opened."""
        if self._extras_installed:
            return
        self._extras_installed = True
        from casedesk.gui.backups.ui import install_backup_ui
        from casedesk.gui.calendar.install import install_calendar_ui
        from casedesk.gui.sync.ui import install_sync_ui

        install_sync_ui(self)
        install_backup_ui(self)
        install_calendar_ui(self)

    # ---- construction helpers -------------------------------------------------------------------------

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setAccessibleName(title)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    def _action(self, text: str, slot: object, shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip or text.replace("&", "").rstrip("…"))
        action.setStatusTip(action.toolTip())
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.find_action = self._action(self.tr("&Find client"), self.on_find, QKeySequence.StandardKey.Find)
        self.new_note_action = self._action(self.tr("&New note"), self.on_new_note, QKeySequence.StandardKey.New)
        self.close_tab_action = self._action(self.tr("&Close tab"), self.on_close_tab, QKeySequence.StandardKey.Close)
        self.lock_action = self._action(self.tr("&Lock now"), self.lock, "Ctrl+L", "Hide all client data and lock CaseDesk")
        self.settings_action = self._action(self.tr("&Settings…"), self.on_settings, QKeySequence.StandardKey.Preferences)
        self.quit_action = self._action(self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        self.about_action = self._action(self.tr("&About CaseDesk"), self.on_about)
        self.fill_form_action = self._action(
            self.tr("Fill a &form…"), self.on_fill_form, tip="Fill in an agency form for the open client"
        )
        self.form_editor_action = self._action(
            self.tr("Form &editor"), self.on_form_editor, tip="Design agency forms, import XLSForms, publish versions"
        )
        if self.settings_action.shortcut().isEmpty():
            self.settings_action.setShortcut(QKeySequence("Ctrl+,"))

        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addAction(self.settings_action)
        file_menu.addAction(self.lock_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        client_menu = bar.addMenu(self.tr("&Client"))
        client_menu.addAction(self.find_action)
        client_menu.addAction(self.new_note_action)
        client_menu.addAction(self.fill_form_action)
        client_menu.addAction(self.close_tab_action)
        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.addAction(self.caseload_dock.toggleViewAction())
        view_menu.addAction(self.upcoming_dock.toggleViewAction())
        view_menu.addAction(self.form_editor_action)
        help_menu = bar.addMenu(self.tr("&Help"))
        from casedesk.gui.help.menu import install_help_menu

        self.help_menu = install_help_menu(self, self.context, help_menu)
        help_menu.addAction(self.about_action)

        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("main_toolbar")
        toolbar.setAccessibleName("Main toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.find_action, self.new_note_action, self.fill_form_action, self.lock_action, self.settings_action):
            toolbar.addAction(action)
        self.toolbar = toolbar
        self._client_actions = (
            self.find_action,
            self.new_note_action,
            self.close_tab_action,
            self.settings_action,
            self.fill_form_action,
            self.form_editor_action,
        )

    # ---- layout persistence ---------------------------------------------------------------------------

    def restore_layout(self) -> None:
        geometry = self.prefs.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = self.prefs.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty() and self.restoreState(state):
            return
        # first start: the caseload gets most of the room until a client is opened
        width = self.width()
        self.resizeDocks(
            [self.caseload_dock, self.upcoming_dock],
            [int(width * 0.44), int(width * 0.2)],
            Qt.Orientation.Horizontal,
        )

    def save_layout(self) -> None:
        self.prefs.setValue("window/geometry", self.saveGeometry())
        state = self.saveState() if not self.context.is_locked else self._locked_state
        if state is not None:
            self.prefs.setValue("window/state", state)
        self.prefs.sync()

    # ---- unlocked / locked ------------------------------------------------------------------------------

    def on_unlocked(self) -> None:
        """The context holds an open store: fill the panes and go back to where the worker was."""
        self.stack.setCurrentWidget(self.work_stack)
        if self._locked_state is not None:
            self.restoreState(self._locked_state)
        for action in self._client_actions:
            action.setEnabled(True)
        self.lock_action.setEnabled(True)
        self.lock_label.setText("Unlocked")
        # The caseload goes first (it is what the first paint shows); the rest follows once it is in.
        self._startup_place = self._place
        self._place = _Place()
        self.caseload.load()
        self.sig_unlocked.emit()

    def _show_preview(self, preview: CaseloadPreview) -> None:
        """The caseload as stored, shown while the store opens: read-only, every action off."""
        for action in (*self._client_actions, self.lock_action):
            action.setEnabled(False)
        self.lock_label.setText(OPENING_TEXT)
        self.stack.setCurrentWidget(self.work_stack)
        self.caseload.show_preview(preview.entries, preview.worker_id)

    def on_store_opened(self, store: Store) -> None:
        """The store opened behind the preview: everything else loads as after any unlock."""
        self.context.attach(store)
        self.on_unlocked()
        self._install_extras()

    def on_store_failed(self, exc: BaseException) -> None:
        """The store did not open behind the preview: no client data stays on screen; the lock screen asks
        for the passphrase and says why."""
        self.caseload.clear()
        self._show_locked()
        self._install_extras()
        self.lock_screen.form.show_remembered_failure(exc)

    def on_caseload_loaded(self, _count: int) -> None:
        place, self._startup_place = self._startup_place, None
        if place is None or self.context.is_locked:
            return
        from casedesk.services import notes, settings

        self.upcoming.load()
        self.refresh_counts()
        self.context.submit(lambda s: int(settings.get(s, "idle_lock_minutes")), on_done=self.on_idle_minutes)
        self.context.submit(notes.pending_autosaves, on_done=lambda saved: self.on_autosaves(saved, place))

    def on_idle_minutes(self, minutes: object) -> None:
        self.idle.set_minutes(int(str(minutes)))
        self.idle.watch(self.windowHandle())
        self.idle.start()

    def on_unlocked_from_lock(self, store: Store) -> None:
        from casedesk.services import workspace

        self.context.attach(store)
        self.context.submit(lambda s: workspace.record_lock(s, locked=False), write=True)
        self.on_unlocked()

    def on_about_to_lock(self) -> None:
        for ws in self.workspaces():
            ws.flush_editors()

    def lock(self) -> None:
        """Save drafts, remember the place, destroy every widget holding client data, close the store."""
        if self.context.is_locked:
            return
        self._place = self._capture_place()
        self._locked_state = self.saveState()
        self.context.lock()  # editors autosave in on_about_to_lock first
        for ws in self.workspaces():
            ws.close_all()
        while self.client_tabs.count():
            widget = self.client_tabs.widget(0)
            self.client_tabs.removeTab(0)
            if widget is not None:
                widget.deleteLater()
        self.work_stack.setCurrentWidget(self.home)
        self.caseload.clear()
        self.upcoming.clear()
        self._show_locked()
        self.sig_locked.emit()

    def _show_locked(self) -> None:
        self.idle.stop()
        if self._locked_state is None:
            self._locked_state = self.saveState()
        self.caseload_dock.hide()
        self.upcoming_dock.hide()
        if self.form_editor_dock is not None:
            self.form_editor_dock.hide()
        for action in self._client_actions:
            action.setEnabled(False)
        self.lock_action.setEnabled(False)
        self.counts_label.clear()
        self.lock_label.setText("Locked")
        self.lock_screen.form.reset()
        self.stack.setCurrentWidget(self.lock_screen)

    def on_idle(self) -> None:
        if not self.context.is_locked:
            self.lock()

    def _capture_place(self) -> _Place:
        place = _Place(current_client=self.client_tabs.currentIndex())
        for ws in self.workspaces():
            place.clients.append(ws.client_id)
            place.sections[ws.client_id] = min(ws.tabs.currentIndex(), ws.SECTION_COUNT - 1)
            place.editors[ws.client_id] = [
                (editor.note_id, editor.current_state().exists) for editor in ws.editors.values()
            ]
            focus = self.focusWidget()  # where the focus is, or goes back to when the window is active again
            for editor in ws.editors.values():
                caret = editor.caret()
                if caret is not None:
                    place.carets[editor.key] = caret
                if focus is not None and editor.isAncestorOf(focus):
                    place.focused = editor.key
        return place

    def on_autosaves(self, saved: object, place: _Place) -> None:
        assert isinstance(saved, list)
        from casedesk.gui.notes.state import editor_key

        by_key: dict[str, Autosaved] = {a.editor_key: a for a in saved}
        restored_keys: set[str] = set()
        for client_id in place.clients:
            ws = self.open_client(client_id)
            ws.carets.update(place.carets)
            ws.focus_key = place.focused
            ws.show_section(place.sections.get(client_id, 0))
            for note_id, exists in place.editors.get(client_id, []):
                key = editor_key(note_id)
                if key in by_key:
                    ws.open_recovered(by_key[key], announce=False)
                    restored_keys.add(key)
                elif exists:
                    ws.open_note(note_id)
        if place.clients and 0 <= place.current_client < self.client_tabs.count():
            self.client_tabs.setCurrentIndex(place.current_client)
        leftovers = [a for a in saved if a.editor_key not in restored_keys and a.client_id]
        if leftovers and not self._offered_recovery:
            self._offered_recovery = True
            self.offer_recovery(leftovers)

    def offer_recovery(self, leftovers: list[Autosaved]) -> None:
        count = len(leftovers)
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Recovered note drafts"))
        box.setText(
            f"CaseDesk kept {count} note draft{'s' if count != 1 else ''} that {'were' if count != 1 else 'was'} "
            "not saved when it last closed. Open them now?"
        )
        box.setInformativeText("If you choose Later, they stay safe and are offered again next time.")
        box.setStandardButtons(QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Ignore)
        box.button(QMessageBox.StandardButton.Ignore).setText("Later")
        open_button = box.button(QMessageBox.StandardButton.Open)
        open_button.setText("Open them")
        open_button.setIcon(QIcon())
        box.setDefaultButton(QMessageBox.StandardButton.Open)
        box.accepted.connect(lambda: self.restore_autosaves(leftovers))
        self.recovery_box = box
        box.open()

    def restore_autosaves(self, leftovers: list[Autosaved]) -> None:
        for autosaved in leftovers:
            if autosaved.client_id:
                self.open_client(autosaved.client_id).open_recovered(autosaved)

    # ---- clients ----------------------------------------------------------------------------------------

    def workspaces(self) -> list[ClientWorkspace]:
        if not self.client_tabs.count():
            return []
        from casedesk.gui.caseload.workspace import ClientWorkspace

        result = []
        for i in range(self.client_tabs.count()):
            widget = self.client_tabs.widget(i)
            if isinstance(widget, ClientWorkspace):
                result.append(widget)
        return result

    def workspace_for(self, client_id: str) -> ClientWorkspace | None:
        return next((ws for ws in self.workspaces() if ws.client_id == client_id), None)

    def on_client_activated(self, client_id: str) -> None:
        if self.context.is_locked:  # the store is still opening behind the preview: the client opens once it is in
            if client_id not in self._place.clients:
                self._place.clients.append(client_id)
            self._place.current_client = self._place.clients.index(client_id)
            return
        self.open_client(client_id)

    def open_client(self, client_id: str) -> ClientWorkspace:
        existing = self.workspace_for(client_id)
        if existing is not None:
            self.client_tabs.setCurrentWidget(existing)
            return existing
        from casedesk.gui.caseload.workspace import ClientWorkspace

        ws = ClientWorkspace(self.context, client_id)
        entry = self.caseload.model.entry(client_id)
        index = self.client_tabs.addTab(ws, entry.row.display_name if entry else "Client")
        ws.sig_title_changed.connect(self.on_workspace_title)
        ws.sig_message.connect(self.show_message)
        self.context.sig_changed.connect(ws.on_changes)
        self.client_tabs.setCurrentIndex(index)
        self.work_stack.setCurrentWidget(self.client_tabs)
        ws.load()
        return ws

    def open_note(self, client_id: str, note_id: str) -> None:
        ws = self.open_client(client_id)
        ws.show_section(4)
        ws.open_note(note_id)

    def on_workspace_title(self, title: str) -> None:
        from casedesk.gui.caseload.workspace import ClientWorkspace

        ws = self.sender()
        if not isinstance(ws, ClientWorkspace):
            return
        index = self.client_tabs.indexOf(ws)
        if index >= 0:
            self.client_tabs.setTabText(index, title)

    def on_client_tab_close(self, index: int) -> None:
        from casedesk.gui.caseload.workspace import ClientWorkspace

        widget = self.client_tabs.widget(index)
        if isinstance(widget, ClientWorkspace):
            widget.close_all()
            self.context.sig_changed.disconnect(widget.on_changes)
        self.client_tabs.removeTab(index)
        if widget is not None:
            widget.deleteLater()
        if not self.client_tabs.count():
            self.work_stack.setCurrentWidget(self.home)

    def current_workspace(self) -> ClientWorkspace | None:
        if not self.client_tabs.count():
            return None
        from casedesk.gui.caseload.workspace import ClientWorkspace

        widget = self.client_tabs.currentWidget()
        return widget if isinstance(widget, ClientWorkspace) and self.work_stack.currentWidget() is self.client_tabs else None

    # ---- actions ----------------------------------------------------------------------------------------

    def on_find(self) -> None:
        self.caseload_dock.show()
        self.caseload_dock.raise_()
        self.caseload.focus_filter()

    def on_new_note(self) -> None:
        ws = self.current_workspace()
        if ws is None:
            self.show_message("Open a client first (Ctrl+F to find one), then start a note.")
            return
        if ws.data is None:
            self.show_message("The client is still loading.")
            return
        editor = ws.new_note()
        editor.section_edit(next(iter(editor.current_state().body))).setFocus()

    def on_close_tab(self) -> None:
        ws = self.current_workspace()
        if ws is None:
            return
        editor = ws.current_editor()
        if editor is not None:
            ws.close_editor(editor)
        else:
            self.on_client_tab_close(self.client_tabs.currentIndex())

    def on_fill_form(self) -> None:
        """Fill a form for the open client (FormFillDialog); it saves and closes when CaseDesk locks."""
        ws = self.current_workspace()
        if ws is None:
            self.show_message("Open a client first (Ctrl+F to find one), then fill a form.")
            return
        if self.fill_dialog is not None:
            self.fill_dialog.close()
        client_id = ws.client_id
        from casedesk.gui.formeditor import FormFillDialog

        dialog = FormFillDialog(self.context.require_store, client_id, self)
        self.context.sig_about_to_lock.connect(dialog.close)

        def closed(_result: int) -> None:
            self.context.sig_about_to_lock.disconnect(dialog.close)
            if self.fill_dialog is dialog:
                self.fill_dialog = None
            dialog.deleteLater()
            if not self.context.is_locked:
                self.context.notify(Changes.of("form_response", clients=[client_id]))

        dialog.finished.connect(closed)
        self.fill_dialog = dialog
        dialog.open()

    def on_form_editor(self) -> None:
        """Show the form designer: a dock, made the first time (it holds no client data)."""
        if self.form_editor is None or self.form_editor_dock is None:
            from casedesk.gui.formeditor import FormEditorPane

            self.form_editor = FormEditorPane(self.context.require_store, ops=self.context.ops)
            self.form_editor_dock = self._dock(
                "Form editor", "form_editor_dock", self.form_editor, Qt.DockWidgetArea.RightDockWidgetArea
            )
            # a tab beside the upcoming visits, with the room a designer needs
            self.tabifyDockWidget(self.upcoming_dock, self.form_editor_dock)
            self.resizeDocks([self.form_editor_dock], [int(self.width() * 0.7)], Qt.Orientation.Horizontal)
        self.form_editor_dock.show()
        self.form_editor_dock.raise_()

    def on_settings(self) -> None:
        from casedesk.gui.settings.dialog import read_snapshot

        self.context.submit(read_snapshot, on_done=self.show_settings)

    def show_settings(self, snapshot: object) -> None:
        from casedesk.gui.settings.dialog import SettingsDialog, SettingsSnapshot

        assert isinstance(snapshot, SettingsSnapshot)
        if self.context.is_locked:
            return
        dialog = SettingsDialog(self.context, snapshot, self)
        dialog.sig_saved.connect(lambda values: self.idle.set_minutes(int(values["idle_lock_minutes"])))
        dialog.sig_saved.connect(lambda values: self.on_language_saved(str(values["language"])))
        # It shows the worker's own spelling words (often names of clients): it closes when CaseDesk locks.
        self.context.sig_about_to_lock.connect(dialog.reject)
        dialog.finished.connect(lambda _result: self.context.sig_about_to_lock.disconnect(dialog.reject))
        dialog.finished.connect(dialog.deleteLater)
        self.settings_dialog = dialog
        dialog.open()

    def on_language_saved(self, language: str) -> None:
        from casedesk.gui import i18n

        if i18n.remembered_language(self.prefs) != language:
            i18n.apply_choice(self.prefs, language)
            self.show_message(self.tr("The new interface language applies fully after CaseDesk restarts."))

    def on_about(self) -> None:
        self.help_menu.show_about()

    # ---- status -----------------------------------------------------------------------------------------

    def on_changes(self, changes: object) -> None:
        assert isinstance(changes, Changes)
        if self.context.is_locked:
            return
        self.caseload.on_changes(changes)
        self.upcoming.on_changes(changes)
        if changes.touches(*STATUS_TABLES):
            self.refresh_counts()

    def refresh_counts(self) -> None:
        from casedesk.services import deadlines, notes, workspace

        def fetch(s: Session) -> StatusCounts:
            # the deadline service: the same rules as the calendar and the Today dashboard
            return workspace.StatusCounts(notes.unsigned_draft_count(s), deadlines.due_counts(s).overdue)

        self.context.submit(fetch, on_done=self.on_counts)

    def on_counts(self, counts: object) -> None:
        from casedesk.services.workspace import StatusCounts

        assert isinstance(counts, StatusCounts)
        self.counts_label.setText(f"{counts.drafts_unsigned} drafts unsigned / {counts.overdue} overdue")

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)

    def show_error(self, text: str) -> None:
        self.show_message(text)
        if self._quitting:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "CaseDesk", text, QMessageBox.StandardButton.Ok, self)
        box.finished.connect(box.deleteLater)
        box.open()

    # ---- quitting ---------------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self._quitting = True
        self.sig_closing.emit()
        self.idle.stop()
        for ws in self.workspaces():
            ws.close_all()  # saves each open draft
        self.save_layout()
        self.context.shutdown()
        event.accept()
