"""The calendar's Qt-free parts: page geometry, overlap layout, reminders, and the data the views get.
(No Qt is imported here.)"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casedesk.db.store import Store
from casedesk.domain.deadlines import DueItem
from casedesk.gui.calendar import data
from casedesk.gui.calendar.layout import add_months, month_grid, overlap_columns, snap_minutes, week_days
from casedesk.gui.calendar.reminder_rules import tomorrow_digest, visit_reminders
from casedesk.services import calendar, clients, notes
from casedesk.services import deadlines as dl
from casedesk.services.calendar import AppointmentInput, CalendarEvent, OccurrenceRef
from casedesk.services.deadlines import DueEntry

CHICAGO = ZoneInfo("America/Chicago")
REPO = Path(__file__).resolve().parents[2]
UTC = dt.UTC


def chicago(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHICAGO)  # type: ignore[misc]


def test_month_pages_hold_six_whole_weeks_from_the_chosen_first_weekday() -> None:
    monday_first = month_grid(dt.date(2026, 2, 14))
    assert (monday_first[0], monday_first[-1], len(monday_first)) == (dt.date(2026, 1, 26), dt.date(2026, 3, 8), 42)
    sunday_first = month_grid(dt.date(2026, 2, 14), first_weekday=6)
    assert sunday_first[0] == dt.date(2026, 2, 1) and sunday_first[0].weekday() == 6
    assert week_days(dt.date(2026, 6, 18)) == [dt.date(2026, 6, 15) + dt.timedelta(days=i) for i in range(7)]
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 3, 31), -1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2026, 12, 5), 1) == dt.date(2027, 1, 5)
    assert snap_minutes(607) == 600 and snap_minutes(608) == 615


def test_overlapping_visits_share_a_day_column_side_by_side() -> None:
    # 9-10 and 9:30-10:30 overlap (two columns); 10:30-11 stands alone; 13-15, 13-14, 14-15 reuse a column.
    placed = overlap_columns([(540, 600), (570, 630), (630, 660), (780, 900), (780, 840), (840, 900)])
    assert placed == [(0, 2), (1, 2), (0, 1), (0, 2), (1, 2), (1, 2)]


@given(st.lists(st.tuples(st.integers(0, 1400), st.integers(1, 240)), max_size=30))
def test_overlap_layout_never_puts_two_overlapping_visits_in_one_column(spans: list[tuple[int, int]]) -> None:
    intervals = [(float(start), float(start + length)) for start, length in spans]
    placed = overlap_columns(intervals)
    for i, (a, (col_a, width_a)) in enumerate(zip(intervals, placed, strict=True)):
        assert 0 <= col_a < width_a
        for b, (col_b, _) in zip(intervals[i + 1 :], placed[i + 1 :], strict=True):
            if a[0] < b[1] and b[0] < a[1]:
                assert col_a != col_b


def event(start: dt.datetime, *, status: str = "planned", name: str = "Zoë Nguyễn") -> CalendarEvent:
    return CalendarEvent(
        key="k-" + start.isoformat(),
        ref=OccurrenceRef("a"),
        appointment_id="a",
        series_id=None,
        original_start=None,
        start=start.astimezone(UTC),
        end=(start + dt.timedelta(hours=1)).astimezone(UTC),
        timezone="America/Chicago",
        kind="home_visit",
        status=status,
        client_id="c",
        client_name=name,
        title=None,
        location="12 Maple Ave",
        description=None,
        rrule=None,
    )


def test_visit_reminders_come_once_in_the_lead_time_and_name_nobody_by_default() -> None:
    now = chicago(2026, 6, 16, 9, 50)
    soon, later, cancelled = (
        event(chicago(2026, 6, 16, 10)),
        event(chicago(2026, 6, 16, 11)),
        event(chicago(2026, 6, 16, 10), status="cancelled"),
    )
    (reminder,) = visit_reminders([soon, later, cancelled], now, CHICAGO)
    assert (reminder.title, reminder.text) == ("Home visit at 10:00", "Home visit starts in 10 minutes.")
    assert "Zoë" not in reminder.text and "Maple" not in reminder.text
    (named,) = visit_reminders([soon], now, CHICAGO, show_names=True)
    assert named.text == "Home visit with Zoë Nguyễn at 12 Maple Ave starts in 10 minutes."
    assert named.key == reminder.key


def due_entry(kind: str, day: dt.date, status: str = "upcoming") -> DueEntry:
    item = DueItem("c", kind, "Title", day, status, (kind, "x"))  # type: ignore[arg-type]
    return DueEntry(item, "Zoë Nguyễn", day)


def test_the_tomorrow_digest_counts_by_kind_from_the_morning_on() -> None:
    entries = [
        due_entry("quarterly_report", dt.date(2026, 6, 17)),
        due_entry("quarterly_report", dt.date(2026, 6, 17)),
        due_entry("plan_review", dt.date(2026, 6, 17)),
        due_entry("plan_review", dt.date(2026, 6, 18)),
        due_entry("follow_up", dt.date(2026, 6, 17), status="done"),
    ]
    assert tomorrow_digest(entries, chicago(2026, 6, 16, 7), CHICAGO) is None  # before 8:00
    digest = tomorrow_digest(entries, chicago(2026, 6, 16, 9), CHICAGO)
    assert digest is not None
    assert (digest.key, digest.title) == ("digest:2026-06-17", "3 items due tomorrow")
    assert digest.text == "Due tomorrow: 1 plan review, 2 quarterly reports."


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    st_, _ = Store.create(tmp_path / "profile", "correct horse battery", worker_name="Ana Ruiz")
    with st_.session() as s:
        dl.set_worker_timezone(s, "America/Chicago")
        dl.set_deadline_rules(s, obligations_start=dt.date(2026, 1, 1), monthly_visit_default=False)
    yield st_
    st_.close()


def test_the_today_snapshot_has_visits_with_addresses_past_visits_to_record_and_drafts(store: Store) -> None:
    with store.session() as s:
        cid = clients.create_client(
            s,
            first_name="Zoë",
            last_name="Nguyễn",
            intake_date=dt.date(2026, 6, 1),
            address_line1="12 Maple Ave",
            city="Peoria",
        )
        calendar.create_appointment(
            s, AppointmentInput(chicago(2026, 6, 16, 10), chicago(2026, 6, 16, 11), client_id=cid)
        )
        calendar.create_appointment(
            s,
            AppointmentInput(
                chicago(2026, 6, 16, 14), chicago(2026, 6, 16, 15), kind="office", client_id=cid, location="Office 2"
            ),
        )
        calendar.create_appointment(
            s, AppointmentInput(chicago(2026, 6, 12, 10), chicago(2026, 6, 12, 11), client_id=cid)
        )
        notes.create_draft(s, notes.NoteInput(cid, chicago(2026, 6, 12, 9), 30, body={"data": "Called."}))
        dl.add_follow_up(s, cid, "Send the form", dt.date(2026, 6, 18))
    with store.read_session() as s:
        snapshot = data.load_today(s, chicago(2026, 6, 16, 8).astimezone(UTC))
    assert snapshot.today == dt.date(2026, 6, 16) and snapshot.zone == "America/Chicago"
    assert [(v.event.kind, v.address) for v in snapshot.visits] == [
        ("home_visit", "12 Maple Ave, Peoria"),
        ("office", "Office 2"),
    ]
    assert [e.start.astimezone(CHICAGO).day for e in snapshot.to_record] == [12]
    assert [d.client_name for d in snapshot.drafts] == ["Zoë Nguyễn"]
    assert {e.kind for e in snapshot.overdue} == {"note_signature"}  # the draft was due within 48 h
    assert {e.kind for e in snapshot.this_week} == {"follow_up"}
    assert snapshot.counts.overdue == 1


def test_the_gui_data_modules_load_without_qt() -> None:
    code = (
        "import sys\n"
        "import casedesk.gui.calendar.data, casedesk.gui.calendar.layout, casedesk.gui.calendar.reminder_rules\n"
        "print(','.join(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
