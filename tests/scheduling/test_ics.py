"""iCalendar export and import: third-party files, damaged files, privacy, and the round trip."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from casedesk.domain.deadlines import DueItem
from casedesk.errors import CaseDeskError
from casedesk.scheduling.ics import (
    CalendarAppointment,
    CalendarImportError,
    ImportResult,
    export_calendar,
    import_calendar,
)
from casedesk.scheduling.recurrence import Override, Series, expand, is_occurrence
from casedesk.scheduling.rrule import monthly_nth_weekday_rule, weekly_rule

UTC = dt.UTC
CHICAGO = ZoneInfo("America/Chicago")
BERLIN = ZoneInfo("Europe/Berlin")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
STAMP = dt.datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def at(zone: ZoneInfo, *parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=zone)


def as_series(appointment: CalendarAppointment) -> Series:
    return Series(
        appointment.id, appointment.start, appointment.end, appointment.timezone, appointment.rrule, appointment.exdates
    )


def overrides_of(result: ImportResult, series_id: str) -> list[Override]:
    return [
        Override(a.id, series_id, a.original_start, a.start, a.end, a.status)
        for a in result.appointments
        if a.series_id == series_id and a.original_start is not None
    ]


def by_uid(result: ImportResult, uid: str) -> CalendarAppointment:
    (found,) = [a for a in result.appointments if a.ics_uid == uid and a.series_id is None]
    return found


# ---------------------------------------------------------------------------------------------
# Third-party files (read in place from shared/testdata, never copied)
# ---------------------------------------------------------------------------------------------


def valid_files(shared_testdata: Path) -> list[Path]:
    files = sorted((shared_testdata / "ics" / "valid").glob("*.ics"))
    assert files, "no valid .ics test files found"
    return files


def test_every_valid_file_imports(shared_testdata: Path) -> None:
    for path in valid_files(shared_testdata):
        result = import_calendar(path.read_bytes())
        assert result.appointments, path.name
        for issue in result.skipped:
            # The only events left out of these files are all-day ones, each named in the report.
            assert "all-day" in issue.reason, (path.name, issue)
            assert issue.uid and issue.summary
        series_ids = {a.id for a in result.appointments if a.rrule}
        for appointment in result.appointments:
            if appointment.series_id is not None:
                assert appointment.series_id in series_ids


def test_weekly_series_with_two_deleted_keeps_berlin_wall_clock(shared_testdata: Path) -> None:
    data = (shared_testdata / "ics" / "valid" / "recurring-ical-events__each_week_but_two_deleted.ics").read_bytes()
    result = import_calendar(data)
    assert result.issues == ()
    (appointment,) = result.appointments
    assert (appointment.timezone, appointment.rrule, appointment.title) == (
        "Europe/Berlin",
        "FREQ=WEEKLY;COUNT=8",
        "test6",
    )
    occurrences = expand(as_series(appointment), at(UTC, 2019, 1, 1), at(UTC, 2020, 1, 1))
    assert [o.start.astimezone(BERLIN).strftime("%m-%d %H:%M") for o in occurrences] == [
        "03-04 00:30",
        "03-18 00:30",
        "04-01 00:30",  # after the switch to summer time on 31 March
        "04-08 00:30",
        "04-15 00:30",
        "04-22 00:30",
    ]
    assert occurrences[2].start == at(UTC, 2019, 3, 31, 22, 30)


def test_google_calendar_with_dst_and_overrides(shared_testdata: Path) -> None:
    data = (shared_testdata / "ics" / "valid" / "recurring-ical-events__daylight_saving_time.ics").read_bytes()
    result = import_calendar(data)
    hackademy = by_uid(result, "37jkbgv9regint2hqhlmd9risn@google.com")
    occurrences = expand(as_series(hackademy), at(UTC, 2019, 1, 1), at(UTC, 2020, 1, 1))
    assert [o.start.astimezone(BERLIN).strftime("%a %d %H:%M") for o in occurrences] == [
        "Mon 04 14:00",
        "Tue 05 14:00",
        "Wed 06 14:00",
        "Mon 11 14:00",
        "Tue 12 14:00",
        "Wed 13 14:00",
    ]
    montessori = by_uid(result, "7g6502aejkun96i5fenfu6hvc1@google.com")
    assert montessori.exdates == (at(BERLIN, 2019, 3, 7, 8, 30).astimezone(UTC),)
    overridden = [a for a in result.appointments if a.series_id is not None]
    assert len(overridden) == 6
    series = {a.id: a for a in result.appointments if a.rrule}
    for override in overridden:
        assert is_occurrence(as_series(series[override.series_id]), override.original_start)
    # One-off events written in UTC are shown on the calendar's own clock (X-WR-TIMEZONE).
    assert by_uid(result, "4pudsugalsbuqetcfdns8demti@google.com").timezone == "Europe/Berlin"


def test_zimbra_series_with_overrides_and_extra_dates(shared_testdata: Path) -> None:
    result = import_calendar((shared_testdata / "ics" / "valid" / "ical.js__recur_instances.ics").read_bytes())
    (partial,) = result.issues
    assert partial.imported and "RDATE" in partial.reason and partial.uid == "623c13c0-6c2b-45d6-a12b-c33ad61c4868"
    master = by_uid(result, "623c13c0-6c2b-45d6-a12b-c33ad61c4868")
    assert (master.timezone, master.rrule, master.location) == (
        "America/Los_Angeles",
        "FREQ=MONTHLY;BYDAY=1TU",
        "PLACE",
    )
    occurrences = expand(
        as_series(master), at(UTC, 2012, 9, 1), at(UTC, 2013, 6, 1), overrides=overrides_of(result, master.id)
    )
    assert [o.start.astimezone(LOS_ANGELES).strftime("%Y-%m-%d %H:%M") for o in occurrences] == [
        "2012-10-02 15:00",  # moved (RECURRENCE-ID), description changed
        "2012-11-06 10:00",  # standard time again: same wall clock
        "2012-11-06 20:00",  # override of an RDATE occurrence (5 Nov), moved to the 6th
        "2013-01-01 10:00",
        "2013-03-05 10:00",
        "2013-05-07 10:00",  # Dec, Feb and Apr removed by EXDATE
    ]
    assert occurrences[0].override_id is not None


def test_malformed_files_give_a_clear_error_or_report(shared_testdata: Path) -> None:
    folder = shared_testdata / "ics" / "malformed"
    files = sorted(folder.glob("*.ics"))
    assert files
    for path in files:
        try:
            result = import_calendar(path.read_bytes())
        except CalendarImportError as err:
            assert str(err).endswith(".")
            continue
        assert result.skipped, path.name
        assert all(issue.reason for issue in result.skipped)
    bad_rule = import_calendar((folder / "icalendar__issue_1081_invalid_rrule_freq.ics").read_bytes())
    assert bad_rule.appointments == ()
    (issue,) = bad_rule.issues
    assert (issue.uid, issue.summary, issue.imported) == ("test-123", "Test Event", False)
    assert "RRULE" in issue.reason and "INVALID_TYPE_CAUSES_ERROR" in issue.reason
    parsing = import_calendar((folder / "icalendar__parsing_error.ics").read_bytes())
    assert parsing.appointments == ()
    assert [i.reason.split(":")[0] for i in parsing.issues] == [
        "it is an all-day event; CaseDesk appointments have a start time",
        "could not read EXDATE",
    ]


# ---------------------------------------------------------------------------------------------
# Damaged input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "not an iCalendar"),
        (b"hello, world", "not an iCalendar"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\n", "never closed"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n", "closes BEGIN:VEVENT"),
        (b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nEND:VEVENT\r\n", "no matching BEGIN"),
        (b"BEGIN:VEVENT\r\nEND:VEVENT\r\n", "should start with BEGIN:VCALENDAR"),
        (b"BEGIN:VCALENDAR\r\nthis line is nonsense\r\nEND:VCALENDAR\r\n", "could not be read"),
    ],
)
def test_broken_files_raise_and_import_nothing(data: bytes, message: str) -> None:
    with pytest.raises(CalendarImportError, match=message) as err:
        import_calendar(data)
    assert isinstance(err.value, CaseDeskError)


def test_event_level_problems_are_reported_one_by_one() -> None:
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n"
        b"BEGIN:VEVENT\r\nUID:ok\r\nSUMMARY:Fine\r\nDTSTART:20260301T150000Z\r\nDTEND:20260301T160000Z\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:nostart\r\nSUMMARY:No start\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:back\r\nDTSTART:20260301T150000Z\r\nDTEND:20260301T140000Z\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:hourly\r\nDTSTART:20260301T150000Z\r\nRRULE:FREQ=HOURLY\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:ok\r\nSUMMARY:Duplicate\r\nDTSTART:20260302T150000Z\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:orphan\r\nRECURRENCE-ID:20260305T150000Z\r\nDTSTART:20260305T170000Z\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:fwd\r\nRECURRENCE-ID;RANGE=THISANDFUTURE:20260305T150000Z\r\n"
        b"DTSTART:20260305T170000Z\r\nEND:VEVENT\r\n"
        b"BEGIN:VTODO\r\nUID:todo\r\nSUMMARY:Not an event\r\nEND:VTODO\r\n"
        b"END:VCALENDAR\r\n"
    )
    result = import_calendar(data)
    reasons = {issue.uid: issue.reason for issue in result.issues}
    assert "no start time" in reasons["nostart"]
    assert "ends before it starts" in reasons["back"]
    assert "at most daily" in reasons["hourly"]
    assert "same UID" in reasons["ok"]
    assert "single appointment" in reasons["orphan"]
    assert "THISANDFUTURE" in reasons["fwd"]
    assert "todo" not in reasons
    assert sorted(a.ics_uid or "-" for a in result.appointments) == ["-", "ok"]  # the orphan lost its UID
    assert next(a for a in result.appointments if a.ics_uid == "ok").title == "Fine"


def test_zone_names_from_other_producers() -> None:
    def start_of(dtstart: str, vtimezone: str = "") -> CalendarAppointment:
        data = (
            f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{vtimezone}BEGIN:VEVENT\r\nUID:1\r\n{dtstart}\r\n"
            "RRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        ).encode()
        (appointment,) = import_calendar(data, default_timezone="America/Chicago").appointments
        return appointment

    outlook_zone = (
        "BEGIN:VTIMEZONE\r\nTZID:Eastern Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16011104T020000\r\n"
        "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nEND:STANDARD\r\n"
        "BEGIN:DAYLIGHT\r\nDTSTART:16010311T020000\r\nRRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3\r\n"
        "TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
    )
    outlook = start_of("DTSTART;TZID=Eastern Standard Time:20260710T100000", outlook_zone)
    assert outlook.timezone == "America/New_York"
    assert outlook.start == at(ZoneInfo("America/New_York"), 2026, 7, 10, 10)
    floating = start_of("DTSTART:20260710T100000")
    assert (floating.timezone, floating.start) == ("America/Chicago", at(CHICAGO, 2026, 7, 10, 10))
    unknown = import_calendar(
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART;TZID=Nowhere/Land:20260710T100000\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n",
        default_timezone="America/Chicago",
    )
    (issue,) = unknown.issues
    assert issue.imported and "Nowhere/Land" in issue.reason
    assert unknown.appointments[0].timezone == "America/Chicago"


# ---------------------------------------------------------------------------------------------
# Export and round trip
# ---------------------------------------------------------------------------------------------


def sample_appointments() -> list[CalendarAppointment]:
    series_start = at(CHICAGO, 2026, 10, 26, 10)
    weekly = CalendarAppointment(
        id="0192f3c4-0000-7000-8000-000000000001",
        start=series_start,
        end=series_start + dt.timedelta(hours=1),
        timezone="America/Chicago",
        kind="home_visit",
        title="Visit with Zoë Nguyễn",
        client_label="Zoë Nguyễn",
        location="12 Elm Street",
        description="Bring the release form",
        rrule=weekly_rule(["MO", "TH"], count=10),
        exdates=(at(CHICAGO, 2026, 11, 5, 10),),
    )
    moved = CalendarAppointment(
        id="0192f3c4-0000-7000-8000-000000000002",
        start=at(CHICAGO, 2026, 11, 10, 14),
        end=at(CHICAGO, 2026, 11, 10, 15),
        timezone="America/Chicago",
        kind="home_visit",
        status="done",
        series_id=weekly.id,
        original_start=at(CHICAGO, 2026, 11, 9, 10),
    )
    monthly = CalendarAppointment(
        id="0192f3c4-0000-7000-8000-000000000003",
        start=at(BERLIN, 2026, 3, 10, 9),
        end=at(BERLIN, 2026, 3, 10, 9, 30),
        timezone="Europe/Berlin",
        kind="phone",
        client_label="Zoë Nguyễn",
        rrule=monthly_nth_weekday_rule(2, "TU", until=at(UTC, 2026, 12, 31, 22, 59, 59)),
        ics_uid="imported-from-elsewhere@example.org",
    )
    single = CalendarAppointment(
        id="0192f3c4-0000-7000-8000-000000000004",
        start=at(UTC, 2026, 11, 30, 15),
        end=at(UTC, 2026, 11, 30, 16),
        kind="meeting",
        status="cancelled",
        title="Team meeting",
    )
    office = CalendarAppointment(
        id="0192f3c4-0000-7000-8000-000000000005",
        start=at(CHICAGO, 2026, 12, 1, 8),
        end=at(CHICAGO, 2026, 12, 1, 9),
        timezone="America/Chicago",
        kind="office",
        status="missed",
    )
    return [weekly, moved, monthly, single, office]


def comparable(appointment: CalendarAppointment) -> tuple[object, ...]:
    return (
        appointment.id,
        appointment.start,
        appointment.end,
        appointment.timezone,
        appointment.kind,
        appointment.status,
        appointment.rrule,
        appointment.exdates,
        appointment.series_id,
        appointment.original_start,
    )


def test_export_writes_zoned_times_rules_and_overrides() -> None:
    text = export_calendar(sample_appointments(), stamp=STAMP).decode()
    assert text.startswith("BEGIN:VCALENDAR")
    assert "BEGIN:VTIMEZONE\r\nTZID:America/Chicago" in text and "TZID:Europe/Berlin" in text
    assert "DTSTART;TZID=America/Chicago:20261026T100000" in text
    assert "RRULE:FREQ=WEEKLY;COUNT=10;BYDAY=MO,TH" in text
    assert "EXDATE;TZID=America/Chicago:20261105T100000" in text
    assert "RECURRENCE-ID;TZID=America/Chicago:20261109T100000" in text
    assert "STATUS:CANCELLED" in text
    assert "CATEGORIES:Home visit" in text and "CATEGORIES:Phone call" in text
    assert "UID:imported-from-elsewhere@example.org" in text
    calendar = Calendar.from_ical(text)
    events = calendar.walk("VEVENT")
    assert len(events) == 5
    # The override shares its series' UID.
    uids = [
        str(e["UID"])
        for e in events
        if "RECURRENCE-ID" in e or ("RRULE" in e and "BYDAY=MO,TH" in e["RRULE"].to_ical().decode())
    ]
    assert len(set(uids)) == 1


def test_neutral_export_keeps_clients_unnamed() -> None:
    neutral = export_calendar(sample_appointments(), stamp=STAMP)
    for secret in ("Zo", "Nguy", "Elm Street", "release form", "Team meeting"):
        assert secret.encode() not in neutral
    assert b"SUMMARY:Home visit\r\n" in neutral
    named = export_calendar(sample_appointments(), stamp=STAMP, include_client_names=True).decode()
    assert "SUMMARY:Visit with Zoë Nguyễn" in named
    assert "SUMMARY:Phone call — Zoë Nguyễn" in named
    assert "LOCATION:12 Elm Street" in named


@pytest.mark.parametrize("include_client_names", [False, True])
def test_round_trip_export_import_export(include_client_names: bool) -> None:
    original = sample_appointments()
    first = export_calendar(original, stamp=STAMP, include_client_names=include_client_names)
    result = import_calendar(first)
    assert result.issues == ()
    assert sorted(map(comparable, result.appointments)) == sorted(map(comparable, original))
    second = export_calendar(result.appointments, stamp=STAMP, include_client_names=include_client_names)
    assert second == first


def test_due_items_as_all_day_events() -> None:
    items = [
        DueItem(
            "c1",
            "quarterly_report",
            "Quarterly report 2026Q3",
            dt.date(2026, 10, 15),
            "overdue",
            ("quarterly_report", "c1", "2026Q3"),
        ),
        # Due 03:00 UTC on 5 Dec is still 4 December in Chicago.
        DueItem(
            "c1",
            "note_for_visit",
            "Progress note for home visit",
            at(UTC, 2026, 12, 5, 3),
            "due_soon",
            ("note_for_visit", "a1"),
        ),
        DueItem(
            "c1",
            "monthly_visit",
            "Face-to-face visit in October 2026",
            dt.date(2026, 10, 31),
            "done",
            ("monthly_visit", "c1", "2026-10"),
            at(UTC, 2026, 10, 3),
            False,
        ),
    ]
    data = export_calendar(
        [],
        stamp=STAMP,
        due_items=items,
        due_zone="America/Chicago",
        include_client_names=True,
        client_labels={"c1": "Zoë N."},
    ).decode()
    assert "DTSTART;VALUE=DATE:20261015" in data and "DTEND;VALUE=DATE:20261016" in data
    assert "DTSTART;VALUE=DATE:20261204" in data
    assert "SUMMARY:Quarterly report 2026Q3 — Zoë N." in data
    assert "October 2026" not in data  # done items are left out unless asked for
    neutral = export_calendar([], stamp=STAMP, due_items=items, include_done_due_items=True).decode()
    assert "Zo" not in neutral and "October 2026" in neutral
    # Re-importing deadlines creates no appointments; each is named in the report.
    result = import_calendar(neutral.encode())
    assert result.appointments == ()
    assert len(result.skipped) == 3 and all("deadline" in i.reason for i in result.skipped)


ZONES = ["America/Chicago", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "UTC", "Asia/Kolkata"]


@given(
    start=st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2032, 12, 31)).map(
        lambda d: d.replace(second=0, microsecond=0)
    ),
    zone=st.sampled_from(ZONES),
    minutes=st.integers(min_value=0, max_value=600),
    days=st.sets(st.integers(min_value=0, max_value=6), min_size=1),
    interval=st.integers(min_value=1, max_value=4),
    count=st.one_of(st.none(), st.integers(min_value=1, max_value=40)),
    removed=st.sets(st.integers(min_value=1, max_value=20), max_size=4),
    kind=st.sampled_from(["home_visit", "office", "phone", "meeting"]),
    status=st.sampled_from(["planned", "done", "missed", "cancelled"]),
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_round_trip_property(
    start: dt.datetime,
    zone: str,
    minutes: int,
    days: set[int],
    interval: int,
    count: int | None,
    removed: set[int],
    kind: str,
    status: str,
) -> None:
    tz = ZoneInfo(zone)
    first = start.replace(tzinfo=tz)
    rule = weekly_rule(sorted(days), interval=interval, count=count)
    series = Series("s", first, first + dt.timedelta(minutes=minutes), zone, rule)
    occurrences = expand(series, series.start, series.start + dt.timedelta(days=800), limit=2000)
    exdates = tuple(occurrences[n].start for n in sorted(removed) if n < len(occurrences))
    appointment = CalendarAppointment(
        "0192f3c4-0000-7000-8000-0000000000aa",
        first,
        first + dt.timedelta(minutes=minutes),
        zone,
        kind,
        status=status,
        rrule=rule,
        exdates=exdates,
    )
    exported = export_calendar([appointment], stamp=STAMP)
    (back,) = import_calendar(exported).appointments
    assert comparable(back) == comparable(appointment)
    assert export_calendar([back], stamp=STAMP) == exported
