"""What every calendar view shares: its data, the selected day and item, and the signals it emits.

Views draw and report gestures; they never change data. The pane turns their signals into service
calls (off the UI thread) and hands them fresh data.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QWidget

from casedesk.services.calendar import CalendarEvent
from casedesk.services.deadlines import DueEntry


class CalendarView(QWidget):
    """Base of the month and week views.

    Signals (arguments are plain values: dates, aware datetimes, CalendarEvent, DueEntry):

    * ``sig_create_requested(start, end)`` - double-click or drag on empty time;
    * ``sig_event_activated(event)`` - double-click or Enter on a visit: edit it;
    * ``sig_event_moved(event, start, end)`` - a visit dragged to a new time or resized;
    * ``sig_due_activated(entry)`` - a deadline clicked: open what resolves it;
    * ``sig_context_menu(event_or_None, day, global_pos)``;
    * ``sig_day_changed(day)`` - the selected day moved (keyboard or click);
    * ``sig_page_requested(step)`` - PageUp/PageDown: the previous or next page;
    * ``sig_delete_requested(event)`` - Delete on the selected visit.
    """

    sig_create_requested = Signal(object, object)
    sig_event_activated = Signal(object)
    sig_event_moved = Signal(object, object, object)
    sig_due_activated = Signal(object)
    sig_context_menu = Signal(object, object, QPoint)
    sig_day_changed = Signal(object)
    sig_page_requested = Signal(int)
    sig_delete_requested = Signal(object)

    DEFAULT_START_MINUTES = 9 * 60
    DEFAULT_LENGTH = dt.timedelta(hours=1)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.zone: ZoneInfo = ZoneInfo("UTC")
        self.today = dt.date.today()
        self.selected_day = self.today
        self.selected_key: str | None = None
        self.first_weekday = 0
        self.events: tuple[CalendarEvent, ...] = ()
        self.due: tuple[DueEntry, ...] = ()

    # -- data ----------------------------------------------------------------------------------

    def set_zone(self, zone: str, today: dt.date) -> None:
        self.zone = ZoneInfo(zone)
        self.today = today
        self._data_changed()

    def set_events(self, events: tuple[CalendarEvent, ...]) -> None:
        self.events = events
        if self.selected_key is not None and all(e.key != self.selected_key for e in events):
            self.selected_key = None
        self._data_changed()

    def set_due(self, entries: tuple[DueEntry, ...]) -> None:
        self.due = entries
        self._data_changed()

    def set_selected_day(self, day: dt.date) -> None:
        if day != self.selected_day:
            self.selected_day = day
            self._data_changed()

    def visible_days(self) -> list[dt.date]:
        raise NotImplementedError

    def _data_changed(self) -> None:
        """Data or page changed: recompute the layout before the next paint."""
        self.update()

    # -- helpers for subclasses ----------------------------------------------------------------

    def local_day(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.zone).date()

    def selected_event(self) -> CalendarEvent | None:
        return next((e for e in self.events if e.key == self.selected_key), None)

    # -- keyboard: what every view does alike; arrows, Enter on empty time and Space are the view's own

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        if self._arrow_key(key):
            return
        if key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            self.sig_page_requested.emit(-1 if key == Qt.Key.Key_PageUp else 1)
        elif key == Qt.Key.Key_Home:
            self.selected_key = None
            self._select_day(self.today)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            selected = self.selected_event()
            if selected is not None:
                self.sig_event_activated.emit(selected)
            else:
                self._create_at_selection()
        elif key == Qt.Key.Key_Delete:
            selected = self.selected_event()
            if selected is not None:
                self.sig_delete_requested.emit(selected)
        elif key == Qt.Key.Key_Space:
            self._cycle_selection()
        else:
            super().keyPressEvent(event)

    def _arrow_key(self, key: Qt.Key) -> bool:
        """Move the selection for an arrow key; True when the key was one the view uses."""
        return False

    def _create_at_selection(self) -> None:
        """Enter with no visit selected: ask for a new visit at the selected day (and time)."""

    def _cycle_selection(self) -> None:
        """Space: walk through the visits of the selected day."""

    def _select_day(self, day: dt.date) -> None:
        if day != self.selected_day:
            self.selected_day = day
            self.sig_day_changed.emit(day)
            self._data_changed()
