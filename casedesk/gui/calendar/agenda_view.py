"""The agenda: four weeks from the selected day as a list, day by day, deadlines first.

A light list model (one row per day heading, visit or deadline) with a delegate that paints each row;
no widget per row. Enter or double-click edits a visit, a click on a deadline opens what resolves it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTime,
)
from PySide6.QtGui import QFont, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from casedesk.gui.calendar import style
from casedesk.gui.calendar.base import CalendarView
from casedesk.gui.calendar.month_view import MONTH_NAMES, entry_text
from casedesk.services.calendar import CalendarEvent
from casedesk.services.deadlines import DueEntry

DAYS = 28
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DUE_KIND_WORDS = {
    "quarterly_report": "quarterly report",
    "plan_review": "service plan review",
    "plan_renewal": "service plan renewal",
    "service_plan": "service plan",
    "goal_target": "goal target date",
    "note_for_visit": "progress note for a done visit",
    "note_signature": "draft note to sign",
    "monthly_visit": "monthly face-to-face visit",
    "follow_up": "follow-up",
}
ROW_KIND = Qt.ItemDataRole.UserRole + 1
ROW_PAYLOAD = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class Row:
    kind: str  # "day", "event", "due" or "empty"
    day: dt.date
    text: str
    detail: str = ""
    event: CalendarEvent | None = None
    entry: DueEntry | None = None


def build_rows(
    first_day: dt.date,
    days: int,
    events: tuple[CalendarEvent, ...],
    due: tuple[DueEntry, ...],
    zone: dt.tzinfo,
    today: dt.date,
) -> list[Row]:
    """The agenda's rows: a heading per day that has something (and for today), its deadlines, then
    its visits by time."""
    last_day = first_day + dt.timedelta(days=days - 1)
    locale = QLocale()
    by_day: dict[dt.date, list[Row]] = {}
    for entry in due:
        if first_day <= entry.due_date <= last_day:
            when = ""
            if isinstance(entry.due, dt.datetime):
                local = entry.due.astimezone(zone)
                when = locale.toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat) + " "
            status = "OVERDUE · " if entry.is_overdue else "Due · "
            by_day.setdefault(entry.due_date, []).append(
                Row(
                    "due",
                    entry.due_date,
                    f"{when}{entry_text(entry)}",
                    status + entry.kind.replace("_", " "),
                    entry=entry,
                )
            )
    for event in events:
        local = event.start.astimezone(zone)
        day = local.date()
        if first_day <= day <= last_day:
            end = event.end.astimezone(zone)
            when = (
                locale.toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat)
                + "–"
                + locale.toString(QTime(end.hour, end.minute), QLocale.FormatType.ShortFormat)
            )
            details = [event.status.capitalize() if event.status != "planned" else "", event.location or ""]
            if event.repeat_text:
                details.append(event.repeat_text)
            if event.note_status:
                details.append(f"note {event.note_status}")
            by_day.setdefault(day, []).append(
                Row("event", day, f"{when}  {event.label}", " · ".join(d for d in details if d), event=event)
            )
    rows: list[Row] = []
    for offset in range(days):
        day = first_day + dt.timedelta(days=offset)
        items = by_day.get(day, [])
        if not items and day != today:
            continue
        label = f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"
        if day == today:
            label = "Today · " + label
        rows.append(Row("day", day, label))
        if not items:
            rows.append(Row("empty", day, "Nothing planned"))
        rows.extend(items)
    return rows


class AgendaModel(QAbstractListModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Row] = []

    def set_rows(self, rows: list[Row]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{row.text} — {row.detail}" if row.detail else row.text
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.detail or None
        if role == ROW_KIND:
            return row.kind
        if role == ROW_PAYLOAD:
            return row
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self.rows[index.row()].kind in ("day", "empty"):
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class AgendaDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        height = option.fontMetrics.height()
        kind = index.data(ROW_KIND)
        return QSize(200, height + 14 if kind == "day" else height * 2 + 10 if kind != "empty" else height + 8)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        row: Row = index.data(ROW_PAYLOAD)
        rect: QRect = option.rect
        palette = option.palette
        painter.save()
        if row.kind == "day":
            painter.fillRect(rect, style.TODAY_FILL if row.text.startswith("Today") else palette.alternateBase())
            font = QFont(option.font)
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(palette.text().color())
            painter.drawText(rect.adjusted(8, 0, -8, 0), Qt.AlignmentFlag.AlignVCenter, row.text)
            painter.restore()
            return
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, palette.highlight())
        if row.kind == "empty":
            painter.setPen(style.OTHER_MONTH_INK)
            painter.drawText(rect.adjusted(24, 0, -8, 0), Qt.AlignmentFlag.AlignVCenter, row.text)
            painter.restore()
            return
        if row.entry is not None:
            fill, ink = style.due_colors(row.entry.status)
            bar = ink
        else:
            assert row.event is not None
            fill, ink = style.event_colors(row.event.kind, row.event.status)
            bar = style.KIND_COLORS.get(row.event.kind, style.KIND_COLORS["meeting"])
            ink = palette.text().color()
        painter.fillRect(QRect(rect.left() + 12, rect.top() + 4, 5, rect.height() - 8), bar)
        if row.entry is not None:
            painter.fillRect(QRect(rect.left() + 17, rect.top() + 4, rect.width() - 25, rect.height() - 8), fill)
        line = option.fontMetrics.height()
        font = QFont(option.font)
        font.setBold(row.entry is not None and row.entry.is_overdue)
        font.setStrikeOut(row.event is not None and row.event.status == "cancelled")
        painter.setFont(font)
        painter.setPen(ink)
        text_rect = QRect(rect.left() + 24, rect.top() + 5, rect.width() - 32, line)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter, row.text)
        small = QFont(option.font)
        painter.setFont(small)
        painter.setPen(style.OTHER_MONTH_INK if row.entry is None else ink)
        painter.drawText(text_rect.translated(0, line), Qt.AlignmentFlag.AlignVCenter, row.detail)
        painter.restore()


class _List(QListView):
    """The list itself: Enter activates the current row like a double-click."""

    def __init__(self, owner: AgendaView) -> None:
        super().__init__(owner)
        self._owner = owner

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._owner.on_activated(self.currentIndex())
            return
        if key == Qt.Key.Key_Delete and self.currentIndex().isValid():
            row: Row = self.currentIndex().data(ROW_PAYLOAD)
            if row.event is not None:
                self._owner.sig_delete_requested.emit(row.event)
            return
        if key == Qt.Key.Key_PageUp and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._owner.sig_page_requested.emit(-1)
            return
        if key == Qt.Key.Key_PageDown and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._owner.sig_page_requested.emit(1)
            return
        super().keyPressEvent(event)


class AgendaView(CalendarView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agenda_view")
        self.setAccessibleName("Agenda")
        self.model = AgendaModel(self)
        self.list = _List(self)
        self.list.setAccessibleName("Agenda list")
        self.list.setModel(self.model)
        self.list.setItemDelegate(AgendaDelegate(self.list))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setUniformItemSizes(False)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.doubleClicked.connect(self.on_activated)
        self.list.clicked.connect(self.on_clicked)
        self.list.customContextMenuRequested.connect(self.on_context_menu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        self.setFocusProxy(self.list)

    def visible_days(self) -> list[dt.date]:
        return [self.selected_day + dt.timedelta(days=offset) for offset in range(DAYS)]

    def title(self) -> str:
        last = self.selected_day + dt.timedelta(days=DAYS - 1)
        return f"{self.selected_day.day} {MONTH_NAMES[self.selected_day.month - 1][:3]} – {last.day} {MONTH_NAMES[last.month - 1][:3]} {last.year}"

    def _data_changed(self) -> None:
        self.model.set_rows(build_rows(self.selected_day, DAYS, self.events, self.due, self.zone, self.today))

    def row_of(self, key: str) -> int:
        return next(i for i, row in enumerate(self.model.rows) if row.event is not None and row.event.key == key)

    def on_activated(self, index: QModelIndex) -> None:
        row: Row = index.data(ROW_PAYLOAD)
        if row.event is not None:
            self.sig_event_activated.emit(row.event)
        elif row.entry is not None:
            self.sig_due_activated.emit(row.entry)
        elif row.kind in ("day", "empty"):
            minutes = self.DEFAULT_START_MINUTES
            start = dt.datetime(row.day.year, row.day.month, row.day.day, minutes // 60, tzinfo=self.zone)
            self.sig_create_requested.emit(start, start + self.DEFAULT_LENGTH)

    def on_clicked(self, index: QModelIndex) -> None:
        row: Row = index.data(ROW_PAYLOAD)
        if row.event is not None:
            self.selected_key = row.event.key
        if row.entry is not None:
            self.sig_due_activated.emit(row.entry)

    def on_context_menu(self, pos: QPoint) -> None:
        index = self.list.indexAt(pos)
        if not index.isValid():
            return
        row: Row = index.data(ROW_PAYLOAD)
        if row.event is not None:
            self.selected_key = row.event.key
        self.sig_context_menu.emit(row.event, row.day, self.list.viewport().mapToGlobal(pos))
