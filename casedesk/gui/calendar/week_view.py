"""The week page, painted by one widget: seven day columns on a time grid.

Visits are boxes placed side by side where they overlap; date deadlines sit in a strip above the
grid and timed deadlines (a note due 48 hours after a visit) are flags at their moment. Gestures:
drag on empty time to create a visit for that span (double-click creates an hour), drag a visit to
move it (15-minute steps, across days), drag its bottom edge to change its length, double-click it
to edit, click a deadline to open what resolves it. Keys: Left/Right change day, Up/Down move the
selected half hour, PageUp/PageDown change week, Home goes to today, Enter creates or edits, Delete
removes the selected visit.

The grid shows working hours (7:00 to 19:00) and grows to include any visit of the week outside them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QLocale, QPoint, QRect, QRectF, Qt, QTime
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
from casedesk.gui.calendar.layout import overlap_columns, snap_minutes, week_days
from casedesk.gui.calendar.month_view import MONTH_NAMES, WEEKDAY_SHORT, entry_text
from casedesk.services.calendar import CalendarEvent
from casedesk.services.deadlines import DueEntry

GUTTER = 52
RESIZE_GRIP = 6
STEP = 15


@dataclass
class Box:
    """A visit drawn on the grid (clipped to its day)."""

    rect: QRect
    event: CalendarEvent
    day: dt.date
    text: str


@dataclass
class Flag:
    """A deadline drawn in the all-day strip (``timed`` False) or at its moment on the grid."""

    rect: QRect
    entry: DueEntry
    day: dt.date
    text: str
    timed: bool


@dataclass
class _Drag:
    mode: str  # "move", "resize", "create" or "flag"
    press: QPoint
    day: dt.date
    minutes: int
    box: Box | None = None
    flag: Flag | None = None
    offset: int = 0  # minutes between the box's start and the press
    active: bool = False
    target_day: dt.date | None = None
    target_start: int = 0
    target_end: int = 0


class WeekView(CalendarView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("week_view")
        self.setAccessibleName("Week calendar")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(300, 240)
        self.selected_minutes = self.DEFAULT_START_MINUTES
        self.first_hour = 7
        self.last_hour = 19
        self._boxes: list[Box] = []
        self._flags: list[Flag] = []
        self._columns: list[tuple[dt.date, QRect]] = []
        self._grid_top = 0
        self._hour_height = 40.0
        self._header_height = 0
        self._dirty = True
        self._drag: _Drag | None = None
        self._bold = QFont(self.font())
        self._bold.setBold(True)
        self._small = QFont(self.font())
        self._small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.85))
        self.now: dt.datetime | None = None

    def visible_days(self) -> list[dt.date]:
        return week_days(self.selected_day, self.first_weekday)

    def title(self) -> str:
        days = self.visible_days()
        first, last = days[0], days[-1]
        if first.month == last.month:
            return f"{first.day}–{last.day} {MONTH_NAMES[first.month - 1]} {first.year}"
        return (
            f"{first.day} {MONTH_NAMES[first.month - 1][:3]} – {last.day} {MONTH_NAMES[last.month - 1][:3]} {last.year}"
        )

    def _data_changed(self) -> None:
        self._dirty = True
        self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._dirty = True
        super().resizeEvent(event)

    # -- geometry ------------------------------------------------------------------------------

    def y_for(self, minutes: float) -> int:
        return round(self._grid_top + (minutes - self.first_hour * 60) * self._hour_height / 60)

    def minutes_at(self, y: float) -> float:
        return self.first_hour * 60 + (y - self._grid_top) * 60 / self._hour_height

    def column_at(self, x: int) -> dt.date | None:
        for day, rect in self._columns:
            if rect.left() <= x < rect.right() + 1:
                return day
        return None

    def column_rect(self, day: dt.date) -> QRect:
        if self._dirty:
            self.relayout()
        return next(rect for column_day, rect in self._columns if column_day == day)

    def relayout(self) -> None:
        self._dirty = False
        days = self.visible_days()
        first, last = days[0], days[-1]
        metrics = QFontMetrics(self.font())
        line = metrics.height() + 4
        zone = self.zone
        # hours: working hours, widened to the week's visits
        start_hour, end_hour = 7, 19
        week_events: list[tuple[CalendarEvent, dt.date, float, float]] = []
        for event in self.events:
            local_start = event.start.astimezone(zone)
            local_end = event.end.astimezone(zone)
            day = local_start.date()
            if not first <= day <= last:
                continue
            begin = local_start.hour * 60 + local_start.minute
            finish = (local_end - local_start.replace(hour=0, minute=0, second=0)).total_seconds() / 60
            finish = min(max(finish, begin + STEP), 24 * 60)
            week_events.append((event, day, begin, finish))
            start_hour = min(start_hour, int(begin // 60))
            end_hour = max(end_hour, int(-(-finish // 60)))
        timed = [e for e in self.due if isinstance(e.due, dt.datetime) and first <= e.due_date <= last]
        for entry in timed:
            assert isinstance(entry.due, dt.datetime)
            local = entry.due.astimezone(zone)
            start_hour = min(start_hour, local.hour)
            end_hour = max(end_hour, min(24, local.hour + 1))
        self.first_hour, self.last_hour = start_hour, max(end_hour, start_hour + 1)
        # all-day strip: date deadlines, up to three lines a day
        dated: dict[dt.date, list[DueEntry]] = {day: [] for day in days}
        for entry in self.due:
            if not isinstance(entry.due, dt.datetime) and first <= entry.due_date <= last:
                dated[entry.due_date].append(entry)
        strip_lines = min(3, max((len(v) for v in dated.values()), default=0))
        self._header_height = metrics.height() + 10
        strip_top = self._header_height
        self._grid_top = strip_top + strip_lines * line + (6 if strip_lines else 2)
        self._hour_height = max(18.0, (self.height() - self._grid_top - 2) / (self.last_hour - self.first_hour))
        column_w = (self.width() - GUTTER) / 7
        self._columns = []
        for index, day in enumerate(days):
            left = round(GUTTER + index * column_w)
            right = round(GUTTER + (index + 1) * column_w)
            self._columns.append((day, QRect(left, 0, right - left, self.height())))
        self._flags = []
        for day, rect in self._columns:
            entries = sorted(dated[day], key=lambda e: (not e.is_overdue, e.client_name, e.title))
            shown = entries if len(entries) <= 3 else entries[:2]
            y = strip_top
            for entry in shown:
                text = metrics.elidedText(entry_text(entry), Qt.TextElideMode.ElideRight, rect.width() - 12)
                self._flags.append(Flag(QRect(rect.left() + 2, y, rect.width() - 4, line - 2), entry, day, text, False))
                y += line
            if len(entries) > len(shown):
                rest = len(entries) - len(shown)
                self._flags.append(
                    Flag(
                        QRect(rect.left() + 2, y, rect.width() - 4, line - 2),
                        entries[len(shown)],
                        day,
                        f"+{rest} more deadlines",
                        False,
                    )
                )
        locale = QLocale()
        self._boxes = []
        by_day: dict[dt.date, list[tuple[CalendarEvent, float, float]]] = {day: [] for day in days}
        for event, day, from_minute, to_minute in week_events:
            by_day[day].append((event, from_minute, to_minute))
        for day, rect in self._columns:
            items = sorted(by_day[day], key=lambda item: (item[1], item[0].key))
            placement = overlap_columns([(a, b) for _, a, b in items])
            for (event, from_minute, to_minute), (column, count) in zip(items, placement, strict=True):
                width = (rect.width() - 6) / count
                left = round(rect.left() + 2 + column * width)
                top = self.y_for(from_minute)
                bottom = max(self.y_for(to_minute), top + line)
                box_rect = QRect(left, top + 1, max(8, round(width) - 2), bottom - top - 2)
                local = event.start.astimezone(zone)
                when = locale.toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat)
                self._boxes.append(Box(box_rect, event, day, f"{when} {event.label}"))
        for entry in timed:
            assert isinstance(entry.due, dt.datetime)
            local = entry.due.astimezone(zone)
            day = entry.due_date
            rect = next(r for d, r in self._columns if d == day)
            y = self.y_for(local.hour * 60 + local.minute)
            when = locale.toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat)
            label = f"⚑ {when} {entry.title} · {entry.client_name}"
            # at most 60 % of the column, on its right: the visits under it stay readable
            width = min(round(rect.width() * 0.6), metrics.horizontalAdvance(label) + 10)
            text = metrics.elidedText(label, Qt.TextElideMode.ElideRight, width - 8)
            flag_rect = QRect(rect.right() - width - 1, y - line // 2, width, line - 2)
            self._flags.append(Flag(flag_rect, entry, day, text, True))

    # -- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._dirty:
            self.relayout()
        painter = QPainter(self)
        palette = self.palette()
        text_color = palette.text().color()
        painter.fillRect(self.rect(), palette.base())
        metrics = QFontMetrics(self.font())
        for day, rect in self._columns:
            grid = QRect(rect.left(), self._grid_top, rect.width(), self.height() - self._grid_top)
            if day == self.today:
                painter.fillRect(rect, style.TODAY_FILL)
            elif day.weekday() >= 5:
                painter.fillRect(grid, style.WEEKEND_FILL)
            painter.setPen(text_color)
            painter.setFont(self._bold if day == self.today else self.font())
            header = f"{WEEKDAY_SHORT[day.weekday()]} {day.day}"
            painter.drawText(
                QRect(rect.left(), 0, rect.width(), self._header_height), Qt.AlignmentFlag.AlignCenter, header
            )
        painter.setFont(self._small)
        for hour in range(self.first_hour, self.last_hour + 1):
            y = self.y_for(hour * 60)
            painter.setPen(QPen(style.GRID_LINE))
            painter.drawLine(GUTTER - 4, y, self.width(), y)
            painter.setPen(style.OTHER_MONTH_INK)
            label = QLocale().toString(QTime(hour % 24, 0), QLocale.FormatType.ShortFormat)
            painter.drawText(
                QRect(0, y - 8, GUTTER - 8, 16), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label
            )
        painter.setFont(self.font())
        painter.setPen(QPen(style.GRID_LINE))
        for _, rect in self._columns:
            painter.drawLine(rect.left(), 0, rect.left(), self.height())
        painter.drawLine(GUTTER, self._grid_top, self.width(), self._grid_top)
        # selection
        for day, rect in self._columns:
            if day == self.selected_day and self.hasFocus():
                y = self.y_for(self.selected_minutes)
                painter.fillRect(
                    QRect(rect.left() + 1, y, rect.width() - 2, round(self._hour_height / 2)), style.DROP_FILL
                )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        dragged = self._drag.box.event.key if self._drag and self._drag.box and self._drag.active else None
        for box in self._boxes:
            fill, ink = style.event_colors(box.event.kind, box.event.status)
            if box.event.key == dragged:
                fill = QColor(fill)
                fill.setAlpha(90)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(QRectF(box.rect), 4, 4)
            if box.event.key == self.selected_key:
                painter.setPen(QPen(style.SELECTED_LINE, 2))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(QRectF(box.rect).adjusted(1, 1, -1, -1), 4, 4)
            painter.setPen(ink)
            font = QFont(self.font())
            font.setStrikeOut(box.event.status == "cancelled")
            painter.setFont(font)
            inner = box.rect.adjusted(4, 2, -3, -2)
            lines = max(1, inner.height() // metrics.height())
            text = box.text
            if box.event.status != "planned":
                text += f" ({box.event.status})"
            if box.event.is_recurring:
                text += " ↻"
            painter.drawText(
                inner,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
                metrics.elidedText(text, Qt.TextElideMode.ElideRight, inner.width() * lines),
            )
        painter.setFont(self.font())
        drag = self._drag
        if drag is not None and drag.active and drag.target_day is not None:
            rect = next(r for d, r in self._columns if d == drag.target_day)
            ghost = QRect(rect.left() + 2, self.y_for(drag.target_start), rect.width() - 6, 0)
            ghost.setBottom(self.y_for(drag.target_end))
            painter.setPen(QPen(style.SELECTED_LINE, 1, Qt.PenStyle.DashLine))
            painter.setBrush(style.DROP_FILL)
            painter.drawRoundedRect(QRectF(ghost), 4, 4)
        for flag in self._flags:
            fill, ink = style.due_colors(flag.entry.status)
            if flag.timed:
                y = flag.rect.center().y()
                column = next(r for d, r in self._columns if d == flag.day)
                painter.setPen(QPen(ink, 1, Qt.PenStyle.DashLine))
                painter.drawLine(column.left() + 2, y, column.right() - 2, y)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(QRectF(flag.rect), 3, 3)
            painter.fillRect(QRect(flag.rect.left(), flag.rect.top(), 3, flag.rect.height()), ink)
            painter.setPen(ink)
            painter.setFont(self._bold if flag.entry.is_overdue else self.font())
            painter.drawText(flag.rect.adjusted(6, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter, flag.text)
        painter.setFont(self.font())
        if self.now is not None:
            local = self.now.astimezone(self.zone)
            for day, rect in self._columns:
                if day == local.date():
                    y = self.y_for(local.hour * 60 + local.minute)
                    painter.setPen(QPen(style.NOW_LINE, 2))
                    painter.drawLine(rect.left(), y, rect.right(), y)
        painter.end()

    # -- hit testing ---------------------------------------------------------------------------

    @property
    def boxes(self) -> list[Box]:
        """The visits as they are (or will next be) drawn."""
        if self._dirty:
            self.relayout()
        return self._boxes

    @property
    def flags(self) -> list[Flag]:
        """The deadlines as they are (or will next be) drawn."""
        if self._dirty:
            self.relayout()
        return self._flags

    def box_at(self, pos: QPoint) -> Box | None:
        if self._dirty:
            self.relayout()
        for box in reversed(self._boxes):
            if box.rect.contains(pos):
                return box
        return None

    def flag_at(self, pos: QPoint) -> Flag | None:
        if self._dirty:
            self.relayout()
        for flag in reversed(self._flags):
            if flag.rect.contains(pos):
                return flag
        return None

    def box_for(self, key: str) -> Box | None:
        if self._dirty:
            self.relayout()
        return next((box for box in self._boxes if box.event.key == key), None)

    def point_at(self, day: dt.date, minutes: int) -> QPoint:
        """Where the grid shows ``minutes`` after midnight of ``day`` (tests drive the mouse with it)."""
        rect = self.column_rect(day)
        return QPoint(rect.left() + rect.width() // 3, self.y_for(minutes) + 2)

    # -- mouse ---------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        pos = event.position().toPoint()
        flag = self.flag_at(pos)
        day = self.column_at(pos.x())
        minutes = int(self.minutes_at(pos.y()))
        if flag is not None:
            self._drag = _Drag("flag", pos, flag.day, minutes, flag=flag)
            return
        if day is None:
            return
        self._select_day(day)
        box = self.box_at(pos)
        if box is not None:
            self.selected_key = box.event.key
            start = box.event.start.astimezone(self.zone)
            start_minutes = start.hour * 60 + start.minute
            mode = "resize" if pos.y() >= box.rect.bottom() - RESIZE_GRIP else "move"
            self._drag = _Drag(mode, pos, day, minutes, box=box, offset=minutes - start_minutes)
        elif pos.y() > self._grid_top:
            self.selected_key = None
            self.selected_minutes = (minutes // 30) * 30
            self._drag = _Drag("create", pos, day, minutes)
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        drag = self._drag
        if drag is None or drag.mode == "flag":
            return
        pos = event.position().toPoint()
        if not drag.active and (pos - drag.press).manhattanLength() < QApplication.startDragDistance():
            return
        drag.active = True
        minutes = self.minutes_at(pos.y())
        day = self.column_at(pos.x()) or drag.day
        if drag.mode == "move" and drag.box is not None:
            length = (drag.box.event.end - drag.box.event.start).total_seconds() / 60
            start = max(0, min(snap_minutes(minutes - drag.offset, STEP), 24 * 60 - STEP))
            drag.target_day, drag.target_start, drag.target_end = day, start, round(start + length)
        elif drag.mode == "resize" and drag.box is not None:
            begin = drag.box.event.start.astimezone(self.zone)
            start = begin.hour * 60 + begin.minute
            end = max(start + STEP, min(snap_minutes(minutes, STEP), 24 * 60))
            drag.target_day, drag.target_start, drag.target_end = drag.box.day, start, end
        elif drag.mode == "create":
            a = snap_minutes(min(drag.minutes, minutes), STEP)
            b = snap_minutes(max(drag.minutes, minutes), STEP)
            drag.target_day, drag.target_start, drag.target_end = drag.day, a, max(b, a + STEP)
        self.setCursor(Qt.CursorShape.SizeVerCursor if drag.mode == "resize" else Qt.CursorShape.ClosedHandCursor)
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drag, self._drag = self._drag, None
        self.unsetCursor()
        self.update()
        if drag is None or event.button() != Qt.MouseButton.LeftButton:
            return
        if drag.mode == "flag":
            if drag.flag is not None and drag.flag.rect.contains(event.position().toPoint()):
                self.sig_due_activated.emit(drag.flag.entry)
            return
        if not drag.active or drag.target_day is None:
            return
        start = self._moment(drag.target_day, drag.target_start)
        end = self._moment(drag.target_day, drag.target_end)
        if drag.mode == "create":
            self.sig_create_requested.emit(start, end)
        elif drag.box is not None:
            moved = drag.box.event
            if start != moved.start or end != moved.end:
                self.sig_event_moved.emit(moved, start, end)

    def _moment(self, day: dt.date, minutes: int) -> dt.datetime:
        base = dt.datetime(day.year, day.month, day.day, tzinfo=self.zone)
        if minutes >= 24 * 60:
            following = day + dt.timedelta(days=1)
            return dt.datetime(following.year, following.month, following.day, tzinfo=self.zone)
        return base.replace(hour=minutes // 60, minute=minutes % 60)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.position().toPoint()
        box = self.box_at(pos)
        if box is not None:
            self.sig_event_activated.emit(box.event)
            return
        if self.flag_at(pos) is not None:
            return
        day = self.column_at(pos.x())
        if day is not None and pos.y() > self._grid_top:
            minutes = (int(self.minutes_at(pos.y())) // 30) * 30
            start = self._moment(day, minutes)
            self.sig_create_requested.emit(start, start + self.DEFAULT_LENGTH)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        box = self.box_at(event.pos())
        day = self.column_at(event.pos().x())
        if box is not None:
            self.selected_key = box.event.key
            self.update()
        if day is not None:
            self.sig_context_menu.emit(box.event if box is not None else None, day, event.globalPos())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            flag = self.flag_at(event.pos())
            box = self.box_at(event.pos())
            if flag is not None:
                QToolTip.showText(event.globalPos(), f"Due: {entry_text(flag.entry)}", self)
            elif box is not None:
                extra = f"\n{box.event.location}" if box.event.location else ""
                repeat = f"\n{box.event.repeat_text}" if box.event.repeat_text else ""
                QToolTip.showText(event.globalPos(), f"{box.text} ({box.event.status}){extra}{repeat}", self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    # -- keyboard ------------------------------------------------------------------------------

    def _arrow_key(self, key: Qt.Key) -> bool:
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            self.selected_key = None
            self._select_day(self.selected_day + dt.timedelta(days=-1 if key == Qt.Key.Key_Left else 1))
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.selected_key = None
            step = -30 if key == Qt.Key.Key_Up else 30
            self.selected_minutes = max(0, min(24 * 60 - 30, self.selected_minutes + step))
            self.update()
        else:
            return False
        return True

    def _create_at_selection(self) -> None:
        start = self._moment(self.selected_day, self.selected_minutes)
        self.sig_create_requested.emit(start, start + self.DEFAULT_LENGTH)

    def _cycle_selection(self) -> None:
        day_boxes = [box.event.key for box in self._boxes if box.day == self.selected_day]
        if day_boxes:
            index = day_boxes.index(self.selected_key) + 1 if self.selected_key in day_boxes else 0
            self.selected_key = day_boxes[index % len(day_boxes)]
            self.update()
