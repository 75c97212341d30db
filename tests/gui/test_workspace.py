"""Client workspace: opening a client, the sections, plan goals edited through services.plans."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from casedesk.gui.caseload.workspace import ClientWorkspace
from casedesk.gui.main_window import MainWindow
from casedesk.services import clients

pytestmark = pytest.mark.gui


def open_first_client(qtbot, window: MainWindow) -> ClientWorkspace:
    pane = window.caseload
    pane.focus_filter()
    qtbot.keyClick(pane.filter_edit, Qt.Key.Key_Return)
    ws = window.current_workspace()
    assert ws is not None
    qtbot.waitUntil(lambda: ws.data is not None, timeout=10000)
    return ws


def test_open_client_shows_overview_contacts_agencies_plan_notes_reports(qtbot, window: MainWindow) -> None:
    ws = open_first_client(qtbot, window)
    d = ws.data.detail  # type: ignore[union-attr]
    assert window.client_tabs.tabText(window.client_tabs.currentIndex()) == d.display_name
    assert d.display_name in ws.header.text()
    overview = ws.overview.label.text()
    for part in ("Demographics", d.record_number or "", "Risk flags", "Next visits", "Due items"):
        assert part in overview
    assert ws.contacts.model.rowCount() == len(d.contacts) > 0
    assert ws.agencies.model.rowCount() == len(d.agencies) >= 2
    agency_row = [ws.agencies.model.item(0, c).text() for c in range(6)]
    assert agency_row[0] == d.agencies[0].agency_name and agency_row[3] == (d.agencies[0].contact_phone or "")
    assert ws.plan.model.rowCount() == len(d.active_plan.goals)  # type: ignore[union-attr]
    assert ws.notes.model.rowCount() == len(ws.data.notes) > 0  # type: ignore[union-attr]
    assert ws.reports.model.rowCount() == len(ws.data.reports)  # type: ignore[union-attr]
    # opening the same client again focuses the existing tab
    window.open_client(ws.client_id)
    assert window.client_tabs.count() == 1


def _goal_ids(window: MainWindow, client_id: str) -> list[tuple[str, str]]:
    with window.context.require_store().read_session() as s:
        plan = clients.client_detail(s, client_id, audit_view=False).active_plan
        assert plan is not None
        return [(g.id, g.status) for g in plan.goals]


def test_plan_goals_reorder_mark_met_and_add(qtbot, window: MainWindow) -> None:
    ws = open_first_client(qtbot, window)
    plan = ws.plan
    before = _goal_ids(window, ws.client_id)
    assert len(before) >= 2
    plan.view.setCurrentIndex(plan.model.index(0, 0))
    assert not plan.up_button.isEnabled() and plan.down_button.isEnabled()
    with qtbot.waitSignal(ws.sig_loaded, timeout=10000):
        qtbot.mouseClick(plan.down_button, Qt.MouseButton.LeftButton)
    after = _goal_ids(window, ws.client_id)
    assert [g for g, _ in after[:2]] == [before[1][0], before[0][0]]
    assert plan.selected_goal() is not None and plan.selected_goal().id == before[0][0]  # type: ignore[union-attr]

    active = next(i for i, (_g, status) in enumerate(after) if status == "active")
    plan.view.setCurrentIndex(plan.model.index(active, 0))
    with qtbot.waitSignal(ws.sig_loaded, timeout=10000):
        qtbot.mouseClick(plan.met_button, Qt.MouseButton.LeftButton)
    assert _goal_ids(window, ws.client_id)[active][1] == "met"
    assert "[Met" in plan.model.item(active).text()

    with qtbot.waitSignal(ws.sig_loaded, timeout=10000):
        plan.sig_change_requested.emit(
            lambda s: __import__("casedesk.services.plans", fromlist=["x"]).add_goal(
                s, ws.data.detail.active_plan.id, "Walk to the library twice a week"  # type: ignore[union-attr]
            ),
            "goal added",
        )
    assert plan.model.rowCount() == len(before) + 1
    assert "Walk to the library" in plan.model.item(plan.model.rowCount() - 1).text()


def test_goal_dialog_edits_text(qtbot, window: MainWindow) -> None:
    ws = open_first_client(qtbot, window)
    plan = ws.plan
    plan.view.setCurrentIndex(plan.model.index(0, 0))
    qtbot.mouseClick(plan.edit_button, Qt.MouseButton.LeftButton)
    from casedesk.gui.caseload.plan import GoalDialog

    dialog = next(w for w in plan.findChildren(GoalDialog) if w.isVisible())
    dialog.text_edit.setPlainText("Cook one meal a week with a friend")
    with qtbot.waitSignal(ws.sig_loaded, timeout=10000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert plan.model.item(0).text().startswith("1. Cook one meal a week with a friend")


def test_close_client_tab_returns_to_home(qtbot, window: MainWindow) -> None:
    open_first_client(qtbot, window)
    window.close_tab_action.trigger()
    assert window.client_tabs.count() == 0
    assert window.work_stack.currentWidget() is window.home
