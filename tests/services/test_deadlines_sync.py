"""Deadline facts travel with sync: follow-ups, plan reviews and repeating visits with their edited
occurrences reach the worker's other device, which then shows the same due items."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from casedesk.server.db import Database
from casedesk.services import calendar, clients, plans
from casedesk.services import deadlines as dl
from casedesk.services.calendar import AppointmentInput, OccurrenceRef
from tests.server.helpers import ServerThread, add_user, enroll_device, outbox

pytestmark = pytest.mark.server
CHICAGO = ZoneInfo("America/Chicago")
NOW = dt.datetime(2026, 6, 20, 9, 0, tzinfo=CHICAGO)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerThread]:
    db = Database.open(f"sqlite:///{tmp_path / 'server.db'}")
    thread = ServerThread(db).start()
    try:
        yield thread
    finally:
        thread.stop()
        db.close()


def open_items(store: object) -> list[tuple[str, str, str, str]]:
    with store.read_session() as s:  # type: ignore[attr-defined]
        found = dl.due_entries(s, now=NOW)
    return sorted((e.kind, e.status, e.due_date.isoformat(), e.resolves[-1]) for e in found)


def test_a_second_device_sees_the_same_deadlines(server: ServerThread, tmp_path: Path) -> None:
    worker = add_user(server.db, "worker", name="Wanda Worker")
    laptop = enroll_device(server.db, server.url, tmp_path / "laptop", worker)
    with laptop.store.session() as s:
        cid = clients.create_client(s, first_name="Zoë", last_name="Nguyễn", intake_date=dt.date(2026, 1, 5))
        plan = plans.create_plan(s, cid, dt.date(2026, 1, 5), review_due=dt.date(2026, 6, 1))
        dl.mark_plan_reviewed(s, plan, dt.date(2026, 6, 3))
        follow_up = dl.add_follow_up(s, cid, "Send the release form", dt.date(2026, 6, 10))
        series = calendar.create_appointment(
            s,
            AppointmentInput(
                dt.datetime(2026, 6, 1, 10, tzinfo=CHICAGO),
                dt.datetime(2026, 6, 1, 11, tzinfo=CHICAGO),
                client_id=cid,
                rrule="FREQ=WEEKLY;BYDAY=MO",
                timezone="America/Chicago",
            ),
        )
        calendar.set_status(s, OccurrenceRef(series, dt.datetime(2026, 6, 8, 10, tzinfo=CHICAGO)), "done")
    laptop.sync()
    assert outbox(laptop.store) == []
    tablet = enroll_device(server.db, server.url, tmp_path / "tablet", worker)
    tablet.sync()
    for device in (laptop, tablet):
        with device.store.session() as s:
            dl.set_worker_timezone(s, "America/Chicago")
            dl.set_deadline_rules(s, obligations_start=dt.date(2026, 1, 1), monthly_visit_default=False)
    on_laptop, on_tablet = open_items(laptop.store), open_items(tablet.store)
    assert on_tablet == on_laptop
    kinds = {kind for kind, *_ in on_tablet}
    assert {"follow_up", "note_for_visit"} <= kinds and "plan_review" not in kinds
    assert any(item[-1] == follow_up for item in on_tablet)
    with tablet.store.read_session() as s:
        events = calendar.events_between(
            s, dt.datetime(2026, 6, 1, tzinfo=CHICAGO), dt.datetime(2026, 6, 16, tzinfo=CHICAGO)
        )
    assert [(e.start.astimezone(CHICAGO).day, e.status) for e in events] == [
        (1, "planned"),
        (8, "done"),
        (15, "planned"),
    ]
    laptop.close()
    tablet.close()
