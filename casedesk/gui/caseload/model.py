"""Caseload table model: holds client ids in display order; each row's content is looked up by id.

Filtering as you type does not go through a QSortFilterProxyModel (a Python filterAcceptsRow call per
row is too slow at 10k clients). Each list of ids (in scope, shown) has a parallel list of prepared search
texts, so a keystroke is one pass of substring tests over a flat list; when the text only grows, only the
rows that matched before are tested again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import compress
from typing import Any, cast

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from casedesk.services.caseload_list import CaseloadEntry, DueItem

Index = QModelIndex | QPersistentModelIndex

COLUMNS = ("Name", "Age", "Program", "Last contact", "Next visit", "Next due", "Flags")
COL_NAME, COL_AGE, COL_PROGRAM, COL_LAST, COL_NEXT_VISIT, COL_DUE, COL_FLAGS = range(len(COLUMNS))
ClientIdRole = Qt.ItemDataRole.UserRole + 1
DISPLAY = Qt.ItemDataRole.DisplayRole
ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
_USED_ROLES = frozenset(
    {ClientIdRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.TextAlignmentRole}
)
OVERDUE_COLOR = QColor("#b00020")
RIGHT_ALIGNED = frozenset({COL_AGE})

SHOW_ACTIVE, SHOW_INACTIVE, SHOW_ALL = "active", "inactive", "all"


@dataclass(frozen=True)
class CaseloadFilter:
    text: str = ""
    show: str = SHOW_ACTIVE  # active / inactive (inactive + discharged) / all
    mine_only: bool = False
    overdue_only: bool = False
    worker_id: str | None = None

    def same_scope(self, other: CaseloadFilter) -> bool:
        return (self.show, self.mine_only, self.overdue_only, self.worker_id) == (
            other.show,
            other.mine_only,
            other.overdue_only,
            other.worker_id,
        )


def search_text(entry: CaseloadEntry) -> str:
    row = entry.row
    parts = [row.display_name, row.sort_name, row.record_number or "", " ".join(row.agencies)]
    return " ".join(parts).casefold()


def _fmt_date(value: dt.datetime | None) -> str:
    return value.astimezone().strftime("%b %d, %Y").replace(" 0", " ") if value else ""


def _fmt_visit(value: dt.datetime | None) -> str:
    return value.astimezone().strftime("%a %b %d, %H:%M").replace(" 0", " ") if value else ""


_FAR_PAST = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
_FAR_FUTURE = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)


def sort_key(column: int) -> Callable[[CaseloadEntry], Any]:
    keys: dict[int, Callable[[CaseloadEntry], Any]] = {
        COL_NAME: lambda e: e.row.sort_name,
        COL_AGE: lambda e: (e.row.age is None, e.row.age or 0, e.row.sort_name),
        COL_PROGRAM: lambda e: ((e.row.program or "").casefold(), e.row.sort_name),
        COL_LAST: lambda e: (e.row.last_contact or _FAR_PAST, e.row.sort_name),
        COL_NEXT_VISIT: lambda e: (e.row.next_visit or _FAR_FUTURE, e.row.sort_name),
        COL_DUE: lambda e: (e.next_due.due if e.next_due else dt.date.max, e.row.sort_name),
        COL_FLAGS: lambda e: (-len(e.row.risk_flags), ", ".join(e.row.risk_flags), e.row.sort_name),
    }
    return keys[column]


class CaseloadModel(QAbstractTableModel):
    def __init__(self, parent: Any = None, today: Callable[[], dt.date] = dt.date.today) -> None:
        super().__init__(parent)
        self._today = today
        self._entries: dict[str, CaseloadEntry] = {}
        self._haystack: dict[str, str] = {}
        self._texts: dict[str, tuple[str, ...]] = {}  # display strings per id, made when first shown
        self._ordered: list[str] = []  # every id, in sort order
        self._scoped: list[str] = []  # ids passing the non-text filters, in sort order
        self._scoped_hay: list[str] = []  # their search texts, in the same order
        self._visible: list[str] = []  # ids shown, in sort order
        self._visible_hay: list[str] = []
        self._filter = CaseloadFilter()
        self._sort_column = COL_NAME
        self._sort_order = Qt.SortOrder.AscendingOrder

    # ---- Qt model interface -----------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS)
        if horizontal and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._visible):
            return None
        return self._role_value(self._visible[index.row()], index.column(), role)

    def multiData(self, index: Index, roleDataSpan: QModelRoleDataSpan | QModelRoleData) -> None:
        """All roles of one cell in one call (the item delegate asks for about seven per cell).

        This is the painting hot path. The delegate reuses its role array from cell to cell, so every
        role is written: a value, or cleared.
        """
        row = index.row()
        if row < 0 or row >= len(self._visible):
            return
        cid, column = self._visible[row], index.column()
        texts = self._texts_of(cid)
        spans = (
            cast(Iterable[QModelRoleData], roleDataSpan)
            if isinstance(roleDataSpan, QModelRoleDataSpan)
            else (roleDataSpan,)
        )
        for role_data in spans:
            role = role_data.role()
            if role == DISPLAY:
                role_data.setData(texts[column])
            elif role in _USED_ROLES:
                value = self._role_value(cid, column, role)
                if value is None:
                    role_data.clearData()
                else:
                    role_data.setData(value)
            else:
                role_data.clearData()

    def row_texts(self, row: int) -> tuple[tuple[str, ...], bool]:
        """What the caseload view paints in one row: the display text of each column, and whether the
        client has overdue items (the due column is then drawn in OVERDUE_COLOR)."""
        cid = self._visible[row]
        return self._texts_of(cid), bool(self._entries[cid].overdue)

    def _texts_of(self, cid: str) -> tuple[str, ...]:
        """The display strings of one client's row, made the first time the row is shown."""
        texts = self._texts.get(cid)
        if texts is None:
            texts = self._texts[cid] = tuple(self._display(self._entries[cid], c) for c in range(len(COLUMNS)))
        return texts

    def _role_value(self, cid: str, column: int, role: int) -> Any:
        if role in (DISPLAY, ACCESSIBLE):
            return self._texts_of(cid)[column]
        if role not in _USED_ROLES:
            return None
        entry = self._entries[cid]
        if role == ClientIdRole:
            return entry.row.id
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_DUE and entry.overdue:
            return QBrush(OVERDUE_COLOR)
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_DUE and entry.next_due:
            return f"{entry.next_due.label}, due {entry.next_due.due:%b %d, %Y}" + (
                f" — {entry.overdue} overdue" if entry.overdue else ""
            )
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_AGE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, entry: CaseloadEntry, column: int) -> str:
        row = entry.row
        if column == COL_NAME:
            return row.display_name + ("" if row.status == "active" else f" ({row.status})")
        if column == COL_AGE:
            return "" if row.age is None else str(row.age)
        if column == COL_PROGRAM:
            return row.program or ""
        if column == COL_LAST:
            return _fmt_date(row.last_contact) or "never"
        if column == COL_NEXT_VISIT:
            return _fmt_visit(row.next_visit)
        if column == COL_DUE:
            if entry.next_due is None:
                return ""
            text = f"{entry.next_due.label} · {entry.next_due.due:%b %d}".replace(" 0", " ")
            return text + (f"  ({entry.overdue} overdue)" if entry.overdue else "")
        if column == COL_FLAGS:
            return ", ".join(row.risk_flags)
        return ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._sort_column, self._sort_order = column, order
        self._order_all()  # the order the view sees is _visible's: _show announces the change
        self._rescope()
        if self._filter.text:
            shown = set(self._visible)
            self._show(*self._keep(self._scoped, self._scoped_hay, [cid in shown for cid in self._scoped]))
        else:
            self._show(list(self._scoped), list(self._scoped_hay))

    # ---- loading ------------------------------------------------------------------------------------

    def set_entries(self, entries: Iterable[CaseloadEntry]) -> None:
        self.beginResetModel()
        self._entries = {e.row.id: e for e in entries}
        self._haystack = {cid: search_text(e) for cid, e in self._entries.items()}
        self._texts = {}
        self._order_all()
        self._rescope()
        self._visible, self._visible_hay = self._match(self._scoped, self._scoped_hay, self._filter.text)
        self.endResetModel()

    def clear(self) -> None:
        self.set_entries(())

    def refresh_entries(self, entries: list[CaseloadEntry]) -> None:
        """Every row anew (the list after the start-up preview), as `update_entries` does it: no model reset
        unless the list itself changed, so a selection or scroll position stays where it is."""
        self.update_entries(entries, {e.row.id for e in entries} | self._entries.keys())

    def update_entries(self, entries: Iterable[CaseloadEntry], requested_ids: Iterable[str]) -> None:
        """Replace the rows of `requested_ids` with fresh data (ids missing from `entries` were removed).
        Lines equal to the ones held change nothing."""
        held = self._entries
        given = {e.row.id: e for e in entries}
        removed = {cid for cid in requested_ids if cid not in given and cid in held}
        fresh = {cid: e for cid, e in given.items() if held.get(cid) != e}
        membership_changes = removed or any(cid not in self._entries for cid in fresh)
        key = sort_key(self._sort_column)
        order_changes = any(cid in self._entries and key(self._entries[cid]) != key(e) for cid, e in fresh.items())
        scope_changes = any(
            cid in self._entries and self._in_scope(cid) != self._in_scope(cid, e) for cid, e in fresh.items()
        )
        search_changes = any(
            cid in self._haystack and self._haystack[cid] != search_text(e) for cid, e in fresh.items()
        )
        if membership_changes or order_changes or scope_changes or search_changes:
            self.beginResetModel()
            for cid in removed:
                self._entries.pop(cid, None)
                self._haystack.pop(cid, None)
                self._texts.pop(cid, None)
            for cid, e in fresh.items():
                self._entries[cid] = e
                self._haystack[cid] = search_text(e)
                self._texts.pop(cid, None)
            self._order_all()
            self._rescope()
            self._visible, self._visible_hay = self._match(self._scoped, self._scoped_hay, self._filter.text)
            self.endResetModel()
            return
        positions = {cid: row for row, cid in enumerate(self._visible)}
        for cid, e in fresh.items():
            self._entries[cid] = e  # same search text (else the branch above ran): the filter lists stand
            self._texts.pop(cid, None)
            row = positions.get(cid)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def apply_due(self, due: Mapping[str, tuple[DueItem | None, int]]) -> None:
        """Fill in every row's next due item and overdue count (the second step of loading)."""
        changed = False
        for cid, entry in self._entries.items():
            next_due, overdue = due.get(cid, (None, 0))
            if entry.next_due != next_due or entry.overdue != overdue:
                self._entries[cid] = dataclasses.replace(entry, next_due=next_due, overdue=overdue)
                self._texts.pop(cid, None)
                changed = True
        if not changed:
            return
        if self._sort_column == COL_DUE or self._filter.overdue_only:
            self.beginResetModel()
            self._order_all()
            self._rescope()
            self._visible, self._visible_hay = self._match(self._scoped, self._scoped_hay, self._filter.text)
            self.endResetModel()
        elif self._visible:
            self.dataChanged.emit(self.index(0, COL_DUE), self.index(len(self._visible) - 1, COL_DUE))

    # ---- filtering ----------------------------------------------------------------------------------

    @property
    def filter(self) -> CaseloadFilter:
        return self._filter

    def set_filter(self, new: CaseloadFilter) -> None:
        old = self._filter
        self._filter = new
        if not new.same_scope(old):
            self._rescope()
            ids, hays = self._scoped, self._scoped_hay
        elif old.text and new.text.casefold().startswith(old.text.casefold()):
            ids, hays = self._visible, self._visible_hay  # the text only grew: only earlier matches can match
        else:
            ids, hays = self._scoped, self._scoped_hay
        visible, visible_hay = self._match(ids, hays, new.text)
        if visible == self._visible:
            return
        self._show(visible, visible_hay)

    def _show(self, visible: list[str], visible_hay: list[str]) -> None:
        """Show `visible` (ids in sort order) as a layout change, not a reset: the view keeps its header,
        scroll and selection state (the selected client stays selected while it still matches), and a
        keystroke costs only the repaint of the rows on screen."""
        self.layoutAboutToBeChanged.emit()
        old_persistent = self.persistentIndexList()
        old_ids = [self._visible[i.row()] if 0 <= i.row() < len(self._visible) else None for i in old_persistent]
        self._visible, self._visible_hay = visible, visible_hay
        positions: dict[str, int] = {}
        for wanted in {cid for cid in old_ids if cid}:  # a few ids (the selection): list.index runs in C
            with contextlib.suppress(ValueError):
                positions[wanted] = visible.index(wanted)
        new_indexes = []
        for old, old_id in zip(old_persistent, old_ids, strict=True):
            row = positions.get(old_id) if old_id else None
            new_indexes.append(self.index(row, old.column()) if row is not None else QModelIndex())
        self.changePersistentIndexList(old_persistent, new_indexes)
        self.layoutChanged.emit()

    def _in_scope(self, cid: str, entry: CaseloadEntry | None = None) -> bool:
        e = entry or self._entries[cid]
        f = self._filter
        if f.show == SHOW_ACTIVE and e.row.status != "active":
            return False
        if f.show == SHOW_INACTIVE and e.row.status == "active":
            return False
        if f.mine_only and e.row.assigned_worker_id != f.worker_id:
            return False
        return not (f.overdue_only and not e.overdue)

    def _rescope(self) -> None:
        """The ids passing the non-text filters, in sort order, with their search texts."""
        hay = self._haystack
        self._scoped = [cid for cid in self._ordered if self._in_scope(cid)]
        self._scoped_hay = [hay[cid] for cid in self._scoped]

    @staticmethod
    def _keep(ids: list[str], hays: list[str], keep: list[bool]) -> tuple[list[str], list[str]]:
        return list(compress(ids, keep)), list(compress(hays, keep))

    @classmethod
    def _match(cls, ids: list[str], hays: list[str], text: str) -> tuple[list[str], list[str]]:
        """The ids (and their search texts) whose search text holds every word of `text`."""
        tokens = text.casefold().split()
        for token in sorted(set(tokens), key=len, reverse=True):  # the longest word prunes the most
            ids, hays = cls._keep(ids, hays, [token in h for h in hays])
        return (ids, hays) if tokens else (list(ids), list(hays))

    def _order_all(self) -> None:
        key = sort_key(self._sort_column)
        entries = self._entries
        self._ordered = sorted(
            entries, key=lambda cid: key(entries[cid]), reverse=self._sort_order == Qt.SortOrder.DescendingOrder
        )

    # ---- lookups ------------------------------------------------------------------------------------

    def client_id(self, row: int) -> str | None:
        return self._visible[row] if 0 <= row < len(self._visible) else None

    def row_of(self, client_id: str) -> int | None:
        try:
            return self._visible.index(client_id)
        except ValueError:
            return None

    def entry(self, client_id: str) -> CaseloadEntry | None:
        return self._entries.get(client_id)

    @property
    def total(self) -> int:
        return len(self._entries)
