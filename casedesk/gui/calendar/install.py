"""The calendar in the main window: the Today dashboard as the home view after unlock, the calendar
pane beside it, reminders, and the routes from a due item or a visit to the record that resolves it.
The window calls ``install_calendar_ui(window)`` once.

* View menu and toolbar: "Today" (Ctrl+T) and "Calendar" (Ctrl+Shift+C) switch the central area;
  opening a client shows the client tabs as before.
* A due item clicked in the calendar or on the dashboard opens what resolves it: the draft note (or a
  new note for the visit), the client's plan, quarterly reports or notes, or asks to mark a follow-up
  done.
* "Write note" on a visit opens a note editor for its client, filled from the visit.
* Changes made in the calendar are announced through the context, so the caseload, the upcoming
  visits and the status bar refresh.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox, QSystemTrayIcon
from sqlalchemy.orm import Session

from casedesk.gui.calendar.pane import CalendarPane
from casedesk.gui.calendar.reminders import Reminders
from casedesk.gui.calendar.today import TodayDashboard
from casedesk.gui.ops import Changes
from casedesk.services import calendar
from casedesk.services import deadlines as deadline_service
from casedesk.services.calendar import NotePrefill, OccurrenceRef
from casedesk.services.deadlines import ResolverTarget

if TYPE_CHECKING:
    from casedesk.gui.main_window import MainWindow

# Sections of the client workspace (casedesk.gui.caseload.workspace).
PLAN_SECTION, NOTES_SECTION, REPORTS_SECTION = 3, 4, 5


def _menu(window: MainWindow, title: str) -> QMenu:
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and action.text().replace("&", "") == title:
            return menu
    return window.menuBar().addMenu(f"&{title}")


class CalendarUi(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.context = window.context
        self.follow_up_box: QMessageBox | None = None

        # ---- the dashboard replaces the "no client open" page; the calendar sits beside it ----
        self.today = TodayDashboard(self.context)
        self.calendar = CalendarPane(self.context)
        stack = window.work_stack
        old_home = window.home
        stack.insertWidget(0, self.today)
        stack.addWidget(self.calendar)
        if stack.currentWidget() is old_home:
            stack.setCurrentWidget(self.today)
        stack.removeWidget(old_home)
        old_home.deleteLater()
        window.home = self.today  # the window returns here when the last client tab closes or it locks

        # ---- actions ----
        self.today_action = QAction("&Today", window)
        self.today_action.setObjectName("today_action")
        self.today_action.setShortcut(QKeySequence("Ctrl+T"))
        self.today_action.setStatusTip("Today's visits, what is overdue and due this week, drafts to sign")
        self.today_action.triggered.connect(self.show_today)
        self.calendar_action = QAction("Ca&lendar", window)
        self.calendar_action.setObjectName("calendar_action")
        self.calendar_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.calendar_action.setStatusTip("Month, week and agenda of visits and deadlines")
        self.calendar_action.triggered.connect(self.show_calendar)
        for action in (self.today_action, self.calendar_action):
            window.addAction(action)
        view = _menu(window, "View")
        first = view.actions()[0] if view.actions() else None
        view.insertAction(first, self.today_action)  # type: ignore[arg-type]
        view.insertAction(first, self.calendar_action)  # type: ignore[arg-type]
        view.insertSeparator(first)  # type: ignore[arg-type]
        toolbar_first = window.toolbar.actions()[0] if window.toolbar.actions() else None
        window.toolbar.insertAction(toolbar_first, self.today_action)  # type: ignore[arg-type]
        window.toolbar.insertAction(toolbar_first, self.calendar_action)  # type: ignore[arg-type]
        for action in (self.today_action, self.calendar_action):  # nothing to show while locked
            window.sig_locked.connect(lambda a=action: a.setEnabled(False))
            window.sig_unlocked.connect(lambda a=action: a.setEnabled(True))
            action.setEnabled(not self.context.is_locked)

        # ---- reminders: a tray notification where there is a tray, the status bar always ----
        tray = None
        if QSystemTrayIcon.isSystemTrayAvailable() and not window.windowIcon().isNull():
            tray = QSystemTrayIcon(window.windowIcon(), self)
            tray.setToolTip("CaseDesk")
        self.reminders = Reminders(self.context, tray, self)
        self.reminders.sig_reminder.connect(lambda title, text: window.show_message(f"{title}: {text}"))
        window.sig_locked.connect(lambda: self.reminders.set_locked(True))
        window.sig_unlocked.connect(lambda: self.reminders.set_locked(False))
        window.sig_unlocked.connect(self.on_unlocked)

        # ---- routes ----
        for source in (self.today, self.calendar):
            source.sig_open_resolver.connect(self.open_resolver)
            source.sig_write_note.connect(self.write_note)
            source.sig_data_changed.connect(self.announce)
        self.today.sig_open_note.connect(self.open_note)
        self.calendar.sig_message.connect(window.show_message)

    # -- views ---------------------------------------------------------------------------------

    def show_today(self) -> None:
        self.window.work_stack.setCurrentWidget(self.today)
        self.today.setFocus()

    def show_calendar(self) -> None:
        self.window.work_stack.setCurrentWidget(self.calendar)
        self.calendar.view.setFocus()

    def on_unlocked(self) -> None:
        """After unlock the dashboard is the first view, unless client tabs come back."""
        if not self.window.client_tabs.count():
            self.window.work_stack.setCurrentWidget(self.today)

    def announce(self, tables: object) -> None:
        assert isinstance(tables, frozenset)
        self.context.notify(Changes.of(*sorted(tables)))

    # -- resolving -----------------------------------------------------------------------------

    def open_resolver(self, resolves: object) -> None:
        """Open the record that resolves a due item (looked up off the UI thread)."""
        parts = tuple(resolves) if isinstance(resolves, tuple | list) else ()
        self.context.submit(
            lambda s: deadline_service.resolver_target(s, parts),
            on_done=self.go_to_target,
            on_error=lambda exc: self.window.show_error(str(exc)),
        )

    def go_to_target(self, target: object) -> None:
        assert isinstance(target, ResolverTarget)
        window = self.window
        if target.place == "note" and target.note_id is not None:
            window.open_note(target.client_id, target.note_id)
        elif target.place == "visit_note":
            if target.note_id is not None:
                window.open_note(target.client_id, target.note_id)
            elif target.appointment_id is not None:
                appointment_id = target.appointment_id
                self.context.submit(
                    lambda s: calendar.note_prefill(s, OccurrenceRef(appointment_id)),
                    write=True,
                    on_done=self.write_note,
                    on_error=lambda exc: window.show_error(str(exc)),
                )
        elif target.place == "follow_up" and target.follow_up_id is not None:
            window.open_client(target.client_id)
            self.ask_follow_up_done(target)
        else:
            section = {"plan": PLAN_SECTION, "notes": NOTES_SECTION, "quarterly_report": REPORTS_SECTION}.get(
                target.place, 0
            )
            window.open_client(target.client_id).show_section(section)

    def ask_follow_up_done(self, target: ResolverTarget) -> QMessageBox:
        box = QMessageBox(self.window)
        box.setObjectName("follow_up_question")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Follow-up")
        box.setText(f"Mark the follow-up done?\n\n{target.text or ''}")
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        follow_up_id = target.follow_up_id or ""

        def answered(button: object) -> None:
            if box.standardButton(button) == QMessageBox.StandardButton.Yes:  # type: ignore[arg-type]
                self.context.submit(
                    lambda s: deadline_service.complete_follow_up(s, follow_up_id),
                    write=True,
                    on_done=lambda _r: self.context.notify(Changes.of("follow_up", clients=[target.client_id])),
                    on_error=lambda exc: self.window.show_error(str(exc)),
                )

        box.buttonClicked.connect(answered)
        box.finished.connect(box.deleteLater)
        self.follow_up_box = box
        box.open()
        return box

    def open_note(self, note_id: str) -> None:
        def client_of(s: Session) -> Any:
            return deadline_service.resolver_target(s, ("note_signature", note_id))

        self.context.submit(client_of, on_done=self.go_to_target, on_error=lambda e: self.window.show_error(str(e)))

    def write_note(self, prefill: object) -> None:
        """Open the client and a note editor filled from the visit."""
        assert isinstance(prefill, NotePrefill)
        workspace = self.window.open_client(prefill.client_id)
        workspace.new_note_for_visit(prefill)


def install_calendar_ui(window: MainWindow) -> CalendarUi:
    ui = CalendarUi(window)
    window.calendar_ui = ui  # type: ignore[attr-defined]
    return ui
