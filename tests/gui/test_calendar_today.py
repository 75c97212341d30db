"""The Today dashboard, reminders, and pictures of every calendar view with the demo caseload."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFrame, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from casedesk.db.store import Store
from casedesk.gui.calendar.reminders import Reminders
from casedesk.gui.calendar.runner import StoreRunner
from casedesk.gui.calendar.today import SECTION_LIMIT, TodayDashboard
from casedesk.services import calendar, clients, notes
from casedesk.services import deadlines as dl
from casedesk.services.calendar import AppointmentInput, NotePrefill

pytestmark = pytest.mark.gui

CHICAGO = ZoneInfo("America/Chicago")
NOW = dt.datetime(2026, 6, 16, 8, 0, tzinfo=CHICAGO)


def chicago(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHICAGO)  # type: ignore[misc]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    st, _ = Store.create(tmp_path / "profile", "correct horse battery", worker_name="Ana Ruiz")
    with st.session() as s:
        dl.set_worker_timezone(s, "America/Chicago")
        dl.set_deadline_rules(s, obligations_start=dt.date(2026, 1, 1), monthly_visit_default=False)
        cid = clients.create_client(
            s, first_name="Zoë", last_name="Nguyễn", intake_date=dt.date(2026, 6, 1), address_line1="12 Maple Ave"
        )
        calendar.create_appointment(
            s, AppointmentInput(chicago(2026, 6, 16, 10), chicago(2026, 6, 16, 11), client_id=cid)
        )
        calendar.create_appointment(
            s, AppointmentInput(chicago(2026, 6, 12, 9), chicago(2026, 6, 12, 10), client_id=cid)
        )
        notes.create_draft(s, notes.NoteInput(cid, chicago(2026, 6, 11, 9), 30, body={"data": "Called."}))
        dl.add_follow_up(s, cid, "Send the release form", dt.date(2026, 6, 17))
    yield st
    st.close()


@pytest.fixture
def dashboard(qtbot: QtBot, store: Store) -> Iterator[TodayDashboard]:
    widget = TodayDashboard(store, clock=lambda: NOW.astimezone(dt.UTC))
    qtbot.addWidget(widget)
    widget.resize(1000, 800)
    with qtbot.waitSignal(widget.sig_loaded, timeout=20_000):
        widget.show()
    yield widget
    source = widget.source
    assert isinstance(source, StoreRunner)
    source.wait()


def section(widget: TodayDashboard, name: str) -> QFrame:
    found = widget.body.findChild(QFrame, name)
    assert found is not None, name
    return found


def buttons(frame: QFrame) -> list[QPushButton]:
    return frame.findChildren(QPushButton)


def test_the_dashboard_shows_today_overdue_due_this_week_and_drafts(dashboard: TodayDashboard) -> None:
    assert dashboard.heading.text() == "Good morning — Tuesday 16 June 2026"
    assert dashboard.summary.text() == "1 visit today · 1 overdue · 1 due this week · 1 draft to sign"
    visits = section(dashboard, "today_visits")
    labels = " ".join(label.text() for label in visits.findChildren(QLabel))
    assert "10:00–11:00 Home visit · Zoë Nguyễn" in labels and "<b>12 Maple Ave</b>" in labels
    assert [b.text() for b in buttons(visits)] == ["Write note", "Done"]
    assert [b.text() for b in buttons(section(dashboard, "to_record"))] == ["Write note", "Done", "Missed"]
    (overdue,) = buttons(section(dashboard, "overdue"))
    assert "Sign draft progress note · Zoë Nguyễn" in overdue.text()
    (this_week,) = buttons(section(dashboard, "due_this_week"))
    assert "Follow-up: Send the release form" in this_week.text()
    assert len(buttons(section(dashboard, "drafts"))) == 1


def test_clicking_lines_emits_resolver_note_and_marks_visits(qtbot: QtBot, dashboard: TodayDashboard) -> None:
    (overdue,) = buttons(section(dashboard, "overdue"))
    with qtbot.waitSignal(dashboard.sig_open_resolver, timeout=5_000) as signal:
        overdue.click()
    assert signal.args[0][0] == "note_signature"
    (draft,) = buttons(section(dashboard, "drafts"))
    with qtbot.waitSignal(dashboard.sig_open_note, timeout=5_000) as opened:
        draft.click()
    assert opened.args[0] == signal.args[0][1]  # the same draft
    write = buttons(section(dashboard, "today_visits"))[0]
    with qtbot.waitSignal(dashboard.sig_write_note, timeout=20_000) as prefill:
        write.click()
    assert isinstance(prefill.args[0], NotePrefill) and prefill.args[0].contact_type == "face_to_face"
    qtbot.waitUntil(lambda: dashboard.body.findChild(QFrame, "to_record") is not None, timeout=20_000)
    missed = buttons(section(dashboard, "to_record"))[-1]
    assert missed.text() == "Missed"
    missed.click()
    qtbot.waitUntil(lambda: dashboard.body.findChild(QFrame, "to_record") is None, timeout=20_000)
    done = buttons(section(dashboard, "today_visits"))[-1]
    assert done.text() == "Done"
    done.click()

    def visit_done() -> bool:
        snapshot = dashboard.snapshot
        return snapshot is not None and snapshot.visits[0].event.status == "done"

    qtbot.waitUntil(visit_done, timeout=20_000)
    snapshot = dashboard.snapshot
    assert snapshot is not None
    # done at 11:00 today: its note is due in 48 hours, so it is due this week now
    assert any(e.kind == "note_for_visit" for e in snapshot.this_week)


def test_a_busy_day_lists_the_first_visits_and_shows_the_rest_on_request(qtbot: QtBot, store: Store) -> None:
    """A day with more visits than a section's limit shows the first ones and a "Show all" line (the whole
    list, built as widgets, cost a large caseload a third of a second and 35 MB at every refresh)."""
    with store.session() as s:
        (cid,) = [row.id for row in clients.caseload(s)]
        for hour in range(14):  # 15 visits today with the fixture's
            start = chicago(2026, 6, 16, 7) + dt.timedelta(minutes=40 * hour)
            calendar.create_appointment(s, AppointmentInput(start, start + dt.timedelta(minutes=30), client_id=cid))
    widget = TodayDashboard(store, clock=lambda: NOW.astimezone(dt.UTC))
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.sig_loaded, timeout=20_000):
        widget.show()
    visits = section(widget, "today_visits")
    assert "(15)" in visits.findChildren(QLabel)[0].text()
    more = [b for b in buttons(visits) if b.text().startswith("Show all")]
    assert [b.text() for b in more] == ["Show all 15"]
    assert sum(b.text() == "Write note" for b in buttons(visits)) == SECTION_LIMIT
    more[0].click()
    visits = section(widget, "today_visits")
    assert sum(b.text() == "Write note" for b in buttons(visits)) == 15
    assert not [b for b in buttons(visits) if b.text().startswith("Show all")]
    source = widget.source
    assert isinstance(source, StoreRunner)
    source.wait()


def test_the_drafts_count_is_every_unsigned_draft_even_beyond_the_listed_ones(
    qtbot: QtBot, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    with store.session() as s:
        (cid,) = [row.id for row in clients.caseload(s)]
        for day in (8, 9):
            notes.create_draft(s, notes.NoteInput(cid, chicago(2026, 6, day, 9), 30, body={"data": "Met."}))
    monkeypatch.setattr(dl, "DRAFTS_LISTED", 2)  # the oldest two are listed, the third only counted
    widget = TodayDashboard(store, clock=lambda: NOW.astimezone(dt.UTC))
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.sig_loaded, timeout=20_000):
        widget.show()
    assert widget.summary.text().endswith("· 3 drafts to sign")
    drafts = section(widget, "drafts")
    assert "(3)" in drafts.findChildren(QLabel)[0].text()
    assert len([b for b in buttons(drafts) if not b.text().startswith("Show all")]) == 2
    source = widget.source
    assert isinstance(source, StoreRunner)
    source.wait()


def test_reminders_name_nobody_and_stop_while_locked(qtbot: QtBot, store: Store) -> None:
    reminders = Reminders(store)
    reminders.clock = lambda: chicago(2026, 6, 16, 9, 50).astimezone(dt.UTC)
    received: list[tuple[str, str]] = []
    reminders.sig_reminder.connect(lambda title, text: received.append((title, text)))
    reminders.check()
    qtbot.waitUntil(lambda: len(received) == 2, timeout=20_000)
    assert received[0] == ("Home visit at 10:00", "Home visit starts in 10 minutes.")
    assert received[1] == ("1 item due tomorrow", "Due tomorrow: 1 follow-up.")
    assert all("Zoë" not in text for _, text in received)
    reminders.check()  # the same reminders are not repeated
    reminders.set_locked(True)
    reminders.clock = lambda: chicago(2026, 6, 17, 9, 50).astimezone(dt.UTC)
    reminders.check()
    source = reminders.source
    assert isinstance(source, StoreRunner)
    source.wait()
    qtbot.wait(50)
    assert len(received) == 2


def test_every_view_renders_the_demo_caseload(qtbot: QtBot, tmp_path: Path) -> None:
    from casedesk.cli.demo_cmd import ensure_demo_profile
    from casedesk.gui.calendar.screenshots import render

    store, _ = ensure_demo_profile(tmp_path / "demo", clients=12, seed=7)
    try:
        paths = render(store, tmp_path / "shots")
    finally:
        store.close()
    assert [p.name for p in paths] == ["calendar-month.png", "calendar-week.png", "calendar-agenda.png", "today.png"]
    for path in paths:
        image = QImage(str(path))
        assert image.width() >= 1000 and image.height() >= 700
        colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
        assert len(colours) > 20, path.name  # drawn, not blank
