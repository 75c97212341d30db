"""The calendar inside the main window: the Today dashboard first after unlock, the calendar beside
it, due items and visits opening the records that resolve them."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from casedesk.gui.calendar.install import PLAN_SECTION, REPORTS_SECTION, CalendarUi
from casedesk.gui.main_window import MainWindow
from casedesk.gui.notes.editor import NoteEditor
from casedesk.services.calendar import NotePrefill

pytestmark = pytest.mark.gui


def ui_of(window: MainWindow) -> CalendarUi:
    ui = window.calendar_ui  # type: ignore[attr-defined]
    assert isinstance(ui, CalendarUi)
    return ui


def test_the_dashboard_is_the_first_view_and_the_calendar_is_one_shortcut_away(
    qtbot: QtBot, window: MainWindow
) -> None:
    ui = ui_of(window)
    assert window.work_stack.currentWidget() is ui.today is window.home
    qtbot.waitUntil(lambda: ui.today.snapshot is not None, timeout=20_000)
    assert ui.today.heading.text().startswith(("Good morning", "Good afternoon", "Good evening"))
    window.context.ops.wait()
    qtbot.wait(0)  # deliver what finished
    # the hidden calendar loaded nothing (a large caseload's month is tens of thousands of visits) ...
    assert ui.calendar.month.events == () and ui.calendar.due == ()
    ui.calendar_action.trigger()
    assert window.work_stack.currentWidget() is ui.calendar
    # ... and loads once shown
    qtbot.waitUntil(lambda: bool(ui.calendar.month.events) and bool(ui.calendar.due), timeout=20_000)
    ui.today_action.trigger()
    assert window.work_stack.currentWidget() is ui.today
    assert ui.today_action.shortcut().toString() == "Ctrl+T"
    assert ui.calendar_action.shortcut().toString() == "Ctrl+Shift+C"


def test_due_items_open_the_record_that_resolves_them(qtbot: QtBot, window: MainWindow) -> None:
    ui = ui_of(window)
    ui.calendar_action.trigger()
    qtbot.waitUntil(lambda: bool(ui.calendar.due), timeout=20_000)
    report = next(e for e in ui.calendar.due if e.kind == "quarterly_report")
    ui.calendar.on_due_activated(report)
    qtbot.waitUntil(lambda: window.workspace_for(report.client_id) is not None, timeout=20_000)
    workspace = window.workspace_for(report.client_id)
    assert workspace is not None
    qtbot.waitUntil(lambda: workspace.data is not None, timeout=20_000)
    assert workspace.tabs.currentIndex() == REPORTS_SECTION
    review = next((e for e in ui.calendar.due if e.kind in ("plan_review", "plan_renewal", "goal_target")), None)
    if review is not None:
        ui.calendar.on_due_activated(review)
        other = lambda: window.workspace_for(review.client_id)  # noqa: E731
        qtbot.waitUntil(lambda: other() is not None and other().data is not None, timeout=20_000)  # type: ignore[union-attr]
        qtbot.waitUntil(lambda: other().tabs.currentIndex() == PLAN_SECTION, timeout=20_000)  # type: ignore[union-attr]


def test_write_note_from_a_visit_opens_a_filled_note_editor(qtbot: QtBot, window: MainWindow) -> None:
    ui = ui_of(window)
    ui.calendar_action.trigger()
    qtbot.waitUntil(lambda: bool(ui.calendar.month.events), timeout=20_000)
    visit = next(e for e in ui.calendar.month.events if e.client_id is not None and e.note_id is None)
    with qtbot.waitSignal(ui.calendar.sig_write_note, timeout=20_000) as signal:
        ui.calendar.write_note(visit)
    prefill = signal.args[0]
    assert isinstance(prefill, NotePrefill)
    workspace = window.workspace_for(prefill.client_id)
    assert workspace is not None

    def editor() -> NoteEditor | None:
        found = workspace.current_editor()
        return found if found is not None and found.current_state().appointment_id == prefill.appointment_id else None

    qtbot.waitUntil(lambda: editor() is not None, timeout=20_000)
    state = editor().current_state()  # type: ignore[union-attr]
    assert state.duration_minutes == prefill.duration_minutes
    assert state.contact_type == prefill.contact_type
    assert state.location == (prefill.location or "")
    assert window.work_stack.currentWidget() is window.client_tabs


def test_locking_empties_the_dashboard_and_the_calendar(qtbot: QtBot, window: MainWindow) -> None:
    ui = ui_of(window)
    ui.calendar_action.trigger()
    qtbot.waitUntil(lambda: ui.today.snapshot is not None and bool(ui.calendar.due), timeout=20_000)
    window.lock()
    assert ui.today.snapshot is None and ui.calendar.due == () and ui.calendar.month.events == ()
    assert not ui.today_action.isEnabled() and not ui.calendar_action.isEnabled()
    assert ui.reminders.locked
