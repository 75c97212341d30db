"""The calendar pane driven like a worker drives it: real widgets offscreen, a real encrypted profile,
work run off the UI thread."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from casedesk.db.store import Store
from casedesk.gui.calendar.pane import CalendarPane
from casedesk.gui.calendar.runner import StoreRunner
from casedesk.services import calendar, clients, plans
from casedesk.services import deadlines as dl
from casedesk.services.calendar import AppointmentInput, CalendarEvent, NotePrefill

pytestmark = pytest.mark.gui

CHICAGO = ZoneInfo("America/Chicago")
NOW = dt.datetime(2026, 6, 16, 8, 0, tzinfo=CHICAGO)  # Tuesday 16 June 2026
PASSPHRASE = "correct horse battery"


def chicago(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHICAGO)  # type: ignore[misc]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    st, _ = Store.create(tmp_path / "profile", PASSPHRASE, agency_name="Test Agency", worker_name="Ana Ruiz")
    with st.session() as s:
        dl.set_worker_timezone(s, "America/Chicago")
        dl.set_deadline_rules(s, obligations_start=dt.date(2026, 1, 1), monthly_visit_default=False)
        cid = clients.create_client(
            s, first_name="Zoë", last_name="Nguyễn", intake_date=dt.date(2026, 1, 5), address_line1="12 Maple Ave"
        )
        plans.create_plan(s, cid, dt.date(2026, 1, 5), review_due=dt.date(2026, 6, 22))
        dl.add_follow_up(s, cid, "Call the pharmacy", dt.date(2026, 6, 12))
        calendar.create_appointment(
            s, AppointmentInput(chicago(2026, 6, 3, 10), chicago(2026, 6, 3, 11), client_id=cid, location="Home")
        )
        calendar.create_appointment(
            s,
            AppointmentInput(
                chicago(2026, 6, 1, 14), chicago(2026, 6, 1, 15), kind="office", client_id=cid, rrule="FREQ=WEEKLY"
            ),
        )
    st.info_client_id = cid  # type: ignore[attr-defined]
    yield st
    st.close()


@pytest.fixture
def pane(qtbot: QtBot, store: Store) -> Iterator[CalendarPane]:
    widget = CalendarPane(store, clock=lambda: NOW.astimezone(dt.UTC))
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    with qtbot.waitSignal(widget.sig_loaded, timeout=20_000):
        widget.show()
    qtbot.waitUntil(lambda: widget.month.selected_day == NOW.date() and bool(widget.month.events), timeout=20_000)
    yield widget
    source = widget.source
    assert isinstance(source, StoreRunner)
    source.wait()


def reloaded(qtbot: QtBot, pane: CalendarPane, action: Callable[[], Any]) -> None:
    """Do something that writes, and wait for the pane to show the result."""
    with qtbot.waitSignal(pane.sig_loaded, timeout=20_000):
        action()


def events_on(pane: CalendarPane, day: dt.date) -> list[CalendarEvent]:
    return [e for e in pane.view.events if e.start.astimezone(CHICAGO).date() == day]


def local(event: CalendarEvent) -> str:
    return event.start.astimezone(CHICAGO).strftime("%a %d %H:%M")


def drag(qtbot: QtBot, widget: Any, start: QPoint, end: QPoint) -> None:
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=start)
    middle = QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2)
    qtbot.mouseMove(widget, middle)
    qtbot.mouseMove(widget, end)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=end)


# ---------------------------------------------------------------------------------------------
# Creating
# ---------------------------------------------------------------------------------------------


def test_double_click_on_an_empty_day_creates_a_visit(qtbot: QtBot, pane: CalendarPane, store: Store) -> None:
    month = pane.month
    cell = month.cell_rect(dt.date(2026, 6, 10))
    qtbot.mouseDClick(month, Qt.MouseButton.LeftButton, pos=QPoint(cell.center().x(), cell.bottom() - 4))
    dialog = pane.dialog
    assert dialog is not None and dialog.windowTitle() == "New appointment"
    assert dialog.start() == chicago(2026, 6, 10, 9, 0) and dialog.duration.value() == 60
    dialog.set_client(store.info_client_id)  # type: ignore[attr-defined]
    assert dialog.location.text() == "12 Maple Ave"  # a home visit starts at the client's address
    reloaded(qtbot, pane, dialog.on_save)
    (created,) = events_on(pane, dt.date(2026, 6, 10))
    assert (local(created), created.client_name, created.kind) == ("Wed 10 09:00", "Zoë Nguyễn", "home_visit")


def test_dragging_across_empty_time_in_the_week_creates_that_span(qtbot: QtBot, pane: CalendarPane) -> None:
    pane.show_view("week")
    qtbot.waitUntil(lambda: bool(pane.week.events), timeout=20_000)
    week = pane.week
    day = dt.date(2026, 6, 18)
    drag(qtbot, week, week.point_at(day, 13 * 60), week.point_at(day, 14 * 60 + 30))
    dialog = pane.dialog
    assert dialog is not None
    assert (dialog.start(), dialog.duration.value()) == (chicago(2026, 6, 18, 13, 0), 90)
    dialog.kind.setCurrentIndex(dialog.kind.findData("meeting"))
    dialog.title.setText("ISP team meeting")
    dialog.set_repeat("monthly", count=3)
    reloaded(qtbot, pane, dialog.on_save)
    (created,) = events_on(pane, day)
    assert (created.label, created.repeat_text) == ("ISP team meeting", "Every month on the third Thursday, 3 times")


def test_keyboard_moves_days_pages_and_creates(qtbot: QtBot, pane: CalendarPane) -> None:
    month = pane.month
    month.setFocus()
    qtbot.keyClick(month, Qt.Key.Key_Right)
    qtbot.keyClick(month, Qt.Key.Key_Down)
    assert month.selected_day == NOW.date() + dt.timedelta(days=8)
    with qtbot.waitSignal(pane.sig_loaded, timeout=20_000):
        qtbot.keyClick(month, Qt.Key.Key_PageDown)
    assert pane.title.text() == "July 2026" and month.selected_day.month == 7
    with qtbot.waitSignal(pane.sig_loaded, timeout=20_000):
        qtbot.keyClick(pane.today_button, Qt.Key.Key_Space)
    assert pane.title.text() == "June 2026" and month.selected_day == NOW.date()
    month.setFocus()
    qtbot.keyClick(month, Qt.Key.Key_Return)
    assert pane.dialog is not None and pane.dialog.start().date() == NOW.date()
    pane.dialog.reject()
    qtbot.keyClick(pane, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert pane.current == "week" and pane.title.text() == "15–21 June 2026"


# ---------------------------------------------------------------------------------------------
# Moving
# ---------------------------------------------------------------------------------------------


def test_dragging_a_visit_to_another_day_reschedules_it(qtbot: QtBot, pane: CalendarPane) -> None:
    month = pane.month
    (visit,) = [e for e in events_on(pane, dt.date(2026, 6, 3)) if not e.is_recurring]
    chip = month.chip_for(visit.key)
    assert chip is not None
    target = month.cell_rect(dt.date(2026, 6, 5)).center()
    with qtbot.waitSignal(pane.sig_loaded, timeout=20_000):
        drag(qtbot, month, chip.rect.center(), target)
    moved = [e for e in events_on(pane, dt.date(2026, 6, 5)) if e.key == visit.key]
    assert [local(e) for e in moved] == ["Fri 05 10:00"]
    assert events_on(pane, dt.date(2026, 6, 3)) == []


def test_week_drag_moves_in_quarter_hours_and_the_bottom_edge_resizes(qtbot: QtBot, pane: CalendarPane) -> None:
    with qtbot.waitSignal(pane.sig_loaded, timeout=20_000):
        pane.go_to(dt.date(2026, 6, 3))
    pane.show_view("week")
    qtbot.waitUntil(lambda: bool(pane.week.events), timeout=20_000)
    week = pane.week
    (visit,) = [e for e in events_on(pane, dt.date(2026, 6, 3)) if not e.is_recurring]
    box = week.box_for(visit.key)
    assert box is not None
    grab = QPoint(box.rect.center().x(), week.y_for(10 * 60 + 10))
    target = QPoint(grab.x(), week.y_for(13 * 60 + 40))
    with qtbot.waitSignal(pane.sig_loaded, timeout=20_000):
        drag(qtbot, week, grab, target)
    (moved,) = [e for e in pane.view.events if e.key == visit.key]
    assert (local(moved), moved.duration_minutes) == ("Wed 03 13:30", 60)
    box = week.box_for(visit.key)
    assert box is not None
    edge = QPoint(box.rect.center().x(), box.rect.bottom() - 2)
    with qtbot.waitSignal(pane.sig_loaded, timeout=20_000):
        drag(qtbot, week, edge, QPoint(edge.x(), week.y_for(15 * 60)))
    (resized,) = [e for e in pane.view.events if e.key == visit.key]
    assert (local(resized), resized.duration_minutes) == ("Wed 03 13:30", 90)


def test_moving_one_repeat_asks_which_visits_this_one_or_all_future(qtbot: QtBot, pane: CalendarPane) -> None:
    answers: list[str] = []

    def answer(scope: str) -> Callable[..., None]:
        def chooser(parent: Any, verb: str, then: Callable[[str], None]) -> None:
            answers.append(verb)
            then(scope)

        return chooser

    month = pane.month
    mondays = [dt.date(2026, 6, d) for d in (1, 8, 15, 22, 29)]
    # "this one": only the visit of the 8th moves to Tuesday the 9th
    pane.scope_chooser = answer("this")
    (second,) = events_on(pane, mondays[1])
    chip = month.chip_for(second.key)
    assert chip is not None
    with qtbot.waitSignal(pane.sig_loaded, timeout=20_000):
        drag(qtbot, month, chip.rect.center(), month.cell_rect(dt.date(2026, 6, 9)).center())
    series = sorted((e for e in pane.view.events if e.is_recurring), key=lambda e: e.start)
    assert [local(e) for e in series] == [
        "Mon 01 14:00",
        "Tue 09 14:00",
        "Mon 15 14:00",
        "Mon 22 14:00",
        "Mon 29 14:00",
    ] + [local(e) for e in series[5:]]
    assert series[1].key == second.key and series[1].is_exception
    # "all future": from the 22nd on, the visits move to Wednesdays
    pane.scope_chooser = answer("future")
    (fourth,) = events_on(pane, mondays[3])
    chip = month.chip_for(fourth.key)
    assert chip is not None
    with qtbot.waitSignal(pane.sig_loaded, timeout=20_000):
        drag(qtbot, month, chip.rect.center(), month.cell_rect(dt.date(2026, 6, 24)).center())
    series = sorted((e for e in pane.view.events if e.is_recurring), key=lambda e: e.start)
    june = [local(e) for e in series if e.start.astimezone(CHICAGO).month == 6]
    assert june == ["Mon 01 14:00", "Tue 09 14:00", "Mon 15 14:00", "Wed 24 14:00"]
    july = [local(e) for e in series if e.start.astimezone(CHICAGO).month == 7]
    assert july and all(day.startswith("Wed") for day in july)
    assert answers == ["move", "move"]


# ---------------------------------------------------------------------------------------------
# Deadlines and visits' actions
# ---------------------------------------------------------------------------------------------


def test_clicking_a_deadline_emits_what_resolves_it(qtbot: QtBot, pane: CalendarPane, store: Store) -> None:
    month = pane.month
    chips = [c for c in month.chips if c.entry is not None and c.entry.kind == "follow_up"]
    assert [(c.day, c.entry.status if c.entry else None) for c in chips] == [(dt.date(2026, 6, 12), "overdue")]
    assert chips[0].bold  # overdue stands out
    with qtbot.waitSignal(pane.sig_open_resolver, timeout=5_000) as signal:
        qtbot.mouseClick(month, Qt.MouseButton.LeftButton, pos=chips[0].rect.center())
    kind, follow_up_id = signal.args[0]
    assert kind == "follow_up" and follow_up_id
    review = next(c for c in month.chips if c.entry is not None and c.entry.kind == "plan_review")
    with qtbot.waitSignal(pane.sig_open_resolver, timeout=5_000) as signal:
        qtbot.mouseClick(month, Qt.MouseButton.LeftButton, pos=review.rect.center())
    assert signal.args[0][0] == "plan_review"


def test_marking_a_visit_done_puts_its_note_deadline_on_the_calendar(qtbot: QtBot, pane: CalendarPane) -> None:
    (visit,) = [e for e in events_on(pane, dt.date(2026, 6, 15)) if e.is_recurring]
    menu = pane.context_menu(visit, dt.date(2026, 6, 15))
    done = next(a for a in menu.actions() if a.text() == "Mark done")
    with qtbot.waitSignal(pane.sig_loaded, timeout=20_000):
        done.trigger()
    (updated,) = events_on(pane, dt.date(2026, 6, 15))
    assert updated.status == "done" and updated.appointment_id is not None
    notes_due = [e for e in pane.due if e.kind == "note_for_visit"]
    assert [(e.resolves[1], e.due_date) for e in notes_due] == [(updated.appointment_id, dt.date(2026, 6, 17))]
    assert any(c.entry is not None and c.entry.kind == "note_for_visit" for c in pane.month.chips)
    pane.show_view("week")
    qtbot.waitUntil(lambda: any(f.timed for f in pane.week.flags), timeout=20_000)
    (flag,) = [f for f in pane.week.flags if f.timed]
    assert flag.day == dt.date(2026, 6, 17) and "15:00" in flag.text


def test_write_note_hands_the_visit_to_the_note_editor(qtbot: QtBot, pane: CalendarPane, store: Store) -> None:
    (visit,) = [e for e in events_on(pane, dt.date(2026, 6, 8)) if e.is_recurring]
    menu = pane.context_menu(visit, dt.date(2026, 6, 8))
    write = next(a for a in menu.actions() if a.text() == "Write note")
    with qtbot.waitSignal(pane.sig_write_note, timeout=20_000) as signal:
        write.trigger()
    prefill = signal.args[0]
    assert isinstance(prefill, NotePrefill)
    assert (prefill.client_id, prefill.contact_start, prefill.duration_minutes, prefill.contact_type) == (
        store.info_client_id,  # type: ignore[attr-defined]
        chicago(2026, 6, 8, 14).astimezone(dt.UTC),
        60,
        "face_to_face",
    )


def test_the_edit_dialog_changes_one_repeat_and_offers_note_and_done(qtbot: QtBot, pane: CalendarPane) -> None:
    pane.scope_chooser = lambda parent, verb, then: then("this")
    (visit,) = [e for e in events_on(pane, dt.date(2026, 6, 22)) if e.is_recurring]
    chip = pane.month.chip_for(visit.key)
    assert chip is not None
    qtbot.mouseDClick(pane.month, Qt.MouseButton.LeftButton, pos=chip.rect.center())
    dialog = pane.dialog
    assert dialog is not None and dialog.windowTitle() == "Edit appointment"
    assert set(dialog.extra) == {"write_note", "done", "delete"}
    assert dialog.repeat.currentText().startswith("Keep: Every week")
    dialog.location.setText("Library, 2nd floor")
    reloaded(qtbot, pane, dialog.on_save)
    (changed,) = events_on(pane, dt.date(2026, 6, 22))
    assert changed.location == "Library, 2nd floor" and changed.is_exception
    assert {e.location for e in pane.view.events if e.is_recurring and e.key != changed.key} == {None}


def test_agenda_lists_days_and_enter_edits(qtbot: QtBot, pane: CalendarPane) -> None:
    pane.show_view("agenda")
    agenda = pane.agenda
    qtbot.waitUntil(lambda: any(r.event is not None for r in agenda.model.rows), timeout=20_000)
    rows = agenda.model.rows
    assert rows[0].kind == "day" and rows[0].text.startswith("Today")
    assert any(r.kind == "due" and r.entry is not None and r.entry.kind == "plan_review" for r in rows)
    event_row = next(i for i, r in enumerate(rows) if r.event is not None)
    agenda.list.setCurrentIndex(agenda.model.index(event_row))
    agenda.list.setFocus()
    qtbot.keyClick(agenda.list, Qt.Key.Key_Return)
    assert pane.dialog is not None and pane.dialog.edited is not None
    pane.dialog.reject()
