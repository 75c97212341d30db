"""What the calendar widgets show, loaded in one unit of work (no Qt: these run on worker threads and
are tested without a QApplication).

The widgets never query: the pane submits ``load_events`` / ``load_due`` / ``load_today`` through its
work source and hands the plain snapshots to the views.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from casedesk.db.types import utcnow
from casedesk.domain.deadline_facts import zone_name
from casedesk.services import calendar, notes
from casedesk.services import deadlines as deadline_service
from casedesk.services.calendar import CalendarEvent
from casedesk.services.deadlines import DraftInfo, DueCounts, DueEntry


@dataclass(frozen=True)
class EventsSnapshot:
    """Occurrences overlapping the local days ``first_day`` .. ``last_day`` in ``zone``."""

    first_day: dt.date
    last_day: dt.date
    zone: str
    events: tuple[CalendarEvent, ...]


@dataclass(frozen=True)
class DueSnapshot:
    """Every open due item of the caseload (they do not depend on the page shown, so the pane keeps
    them until something changes)."""

    zone: str
    today: dt.date
    entries: tuple[DueEntry, ...]
    counts: DueCounts


@dataclass(frozen=True)
class TodayVisit:
    event: CalendarEvent
    address: str | None  # where to go: the visit's location, else the client's home address


@dataclass(frozen=True)
class TodaySnapshot:
    """The first screen after unlock."""

    now: dt.datetime
    today: dt.date
    zone: str
    visits: tuple[TodayVisit, ...]
    to_record: tuple[CalendarEvent, ...]  # visits of past days still "planned": mark them done or missed
    overdue: tuple[DueEntry, ...]
    this_week: tuple[DueEntry, ...]  # open items due from today to six days ahead, not yet overdue
    drafts: tuple[DraftInfo, ...]  # the oldest unsigned drafts (at most deadline_service.DRAFTS_LISTED)
    drafts_total: int  # every unsigned draft, listed or not (never fewer than the listed ones)
    counts: DueCounts = field(default_factory=lambda: DueCounts(0, 0, 0))


def load_events(session: Session, first_day: dt.date, last_day: dt.date, zone: str | None = None) -> EventsSnapshot:
    zone = zone or deadline_service.worker_zone_name(session)
    start, _ = calendar.day_bounds(first_day, zone)
    _, end = calendar.day_bounds(last_day, zone)
    events = calendar.events_between(session, start, end)
    return EventsSnapshot(first_day, last_day, zone, tuple(events))


def load_due(session: Session, now: dt.datetime | None = None) -> DueSnapshot:
    now = now or utcnow()
    rules = deadline_service.deadline_settings(session)
    today = now.astimezone(rules.zone).date()
    entries = deadline_service.due_entries(session, now=now, settings=rules)
    return DueSnapshot(rules.timezone, today, tuple(entries), deadline_service.count_entries(entries, today))


def load_today(session: Session, now: dt.datetime | None = None, *, week_days: int = 7) -> TodaySnapshot:
    if not 1 <= week_days <= deadline_service.NEAR_DAYS + 1:
        raise ValueError(f"The Today view looks 1 to {deadline_service.NEAR_DAYS + 1} days ahead.")
    now = now or utcnow()
    rules = deadline_service.deadline_settings(session)
    due = deadline_service.due_digest(session, now=now, settings=rules)  # shared with the status bar
    zone = rules.timezone
    tz = zone_name(zone)
    today = due.today
    visits = calendar.visits_on(session, today, zone)
    addresses = calendar.client_addresses(session, [event.client_id for event in visits])
    week_end = today + dt.timedelta(days=week_days - 1)
    drafts = tuple(deadline_service.unsigned_drafts(session, deadline_service.DRAFTS_LISTED))
    return TodaySnapshot(
        now=now,
        today=today,
        zone=zone,
        visits=tuple(TodayVisit(e, e.location or addresses.get(e.client_id or "")) for e in visits),
        to_record=tuple(e for e in calendar.visits_to_record(session, now) if e.start.astimezone(tz).date() < today),
        overdue=tuple(deadline_service.most_urgent_first(e for e in due.near if e.is_overdue)),
        this_week=tuple(e for e in due.near if not e.is_overdue and today <= e.due_date <= week_end),
        drafts=drafts,
        drafts_total=len(drafts) if len(drafts) < deadline_service.DRAFTS_LISTED else notes.unsigned_draft_count(session),
        counts=due.counts,
    )
