"""Properties of the deadline engine across time zones, DST changes and quarter boundaries."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from casedesk.domain.deadline_facts import AppointmentFacts, ClientFacts, DeadlineSettings, NoteFacts, ReportFacts
from casedesk.domain.deadlines import DeadlineEngine, DueItem, compute_due_items
from casedesk.domain.quarters import quarter_containing

UTC = dt.UTC


def client(**kwargs: Any) -> ClientFacts:
    return ClientFacts("c1", **kwargs)


def of_kind(items: list[DueItem], kind: str) -> list[DueItem]:
    return [item for item in items if item.kind == kind]


def by_ref(items: list[DueItem]) -> dict[tuple[str, ...], DueItem]:
    return {item.resolves: item for item in items}


# Zones with DST at 02:00 (US, EU), half-hour DST (Lord Howe), DST at midnight (Santiago, Havana),
# far east and far west of UTC, and none at all.
ZONES = [
    "UTC",
    "America/New_York",
    "America/Los_Angeles",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "America/Santiago",
    "America/Havana",
    "America/St_Johns",
    "Asia/Kolkata",
]
zones = st.sampled_from(ZONES)
instants = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 12, 31), timezones=st.just(UTC))


@given(instants, zones)
def test_local_month_matches_the_wall_clock(moment: dt.datetime, zone: str) -> None:
    engine = DeadlineEngine(DeadlineSettings(timezone=zone), moment)
    local = moment.astimezone(ZoneInfo(zone))
    assert engine.local_month(moment) == local.year * 12 + local.month - 1


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31)), zones)
def test_day_start_is_the_first_instant_of_the_local_day(day: dt.date, zone: str) -> None:
    tz = ZoneInfo(zone)
    engine = DeadlineEngine(DeadlineSettings(timezone=zone), dt.datetime(2026, 1, 1, tzinfo=UTC))
    start = engine.day_start(day)
    assert start.astimezone(tz).date() == day
    assert (start - dt.timedelta(microseconds=1)).astimezone(tz).date() < day


@given(instants, zones, st.integers(min_value=1, max_value=24 * 14), st.integers(min_value=-100, max_value=100))
def test_note_deadline_is_exact_elapsed_time(visit_end: dt.datetime, zone: str, hours: int, offset_hours: int) -> None:
    tz = ZoneInfo(zone)
    end = visit_end.astimezone(tz)  # facts given in the worker's zone, as a GUI would
    appointment = AppointmentFacts("a1", end - dt.timedelta(hours=1), "done", end=end)
    now = visit_end + dt.timedelta(hours=offset_hours)
    items = compute_due_items(
        client(appointments=(appointment,)), DeadlineSettings(timezone=zone, note_due_hours=hours), now
    )
    (item,) = of_kind(items, "note_for_visit")
    assert item.due - visit_end == dt.timedelta(hours=hours)
    assert item.status == (
        "overdue" if now > item.due else "due_soon" if item.due - now <= dt.timedelta(days=7) else "upcoming"
    )


@given(instants, zones)
def test_face_to_face_contact_counts_for_its_local_month(moment: dt.datetime, zone: str) -> None:
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz)
    appointment = AppointmentFacts("a1", moment, "done", "home_visit")
    now = moment + dt.timedelta(days=40)
    intake = (local - dt.timedelta(days=40)).date()
    items = compute_due_items(
        client(intake_date=intake, appointments=(appointment,)), DeadlineSettings(timezone=zone), now
    )
    done = [i.resolves[2] for i in of_kind(items, "monthly_visit") if i.status == "done"]
    assert done == [f"{local.year:04d}-{local.month:02d}"]


@given(instants, zones, st.integers(min_value=0, max_value=40))
def test_report_late_flag_follows_the_local_calendar_day(signed: dt.datetime, zone: str, due_days: int) -> None:
    tz = ZoneInfo(zone)
    quarter = quarter_containing((signed - dt.timedelta(days=30)).astimezone(tz).date())
    report = ReportFacts(quarter.label, quarter.start, quarter.end, "signed", signed_at=signed)
    facts = client(intake_date=quarter.start, reports=(report,))
    items = compute_due_items(facts, DeadlineSettings(timezone=zone, report_due_days=due_days), signed)
    item = by_ref(items)[("quarterly_report", "c1", quarter.label)]
    assert item.status == "done"
    assert item.late == (signed.astimezone(tz).date() > item.due)


@given(instants, zones)
@settings(max_examples=60)
def test_date_deadlines_follow_the_local_day_not_utc(now: dt.datetime, zone: str) -> None:
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    facts = client(intake_date=today - dt.timedelta(days=200))
    items = compute_due_items(facts, DeadlineSettings(timezone=zone), now)
    reports = of_kind(items, "quarterly_report")
    # The last report listed is the local current quarter's, and each status follows the local date.
    assert reports[-1].resolves[2] == quarter_containing(today).label
    for item in reports:
        assert isinstance(item.due, dt.date) and not isinstance(item.due, dt.datetime)
        expected = "overdue" if today > item.due else "due_soon" if (item.due - today).days <= 7 else "upcoming"
        assert item.status == expected
    months = of_kind(items, "monthly_visit")
    assert months[-1].resolves[2] == f"{today.year:04d}-{today.month:02d}"


@given(instants, st.sampled_from(ZONES[1:]))
@settings(max_examples=60)
def test_due_dates_do_not_depend_on_the_worker_zone(now: dt.datetime, zone: str) -> None:
    """Only the status may differ between zones (their 'today' differs); a due date never moves."""
    facts = client(intake_date=dt.date(2024, 1, 1))
    here = {i.resolves: i.due for i in compute_due_items(facts, DeadlineSettings(timezone=zone), now)}
    there = {i.resolves: i.due for i in compute_due_items(facts, DeadlineSettings(timezone="UTC"), now)}
    shared = here.keys() & there.keys()
    assert len(shared) >= len(here) - 2  # at most the newest month and quarter differ
    assert all(here[key] == there[key] for key in shared)


@given(st.lists(instants, min_size=1, max_size=12), zones)
def test_month_done_at_is_the_earliest_contact_of_that_month(moments: list[dt.datetime], zone: str) -> None:
    tz = ZoneInfo(zone)
    appointments = tuple(AppointmentFacts(f"a{n}", m, "done", "office") for n, m in enumerate(moments))
    # Every contact is documented by a signed face-to-face note, half of them linked to the visit.
    notes = tuple(
        NoteFacts(f"n{n}", m, "signed", appointment_id=f"a{n}" if n % 2 else None, signed_at=m + dt.timedelta(hours=1))
        for n, m in enumerate(moments)
    )
    now = max(moments) + dt.timedelta(days=1)
    intake = min(m.astimezone(tz) for m in moments).date()
    items = compute_due_items(
        client(intake_date=intake, appointments=appointments, notes=notes), DeadlineSettings(timezone=zone), now
    )
    expected: dict[str, dt.datetime] = {}
    for moment in moments:
        key = moment.astimezone(tz).strftime("%Y-%m")
        expected[key] = min(expected.get(key, moment), moment)
    done = {i.resolves[2]: i.done_at for i in of_kind(items, "monthly_visit") if i.status == "done"}
    assert done == expected
