"""What every calendar view shares: its data, the selected day and item, and the signals it emits.

Views draw and report gestures; they never change data. The pane turns their signals into service
calls (off the UI thread) and hands them fresh data.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from PySide6.QtCore import QPoint, Signal
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

    def _select_day(self, day: dt.date) -> None:
        if day != self.selected_day:
            self.selected_day = day
            self.sig_day_changed.emit(day)
            self._data_changed()
