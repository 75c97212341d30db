"""Read models for the desktop window: caseload entries with their next due item, a client's workspace,
the status-bar counts.

Due items come from the deadline engine (casedesk.services.deadlines), so the caseload, the client
overview, the calendar, the Today dashboard and the status bar all read the same rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.db.models import QuarterlyReport
from casedesk.domain.deadlines import OVERDUE
from casedesk.services import audit, deadlines, notes
from casedesk.services.appointments import VisitInfo, upcoming
from casedesk.services.caseload_list import CaseloadEntry, DueItem
from casedesk.services.clients import ClientDetail, caseload, client_detail


@dataclass(frozen=True)
class ReportSummary:
    id: str
    quarter_label: str
    period_start: dt.date
    period_end: dt.date
    due_date: dt.date
    status: str
    signer_name: str | None
    signed_at: dt.datetime | None


@dataclass(frozen=True)
class WorkspaceData:
    detail: ClientDetail
    next_visits: tuple[VisitInfo, ...]
    due: tuple[DueItem, ...]
    notes: tuple[notes.NoteSummary, ...]
    reports: tuple[ReportSummary, ...]


@dataclass(frozen=True)
class StatusCounts:
    drafts_unsigned: int
    overdue: int


# ---- due items -----------------------------------------------------------------------------------------


def due_items(
    session: Session, today: dt.date | None = None, client_ids: Collection[str] | None = None
) -> list[DueItem]:
    """Open due items of every live client (or only `client_ids`), soonest first, from the deadline engine."""
    items = [_due_item(entry) for entry in deadlines.due_entries(session, client_ids=client_ids)]
    items.sort(key=lambda i: (i.due, i.kind))
    return items


def _due_item(entry: deadlines.DueEntry) -> DueItem:
    item = entry.item
    record_id = item.resolves[1] if len(item.resolves) > 1 else None
    return DueItem(item.client_id, item.kind, item.title, entry.due_date, record_id, item.status == OVERDUE)


def caseload_entries(
    session: Session,
    today: dt.date | None = None,
    client_ids: Collection[str] | None = None,
    *,
    with_due: bool = True,
) -> list[CaseloadEntry]:
    """The caseload list (all live clients, or only `client_ids`), sorted by name.

    `with_due=False` leaves the due columns empty: the list can show at once and `due_summary` fills
    them in afterwards (finding unsigned drafts reads every note row, which takes seconds at 10k clients).
    """
    today = today or dt.date.today()
    due = due_summary(session, today, client_ids) if with_due else {}
    rows = caseload(session, today)
    if client_ids is not None:
        wanted = set(client_ids)
        rows = [r for r in rows if r.id in wanted]
    return [CaseloadEntry(row, *due.get(row.id, (None, 0))) for row in rows]


def due_summary(
    session: Session, today: dt.date | None = None, client_ids: Collection[str] | None = None
) -> dict[str, tuple[DueItem | None, int]]:
    """Per client: the soonest due item and how many items are overdue (clients with nothing due left out)."""
    if client_ids is None:  # the whole caseload: the digest the Today view and the status bar share
        soonest = deadlines.due_digest(session).soonest
    else:
        soonest = deadlines.soonest_by_client(deadlines.due_entries(session, client_ids=client_ids))
    return {client_id: (_due_item(entry), overdue) for client_id, (entry, overdue) in soonest.items()}


def status_counts(session: Session, today: dt.date | None = None) -> StatusCounts:
    today = today or dt.date.today()
    return StatusCounts(notes.unsigned_draft_count(session), deadlines.due_counts(session).overdue)


# ---- one client's workspace -------------------------------------------------------------------------


def quarterly_reports(session: Session, client_id: str) -> list[ReportSummary]:
    return [
        ReportSummary(r.id, r.quarter_label, r.period_start, r.period_end, r.due_date, r.status, r.signer_name, r.signed_at)
        for r in session.execute(
            select(QuarterlyReport)
            .where(QuarterlyReport.client_id == client_id, QuarterlyReport.deleted_at.is_(None))
            .order_by(QuarterlyReport.period_start.desc())
        ).scalars()
    ]


def client_workspace(session: Session, client_id: str, today: dt.date | None = None) -> WorkspaceData:
    """Everything a client's tab shows. Opening it is audited once (as a client view)."""
    today = today or dt.date.today()
    detail = client_detail(session, client_id)
    now = dt.datetime.now(dt.UTC)
    return WorkspaceData(
        detail=detail,
        next_visits=tuple(upcoming(session, now, days=60, client_id=client_id, limit=5)),
        due=tuple(due_items(session, today, [client_id])),
        notes=tuple(notes.list_notes(session, client_id)),
        reports=tuple(quarterly_reports(session, client_id)),
    )


def record_lock(session: Session, locked: bool) -> None:
    """Audit that the window was locked or unlocked."""
    audit.record(session, "lock" if locked else "unlock")
