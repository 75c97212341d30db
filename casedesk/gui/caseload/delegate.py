"""Paints caseload cells from cached QStaticText.

The style's item painting lays out every cell's text afresh on each repaint (about 60 µs a cell here) and
asks the model for seven roles through Python; a keystroke in the filter repaints every row on screen, so
that cost decides whether typing keeps up. This delegate asks the model once per cell for what it shows
(text, colour, alignment) and draws glyphs laid out once per distinct text and column width. Selection,
alternating rows, tooltips and accessibility behave as before: the model still answers every role.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, Qt
from PySide6.QtGui import QFont, QPainter, QPalette, QStaticText
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from casedesk.gui.caseload.model import CaseloadModel

PADDING = 4  # pixels left and right of the text, as the style leaves
_CACHE_LIMIT = 4000  # laid-out texts kept; a screenful is ~200, so scrolling back is free
_SELECTED = QStyle.StateFlag.State_Selected.value
_ACTIVE = QStyle.StateFlag.State_Active.value
_ALTERNATE = QStyleOptionViewItem.ViewItemFeature.Alternate.value
_ACTIVE_GROUP, _INACTIVE_GROUP = QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive
_HIGHLIGHT, _HIGHLIGHTED_TEXT = QPalette.ColorRole.Highlight, QPalette.ColorRole.HighlightedText
_ALTERNATE_BASE, _TEXT = QPalette.ColorRole.AlternateBase, QPalette.ColorRole.Text


class CaseloadDelegate(QStyledItemDelegate):
    def __init__(self, model: CaseloadModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._texts: dict[tuple[str, int], QStaticText] = {}
        self._font = QFont()

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        cell = self._model.cell(index.row(), index.column())
        if cell is None:
            return
        text, colour, right_aligned = cell
        rect = option.rect
        palette: QPalette = option.palette
        state = option.state.value  # plain ints: enum flag arithmetic is slow
        selected = bool(state & _SELECTED)
        group = _ACTIVE_GROUP if state & _ACTIVE else _INACTIVE_GROUP
        if selected:
            painter.fillRect(rect, palette.brush(group, _HIGHLIGHT))
        elif option.features.value & _ALTERNATE:
            painter.fillRect(rect, palette.brush(group, _ALTERNATE_BASE))
        if not text:
            return
        width = rect.width() - 2 * PADDING
        if width <= 0:
            return
        font: QFont = option.font
        static = self._static(text, width, font, option)
        if selected:
            painter.setPen(palette.color(group, _HIGHLIGHTED_TEXT))
        else:
            painter.setPen(colour if colour is not None else palette.color(group, _TEXT))
        painter.setFont(font)
        size = static.size()
        x = rect.x() + PADDING + (width - size.width() if right_aligned else 0)
        y = rect.y() + (rect.height() - size.height()) / 2
        painter.drawStaticText(QPointF(x, y), static)

    def _static(self, text: str, width: int, font: QFont, option: QStyleOptionViewItem) -> QStaticText:
        if font != self._font:  # a new font (settings): every laid-out text is stale
            self._texts.clear()
            self._font = QFont(font)
        key = (text, width)
        static = self._texts.get(key)
        if static is None:
            if len(self._texts) >= _CACHE_LIMIT:
                self._texts.clear()
            metrics = option.fontMetrics
            shown = text if metrics.horizontalAdvance(text) <= width else metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
            static = QStaticText(shown)
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(font=font)
            self._texts[key] = static
        return static

    def forget(self) -> None:
        """Drop every laid-out text (they hold client names): called when the window locks."""
        self._texts.clear()
