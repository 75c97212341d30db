"""Which reminders to show now (no Qt: decided here, shown by casedesk.gui.calendar.reminders).

Two kinds: a visit starting within ``lead`` (once per visit), and, once a day from ``digest_hour``
on, the deadlines due tomorrow. Texts name no client unless ``show_names``: notifications can be
seen on a locked screen or read out, and the notification centre keeps them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from casedesk.services.calendar import KIND_LABELS, CalendarEvent
from casedesk.services.deadlines import DueEntry

DEFAULT_LEAD = dt.timedelta(minutes=15)
KIND_PLURALS = {
    "quarterly_report": "quarterly report",
    "plan_review": "plan review",
    "plan_renewal": "plan renewal",
    "service_plan": "service plan",
    "goal_target": "goal update",
    "note_for_visit": "progress note",
    "note_signature": "note to sign",
    "monthly_visit": "monthly visit",
    "follow_up": "follow-up",
}


@dataclass(frozen=True)
class Reminder:
    key: str  # shown once per key
    title: str
    text: str


def visit_reminders(
    events: Iterable[CalendarEvent],
    now: dt.datetime,
    zone: ZoneInfo,
    *,
    lead: dt.timedelta = DEFAULT_LEAD,
    show_names: bool = False,
) -> list[Reminder]:
    """Planned visits starting from now to ``now + lead``."""
    result = []
    for event in events:
        if event.status != "planned" or not now <= event.start <= now + lead:
            continue
        minutes = max(0, round((event.start - now).total_seconds() / 60))
        local = event.start.astimezone(zone)
        what = KIND_LABELS.get(event.kind, "Appointment")
        who = f" with {event.client_name}" if show_names and event.client_name else ""
        where = f" at {event.location}" if show_names and event.location else ""
        result.append(
            Reminder(
                f"visit:{event.key}",
                f"{what} at {local:%H:%M}",
                f"{what}{who}{where} starts in {minutes} minute{'s' if minutes != 1 else ''}.",
            )
        )
    return result


def tomorrow_digest(
    entries: Iterable[DueEntry], now: dt.datetime, zone: ZoneInfo, *, digest_hour: int = 8, show_names: bool = False
) -> Reminder | None:
    """One reminder listing what falls due tomorrow (from ``digest_hour`` local time)."""
    local = now.astimezone(zone)
    if local.hour < digest_hour:
        return None
    tomorrow = local.date() + dt.timedelta(days=1)
    due = [entry for entry in entries if entry.is_open and entry.due_date == tomorrow]
    if not due:
        return None
    counts = Counter(KIND_PLURALS.get(entry.kind, "item") for entry in due)
    parts = [f"{count} {label}{'s' if count != 1 else ''}" for label, count in sorted(counts.items())]
    text = "Due tomorrow: " + ", ".join(parts) + "."
    if show_names:
        names = sorted({entry.client_name for entry in due})
        text += " Clients: " + ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
    return Reminder(
        f"digest:{tomorrow.isoformat()}", f"{len(due)} item{'s' if len(due) != 1 else ''} due tomorrow", text
    )
