"""Caseload pane: model contract, instant filter, scope filters, sorting, keyboard open, note search."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt

from casedesk.gui.caseload.model import COL_AGE, COL_DUE, COL_NAME, CaseloadModel, ClientIdRole
from casedesk.gui.caseload.pane import CaseloadPane
from casedesk.gui.context import AppContext
from casedesk.gui.ops import Changes
from casedesk.services import clients, workspace

pytestmark = pytest.mark.gui


@pytest.fixture
def pane(qtbot, unlocked: AppContext) -> CaseloadPane:
    widget = CaseloadPane(unlocked)
    qtbot.addWidget(widget)
    widget.show()
    with qtbot.waitSignals([widget.sig_loaded, widget.sig_due_loaded], timeout=10000, order="strict"):
        widget.load()
    return widget


def _names(model: CaseloadModel) -> list[str]:
    return [model.index(r, COL_NAME).data() for r in range(model.rowCount())]


def test_model_passes_the_qt_model_tester(qtmodeltester, pane: CaseloadPane) -> None:
    qtmodeltester.check(pane.model, force_py=True)
    pane.model.sort(COL_AGE, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(pane.model, force_py=True)


def test_filter_as_you_type_by_name_record_number_and_agency(qtbot, pane: CaseloadPane, unlocked: AppContext) -> None:
    model = pane.model
    with unlocked.require_store().read_session() as s:
        rows = [r for r in clients.caseload(s) if r.status == "active"]
    assert model.rowCount() == len(rows)
    target = rows[3]

    qtbot.keyClicks(pane.filter_edit, target.display_name.split()[-1][:4].lower())
    assert target.display_name in " ".join(_names(model))
    assert model.rowCount() < len(rows)

    pane.filter_edit.clear()
    qtbot.keyClicks(pane.filter_edit, target.record_number)
    assert [model.client_id(r) for r in range(model.rowCount())] == [target.id]

    pane.filter_edit.clear()
    agency = target.agencies[0]
    qtbot.keyClicks(pane.filter_edit, agency.split()[0])
    shown = {model.client_id(r) for r in range(model.rowCount())}
    assert target.id in shown
    assert all(agency.split()[0].casefold() in model._haystack[cid] for cid in shown)

    pane.filter_edit.clear()
    qtbot.keyClicks(pane.filter_edit, "zzzz-nobody")
    assert model.rowCount() == 0
    assert pane.count_label.text() == f"0 of {len(clients_all(unlocked))}"
    pane.filter_edit.clear()
    assert model.rowCount() == len(rows)


def clients_all(ctx: AppContext) -> list[clients.CaseloadRow]:
    with ctx.require_store().read_session() as s:
        return clients.caseload(s)


def test_scope_filters_inactive_mine_and_overdue(qtbot, pane: CaseloadPane, unlocked: AppContext) -> None:
    model = pane.model
    everyone = clients_all(unlocked)
    inactive = [r for r in everyone if r.status != "active"]
    pane.scope_combo.setCurrentIndex(pane.scope_combo.findData("all"))
    assert model.rowCount() == len(everyone)
    pane.scope_combo.setCurrentIndex(pane.scope_combo.findData("inactive"))
    assert model.rowCount() == len(inactive)
    pane.scope_combo.setCurrentIndex(pane.scope_combo.findData("active"))

    pane.overdue_box.setChecked(True)
    assert model.rowCount() > 0
    for r in range(model.rowCount()):
        entry = model.entry(model.client_id(r) or "")
        assert entry is not None and entry.overdue > 0
    pane.overdue_box.setChecked(False)

    pane.mine_box.setChecked(True)  # the demo assigns every client to the signed-in worker
    assert model.rowCount() == len(everyone) - len(inactive)


def test_sort_by_any_column(pane: CaseloadPane) -> None:
    model = pane.model
    pane.view.sortByColumn(COL_AGE, Qt.SortOrder.AscendingOrder)
    ages = [int(model.index(r, COL_AGE).data()) for r in range(model.rowCount())]
    assert ages == sorted(ages)
    pane.view.sortByColumn(COL_NAME, Qt.SortOrder.DescendingOrder)
    keys = [model.entry(model.client_id(r) or "").row.sort_name for r in range(model.rowCount())]  # type: ignore[union-attr]
    assert keys == sorted(keys, reverse=True)
    pane.view.sortByColumn(COL_DUE, Qt.SortOrder.AscendingOrder)
    dues = [model.entry(model.client_id(r) or "").next_due for r in range(model.rowCount())]  # type: ignore[union-attr]
    dated = [d.due for d in dues if d is not None]
    assert dated == sorted(dated)


def test_keyboard_path_filter_arrow_enter_opens(qtbot, pane: CaseloadPane) -> None:
    model = pane.model
    opened: list[str] = []
    pane.client_activated.connect(opened.append)
    pane.focus_filter()
    qtbot.keyClick(pane.filter_edit, Qt.Key.Key_Down)
    assert pane.view.hasFocus() or pane.view.selectionModel().hasSelection()
    qtbot.keyClick(pane.view, Qt.Key.Key_Down)
    qtbot.keyClick(pane.view, Qt.Key.Key_Return)
    assert opened == [model.index(pane.view.currentIndex().row(), 0).data(ClientIdRole)]
    # Enter in the filter box opens the best match
    pane.filter_edit.clear()
    first = model.entry(model.client_id(2) or "")
    assert first is not None
    qtbot.keyClicks(pane.filter_edit, first.row.record_number or "")
    qtbot.keyClick(pane.filter_edit, Qt.Key.Key_Return)
    assert opened[-1] == first.row.id


def test_full_text_search_over_notes(qtbot, pane: CaseloadPane) -> None:
    found: list[tuple[str, str]] = []
    pane.note_activated.connect(lambda c, n: found.append((c, n)))
    qtbot.keyClicks(pane.search_edit, "budget")
    qtbot.keyClick(pane.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(pane.hits_box.isVisible, timeout=10000)
    assert pane.hits_model.rowCount() > 0
    assert "budget" in pane.hits_model.index(0, 0).data().lower()
    pane.hits_view.activated.emit(pane.hits_model.index(0, 0))
    hit = pane.hits_model.hit(0)
    assert hit is not None and found == [(hit.client_id, hit.note_id)]


def test_only_changed_rows_are_refetched(qtbot, pane: CaseloadPane, unlocked: AppContext) -> None:
    model = pane.model
    cid = model.client_id(0)
    assert cid is not None
    with unlocked.require_store().session() as s:
        clients.update_client(s, cid, program="Renamed program")
    with qtbot.waitSignal(model.dataChanged, timeout=10000) as blocker:
        pane.on_changes(Changes.of("client", clients={cid}))
    assert blocker.args[0].row() == blocker.args[1].row() == 0
    assert model.index(0, 2).data() == "Renamed program"


def test_model_filter_keeps_up_with_ten_thousand_rows(qtmodeltester) -> None:
    """Pure model check at scale (no database): instant filter over 10k synthetic entries."""
    import datetime as dt

    base = clients.CaseloadRow(
        id="x", display_name="", sort_name="", record_number=None, dob=None, age=30, program="P",
        status="active", assigned_worker_id=None, risk_flags=(), last_contact=None, next_visit=None, agencies=("A",),
    )
    entries = [
        workspace.CaseloadEntry(
            dataclasses.replace(
                base, id=f"c{i}", display_name=f"Person {i:05d}", sort_name=f"person {i:05d}",
                record_number=f"RB-{i}", last_contact=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            ),
            None,
            0,
        )
        for i in range(10_000)
    ]
    model = CaseloadModel()
    model.set_entries(entries)
    assert model.rowCount() == 10_000
    from casedesk.gui.caseload.model import CaseloadFilter

    model.set_filter(CaseloadFilter(text="person 0999"))  # every word must appear somewhere
    assert model.rowCount() == 11  # Person 00999 and Person 09990-09999
    model.set_filter(CaseloadFilter(text="person 09995"))
    assert [model.client_id(r) for r in range(model.rowCount())] == ["c9995"]
    qtmodeltester.check(model, force_py=True)

    # the fast whole-list search answers exactly like checking each row
    def brute(text: str) -> list[str]:
        tokens = text.casefold().split()
        return [e.row.id for e in sorted(entries, key=lambda e: e.row.sort_name)
                if all(t in " ".join([e.row.display_name, e.row.sort_name, e.row.record_number or "", "a"]).casefold()
                       for t in tokens)]

    for text in ("9", "rb-12", "person 12 3", "0 0 0", "99 rb-99", "nomatch", "A", "n 4"):
        model.set_filter(CaseloadFilter(text=""))
        model.set_filter(CaseloadFilter(text=text))
        assert [model.client_id(r) for r in range(model.rowCount())] == brute(text), text


def test_multidata_answers_like_data_and_never_leaves_stale_values(pane: CaseloadPane) -> None:
    """The item delegate reuses one role array for every cell: each role must be rewritten per cell."""
    from PySide6.QtCore import QModelRoleData, QModelRoleDataSpan

    model = pane.model
    roles = [int(r) for r in (
        Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.FontRole, Qt.ItemDataRole.DecorationRole, ClientIdRole,
    )]
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            for role in roles:
                role_data = QModelRoleData(role)
                role_data.setData("stale value from another cell")
                model.multiData(index, QModelRoleDataSpan(role_data))
                assert role_data.data() == model.data(index, role), (row, column, role)


def test_list_shows_first_then_due_columns_fill_in(qtbot, unlocked: AppContext) -> None:
    widget = CaseloadPane(unlocked)
    qtbot.addWidget(widget)
    seen: list[int] = []
    widget.sig_loaded.connect(
        lambda _n: seen.append(sum(1 for r in range(widget.model.rowCount()) if widget.model.index(r, COL_DUE).data()))
    )
    with qtbot.waitSignal(widget.sig_due_loaded, timeout=10000):
        widget.load()
    assert seen == [0]  # rows were there before any due item
    filled = sum(1 for r in range(widget.model.rowCount()) if widget.model.index(r, COL_DUE).data())
    assert filled > 0
    widget.view.sortByColumn(COL_DUE, Qt.SortOrder.AscendingOrder)
    first = widget.model.entry(widget.model.client_id(0) or "")
    assert first is not None and first.next_due is not None


def test_a_whole_refresh_moves_nothing_when_nothing_changed(qtbot, pane: CaseloadPane, unlocked: AppContext) -> None:
    """After the start-up preview the store's rows replace the shown ones: no reset, and a changed client
    repaints its own line only; a client gone since the preview goes with a reset."""
    model = pane.model
    with unlocked.require_store().read_session() as s:
        fresh = workspace.caseload_entries(s, with_due=False)
    model.set_entries(fresh)
    signals: list[str] = []
    model.modelReset.connect(lambda: signals.append("reset"))
    model.dataChanged.connect(lambda top, bottom: signals.append(f"changed {top.row()}-{bottom.row()}"))

    model.refresh_entries([dataclasses.replace(e) for e in fresh])  # equal copies
    assert signals == []

    second = model.client_id(1)
    renamed = [
        dataclasses.replace(e, row=dataclasses.replace(e.row, program="Renamed program")) if e.row.id == second else e
        for e in fresh
    ]
    model.refresh_entries(renamed)
    assert signals == ["changed 1-1"] and model.index(1, 2).data() == "Renamed program"

    model.refresh_entries([e for e in renamed if e.row.id != second])
    assert signals[-1] == "reset" and model.row_of(second) is None and model.total == len(fresh) - 1
