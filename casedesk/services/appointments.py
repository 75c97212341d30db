"""Read-only look at planned visits (the calendar engine owns scheduling; this only lists what is stored)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.db.models import Appointment, Client

KIND_LABELS = {"home_visit": "Home visit", "office": "Office", "phone": "Phone", "meeting": "Meeting"}


@dataclass(frozen=True)
class VisitInfo:
    id: str
    client_id: str | None
    client_name: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    kind: str
    location: str | None
    status: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind.replace("_", " ").capitalize())


def upcoming(
    session: Session,
    start: dt.datetime,
    days: int = 14,
    client_id: str | None = None,
    limit: int = 200,
) -> list[VisitInfo]:
    """Planned appointments starting in [start, start + days), soonest first.

    Recurring series are listed by their stored first occurrence only; expanding RRULEs is the
    calendar engine's job.
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    end = start + dt.timedelta(days=days)
    query = (
        select(Appointment, Client.first_name, Client.preferred_name, Client.last_name)
        .outerjoin(Client, Client.id == Appointment.client_id)
        .where(
            Appointment.deleted_at.is_(None),
            Appointment.status == "planned",
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
        )
        .order_by(Appointment.starts_at)
        .limit(limit)
    )
    if client_id is not None:
        query = query.where(Appointment.client_id == client_id)
    visits = []
    for appt, first, preferred, last in session.execute(query):
        name = f"{preferred or first} {last}" if last else None
        visits.append(
            VisitInfo(
                appt.id, appt.client_id, name, appt.starts_at, appt.ends_at, appt.kind, appt.location, appt.status
            )
        )
    return visits
