"""Reminders while the profile is unlocked: visits starting soon and what is due tomorrow.

    reminders = Reminders(store_or_context, tray_icon)   # the tray icon is optional
    reminders.set_locked(True)                           # on lock: stops, shows nothing more

Every minute a small read (the next hour's visits; the open deadlines once a day) runs off the UI
thread; casedesk.gui.calendar.reminder_rules decides what to say. Where a system tray exists the
reminder is a tray notification; ``sig_reminder(title, text)`` is emitted either way (the main window
can show it in the status bar). Client names are left out unless ``show_names`` is set, and nothing
is shown while locked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QSystemTrayIcon
from sqlalchemy.orm import Session

from casedesk.db.store import Store
from casedesk.db.types import utcnow
from casedesk.gui.calendar.reminder_rules import DEFAULT_LEAD, Reminder, tomorrow_digest, visit_reminders
from casedesk.gui.calendar.runner import WorkSource, as_source
from casedesk.services import calendar
from casedesk.services import deadlines as deadline_service


class Reminders(QObject):
    sig_reminder = Signal(str, str)  # title, text

    def __init__(
        self,
        source: Store | WorkSource,
        tray: QSystemTrayIcon | None = None,
        parent: QObject | None = None,
        *,
        show_names: bool = False,
        lead: dt.timedelta = DEFAULT_LEAD,
    ) -> None:
        super().__init__(parent)
        self.source = as_source(source, self)
        self.tray = tray if tray is not None and QSystemTrayIcon.isSystemTrayAvailable() else None
        self.show_names = show_names
        self.lead = lead
        self.clock: Callable[[], dt.datetime] = utcnow
        self.locked = False
        self.shown: set[str] = set()
        self._digest_day: dt.date | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(60_000)
        self._timer.timeout.connect(self.check)
        for name, locked in (("sig_locked", True), ("sig_unlocked", False)):
            signal = getattr(self.source, name, None)
            if signal is not None:
                signal.connect(lambda flag=locked: self.set_locked(flag))
        self._timer.start()

    def set_locked(self, locked: bool) -> None:
        """Locked: no reminder is computed or shown until unlocked."""
        self.locked = locked
        if locked:
            self._timer.stop()
            if self.tray is not None:
                self.tray.hide()  # on most desktops this also withdraws its pending messages
        else:
            self._timer.start()
            if self.tray is not None:
                self.tray.show()

    def check(self) -> None:
        """Look for reminders now (the timer calls this every minute)."""
        if self.locked or getattr(self.source, "is_locked", False):
            return
        now = self.clock()
        want_digest = self._digest_day != now.date()
        lead = self.lead

        def work(session: Session) -> tuple[str, list[Any], list[Any] | None]:
            zone = deadline_service.worker_zone_name(session)
            events = calendar.events_between(session, now, now + lead + dt.timedelta(minutes=1))
            # tomorrow's items are among the digest's near ones (shared with the Today view)
            entries = list(deadline_service.due_digest(session, now=now).near) if want_digest else None
            return zone, events, entries

        self.source.submit(work, on_done=lambda result: self._show(now, result), on_error=lambda exc: None)

    def _show(self, now: dt.datetime, result: tuple[str, list[Any], list[Any] | None]) -> None:
        if self.locked:
            return  # locked while the read ran: say nothing
        zone_text, events, entries = result
        zone = ZoneInfo(zone_text)
        reminders: list[Reminder] = visit_reminders(events, now, zone, lead=self.lead, show_names=self.show_names)
        if entries is not None:
            digest = tomorrow_digest(entries, now, zone, show_names=self.show_names)
            if digest is not None:
                reminders.append(digest)
                self._digest_day = now.date()
        for reminder in reminders:
            if reminder.key in self.shown:
                continue
            self.shown.add(reminder.key)
            if self.tray is not None:
                self.tray.showMessage(reminder.title, reminder.text, QSystemTrayIcon.MessageIcon.Information, 15_000)
            self.sig_reminder.emit(reminder.title, reminder.text)
