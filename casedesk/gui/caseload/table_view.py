"""The caseload table: a QTableView that paints the rows on screen in one pass.

A keystroke in the caseload filter repaints every row on screen, so that paint decides whether typing
keeps up with 10 000 clients. QTableView paints cell by cell through an item delegate: one call from C++
into Python per cell, each wrapping a painter, a style option and an index (about 30 µs a cell here, 5 ms a
screen). This view paints the visible rows in one Python call: per row the background (selection or
alternate colour) and the row's texts, laid out once per row and column widths and kept as QStaticText;
then the grid. Everything else (selection, keyboard, scrolling, headers, tooltips, accessibility) is
QTableView's, from the model.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPalette, QPen, QStaticText
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem, QTableView, QWidget

from casedesk.gui.caseload.model import COL_DUE, OVERDUE_COLOR, RIGHT_ALIGNED, CaseloadModel

PADDING = 4  # pixels left and right of the text, as the style leaves
_CACHE_LIMIT = 6000  # texts laid out and kept; a screen shows ~200

Columns = tuple[tuple[int, int, int], ...]  # (column, x, width) of each column on screen
Placed = tuple[tuple[int, QStaticText, int, int], ...]  # (column, text, x, y offset in the row) per cell


class RowLayouts:
    """Where each text of a row goes, for the current font, column widths and row height: elided to fit
    its column, right-aligned where the column says so, centred vertically. A text is laid out once per
    column width and kept (many rows share a program, a date or a due item; names come back as the
    filter narrows and widens); the oldest are dropped first when the cache is full."""

    def __init__(self) -> None:
        self._texts: dict[tuple[str, int], tuple[QStaticText, int, int]] = {}
        self._font = QFont()
        self._metrics = QFontMetrics(self._font)

    def placed(self, texts: tuple[str, ...], columns: Columns, height: int, font: QFont) -> Placed:
        if font != self._font:  # a new font (settings, scaling): every laid-out text is stale
            self.forget()
            self._font = QFont(font)
            self._metrics = QFontMetrics(self._font)
        cells = []
        for column, x, width in columns:
            text, room = texts[column], width - 2 * PADDING
            if not text or room <= 0:
                continue
            static, text_width, text_height = self._texts.get((text, room)) or self._lay_out(text, room)
            left = x + PADDING + (room - text_width if column in RIGHT_ALIGNED else 0)
            cells.append((column, static, left, (height - text_height) // 2))
        return tuple(cells)

    def _lay_out(self, text: str, room: int) -> tuple[QStaticText, int, int]:
        if len(self._texts) >= _CACHE_LIMIT:
            del self._texts[next(iter(self._texts))]  # the oldest
        static = self._static(text)
        if static.size().width() > room:
            static = self._static(self._metrics.elidedText(text, Qt.TextElideMode.ElideRight, room))
        size = static.size()
        laid_out = self._texts[(text, room)] = (static, round(size.width()), round(size.height()))
        return laid_out

    def _static(self, text: str) -> QStaticText:
        static = QStaticText(text)
        static.setTextFormat(Qt.TextFormat.PlainText)
        static.prepare(font=self._font)
        return static

    def __len__(self) -> int:
        return len(self._texts)

    def forget(self) -> None:
        """Drop every laid-out text (they hold client names): called when the window locks."""
        self._texts.clear()


class CaseloadTableView(QTableView):
    def __init__(self, model: CaseloadModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._caseload = model
        self.layouts = RowLayouts()
        self.setModel(model)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        try:
            columns = self._columns_on_screen()
            if self._caseload.rowCount() and columns:
                self._paint_rows(painter, event.rect(), columns)
        finally:
            painter.end()

    def _columns_on_screen(self) -> Columns:
        shown = []
        right = self.viewport().width()
        for column in range(self._caseload.columnCount()):
            if self.isColumnHidden(column):
                continue
            x, width = self.columnViewportPosition(column), self.columnWidth(column)
            if width > 0 and x + width > 0 and x < right:
                shown.append((column, x, width))
        return tuple(shown)

    def _palette_group(self) -> QPalette.ColorGroup:
        if not self.isEnabled():
            return QPalette.ColorGroup.Disabled
        return QPalette.ColorGroup.Active if self.isActiveWindow() else QPalette.ColorGroup.Inactive

    def _paint_rows(self, painter: QPainter, area: QRect, columns: Columns) -> None:
        model, layouts, font = self._caseload, self.layouts, self.font()
        palette, group = self.palette(), self._palette_group()
        highlight = palette.brush(group, QPalette.ColorRole.Highlight)
        alternate = palette.brush(group, QPalette.ColorRole.AlternateBase) if self.alternatingRowColors() else None
        text_colour = palette.color(group, QPalette.ColorRole.Text)
        highlighted_text = palette.color(group, QPalette.ColorRole.HighlightedText)
        selection, root = self.selectionModel(), self.rootIndex()
        left = min(x for _column, x, _width in columns)
        span = max(x + width for _column, x, width in columns) - left

        first = row = self.rowAt(area.top())
        if first < 0:
            return
        rows, bottom = model.rowCount(), area.bottom()
        painter.setFont(font)
        row_bottoms: list[int] = []
        while row < rows:
            y = self.rowViewportPosition(row)
            if y > bottom:
                break
            height = self.rowHeight(row)
            selected = selection.isRowSelected(row, root)
            if selected:
                painter.fillRect(left, y, span, height, highlight)
            elif alternate is not None and row & 1:
                painter.fillRect(left, y, span, height, alternate)
            texts, overdue = model.row_texts(row)
            pen = highlighted_text if selected else text_colour
            painter.setPen(pen)
            for column, static, x, dy in layouts.placed(texts, columns, height, font):
                if overdue and not selected and column == COL_DUE:
                    painter.setPen(OVERDUE_COLOR)
                    painter.drawStaticText(x, y + dy, static)
                    painter.setPen(pen)
                else:
                    painter.drawStaticText(x, y + dy, static)
            row_bottoms.append(y + height - 1)
            row += 1
        if self.showGrid() and row_bottoms:
            self._paint_grid(painter, columns, row_bottoms, self.rowViewportPosition(first))

    def _paint_grid(self, painter: QPainter, columns: Columns, row_bottoms: list[int], top: int) -> None:
        option = QStyleOptionViewItem()
        option.initFrom(self)
        rgba = self.style().styleHint(QStyle.StyleHint.SH_Table_GridLineColor, option, self) & 0xFFFFFFFF
        painter.setPen(QPen(QColor.fromRgba(rgba), 0, self.gridStyle()))
        left = min(x for _column, x, _width in columns)
        right = max(x + width for _column, x, width in columns) - 1
        for y in row_bottoms:
            painter.drawLine(left, y, right, y)
        bottom = row_bottoms[-1]
        for _column, x, width in columns:
            painter.drawLine(x + width - 1, top, x + width - 1, bottom)
