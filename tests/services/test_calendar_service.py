"""Appointments through the database: single and repeating visits, edit this one / all future / all,
status, deletion, and the note a visit starts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from casedesk.db.models import Appointment, AuditEvent
from casedesk.db.store import Store
from casedesk.errors import CaseDeskError, NotFoundError, ValidationError
from casedesk.scheduling.rrule import monthly_nth_weekday_rule, weekly_rule
from casedesk.services import calendar, clients, notes
from casedesk.services import deadlines as dl
from casedesk.services.calendar import AppointmentInput, CalendarEvent, OccurrenceRef

PASSPHRASE = "correct horse battery"
CHICAGO = ZoneInfo("America/Chicago")
UTC = dt.UTC


def chicago(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHICAGO)  # type: ignore[misc]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    st, _ = Store.create(tmp_path / "profile", PASSPHRASE, agency_name="Test Agency", worker_name="Ana Ruiz")
    with st.session() as s:
        dl.set_worker_timezone(s, "America/Chicago")
    yield st
    st.close()


@pytest.fixture
def client_id(store: Store) -> str:
    with store.session() as s:
        return clients.create_client(s, first_name="Zoë", last_name="Nguyễn", address_line1="12 Maple Ave")


def create(store: Store, **fields: Any) -> str:
    with store.session() as s:
        return calendar.create_appointment(s, AppointmentInput(**fields))


def june(store: Store, **kwargs: Any) -> list[CalendarEvent]:
    with store.read_session() as s:
        return calendar.events_between(s, chicago(2026, 6, 1), chicago(2026, 7, 1), **kwargs)


def local(events: list[CalendarEvent]) -> list[str]:
    return [e.start.astimezone(CHICAGO).strftime("%a %d %H:%M") for e in events]


def weekly_series(store: Store, client_id: str, days: tuple[str, ...] = ("MO",), **extra: Any) -> str:
    return create(
        store,
        start=chicago(2026, 6, 1, 10),
        end=chicago(2026, 6, 1, 11),
        client_id=client_id,
        location="12 Maple Ave",
        rrule=weekly_rule(list(days)),
        **extra,
    )


def test_a_single_visit_shows_with_the_client_name_and_can_be_moved_and_resized(store: Store, client_id: str) -> None:
    appointment = create(
        store, start=chicago(2026, 6, 3, 9), end=chicago(2026, 6, 3, 10), client_id=client_id, location="Home"
    )
    (event,) = june(store)
    assert (event.label, event.kind_label, event.duration_minutes) == ("Home visit · Zoë Nguyễn", "Home visit", 60)
    assert event.ref == OccurrenceRef(appointment) and not event.is_recurring
    with store.session() as s:
        calendar.move(s, event.ref, chicago(2026, 6, 4, 14))  # drag: keeps the length
    (moved,) = june(store)
    assert (local([moved]), moved.duration_minutes) == (["Thu 04 14:00"], 60)
    with store.session() as s:
        calendar.move(s, moved.ref, chicago(2026, 6, 4, 14), chicago(2026, 6, 4, 15, 30))  # resize
    assert june(store)[0].duration_minutes == 90
    with store.read_session() as s:
        actions = [e.action for e in s.execute(select(AuditEvent).where(AuditEvent.record_id == appointment)).scalars()]
    assert actions == ["create", "update", "update"]


def test_weekly_series_on_given_days_every_two_weeks_and_monthly_on_the_nth_weekday(
    store: Store, client_id: str
) -> None:
    weekly_series(store, client_id, ("MO", "TH"))
    create(
        store,
        start=chicago(2026, 6, 2, 13),
        end=chicago(2026, 6, 2, 14),
        client_id=client_id,
        kind="office",
        rrule=weekly_rule(["TU"], interval=2),
    )
    create(
        store,
        start=chicago(2026, 6, 9, 15),
        end=chicago(2026, 6, 9, 16),
        kind="meeting",
        title="Team meeting",
        rrule=monthly_nth_weekday_rule(2, "TU"),
    )
    events = june(store)
    assert local(events) == [
        "Mon 01 10:00",
        "Tue 02 13:00",
        "Thu 04 10:00",
        "Mon 08 10:00",
        "Tue 09 15:00",
        "Thu 11 10:00",
        "Mon 15 10:00",
        "Tue 16 13:00",
        "Thu 18 10:00",
        "Mon 22 10:00",
        "Thu 25 10:00",
        "Mon 29 10:00",
        "Tue 30 13:00",
    ]
    assert {e.repeat_text for e in events} == {
        "Every week on Monday and Thursday",
        "Every 2 weeks on Tuesday",
        "Every month on the second Tuesday",
    }
    assert june(store, client_id=client_id)[4].label == "Home visit · Zoë Nguyễn"
    assert len(june(store, client_id=client_id)) == 12


def test_edit_this_one_moves_only_that_visit_and_keeps_its_identity(store: Store, client_id: str) -> None:
    series = weekly_series(store, client_id)
    third = june(store)[2]
    with store.session() as s:
        ref = calendar.update(s, third.ref, {"start": chicago(2026, 6, 16, 15), "location": "Library"}, scope="this")
    events = june(store)
    assert local(events) == ["Mon 01 10:00", "Mon 08 10:00", "Tue 16 15:00", "Mon 22 10:00", "Mon 29 10:00"]
    moved = events[2]
    assert (moved.key, moved.location, moved.is_exception, moved.duration_minutes) == (third.key, "Library", True, 60)
    assert ref == third.ref == OccurrenceRef(series, chicago(2026, 6, 15, 10))
    assert [e.location for e in events if e is not moved] == ["12 Maple Ave"] * 4
    with pytest.raises(ValidationError, match="all future"), store.session() as s:
        calendar.update(s, moved.ref, {"rrule": "FREQ=DAILY"}, scope="this")


def test_edit_all_future_splits_the_series_and_a_weekday_move_follows(store: Store, client_id: str) -> None:
    series = weekly_series(store, client_id)
    events = june(store)
    with store.session() as s:
        calendar.update(s, events[1].ref, {"location": "Office"}, scope="this")  # an earlier exception stays
        calendar.update(s, events[3].ref, {"location": "Porch"}, scope="this")  # a later one moves along
        ref = calendar.move(s, events[2].ref, chicago(2026, 6, 16, 11), scope="future")  # Monday -> Tuesday 11:00
    after = june(store)
    assert local(after) == ["Mon 01 10:00", "Mon 08 10:00", "Tue 16 11:00", "Tue 23 11:00", "Tue 30 11:00"]
    assert after[1].location == "Office" and after[1].series_id == series
    assert {e.series_id for e in after[2:]} == {ref.appointment_id} != {series}
    assert ref.original_start == chicago(2026, 6, 16, 11).astimezone(UTC)
    assert after[2].repeat_text == "Every week on Tuesday"
    # The later exception's occurrence (Monday 22) no longer exists: a planned one is removed.
    assert "Porch" not in [e.location for e in after]
    with store.read_session() as s:
        old = s.get(Appointment, series)
        assert old is not None and old.rrule is not None and "UNTIL=20260615T145959Z" in old.rrule


def test_edit_all_future_from_the_first_visit_changes_the_series_in_place(store: Store, client_id: str) -> None:
    series = weekly_series(store, client_id)
    first = june(store)[0]
    with store.session() as s:
        ref = calendar.update(s, first.ref, {"kind": "office", "location": "Office, 200 Main St"}, scope="future")
    assert ref.appointment_id == series
    assert {(e.kind, e.location, e.series_id) for e in june(store)} == {("office", "Office, 200 Main St", series)}


def test_edit_all_moves_every_visit_by_the_same_wall_clock_step(store: Store, client_id: str) -> None:
    series = weekly_series(store, client_id)
    third = june(store)[2]
    with store.session() as s:
        ref = calendar.move(s, third.ref, chicago(2026, 6, 15, 13, 30), scope="all")
    assert local(june(store)) == ["Mon 01 13:30", "Mon 08 13:30", "Mon 15 13:30", "Mon 22 13:30", "Mon 29 13:30"]
    assert ref == OccurrenceRef(series, chicago(2026, 6, 15, 13, 30))
    with store.session() as s:
        calendar.update(s, ref, {"status": "cancelled"}, scope="all")
    assert {e.status for e in june(store)} == {"cancelled"}
    assert june(store, include_cancelled=False) == []


def test_changing_how_it_repeats_for_all_future_visits(store: Store, client_id: str) -> None:
    weekly_series(store, client_id)
    with store.session() as s:
        calendar.update(s, june(store)[2].ref, {"rrule": weekly_rule(["MO"], interval=2)}, scope="future")
    assert local(june(store)) == ["Mon 01 10:00", "Mon 08 10:00", "Mon 15 10:00", "Mon 29 10:00"]
    with store.session() as s:
        ref = calendar.update(s, june(store)[3].ref, {"rrule": None}, scope="future")
    assert local(june(store)) == ["Mon 01 10:00", "Mon 08 10:00", "Mon 15 10:00", "Mon 29 10:00"]
    assert ref.original_start is None and june(store)[3].ref == ref and not june(store)[3].is_recurring


def test_marking_one_visit_done_makes_it_concrete_and_starts_its_note_deadline(store: Store, client_id: str) -> None:
    weekly_series(store, client_id)
    second = june(store)[1]
    assert second.appointment_id is None
    with store.session() as s:
        done_id = calendar.set_status(s, second.ref, "done")
    events = june(store)
    assert (events[1].status, events[1].appointment_id, events[1].key) == ("done", done_id, second.key)
    assert [e.status for e in events] == ["planned", "done", "planned", "planned", "planned"]
    with store.read_session() as s:
        due = dl.due_entries(s, now=chicago(2026, 6, 9, 9))
    (note_item,) = [e for e in due if e.kind == "note_for_visit"]
    assert note_item.resolves == ("note_for_visit", done_id)
    assert note_item.due == chicago(2026, 6, 10, 11).astimezone(UTC)


def test_write_note_prefill_from_a_visit(store: Store, client_id: str) -> None:
    weekly_series(store, client_id, kind="phone")
    third = june(store)[2]
    with store.session() as s:
        prefill = calendar.note_prefill(s, third.ref)
        note_id = notes.create_draft(
            s,
            notes.NoteInput(
                client_id=prefill.client_id,
                contact_start=prefill.contact_start,
                duration_minutes=prefill.duration_minutes,
                contact_type=prefill.contact_type,
                location=prefill.location,
                appointment_id=prefill.appointment_id,
            ),
        )
    assert (prefill.client_id, prefill.duration_minutes, prefill.contact_type, prefill.location) == (
        client_id,
        60,
        "phone",
        "12 Maple Ave",
    )
    assert prefill.contact_start == chicago(2026, 6, 15, 10).astimezone(UTC)
    event = june(store)[2]
    assert (event.note_id, event.note_status, event.appointment_id) == (note_id, "draft", prefill.appointment_id)
    # A visit with a note is never silently removed.
    with pytest.raises(ValidationError, match="progress note"), store.session() as s:
        calendar.delete(s, event.ref, scope="this")
    with store.session() as s:
        calendar.delete(s, june(store)[0].ref, scope="all")
    kept = june(store)
    assert [(e.key, e.is_recurring) for e in kept] == [(prefill.appointment_id, False)]


def test_a_visit_without_a_client_cannot_start_a_note(store: Store) -> None:
    appointment = create(store, start=chicago(2026, 6, 3, 9), end=chicago(2026, 6, 3, 10), kind="meeting")
    with pytest.raises(ValidationError, match="no client"), store.session() as s:
        calendar.note_prefill(s, OccurrenceRef(appointment))


def test_delete_this_one_future_ones_and_done_visits_survive(store: Store, client_id: str) -> None:
    series = weekly_series(store, client_id)
    events = june(store)
    with store.session() as s:
        calendar.set_status(s, events[3].ref, "done")
        calendar.delete(s, events[1].ref, scope="this")
    assert local(june(store)) == ["Mon 01 10:00", "Mon 15 10:00", "Mon 22 10:00", "Mon 29 10:00"]
    with store.session() as s:
        calendar.delete(s, june(store)[1].ref, scope="future")
    remaining = june(store)
    assert local(remaining) == ["Mon 01 10:00", "Mon 22 10:00"]
    assert remaining[1].status == "done" and not remaining[1].is_recurring  # it happened: kept on its own
    with store.session() as s:
        calendar.delete(s, remaining[0].ref, scope="all")
        row = s.get(Appointment, series)
        assert row is not None and row.deleted_at is not None
    assert local(june(store)) == ["Mon 22 10:00"]
    with pytest.raises(NotFoundError), store.session() as s:
        calendar.set_status(s, OccurrenceRef(series, chicago(2026, 6, 8, 10)), "done")


def test_repeats_keep_the_wall_clock_across_dst(store: Store, client_id: str) -> None:
    create(
        store,
        start=chicago(2026, 10, 26, 9),
        end=chicago(2026, 10, 26, 10),
        client_id=client_id,
        rrule=weekly_rule(["MO"], count=3),
    )
    with store.read_session() as s:
        events = calendar.events_between(s, chicago(2026, 10, 1), chicago(2026, 12, 1))
    assert local(events) == ["Mon 26 09:00", "Mon 02 09:00", "Mon 09 09:00"]
    assert [e.start.hour for e in events] == [14, 15, 15]  # UTC moves when the clocks go back


def test_events_between_includes_visits_overlapping_the_edges(store: Store, client_id: str) -> None:
    create(store, start=chicago(2026, 5, 31, 23, 30), end=chicago(2026, 6, 1, 0, 30), client_id=client_id)
    create(store, start=chicago(2026, 6, 30, 23, 30), end=chicago(2026, 7, 1, 0, 30), client_id=client_id)
    create(store, start=chicago(2026, 7, 1, 0, 0), end=chicago(2026, 7, 1, 1, 0), client_id=client_id)
    assert local(june(store)) == ["Sun 31 23:30", "Tue 30 23:30"]
    # a long stay that began weeks before the window still overlaps it; one that ended at its start does not
    create(store, start=chicago(2026, 5, 10, 9), end=chicago(2026, 6, 2, 9), client_id=client_id)
    create(store, start=chicago(2026, 5, 10, 9), end=chicago(2026, 6, 1, 0, 0), client_id=client_id)
    # a moment (no duration) exactly at the window's start is in it
    create(store, start=chicago(2026, 6, 1), end=chicago(2026, 6, 1), client_id=client_id)
    assert local(june(store)) == ["Sun 10 09:00", "Sun 31 23:30", "Mon 01 00:00", "Tue 30 23:30"]


def test_events_between_can_ask_for_some_statuses_only(store: Store, client_id: str) -> None:
    weekly_series(store, client_id)
    create(store, start=chicago(2026, 6, 9, 14), end=chicago(2026, 6, 9, 15), client_id=client_id, status="done")
    create(store, start=chicago(2026, 6, 10, 14), end=chicago(2026, 6, 10, 15), client_id=client_id, status="missed")
    everything = june(store)
    done = june(store, statuses=("done",))
    open_or_missed = june(store, statuses=("planned", "missed"))
    assert [e.status for e in done] == ["done"]
    assert {e.status for e in open_or_missed} == {"planned", "missed"}
    assert len(done) + len(open_or_missed) == len(everything)


def test_bad_input_is_refused_with_clear_messages(store: Store, client_id: str) -> None:
    start = chicago(2026, 6, 3, 9)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"end": start - dt.timedelta(minutes=5)}, "end before it starts"),
        ({"end": start + dt.timedelta(days=40)}, "more than 31 days"),
        ({"kind": "party"}, "Unknown appointment kind"),
        ({"status": "maybe"}, "Unknown appointment status"),
        ({"rrule": "FREQ=FORTNIGHTLY"}, "frequency"),
        ({"client_id": "nobody"}, "No client"),
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"start": start.replace(tzinfo=None)}, "time zone"),
    ]
    for change, message in cases:
        fields: dict[str, Any] = {"start": start, "end": start + dt.timedelta(hours=1), "client_id": client_id}
        fields.update(change)
        with pytest.raises(CaseDeskError, match=message), store.session() as s:
            calendar.create_appointment(s, AppointmentInput(**fields))
    assert june(store) == []


def test_visits_of_a_day_and_visits_left_to_record(store: Store, client_id: str) -> None:
    weekly_series(store, client_id)
    create(store, start=chicago(2026, 6, 8, 14), end=chicago(2026, 6, 8, 15), client_id=client_id, status="cancelled")
    with store.session() as s:
        today = calendar.visits_on(s, dt.date(2026, 6, 8))
        to_record = calendar.visits_to_record(s, chicago(2026, 6, 16, 9))
        calendar.set_status(s, to_record[0].ref, "missed")
        left = calendar.visits_to_record(s, chicago(2026, 6, 16, 9))
    assert local(today) == ["Mon 08 10:00"]
    assert local(to_record) == ["Mon 08 10:00", "Mon 15 10:00"]
    assert local(left) == ["Mon 15 10:00"]


def test_edit_all_future_from_a_moved_visit_keeps_the_pattern(store: Store, client_id: str) -> None:
    weekly_series(store, client_id)
    third = june(store)[2]
    with store.session() as s:
        moved = calendar.move(s, third.ref, chicago(2026, 6, 16, 15))  # this one only, to Tuesday 15:00
        calendar.update(s, moved, {"location": "Library"}, scope="future")
    events = june(store)
    assert local(events) == ["Mon 01 10:00", "Mon 08 10:00", "Tue 16 15:00", "Mon 22 10:00", "Mon 29 10:00"]
    assert [e.location for e in events] == ["12 Maple Ave", "12 Maple Ave", "Library", "Library", "Library"]
    assert events[2].original_start == third.original_start and events[2].is_exception
