"""The caseload table paints its rows itself: what a worker sees must match the model (names, selection,
overdue in red, elided long texts, right-aligned ages), and nothing laid out survives a lock."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QFont, QImage, QPalette

from casedesk.gui.caseload.model import COL_AGE, COL_DUE, COL_NAME, OVERDUE_COLOR
from casedesk.gui.caseload.pane import CaseloadPane
from casedesk.gui.caseload.table_view import PADDING, RowLayouts
from casedesk.gui.context import AppContext

pytestmark = pytest.mark.gui


@pytest.fixture
def pane(qtbot, unlocked: AppContext) -> CaseloadPane:
    widget = CaseloadPane(unlocked)
    qtbot.addWidget(widget)
    widget.resize(1200, 600)
    widget.show()
    with qtbot.waitSignals([widget.sig_loaded, widget.sig_due_loaded], timeout=10000, order="strict"):
        widget.load()
    qtbot.waitExposed(widget)
    return widget


def _cell_rect(pane: CaseloadPane, row: int, column: int) -> QRect:
    view = pane.view
    return QRect(
        view.columnViewportPosition(column),
        view.rowViewportPosition(row),
        view.columnWidth(column),
        view.rowHeight(row),
    )


def _colours(image: QImage, rect: QRect) -> list[QColor]:
    return [
        image.pixelColor(x, y)
        for y in range(rect.top(), rect.bottom() + 1)
        for x in range(rect.left(), rect.right() + 1)
    ]


def _reddish(colour: QColor) -> bool:
    """A pixel of OVERDUE_COLOR text (antialiased towards the background)."""
    red = OVERDUE_COLOR
    return colour.red() - colour.green() > (red.red() - red.green()) // 3 and colour.red() - colour.blue() > 40


def _shot(pane: CaseloadPane) -> QImage:
    return pane.view.viewport().grab().toImage()


def test_rows_show_names_with_the_selected_row_highlighted(pane: CaseloadPane) -> None:
    view, model = pane.view, pane.model
    view.selectRow(1)
    image = _shot(pane)
    highlight = view.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight)
    inactive_highlight = view.palette().color(QPalette.ColorGroup.Inactive, QPalette.ColorRole.Highlight)
    selected = _colours(image, _cell_rect(pane, 1, COL_NAME).adjusted(1, 1, -2, -2))
    assert sum(c in (highlight, inactive_highlight) for c in selected) > len(selected) // 2
    unselected = _colours(image, _cell_rect(pane, 2, COL_NAME).adjusted(1, 1, -2, -2))
    assert not any(c in (highlight, inactive_highlight) for c in unselected)
    # the name is drawn: the cell is not one flat colour
    assert model.index(2, COL_NAME).data()
    assert len({c.rgb() for c in unselected}) > 2
    empty_cells = [c for c in range(model.columnCount()) if not model.index(2, c).data()]
    for column in empty_cells:
        assert len({c.rgb() for c in _colours(image, _cell_rect(pane, 2, column).adjusted(1, 1, -2, -2))}) == 1


def test_overdue_due_items_are_drawn_in_red_and_others_are_not(pane: CaseloadPane) -> None:
    model = pane.model
    overdue_rows = [r for r in range(model.rowCount()) if model.entry(model.client_id(r) or "").overdue]  # type: ignore[union-attr]
    calm_rows = [
        r
        for r in range(model.rowCount())
        if model.index(r, COL_DUE).data() and not model.entry(model.client_id(r) or "").overdue  # type: ignore[union-attr]
    ]
    assert overdue_rows and calm_rows, "the demo caseload has both overdue and on-time clients"
    pane.view.clearSelection()
    image = _shot(pane)
    visible = pane.view.viewport().height()
    for row in overdue_rows:
        rect = _cell_rect(pane, row, COL_DUE)
        if rect.bottom() < visible:
            assert any(_reddish(c) for c in _colours(image, rect)), row
    for row in calm_rows:
        rect = _cell_rect(pane, row, COL_DUE)
        if rect.bottom() < visible:
            assert not any(_reddish(c) for c in _colours(image, rect)), row


def test_long_texts_are_elided_to_their_column_and_ages_sit_right() -> None:
    layouts = RowLayouts()
    font = QFont()
    texts = ("Maria-Guadalupe Fernández-Castellanos de la Cruz", "42", "Program", "", "", "", "")
    columns = ((COL_NAME, 0, 90), (COL_AGE, 90, 60))
    placed = {column: (static, x) for column, static, x, _dy in layouts.placed(texts, columns, 24, font)}
    name, name_x = placed[COL_NAME]
    assert name.text().endswith("…") and name.text() != texts[COL_NAME]
    assert name_x == PADDING and name.size().width() <= 90 - 2 * PADDING
    age, age_x = placed[COL_AGE]
    assert age.text() == "42"
    assert abs(age_x + age.size().width() - (90 + 60 - PADDING)) <= 1  # flush with the right padding
    # wider column: the full name fits, laid out again for that width
    wide = dict((c, s) for c, s, _x, _y in layouts.placed(texts, ((COL_NAME, 0, 600),), 24, font))
    assert wide[COL_NAME].text() == texts[COL_NAME]


def test_lock_forgets_every_laid_out_client_text(pane: CaseloadPane) -> None:
    pane.view.viewport().repaint()
    assert len(pane.view.layouts) > 0
    pane.clear()
    assert len(pane.view.layouts) == 0


def test_a_changed_agency_changes_what_the_filter_finds(qtbot, pane: CaseloadPane) -> None:
    model = pane.model
    cid = model.client_id(0)
    entry = model.entry(cid or "")
    assert cid is not None and entry is not None
    name_word = entry.row.display_name.split()[0]
    pane.filter_edit.setText(name_word + " zebracorp")
    assert cid not in {model.client_id(r) for r in range(model.rowCount())}
    # a refetch (after an edit here or a sync) brings the client's new agency, ZebraCorp
    moved = dataclasses.replace(entry, row=dataclasses.replace(entry.row, agencies=(*entry.row.agencies, "ZebraCorp")))
    model.update_entries([moved], [cid])
    assert [model.client_id(r) for r in range(model.rowCount())] == [cid]
    # typing on narrows what is shown, using the new text too
    qtbot.keyClicks(pane.filter_edit, " zeb")
    assert [model.client_id(r) for r in range(model.rowCount())] == [cid]
    pane.filter_edit.setText("zebracorp")
    assert [model.client_id(r) for r in range(model.rowCount())] == [cid]
