"""Calendar files through the database: private exports that are audited, imports that report what
they leave out, never duplicate and never half-import, and a faithful round trip."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from casedesk.db.models import Appointment, AuditEvent
from casedesk.db.store import Store
from casedesk.scheduling.ics import CalendarImportError
from casedesk.scheduling.rrule import weekly_rule
from casedesk.services import calendar, calendar_ics, clients
from casedesk.services import deadlines as dl
from casedesk.services.calendar import AppointmentInput, OccurrenceRef

PASSPHRASE = "correct horse battery"
CHICAGO = ZoneInfo("America/Chicago")
BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC
NOW = dt.datetime(2026, 6, 20, 15, 0, tzinfo=UTC)


def chicago(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHICAGO)  # type: ignore[misc]


def new_store(root: Path) -> Store:
    st, _ = Store.create(root, PASSPHRASE, agency_name="Test Agency", worker_name="Ana Ruiz")
    with st.session() as s:
        dl.set_worker_timezone(s, "America/Chicago")
        dl.set_deadline_rules(s, obligations_start=dt.date(2026, 1, 1))
    return st


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    st = new_store(tmp_path / "profile")
    yield st
    st.close()


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[Store]:
    st = new_store(tmp_path / "empty")
    yield st
    st.close()


def fill(store: Store) -> str:
    """A client with a weekly series (one visit moved, one removed, one done: five rows with the
    single call and the cancelled meeting) and a follow-up."""
    with store.session() as s:
        cid = clients.create_client(s, first_name="Zoë", last_name="Nguyễn", intake_date=dt.date(2026, 1, 5))
        series = calendar.create_appointment(
            s,
            AppointmentInput(
                chicago(2026, 6, 1, 10),
                chicago(2026, 6, 1, 11),
                client_id=cid,
                location="12 Maple Ave, Springfield",
                description="Bring the blister packs",
                rrule=weekly_rule(["MO"], count=8),
            ),
        )
        calendar.move(s, OccurrenceRef(series, chicago(2026, 6, 8, 10)), chicago(2026, 6, 9, 15))
        calendar.delete(s, OccurrenceRef(series, chicago(2026, 6, 15, 10)), scope="this")
        calendar.set_status(s, OccurrenceRef(series, chicago(2026, 6, 1, 10)), "done")
        calendar.create_appointment(
            s,
            AppointmentInput(
                chicago(2026, 6, 3, 13), chicago(2026, 6, 3, 13, 30), kind="phone", client_id=cid, title="Call Zoë"
            ),
        )
        calendar.create_appointment(
            s,
            AppointmentInput(
                chicago(2026, 6, 5, 9), chicago(2026, 6, 5, 10), kind="meeting", title="ISP team", status="cancelled"
            ),
        )
        dl.add_follow_up(s, cid, "Ask Zoë's mother about the dentist", dt.date(2026, 6, 25))
    return cid


def events_of(data: bytes) -> list[dict[str, str]]:
    """Each VEVENT's properties as text, without the export time: what two exports should share."""
    calendar_ = Calendar.from_ical(data)
    result = []
    for event in calendar_.walk("VEVENT"):
        props = {
            name: event[name].to_ical().decode() if hasattr(event[name], "to_ical") else str(event[name])
            for name in event
            if name != "DTSTAMP"
        }
        result.append(props)
    return sorted(result, key=lambda p: (p["UID"], p.get("RECURRENCE-ID", "")))


def export(store: Store, **kwargs: bool) -> bytes:
    with store.session() as s:
        data, _ = calendar_ics.export_ics(s, now=NOW, **kwargs)
    return data


def appointment_count(store: Store) -> int:
    with store.read_session() as s:
        return int(s.execute(select(func.count()).select_from(Appointment)).scalar_one())


def test_export_leaves_client_data_out_unless_asked_and_is_audited(store: Store, tmp_path: Path) -> None:
    fill(store)
    private = export(store, with_due_items=True)
    text = private.decode()
    for secret in ("Zoë", "Nguyễn", "Maple", "blister", "Call Zoë", "ISP team", "dentist"):
        assert secret not in text, secret
    assert "SUMMARY:Home visit" in text and "SUMMARY:Follow-up" in text
    named = export(store, include_client_names=True, with_due_items=True).decode()
    for shown in ("Nguyễn", "Maple Ave", "blister", "Call Zoë", "ISP team", "dentist"):
        assert shown in named, shown
    path = tmp_path / "out.ics"
    with store.session() as s:
        summary = calendar_ics.export_ics_file(s, path, now=NOW)
    assert summary == calendar_ics.ExportSummary(appointments=5, due_items=0, client_names=False)
    assert path.stat().st_mode & 0o077 == 0  # not readable by others
    with store.read_session() as s:
        exports = [e.detail for e in s.execute(select(AuditEvent).where(AuditEvent.action == "export")).scalars()]
    assert [(d["client_names"], d.get("file")) for d in exports] == [(False, None), (True, None), (False, "out.ics")]
    assert all("Zoë" not in str(d) for d in exports)


def test_export_keeps_repeats_exceptions_and_zones(store: Store) -> None:
    fill(store)
    text = export(store).decode().replace("\r\n ", "")
    assert "BEGIN:VTIMEZONE" in text and "TZID:America/Chicago" in text
    assert "RRULE:FREQ=WEEKLY;COUNT=8;BYDAY=MO" in text
    assert "EXDATE;TZID=America/Chicago:20260615T100000" in text
    assert "RECURRENCE-ID;TZID=America/Chicago:20260608T100000" in text
    assert "DTSTART;TZID=America/Chicago:20260609T150000" in text
    assert "STATUS:CANCELLED" in text and "X-CASEDESK-STATUS:done" in text


def test_round_trip_into_an_empty_profile_gives_the_same_events(store: Store, empty: Store) -> None:
    fill(store)
    first = export(store)
    with empty.session() as s:
        summary = calendar_ics.import_ics(s, first)
    assert (summary.added, summary.issues) == (5, ())
    assert events_of(export(empty)) == events_of(first)
    with store.read_session() as s:
        original = calendar.events_between(s, chicago(2026, 6, 1), chicago(2026, 8, 1))
    with empty.read_session() as s:
        copied = calendar.events_between(s, chicago(2026, 6, 1), chicago(2026, 8, 1))
    assert [(e.start, e.end, e.kind, e.status, e.key) for e in copied] == [
        (e.start, e.end, e.kind, e.status, e.key) for e in original
    ]


def test_reimport_adds_nothing_and_keeps_what_the_file_leaves_out(store: Store) -> None:
    fill(store)
    before = appointment_count(store)
    data = export(store)  # without names: no locations or titles in the file
    with store.session() as s:
        summary = calendar_ics.import_ics(s, data)
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 5)
    assert appointment_count(store) == before
    with store.read_session() as s:
        events = calendar.events_between(s, chicago(2026, 6, 1), chicago(2026, 8, 1))
    assert events[0].location == "12 Maple Ave, Springfield" and events[0].status == "done"
    assert [e.title for e in events if e.kind == "phone"] == ["Call Zoë"]
    with store.session() as s:
        named = calendar_ics.import_ics(s, export(store, include_client_names=True))
    assert (named.added, named.updated, named.unchanged) == (0, 0, 5)  # "Home visit — Zoë Nguyễn" is no title


def test_every_shared_valid_file_imports_once_and_reports_what_it_leaves_out(
    shared_testdata: Path, store: Store
) -> None:
    files = sorted((shared_testdata / "ics" / "valid").glob("*.ics"))
    assert files
    for path in files:
        with store.session() as s:
            first = calendar_ics.import_ics_file(s, path)
        assert first.added > 0, path.name
        for issue in first.skipped:
            assert issue.reason and (issue.uid or issue.summary), (path.name, issue)
        count = appointment_count(store)
        with store.session() as s:
            again = calendar_ics.import_ics_file(s, path)
        assert (again.added, again.updated, again.unchanged) == (0, 0, first.added), path.name
        assert appointment_count(store) == count
    with store.read_session() as s:
        weekly = calendar.events_between(s, dt.datetime(2019, 3, 1, tzinfo=UTC), dt.datetime(2019, 6, 1, tzinfo=UTC))
    test6 = [e for e in weekly if e.title == "test6"]
    assert [e.start.astimezone(BERLIN).strftime("%m-%d %H:%M") for e in test6] == [
        "03-04 00:30",
        "03-18 00:30",
        "04-01 00:30",
        "04-08 00:30",
        "04-15 00:30",
        "04-22 00:30",
    ]
    assert {e.timezone for e in test6} == {"Europe/Berlin"}


def test_malformed_shared_files_import_nothing_and_say_why(shared_testdata: Path, store: Store) -> None:
    files = sorted((shared_testdata / "ics" / "malformed").glob("*.ics"))
    assert files
    for path in files:
        try:
            with store.session() as s:
                summary = calendar_ics.import_ics_file(s, path)
        except CalendarImportError as err:
            assert str(err)
            continue
        assert summary.added == 0 and summary.skipped, path.name
        assert all(re.search(r"could not|all-day|repeat", issue.reason) for issue in summary.skipped)
    assert appointment_count(store) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"hello, this is a letter", "not an iCalendar"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n", "never closed"),
    ],
)
def test_an_unreadable_file_changes_nothing(store: Store, data: bytes, message: str) -> None:
    fill(store)
    before = appointment_count(store)
    with pytest.raises(CalendarImportError, match=message), store.session() as s:
        calendar_ics.import_ics(s, data)
    assert appointment_count(store) == before
    with store.read_session() as s:
        assert s.execute(select(AuditEvent).where(AuditEvent.action == "import")).first() is None


def test_a_file_that_cannot_be_opened_gets_a_clear_error(store: Store, tmp_path: Path) -> None:
    from casedesk.errors import ValidationError

    with pytest.raises(ValidationError, match="no file"), store.session() as s:
        calendar_ics.import_ics_file(s, tmp_path / "missing.ics")
    with pytest.raises(ValidationError, match="folder"), store.session() as s:
        calendar_ics.export_ics_file(s, tmp_path)


def test_reimport_of_a_utc_zone_spelled_etc_utc_changes_nothing(store: Store) -> None:
    with store.session() as s:
        calendar.create_appointment(
            s,
            AppointmentInput(
                dt.datetime(2026, 6, 3, 15, tzinfo=UTC), dt.datetime(2026, 6, 3, 16, tzinfo=UTC), timezone="Etc/UTC"
            ),
        )
    with store.session() as s:
        summary = calendar_ics.import_ics(s, export(store, include_client_names=True))
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 1)
