"""The calendar pane: month, week and agenda views with the caseload's deadlines drawn in.

    pane = CalendarPane(store_or_context)
    pane.sig_open_resolver.connect(main_window.open_resolver)   # ("quarterly_report", client_id, "2026Q3") ...
    pane.sig_write_note.connect(main_window.open_note_editor)   # a casedesk.services.calendar.NotePrefill

The pane turns the views' gestures into service calls run off the UI thread (through the source's
``submit``), then reloads what they changed. It holds no SQL and no rules: appointments go through
casedesk.services.calendar, deadlines come from casedesk.services.deadlines.

Signals:

* ``sig_open_resolver(resolves)`` - a deadline was clicked; ``resolves`` names the record that
  closes it: ("quarterly_report", client_id, label), ("note_for_visit", appointment_id),
  ("note_signature", note_id), ("plan_review", plan_id), ("plan_renewal", plan_id),
  ("service_plan", client_id), ("goal_target", goal_id), ("monthly_visit", client_id, "2026-11"),
  ("follow_up", follow_up_id);
* ``sig_write_note(prefill)`` - "Write note" on a visit: a NotePrefill (client, appointment, contact
  start, duration, location, contact type) for the note editor;
* ``sig_data_changed(tables)`` - the pane changed data (a frozenset of table names), for status
  bars and other panes;
* ``sig_message(text)`` - a sentence for the status bar (errors included).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from casedesk.db.store import Store
from casedesk.db.types import utcnow
from casedesk.gui.calendar import data
from casedesk.gui.calendar.agenda_view import AgendaView
from casedesk.gui.calendar.base import CalendarView
from casedesk.gui.calendar.dialogs import AppointmentDialog, ask_scope
from casedesk.gui.calendar.layout import add_months
from casedesk.gui.calendar.month_view import MonthView
from casedesk.gui.calendar.runner import WorkSource, as_source, user_message
from casedesk.gui.calendar.week_view import WeekView
from casedesk.services import calendar
from casedesk.services.calendar import AppointmentInput, CalendarEvent, ClientChoice, Scope
from casedesk.services.deadlines import DueEntry

APPOINTMENT_TABLES = frozenset({"appointment"})
VIEWS = ("month", "week", "agenda")

ScopeChooser = Callable[[QWidget, str, Callable[[Scope], None]], Any]


class CalendarPane(QWidget):
    """Month / week / agenda calendar of visits and deadlines. ``source`` is an unlocked Store or
    the application context (anything with ``submit(work, write=..., on_done=..., on_error=...)``)."""

    sig_open_resolver = Signal(object)
    sig_write_note = Signal(object)
    sig_data_changed = Signal(object)
    sig_message = Signal(str)
    sig_loaded = Signal()

    def __init__(
        self,
        source: Store | WorkSource,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("calendar_pane")
        self.setAccessibleName("Calendar")
        self.source = as_source(source, self)
        self.clock = clock
        self._navigated = False  # until the worker moves, the first load shows the worker's today
        self._reload_when_shown = False  # a reload was asked for while the pane was hidden
        self.scope_chooser: ScopeChooser = ask_scope
        self.dialog: AppointmentDialog | None = None
        self.zone = "UTC"
        self.today = dt.date.today()
        self.clients: list[ClientChoice] = []
        self.due: tuple[DueEntry, ...] = ()
        self._generation = 0
        self._due_stale = True
        self._loading = 0
        self._counts_text = ""
        self._echo: frozenset[str] | None = None  # tables of the pane's last change, until it comes back

        self.month = MonthView()
        self.week = WeekView()
        self.agenda = AgendaView()
        self.views: dict[str, CalendarView] = {"month": self.month, "week": self.week, "agenda": self.agenda}
        first = clock().date()
        for view in self.views.values():
            view.selected_day = view.today = first
        self.stack = QStackedWidget()
        for view in self.views.values():
            self.stack.addWidget(view)
            view.sig_create_requested.connect(self.on_create_requested)
            view.sig_event_activated.connect(self.on_event_activated)
            view.sig_event_moved.connect(self.on_event_moved)
            view.sig_due_activated.connect(self.on_due_activated)
            view.sig_context_menu.connect(self.on_context_menu)
            view.sig_day_changed.connect(self.on_day_changed)
            view.sig_page_requested.connect(self.step)
            view.sig_delete_requested.connect(self.on_delete_requested)

        self.today_button = QToolButton()
        self.today_button.setText("&Today")
        self.today_button.setToolTip("Go to today (Home in the calendar)")
        self.today_button.clicked.connect(self.go_today)
        self.previous_button = QToolButton()
        self.previous_button.setText("◀")
        self.previous_button.setAccessibleName("Previous page")
        self.previous_button.setToolTip("Previous (PageUp)")
        self.previous_button.clicked.connect(lambda: self.step(-1))
        self.next_button = QToolButton()
        self.next_button.setText("▶")
        self.next_button.setAccessibleName("Next page")
        self.next_button.setToolTip("Next (PageDown)")
        self.next_button.clicked.connect(lambda: self.step(1))
        self.title = QLabel()
        self.title.setObjectName("calendar_title")
        self.title.setAccessibleName("Calendar page")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.view_buttons = QButtonGroup(self)
        # A tool bar: in a narrow window what does not fit goes behind its » button.
        bar = QToolBar("Calendar")
        bar.setObjectName("calendar_toolbar")
        bar.setAccessibleName("Calendar tools")
        bar.addWidget(self.today_button)
        bar.addWidget(self.previous_button)
        bar.addWidget(self.next_button)
        self.title.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(self.title)
        for index, (name, label, keys) in enumerate(
            (("month", "&Month", "Ctrl+1"), ("week", "W&eek", "Ctrl+2"), ("agenda", "&Agenda", "Ctrl+3"))
        ):
            button = QToolButton()
            button.setText(label.replace("&", ""))
            button.setCheckable(True)
            button.setAccessibleName(f"{name.capitalize()} view")
            button.setToolTip(f"{name.capitalize()} view ({keys})")
            self.view_buttons.addButton(button, index)
            bar.addWidget(button)
            action = QAction(self)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, n=name: self.show_view(n))
            self.addAction(action)
        self.view_buttons.idClicked.connect(lambda index: self.show_view(VIEWS[index]))
        self.new_button = QToolButton()
        self.new_button.setText("&New visit")
        self.new_button.setToolTip("New appointment on the selected day (Enter in the calendar)")
        self.new_button.clicked.connect(self.new_on_selected_day)
        bar.addWidget(self.new_button)

        self.legend = QLabel(
            '<span style="color:#2b6cb0">■</span> Home visit &nbsp; <span style="color:#2c7a7b">■</span> Office '
            '&nbsp; <span style="color:#6b46c1">■</span> Phone &nbsp; <span style="color:#4a5568">■</span> Meeting '
            '&nbsp; <span style="color:#8a5a00">▌</span> Due &nbsp; <span style="color:#b91c1c"><b>▌ Overdue</b></span>'
        )
        self.legend.setAccessibleName("Legend")
        self.legend.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.legend.setMinimumWidth(1)
        self.status = QLabel()
        self.status.setObjectName("calendar_status")
        self.status.setAccessibleName("Calendar status")
        bottom = QHBoxLayout()
        bottom.addWidget(self.legend)
        bottom.addStretch(1)
        bottom.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.addWidget(bar)
        layout.addWidget(self.stack, 1)
        layout.addLayout(bottom)

        self.current = "month"
        self.view_buttons.button(0).setChecked(True)
        self._minute = QTimer(self)
        self._minute.setInterval(60_000)
        self._minute.timeout.connect(self.on_minute)
        self._minute.start()
        self._connect_context()
        self.reload()

    # -- context (lock, unlock, changes made elsewhere) -------------------------------------------

    def _connect_context(self) -> None:
        changed = getattr(self.source, "sig_changed", None)
        if changed is not None:
            changed.connect(self.on_external_change)
        locked = getattr(self.source, "sig_locked", None)
        if locked is not None:
            locked.connect(self.clear)
        unlocked = getattr(self.source, "sig_unlocked", None)
        if unlocked is not None:
            unlocked.connect(self.refresh)

    def on_external_change(self, changes: object) -> None:
        """Something changed elsewhere (a note signed, a plan reviewed): deadlines may differ. The echo
        of the pane's own change (already reloaded) is skipped."""
        tables = getattr(changes, "tables", None)
        if self._echo is not None and tables == self._echo:
            self._echo = None
            return
        self.refresh()

    def clear(self) -> None:
        """Forget everything shown (the profile locked)."""
        self._generation += 1
        self.due = ()
        self.clients = []
        for view in self.views.values():
            view.set_events(())
            view.set_due(())
        if self.dialog is not None:
            self.dialog.reject()

    def refresh(self) -> None:
        self._due_stale = True
        self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._reload_when_shown:
            self.reload()

    # -- pages ---------------------------------------------------------------------------------

    @property
    def view(self) -> CalendarView:
        return self.views[self.current]

    def show_view(self, name: str) -> None:
        day = self.view.selected_day
        self.current = name
        self.stack.setCurrentWidget(self.views[name])
        self.view_buttons.button(VIEWS.index(name)).setChecked(True)
        self.views[name].set_selected_day(day)
        self.views[name].setFocus()
        self.reload()

    def go_to(self, day: dt.date) -> None:
        self._navigated = True
        for view in self.views.values():
            view.set_selected_day(day)
        self.reload()

    def go_today(self) -> None:
        self.go_to(self.today)
        self.view.setFocus()

    def step(self, direction: int) -> None:
        day = self.view.selected_day
        if self.current == "month":
            day = add_months(day, direction)
        elif self.current == "week":
            day = day + dt.timedelta(days=7 * direction)
        else:
            day = day + dt.timedelta(days=28 * direction)
        self.go_to(day)

    def on_day_changed(self, day: dt.date) -> None:
        self._navigated = True
        before = self.view.visible_days()
        for view in self.views.values():
            view.selected_day = day
        if self.view.visible_days() != before:
            self.reload()  # the day is on another page (say, 1 December picked in a November grid)

    def on_minute(self) -> None:
        self.week.now = self.clock()
        self.week.update()

    # -- loading -------------------------------------------------------------------------------

    def reload(self) -> None:
        """Load the visible page's visits (and the deadlines, when something changed). While the pane is
        hidden (the main window shows the Today view first) nothing is loaded: a month of a large
        caseload's visits is tens of thousands of events. The pane loads when it is shown."""
        if getattr(self.source, "is_locked", False):
            return  # nothing to show until the profile is unlocked
        if not self.isVisible():
            self._reload_when_shown = True
            return
        self._reload_when_shown = False
        self._generation += 1
        generation = self._generation
        view = self.view
        days = view.visible_days()
        first, last = days[0], days[-1]
        now = self.clock()
        want_due = self._due_stale
        want_clients = not self.clients

        def work(session: Session) -> tuple[Any, ...]:
            due = data.load_due(session, now) if want_due else None
            zone = due.zone if due is not None else None
            events = data.load_events(session, first, last, zone)
            clients = calendar.client_choices(session) if want_clients else None
            return due, events, clients

        self._loading += 1
        self.status.setText("Loading…")
        self.source.submit(
            work,
            on_done=lambda result: self._loaded(generation, result),
            on_error=self.on_error,
        )
        self._update_title()

    def _loaded(self, generation: int, result: tuple[Any, ...]) -> None:
        self._loading -= 1
        due, events, clients = result
        if clients is not None:
            self.clients = clients
        if due is not None:
            self._due_stale = False
            self.due = due.entries
            self.zone = due.zone
            self.today = due.today
            if not self._navigated and self.view.selected_day != due.today:
                for view in self.views.values():
                    view.selected_day = due.today  # this computer's date may differ from the worker's zone
                self._navigated = True
                self._due_stale = False
                self.reload()
            for view in self.views.values():
                view.set_zone(due.zone, due.today)
                view.set_due(due.entries)
            counts = due.counts
            self._counts_text = f"{counts.overdue} overdue · {counts.due_soon} due soon"
        if self._loading == 0:
            self.status.setText(self._counts_text)
        if generation != self._generation:
            return  # a newer page was asked for meanwhile
        self.week.now = self.clock()
        self.view.set_events(events.events)
        self._update_title()
        self.sig_loaded.emit()

    def _update_title(self) -> None:
        view = self.view
        self.title.setText(view.title())  # type: ignore[attr-defined]

    def on_error(self, exc: BaseException) -> None:
        self._loading = max(0, self._loading - 1)
        message = user_message(exc)
        self.status.setText(message)
        self.sig_message.emit(message)

    def _write(self, work: Callable[[Session], Any], then: Callable[[Any], None] | None = None) -> None:
        """Run a change, then reload visits and deadlines."""

        def done(result: Any) -> None:
            self._due_stale = True
            self._echo = APPOINTMENT_TABLES
            self.sig_data_changed.emit(APPOINTMENT_TABLES)
            if then is not None:
                then(result)
            self.reload()

        self.source.submit(work, write=True, on_done=done, on_error=self.on_error)

    # -- creating and editing ------------------------------------------------------------------

    def new_on_selected_day(self) -> None:
        day = self.view.selected_day
        minutes = CalendarView.DEFAULT_START_MINUTES
        if isinstance(self.view, WeekView):
            minutes = self.view.selected_minutes
        start = dt.datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=self.view.zone)
        self.on_create_requested(start, start + CalendarView.DEFAULT_LENGTH)

    def on_create_requested(self, start: dt.datetime, end: dt.datetime) -> None:
        self._open_dialog(start, end, None)

    def on_event_activated(self, event: CalendarEvent) -> None:
        self._open_dialog(event.start, event.end, event)

    def _open_dialog(self, start: dt.datetime, end: dt.datetime, event: CalendarEvent | None) -> None:
        if self.dialog is not None:
            self.dialog.reject()
        dialog = AppointmentDialog(self, zone=self.zone, clients=self.clients, start=start, end=end, event=event)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._dialog_accepted(dialog))
        dialog.finished.connect(lambda _code: self._dialog_closed(dialog))
        dialog.open()

    def _dialog_closed(self, dialog: AppointmentDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _dialog_accepted(self, dialog: AppointmentDialog) -> None:
        event = dialog.edited
        if event is None:
            self.create_appointment(dialog.values())
            return
        if dialog.action == "write_note":
            self.write_note(event)
        elif dialog.action == "done":
            self.set_status(event, "done")
        elif dialog.action == "delete":
            self.on_delete_requested(event)
        else:
            changes = dialog.changes()
            if changes:
                self.change(event, changes, "change")

    def create_appointment(self, values: dict[str, Any]) -> None:
        """Store a new appointment from dialog values."""
        data_in = AppointmentInput(
            start=values["start"],
            end=values["end"],
            kind=values.get("kind", "home_visit"),
            client_id=values.get("client_id"),
            title=values.get("title"),
            location=values.get("location"),
            description=values.get("description"),
            status=values.get("status", "planned"),
            rrule=values.get("rrule"),
            timezone=self.zone,
        )
        self._write(lambda s: calendar.create_appointment(s, data_in))

    def change(self, event: CalendarEvent, changes: dict[str, Any], verb: str) -> None:
        """Apply changes, asking which visits when the appointment repeats."""
        if not event.is_recurring:
            self._write(lambda s: calendar.update(s, event.ref, changes, "this"))
            return

        def apply(scope: Scope) -> None:
            scoped = dict(changes)
            if scope == "this":
                scoped.pop("rrule", None)
            self._write(lambda s: calendar.update(s, event.ref, scoped, scope))

        if "rrule" in changes:
            ask: ScopeChooser = _future_or_all
            ask(self, verb, apply)
        else:
            self.scope_chooser(self, verb, apply)

    def on_event_moved(self, event: CalendarEvent, start: dt.datetime, end: dt.datetime) -> None:
        self.change(event, {"start": start, "end": end}, "move")

    def set_status(self, event: CalendarEvent, status: str) -> None:
        self._write(lambda s: calendar.set_status(s, event.ref, status))

    def write_note(self, event: CalendarEvent) -> None:
        """Make the visit concrete and hand what the note editor needs to ``sig_write_note``."""
        self._write(lambda s: calendar.note_prefill(s, event.ref), self.sig_write_note.emit)

    def on_delete_requested(self, event: CalendarEvent) -> None:
        if event.is_recurring:
            self.scope_chooser(
                self, "delete", lambda scope: self._write(lambda s: calendar.delete(s, event.ref, scope))
            )
            return
        answer = QMessageBox.question(
            self, "Delete appointment", f"Delete “{event.label}”?", defaultButton=QMessageBox.StandardButton.No
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._write(lambda s: calendar.delete(s, event.ref, "this"))

    def on_due_activated(self, entry: DueEntry) -> None:
        self.sig_open_resolver.emit(entry.resolves)

    # -- context menu --------------------------------------------------------------------------

    def context_menu(self, event: CalendarEvent | None, day: dt.date) -> QMenu:
        """The menu for a visit (or an empty day); built separately so it can be tested."""
        menu = QMenu(self)
        if event is None:
            menu.addAction("New visit here", lambda: self._new_on(day))
            return menu
        menu.addAction("Edit…", lambda: self.on_event_activated(event))
        note = menu.addAction("Write note", lambda: self.write_note(event))
        note.setEnabled(event.client_id is not None)
        menu.addSeparator()
        for status, label in (("done", "Mark done"), ("missed", "Mark missed"), ("cancelled", "Cancel visit")):
            action = menu.addAction(label, functools.partial(self.set_status, event, status))
            action.setEnabled(event.status != status)
        if event.status != "planned":
            menu.addAction("Mark planned again", lambda: self.set_status(event, "planned"))
        menu.addSeparator()
        menu.addAction("Delete…", lambda: self.on_delete_requested(event))
        return menu

    def on_context_menu(self, event: CalendarEvent | None, day: dt.date, pos: QPoint) -> None:
        self.context_menu(event, day).popup(pos)

    def _new_on(self, day: dt.date) -> None:
        self.go_to(day)
        self.new_on_selected_day()

    def selected_date(self) -> QDate:
        day = self.view.selected_day
        return QDate(day.year, day.month, day.day)


def _future_or_all(parent: QWidget, verb: str, then: Callable[[Scope], None]) -> QMessageBox:
    """A new repeat rule applies to this and following visits, or to all of them."""
    box = QMessageBox(parent)
    box.setObjectName("scope_question")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Repeating appointment")
    box.setText("The new repeat applies from this visit on, or to the whole series?")
    future = box.addButton("This and following visits", QMessageBox.ButtonRole.AcceptRole)
    whole = box.addButton("All visits", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)

    def on_clicked(button: object) -> None:
        if button is future:
            then("future")
        elif button is whole:
            then("all")

    box.buttonClicked.connect(on_clicked)
    box.open()
    return box
