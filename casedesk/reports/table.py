"""Striped text tables for long lists (a quarter's notes per goal, a caseload's deadlines).

reportlab's Table is general (any flowable in any cell, spans, grids) and pays for it: it draws every
line of every cell as its own PDF text object and measures cells again at each split. Report tables
are plain text in known column widths, so this flowable wraps each cell once, splits between rows
(repeating the header row on every page, like ``Table(repeatRows=1)``), and draws all the text of a
page's piece of the table as one PDF text object.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.colors import Color
from reportlab.platypus.flowables import Flowable

from casedesk.reports import fonts, styles
from casedesk.reports.errors import ReportError
from casedesk.reports.text import CELL_MAX_LINES, text_width, wrap_lines

PAD_X = 4.0
PAD_Y = 2.5
FONT_SIZE = 8.5
LEADING = 10.5


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # points
    align: str = "left"  # "left" or "right"
    max_lines: int | None = None  # longer text is cut with an ellipsis (default CELL_MAX_LINES)


@dataclass(frozen=True)
class Cell:
    """A cell that differs from plain text: bold and/or coloured."""

    text: str
    bold: bool = False
    color: Color | None = None


@dataclass(frozen=True)
class _Row:
    lines: tuple[tuple[str, ...], ...]  # per column
    fonts: tuple[str, ...]
    colors: tuple[Color, ...]
    height: float
    fill: Color | None


@dataclass
class _Layout:
    columns: tuple[Column, ...]
    header: _Row
    rows: list[_Row] = field(default_factory=list)


class StripedTable(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """Plain-text table: bold header on a tinted band (repeated after each page break), zebra
    stripes, optional highlighted rows, a rule under the header and at the end."""

    def __init__(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[str | Cell]],
        *,
        highlight: Sequence[int] = (),
        bold_rows: Sequence[int] = (),
        _layout: _Layout | None = None,
    ) -> None:
        super().__init__()
        self.hAlign = "LEFT"
        if _layout is not None:
            self._layout = _layout
        else:
            self._layout = _build_layout(tuple(columns), rows, set(highlight), set(bold_rows))
        self.width = sum(c.width for c in self._layout.columns)
        self.height = self._layout.header.height + sum(r.height for r in self._layout.rows)

    @property
    def row_count(self) -> int:
        return len(self._layout.rows)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        layout = self._layout
        room = avail_height - layout.header.height
        fitting = 0
        for row in layout.rows:
            if row.height > room:
                break
            room -= row.height
            fitting += 1
        if fitting == 0 or fitting == len(layout.rows):
            return [] if fitting == 0 else [self]
        head = _Layout(layout.columns, layout.header, layout.rows[:fitting])
        tail = _Layout(layout.columns, layout.header, layout.rows[fitting:])
        return [StripedTable((), (), _layout=head), StripedTable((), (), _layout=tail)]

    def draw(self) -> None:
        canv: Any = self.canv
        layout = self._layout
        canv.saveState()
        top = self.height
        # backgrounds: header band, stripes and highlights
        canv.setFillColor(styles.HEADER_FILL)
        canv.rect(0, top - layout.header.height, self.width, layout.header.height, stroke=0, fill=1)
        y = top - layout.header.height
        current_fill: Color | None = styles.HEADER_FILL
        for row in layout.rows:
            if row.fill is not None:
                if row.fill is not current_fill:
                    canv.setFillColor(row.fill)
                    current_fill = row.fill
                canv.rect(0, y - row.height, self.width, row.height, stroke=0, fill=1)
            y -= row.height
        canv.setStrokeColor(styles.RULE)
        canv.setLineWidth(0.8)
        canv.line(0, top - layout.header.height, self.width, top - layout.header.height)
        canv.setLineWidth(0.6)
        canv.line(0, 0, self.width, 0)
        # all text in one text object
        text = canv.beginText()
        state = _TextState(text)
        y = top
        for row in (layout.header, *layout.rows):
            x = 0.0
            for column, lines, font, color in zip(layout.columns, row.lines, row.fonts, row.colors, strict=True):
                state.font(font)
                state.color(color)
                baseline = y - PAD_Y - FONT_SIZE
                if column.align == "right":
                    for line in lines:
                        text.setTextOrigin(x + column.width - PAD_X - text_width(line, font, FONT_SIZE), baseline)
                        text.textOut(line)
                        baseline -= LEADING
                elif lines and lines != ("",):
                    text.setTextOrigin(x + PAD_X, baseline)
                    for line in lines:
                        text.textLine(line)
                x += column.width
            y -= row.height
        canv.drawText(text)
        canv.restoreState()


class _TextState:
    """Sets font and colour on a text object only when they change."""

    def __init__(self, text: Any) -> None:
        self._text = text
        self._font: str | None = None
        self._color: Color | None = None

    def font(self, name: str) -> None:
        if name != self._font:
            self._text.setFont(name, FONT_SIZE, LEADING)
            self._font = name

    def color(self, color: Color) -> None:
        if color is not self._color:
            self._text.setFillColor(color)
            self._color = color


def _build_layout(
    columns: tuple[Column, ...],
    rows: Sequence[Sequence[str | Cell]],
    highlight: set[int],
    bold_rows: set[int],
) -> _Layout:
    if not columns:
        raise ReportError("A table needs at least one column.")
    fonts.register_fonts()
    header = _make_row([Cell(c.title, bold=True) for c in columns], columns, fill=styles.HEADER_FILL, bold=True)
    layout = _Layout(columns, header)
    for index, cells in enumerate(rows):
        if len(cells) != len(columns):
            raise ReportError(f"Table row {index + 1} has {len(cells)} cells for {len(columns)} columns.")
        if index in highlight:
            fill: Color | None = styles.OVERDUE_FILL
        else:
            fill = styles.ZEBRA_FILL if index % 2 == 1 else None
        layout.rows.append(_make_row(cells, columns, fill=fill, bold=index in bold_rows))
    return layout


def _make_row(cells: Sequence[str | Cell], columns: Sequence[Column], *, fill: Color | None, bold: bool) -> _Row:
    lines, row_fonts, row_colors = [], [], []
    for cell, column in zip(cells, columns, strict=True):
        if isinstance(cell, Cell):
            text, cell_bold, color = cell.text, cell.bold or bold, cell.color or styles.INK
        else:
            text, cell_bold, color = cell, bold, styles.INK
        font = fonts.BOLD if cell_bold else fonts.REGULAR
        lines.append(
            tuple(
                wrap_lines(
                    text,
                    font,
                    FONT_SIZE,
                    column.width - 2 * PAD_X,
                    max_lines=column.max_lines or CELL_MAX_LINES,
                )
            )
        )
        row_fonts.append(font)
        row_colors.append(color)
    height = max(len(cell_lines) for cell_lines in lines) * LEADING + 2 * PAD_Y
    return _Row(tuple(lines), tuple(row_fonts), tuple(row_colors), height, fill)
