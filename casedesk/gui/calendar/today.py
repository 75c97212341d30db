"""The "Today" dashboard: the first thing the worker sees after unlocking.

Today's visits with where to go, visits of past days still waiting for "done" or "missed", what is
overdue, what is due this week, and the drafts waiting for a signature. Every line is a button (Tab
and Enter reach them all): a deadline opens what resolves it, a visit offers "Write note" and
"Done", a draft opens in the note editor.

    dashboard = TodayDashboard(store_or_context)
    dashboard.sig_open_resolver.connect(...)   # same tuples as CalendarPane.sig_open_resolver
    dashboard.sig_write_note.connect(...)      # a NotePrefill
    dashboard.sig_open_note.connect(...)       # a draft's note id
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QLocale, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from casedesk.db.store import Store
from casedesk.db.types import utcnow
from casedesk.gui.calendar import data, style
from casedesk.gui.calendar.month_view import MONTH_NAMES
from casedesk.gui.calendar.runner import WorkSource, as_source, user_message
from casedesk.services import calendar
from casedesk.services.calendar import CalendarEvent
from casedesk.services.deadlines import DueEntry

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SECTION_LIMIT = 12  # lines per section until "Show all" is pressed


def greeting(now: dt.datetime) -> str:
    hour = now.hour
    return "Good morning" if hour < 12 else "Good afternoon" if hour < 18 else "Good evening"


class _Row(QPushButton):
    """One clickable line of a section."""

    def __init__(self, text: str, accessible: str, ink: str | None = None, bold: bool = False) -> None:
        super().__init__(text)
        self.setFlat(True)
        self.setAccessibleName(accessible)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        css = "text-align: left; padding: 3px 6px;"
        if ink:
            css += f" color: {ink};"
        if bold:
            css += " font-weight: bold;"
        self.setStyleSheet(f"QPushButton {{{css}}}")


class TodayDashboard(QWidget):
    """Today's work at a glance. ``source`` is an unlocked Store or the application context."""

    sig_open_resolver = Signal(object)
    sig_write_note = Signal(object)
    sig_open_note = Signal(str)
    sig_data_changed = Signal(object)
    sig_loaded = Signal()

    def __init__(
        self,
        source: Store | WorkSource,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("today_dashboard")
        self.setAccessibleName("Today")
        self.source = as_source(source, self)
        self.clock = clock
        self.snapshot: data.TodaySnapshot | None = None
        self._generation = 0
        self._echo: frozenset[str] | None = None

        self.heading = QLabel()
        self.heading.setObjectName("today_heading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setObjectName("today_summary")
        self.summary.setAccessibleName("Summary")
        self.summary.setWordWrap(True)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.reload)
        top = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.heading)
        titles.addWidget(self.summary)
        top.addLayout(titles, 1)
        top.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignTop)

        self.expanded: set[str] = set()  # sections showing all their lines
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setWidget(self.body)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.scroller, 1)
        self._connect_context()
        self.reload()

    def _connect_context(self) -> None:
        for name, slot in (("sig_changed", self.on_external_change), ("sig_locked", self.clear)):
            signal = getattr(self.source, name, None)
            if signal is not None:
                signal.connect(slot)
        unlocked = getattr(self.source, "sig_unlocked", None)
        if unlocked is not None:
            unlocked.connect(self.reload)

    def on_external_change(self, changes: object) -> None:
        """Reload after a change made elsewhere (the echo of the dashboard's own change is skipped)."""
        tables = getattr(changes, "tables", None)
        if self._echo is not None and tables == self._echo:
            self._echo = None
            return
        self.reload()

    def clear(self) -> None:
        self._generation += 1
        self.snapshot = None
        self._clear_body()
        self.heading.setText("")
        self.summary.setText("")

    # -- loading -------------------------------------------------------------------------------

    def reload(self) -> None:
        if getattr(self.source, "is_locked", False):
            return  # nothing to show until the profile is unlocked
        self._generation += 1
        generation = self._generation
        now = self.clock()
        self.summary.setText("Loading…")
        self.source.submit(
            lambda session: data.load_today(session, now),
            on_done=lambda snapshot: self._loaded(generation, snapshot),
            on_error=lambda exc: self.summary.setText(user_message(exc)),
        )

    def _loaded(self, generation: int, snapshot: data.TodaySnapshot) -> None:
        if generation != self._generation:
            return
        self.snapshot = snapshot
        self._render(snapshot)
        self.sig_loaded.emit()

    def _write(self, work: Callable[[Session], Any], then: Callable[[Any], None] | None = None) -> None:
        def done(result: Any) -> None:
            self._echo = frozenset({"appointment"})
            self.sig_data_changed.emit(self._echo)
            if then is not None:
                then(result)
            self.reload()

        self.source.submit(work, write=True, on_done=done, on_error=lambda exc: self.summary.setText(user_message(exc)))

    # -- actions -------------------------------------------------------------------------------

    def write_note(self, event: CalendarEvent) -> None:
        self._write(lambda s: calendar.note_prefill(s, event.ref), self.sig_write_note.emit)

    def mark(self, event: CalendarEvent, status: str) -> None:
        self._write(lambda s: calendar.set_status(s, event.ref, status))

    # -- drawing -------------------------------------------------------------------------------

    def _clear_body(self) -> None:
        """A fresh, empty body: rows are built on it while hidden, then it replaces the old one."""
        self.body = QWidget()
        self.body.setObjectName("today_body")
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 0, 0)

    def _section(self, title: str, count: int, name: str) -> QVBoxLayout:
        box = QFrame()
        box.setObjectName(name)
        box.setAccessibleName(title)
        box.setFrameShape(QFrame.Shape.StyledPanel)
        column = QVBoxLayout(box)
        label = QLabel(f"<b>{title}</b> ({count})" if count else f"<b>{title}</b>")
        column.addWidget(label)
        self.body_layout.addWidget(box)
        return column

    def _time(self, moment: dt.datetime, zone: ZoneInfo) -> str:
        local = moment.astimezone(zone)
        return QLocale().toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat)

    def _render(self, snapshot: data.TodaySnapshot) -> None:
        self._clear_body()
        zone = ZoneInfo(snapshot.zone)
        today = snapshot.today
        local_now = snapshot.now.astimezone(zone)
        self.heading.setText(
            f"{greeting(local_now)} — {WEEKDAYS[today.weekday()]} {today.day} {MONTH_NAMES[today.month - 1]} {today.year}"
        )
        visits = [v for v in snapshot.visits]
        drafts_total = snapshot.drafts_total
        self.summary.setText(
            f"{len(visits)} visit{'s' if len(visits) != 1 else ''} today · {len(snapshot.overdue)} overdue · "
            f"{len(snapshot.this_week)} due this week · {drafts_total} draft"
            f"{'s' if drafts_total != 1 else ''} to sign"
        )

        column = self._section("Today's visits", len(visits), "today_visits")
        if not visits:
            column.addWidget(QLabel("No visits today."))
        for visit in visits[: self._limit("today_visits")]:
            column.addWidget(self._visit_row(visit.event, visit.address, zone, today_row=True))
        self._more(column, len(visits), "today_visits")

        if snapshot.to_record:
            column = self._section("Visits to record as done or missed", len(snapshot.to_record), "to_record")
            for event in snapshot.to_record[: self._limit("to_record")]:
                column.addWidget(self._visit_row(event, event.location, zone, today_row=False))
            self._more(column, len(snapshot.to_record), "to_record")

        column = self._section("Overdue", len(snapshot.overdue), "overdue")
        self._due_rows(column, snapshot.overdue, "Nothing is overdue.", zone, "overdue")
        column = self._section("Due this week", len(snapshot.this_week), "due_this_week")
        self._due_rows(column, snapshot.this_week, "Nothing else is due this week.", zone, "due_this_week")

        column = self._section("Drafts to sign", drafts_total, "drafts")
        if not snapshot.drafts:
            column.addWidget(QLabel("No unsigned drafts."))
        for draft in snapshot.drafts[: self._limit("drafts")]:
            local = draft.contact_start.astimezone(zone)
            text = f"{local.day} {MONTH_NAMES[local.month - 1][:3]} · {draft.client_name} · {draft.contact_type.replace('_', ' ')}"
            row = _Row(text, f"Draft note: {text}")
            row.clicked.connect(functools.partial(self.sig_open_note.emit, draft.note_id))
            column.addWidget(row)
        self._more(column, len(snapshot.drafts), "drafts")
        if drafts_total > len(snapshot.drafts) and "drafts" in self.expanded:
            column.addWidget(QLabel(f"The {len(snapshot.drafts)} oldest of {drafts_total} drafts are listed."))
        self.body_layout.addStretch(1)
        self.scroller.setWidget(self.body)  # shows the new body with all its rows at once

    def _visit_row(self, event: CalendarEvent, address: str | None, zone: ZoneInfo, *, today_row: bool) -> QWidget:
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        local = event.start.astimezone(zone)
        when = f"{self._time(event.start, zone)}–{self._time(event.end, zone)}"
        if not today_row:
            when = f"{local.day} {MONTH_NAMES[local.month - 1][:3]} {when}"
        who = event.client_name or event.title or ""
        status = "" if event.status == "planned" else f" ({event.status})"
        color = style.KIND_COLORS.get(event.kind, style.KIND_COLORS["meeting"]).name()
        text = f"{when} {event.kind_label} · {who}{status}"
        label = QLabel(f'<span style="color:{color}">■</span> {text}' + (f"<br><b>{address}</b>" if address else ""))
        label.setAccessibleName(text + (f", {address}" if address else ""))
        label.setTextFormat(Qt.TextFormat.RichText)
        line.addWidget(label, 1)
        if event.client_id is not None and event.note_status != "signed":
            note = QPushButton("Write note" if event.note_id is None else "Open note")
            note.setAccessibleName(f"Write note: {text}")
            if event.note_id is None:
                note.clicked.connect(functools.partial(self.write_note, event))
            else:
                note.clicked.connect(functools.partial(self.sig_open_note.emit, event.note_id))
            line.addWidget(note)
        if event.status == "planned":
            done = QPushButton("Done")
            done.setAccessibleName(f"Mark done: {text}")
            done.clicked.connect(functools.partial(self.mark, event, "done"))
            line.addWidget(done)
            if not today_row:
                missed = QPushButton("Missed")
                missed.setAccessibleName(f"Mark missed: {text}")
                missed.clicked.connect(functools.partial(self.mark, event, "missed"))
                line.addWidget(missed)
        return row

    def _due_rows(
        self, column: QVBoxLayout, entries: Sequence[DueEntry], empty: str, zone: ZoneInfo, section: str
    ) -> None:
        if not entries:
            column.addWidget(QLabel(empty))
            return
        for entry in entries[: self._limit(section)]:
            day = entry.due_date
            when = f"{WEEKDAYS[day.weekday()][:3]} {day.day} {MONTH_NAMES[day.month - 1][:3]}"
            if isinstance(entry.due, dt.datetime):
                when += " " + self._time(entry.due, zone)
            text = f"{when} · {entry.title} · {entry.client_name}"
            ink = style.OVERDUE_INK.name() if entry.is_overdue else style.DUE_INK.name()
            row = _Row(text, ("Overdue: " if entry.is_overdue else "Due: ") + text, ink, entry.is_overdue)
            row.clicked.connect(functools.partial(self.sig_open_resolver.emit, entry.resolves))
            column.addWidget(row)
        self._more(column, len(entries), section)

    def _limit(self, section: str) -> int | None:
        return None if section in self.expanded else SECTION_LIMIT

    def _more(self, column: QVBoxLayout, count: int, section: str) -> None:
        if count > SECTION_LIMIT and section not in self.expanded:
            more = _Row(f"Show all {count}", f"Show all {count} lines of this section")
            more.clicked.connect(functools.partial(self.expand, section))
            column.addWidget(more)

    def expand(self, section: str) -> None:
        """Show every line of a section ("overdue", "due_this_week", "drafts")."""
        self.expanded.add(section)
        if self.snapshot is not None:
            self._render(self.snapshot)
