"""The month page, painted by one widget: six weeks of day cells with visits and deadlines.

Layout (which chip goes where, elided texts, colours) is computed once per data or size change;
``paintEvent`` only draws the prepared chips, so a month with hundreds of visits repaints in a few
milliseconds. Gestures: double-click an empty part of a day to create a visit there, double-click a
visit to edit it, drag a visit to another day to move it (same time of day), click a deadline to
open what resolves it. Keys: arrows move the selected day, PageUp/PageDown change month, Home goes to
today, Enter creates a visit on the selected day (or edits the selected visit), Delete removes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QLocale, QPoint, QRect, Qt, QTime
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from casedesk.gui.calendar import style
from casedesk.gui.calendar.base import CalendarView
from casedesk.gui.calendar.layout import month_grid
from casedesk.services.calendar import CalendarEvent
from casedesk.services.deadlines import DueEntry

WEEKDAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass
class Chip:
    """One line drawn in a day cell: a visit, a deadline, or "+N more"."""

    rect: QRect
    text: str
    tooltip: str
    fill: QColor
    ink: QColor
    day: dt.date
    bold: bool = False
    strike: bool = False
    event: CalendarEvent | None = None
    entry: DueEntry | None = None
    more: int = 0


def event_text(event: CalendarEvent, zone: dt.tzinfo, locale: QLocale) -> str:
    local = event.start.astimezone(zone)
    when = locale.toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat)
    return f"{when} {event.label}"


def entry_text(entry: DueEntry) -> str:
    return f"{entry.title} · {entry.client_name}" if entry.client_name else entry.title


class MonthView(CalendarView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("month_view")
        self.setAccessibleName("Month calendar")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(False)
        self.setMinimumSize(280, 240)
        self._chips: list[Chip] = []
        self._texts: dict[str, str] = {}  # visit key -> "09:30 Home visit · name"
        self._cells: list[tuple[dt.date, QRect]] = []
        self._header_height = 0
        self._dirty = True
        self._press: tuple[QPoint, Chip | None] | None = None
        self._dragging = False
        self._drop_day: dt.date | None = None
        self._bold = QFont(self.font())
        self._bold.setBold(True)
        self._strike = QFont(self.font())
        self._strike.setStrikeOut(True)

    # -- page ----------------------------------------------------------------------------------

    def visible_days(self) -> list[dt.date]:
        return month_grid(self.selected_day, self.first_weekday)

    def title(self) -> str:
        return f"{MONTH_NAMES[self.selected_day.month - 1]} {self.selected_day.year}"

    def _data_changed(self) -> None:
        self._dirty = True
        self.update()

    def set_events(self, events: tuple[CalendarEvent, ...]) -> None:
        self._texts = {}  # time texts are rebuilt for new data
        super().set_events(events)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._dirty = True
        super().resizeEvent(event)

    # -- layout --------------------------------------------------------------------------------

    def relayout(self) -> None:
        """Place the chips for the current data and size.

        Days are filled with cheap sort keys first; texts, colours and elided strings are made only
        for the chips that fit (a busy month holds far more visits than its cells show), and the
        visits' time texts are kept between layouts.
        """
        self._dirty = False
        days = self.visible_days()
        first, last = days[0], days[-1]
        metrics = QFontMetrics(self.font())
        line = metrics.height() + 4
        self._header_height = metrics.height() + 10
        width, height = self.width(), self.height()
        cell_w = width / 7
        cell_h = (height - self._header_height) / 6
        buckets: dict[dt.date, list[tuple[int, float, str, DueEntry | CalendarEvent]]] = {day: [] for day in days}
        zone = self.zone
        for entry in self.due:
            day = entry.due_date
            if first <= day <= last:
                buckets[day].append((0 if entry.is_overdue else 1, 0.0, entry.title, entry))
        for event in self.events:
            day = event.start.astimezone(zone).date()
            if first <= day <= last:
                buckets[day].append((2, event.start.timestamp(), event.key, event))
        texts = self._texts
        locale = QLocale()
        elide = metrics.elidedText
        bold_elide = QFontMetrics(self._bold).elidedText
        right = Qt.TextElideMode.ElideRight
        self._cells = []
        self._chips = []
        for index, day in enumerate(days):
            row, column = divmod(index, 7)
            left = round(column * cell_w)
            top = round(self._header_height + row * cell_h)
            rect = QRect(
                left, top, round((column + 1) * cell_w) - left, round(self._header_height + (row + 1) * cell_h) - top
            )
            self._cells.append((day, rect))
            items = buckets[day]
            items.sort(key=lambda item: item[:3])
            room = max(0, (rect.height() - line - 2) // line)
            shown = items if len(items) <= room else items[: max(room - 1, 0)]
            y = rect.top() + line
            inner = rect.width() - 6
            for *_, thing in shown:
                if isinstance(thing, CalendarEvent):
                    fill, ink = style.event_colors(thing.kind, thing.status)
                    text = texts.get(thing.key)
                    if text is None:
                        text = texts[thing.key] = event_text(thing, zone, locale)
                    status = "" if thing.status == "planned" else f" ({thing.status})"
                    chip = Chip(
                        QRect(rect.left() + 3, y, inner, line - 2),
                        elide(text, right, inner - 8),
                        text + status,
                        fill,
                        ink,
                        day,
                        strike=thing.status == "cancelled",
                        event=thing,
                    )
                else:
                    fill, ink = style.due_colors(thing.status)
                    text = entry_text(thing)
                    chip = Chip(
                        QRect(rect.left() + 3, y, inner, line - 2),
                        (bold_elide if thing.is_overdue else elide)(text, right, inner - 8),
                        f"Due: {text}",
                        fill,
                        ink,
                        day,
                        bold=thing.is_overdue,
                        entry=thing,
                    )
                self._chips.append(chip)
                y += line
            hidden = len(items) - len(shown)
            if hidden and room:
                self._chips.append(
                    Chip(
                        QRect(rect.left() + 3, y, inner, line - 2),
                        f"+{hidden} more",
                        f"{hidden} more on this day: open the week view",
                        QColor(0, 0, 0, 0),
                        self.palette().text().color(),
                        day,
                        more=hidden,
                    )
                )

    # -- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._dirty:
            self.relayout()
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.base())
        text_color = palette.text().color()
        # weekday header
        cell_w = self.width() / 7
        painter.setPen(text_color)
        painter.setFont(self._bold)
        for column in range(7):
            name = WEEKDAY_SHORT[(self.first_weekday + column) % 7]
            painter.drawText(
                QRect(round(column * cell_w), 0, round(cell_w), self._header_height),
                Qt.AlignmentFlag.AlignCenter,
                name,
            )
        painter.setFont(self.font())
        month = self.selected_day.month
        for day, rect in self._cells:
            if day == self.today:
                painter.fillRect(rect, style.TODAY_FILL)
            elif day.weekday() >= 5:
                painter.fillRect(rect, style.WEEKEND_FILL)
            if day == self._drop_day:
                painter.fillRect(rect, style.DROP_FILL)
            painter.setPen(QPen(style.GRID_LINE))
            painter.drawRect(rect.adjusted(0, 0, -1, -1))
            painter.setPen(text_color if day.month == month else style.OTHER_MONTH_INK)
            if day == self.today:
                painter.setFont(self._bold)
            label = str(day.day) if day.day != 1 else f"{MONTH_NAMES[day.month - 1][:3]} 1"
            painter.drawText(rect.adjusted(5, 2, -5, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, label)
            if day == self.today:
                painter.setFont(self.font())
        # Square chips without antialiasing: a busy month draws hundreds of them on every repaint.
        fonts = {"plain": self.font(), "bold": self._bold, "strike": self._strike}
        current = "plain"
        painter.setFont(self.font())
        for chip in self._chips:
            rect = chip.rect
            if chip.more:
                if current != "plain":
                    painter.setFont(fonts["plain"])
                    current = "plain"
                painter.setPen(text_color)
                painter.drawText(rect.adjusted(4, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, chip.text)
                continue
            painter.fillRect(rect, chip.fill)
            if chip.entry is not None:  # a deadline: an ink bar on the left tells it from a visit
                painter.fillRect(QRect(rect.left(), rect.top(), 3, rect.height()), chip.ink)
            if chip.event is not None and chip.event.key == self.selected_key:
                painter.setPen(QPen(style.SELECTED_LINE, 2))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(rect.adjusted(1, 1, -1, -1))
            wanted = "bold" if chip.bold else "strike" if chip.strike else "plain"
            if wanted != current:
                painter.setFont(fonts[wanted])
                current = wanted
            painter.setPen(chip.ink)
            painter.drawText(rect.adjusted(6, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter, chip.text)
        painter.setFont(self.font())
        for day, rect in self._cells:
            if day == self.selected_day and self.hasFocus():
                painter.setPen(QPen(style.SELECTED_LINE, 2))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(rect.adjusted(1, 1, -2, -2))
        painter.end()

    # -- hit testing ---------------------------------------------------------------------------

    @property
    def chips(self) -> list[Chip]:
        """The chips as they are (or will next be) drawn."""
        if self._dirty:
            self.relayout()
        return self._chips

    def chip_at(self, pos: QPoint) -> Chip | None:
        if self._dirty:
            self.relayout()
        for chip in self._chips:
            if chip.rect.contains(pos):
                return chip
        return None

    def day_at(self, pos: QPoint) -> dt.date | None:
        if self._dirty:
            self.relayout()
        for day, rect in self._cells:
            if rect.contains(pos):
                return day
        return None

    def chip_for(self, key: str) -> Chip | None:
        """The chip drawing the visit with this key (tests and keyboard use it)."""
        if self._dirty:
            self.relayout()
        return next((chip for chip in self._chips if chip.event is not None and chip.event.key == key), None)

    def cell_rect(self, day: dt.date) -> QRect:
        if self._dirty:
            self.relayout()
        return next(rect for cell_day, rect in self._cells if cell_day == day)

    # -- mouse ---------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        pos = event.position().toPoint()
        chip = self.chip_at(pos)
        day = self.day_at(pos)
        self._press = (pos, chip)
        self._dragging = False
        if chip is not None and chip.event is not None:
            self.selected_key = chip.event.key
        elif chip is None:
            self.selected_key = None
        if day is not None:
            self._select_day(day)
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None:
            return
        start, chip = self._press
        pos = event.position().toPoint()
        if chip is None or chip.event is None:
            return
        if not self._dragging and (pos - start).manhattanLength() >= QApplication.startDragDistance():
            self._dragging = True
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        if self._dragging:
            day = self.day_at(pos)
            if day != self._drop_day:
                self._drop_day = day
                self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._press is None or event.button() != Qt.MouseButton.LeftButton:
            return
        _, chip = self._press
        dragging, drop_day = self._dragging, self._drop_day
        self._press, self._dragging, self._drop_day = None, False, None
        self.unsetCursor()
        self.update()
        if chip is None:
            return
        if dragging and chip.event is not None:
            if drop_day is not None and drop_day != chip.day:
                moved = chip.event
                shift = drop_day - chip.day
                local_start = moved.start.astimezone(self.zone)
                new_start = (local_start.replace(tzinfo=None) + shift).replace(tzinfo=self.zone)
                self.sig_event_moved.emit(moved, new_start, new_start + (moved.end - moved.start))
            return
        if chip.entry is not None:
            self.sig_due_activated.emit(chip.entry)
        elif chip.more:
            self.sig_day_changed.emit(chip.day)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.position().toPoint()
        chip = self.chip_at(pos)
        if chip is not None and chip.event is not None:
            self.sig_event_activated.emit(chip.event)
            return
        if chip is not None and chip.entry is not None:
            return  # a single click already opened it
        day = self.day_at(pos)
        if day is not None:
            self._request_create(day)

    def _request_create(self, day: dt.date) -> None:
        minutes = self.DEFAULT_START_MINUTES
        start = dt.datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=self.zone)
        self.sig_create_requested.emit(start, start + self.DEFAULT_LENGTH)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        chip = self.chip_at(event.pos())
        day = self.day_at(event.pos())
        if chip is not None and chip.event is not None:
            self.selected_key = chip.event.key
            self.update()
        if day is not None:
            self.sig_context_menu.emit(chip.event if chip is not None else None, day, event.globalPos())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            chip = self.chip_at(event.pos())
            if chip is not None:
                QToolTip.showText(event.globalPos(), chip.tooltip, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    # -- keyboard ------------------------------------------------------------------------------

    def _arrow_key(self, key: Qt.Key) -> bool:
        steps = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_Up: -7, Qt.Key.Key_Down: 7}
        if key not in steps:
            return False
        self.selected_key = None
        self._select_day(self.selected_day + dt.timedelta(days=steps[key]))
        return True

    def _create_at_selection(self) -> None:
        self._request_create(self.selected_day)

    def _cycle_selection(self) -> None:
        """Space walks through the visits of the selected day (then Enter edits, Delete removes)."""
        day_events = [chip.event for chip in self._chips if chip.event is not None and chip.day == self.selected_day]
        if not day_events:
            return
        keys = [e.key for e in day_events]
        index = keys.index(self.selected_key) + 1 if self.selected_key in keys else 0
        self.selected_key = keys[index % len(keys)]
        self.update()
