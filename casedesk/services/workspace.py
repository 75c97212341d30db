"""Read models for the desktop window: caseload entries with their next due item, a client's workspace,
the status-bar counts.

The due items here are the small, fixed set the caseload needs today (unsigned notes past their due
time, plan reviews, missing quarterly reports). The deadline engine (casedesk.domain.deadlines) is the
long-term home of those rules; this module keeps its own pure helpers so the window works without it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.db.models import Client, ProgressNote, QuarterlyReport, ServicePlan
from casedesk.domain.notes import NoteStatus
from casedesk.services import audit, notes, settings
from casedesk.services.appointments import VisitInfo, upcoming
from casedesk.services.clients import CaseloadRow, ClientDetail, caseload, client_detail

DUE_KINDS = {"note": "Sign note", "plan_review": "Plan review", "quarterly_report": "Quarterly report"}


@dataclass(frozen=True)
class DueItem:
    client_id: str
    kind: str  # note / plan_review / quarterly_report
    label: str
    due: dt.date
    record_id: str | None = None

    def is_overdue(self, today: dt.date) -> bool:
        return self.due < today


@dataclass(frozen=True)
class CaseloadEntry:
    """One caseload line: the client row plus the soonest due item and how many are overdue."""

    row: CaseloadRow
    next_due: DueItem | None
    overdue: int


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


# ---- pure quarter arithmetic -------------------------------------------------------------------------


def add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return dt.date(year, month, min(d.day, last_day))


def last_completed_quarter(today: dt.date, definition: str, plan_start: dt.date | None) -> tuple[dt.date, dt.date, str]:
    """(start, end, label) of the latest quarter that ended before `today`.

    calendar: Jan-Mar, Apr-Jun, ...; plan_year: 3-month blocks counted from the plan's start date.
    """
    if definition == "plan_year" and plan_start is not None:
        months = (today.year - plan_start.year) * 12 + today.month - plan_start.month
        if today.day < plan_start.day:
            months -= 1
        current = max(months // 3, 0)
        start = add_months(plan_start, 3 * (current - 1))
        end = add_months(plan_start, 3 * current) - dt.timedelta(days=1)
        year_index = (current - 1) // 4 + 1
        label = f"PY{plan_start.year + year_index - 1}Q{(current - 1) % 4 + 1}"
        return start, end, label
    this_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = this_start - dt.timedelta(days=1)
    start = dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    return start, end, f"{start.year}Q{(start.month - 1) // 3 + 1}"


def note_due_date(contact_start: dt.datetime, due_hours: int) -> dt.date:
    return (contact_start + dt.timedelta(hours=due_hours)).astimezone().date()


# ---- due items -----------------------------------------------------------------------------------------


def due_items(
    session: Session, today: dt.date | None = None, client_ids: Collection[str] | None = None
) -> list[DueItem]:
    """Open work per client, soonest first: unsigned notes, plan reviews, a missing quarterly report."""
    today = today or dt.date.today()
    only = list(client_ids) if client_ids is not None else None
    due_hours = int(settings.get(session, "note_due_hours"))
    report_days = int(settings.get(session, "report_due_days"))
    quarter_def = str(settings.get(session, "quarter_definition"))
    items: list[DueItem] = []

    drafts_q = select(ProgressNote.id, ProgressNote.client_id, ProgressNote.contact_start).where(
        ProgressNote.status == NoteStatus.DRAFT.value, ProgressNote.deleted_at.is_(None)
    )
    plans_q = select(ServicePlan.id, ServicePlan.client_id, ServicePlan.effective_from, ServicePlan.review_due).where(
        ServicePlan.status == "active", ServicePlan.deleted_at.is_(None)
    )
    reports_q = select(QuarterlyReport.client_id, QuarterlyReport.period_end, QuarterlyReport.status).where(
        QuarterlyReport.deleted_at.is_(None)
    )
    clients_q = select(Client.id).where(Client.deleted_at.is_(None), Client.status == "active")
    if only is not None:
        drafts_q = drafts_q.where(ProgressNote.client_id.in_(only))
        plans_q = plans_q.where(ServicePlan.client_id.in_(only))
        reports_q = reports_q.where(QuarterlyReport.client_id.in_(only))
        clients_q = clients_q.where(Client.id.in_(only))
    active_clients = set(session.execute(clients_q).scalars())

    for note_id, client_id, start in session.execute(drafts_q):
        when = start.astimezone().strftime("%b %d").replace(" 0", " ")
        items.append(DueItem(client_id, "note", f"Sign note from {when}", note_due_date(start, due_hours), note_id))

    done_reports: dict[str, set[dt.date]] = defaultdict(set)
    for client_id, period_end, status in session.execute(reports_q):
        if status in ("signed", "submitted"):
            done_reports[client_id].add(period_end)

    for plan_id, client_id, effective_from, review_due in session.execute(plans_q):
        if client_id not in active_clients:
            continue
        if review_due is not None:
            items.append(DueItem(client_id, "plan_review", "Plan review", review_due, plan_id))
        _start, q_end, label = last_completed_quarter(today, quarter_def, effective_from)
        if q_end >= effective_from and q_end not in done_reports[client_id]:
            items.append(
                DueItem(
                    client_id,
                    "quarterly_report",
                    f"Quarterly report {label}",
                    q_end + dt.timedelta(days=report_days),
                    plan_id,
                )
            )
    items.sort(key=lambda i: (i.due, i.kind))
    return items


def _by_client(items: Iterable[DueItem]) -> dict[str, list[DueItem]]:
    grouped: dict[str, list[DueItem]] = defaultdict(list)
    for item in items:
        grouped[item.client_id].append(item)
    return grouped


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
    today = today or dt.date.today()
    return {
        client_id: (items[0], sum(1 for i in items if i.is_overdue(today)))
        for client_id, items in _by_client(due_items(session, today, client_ids)).items()
    }


def status_counts(session: Session, today: dt.date | None = None) -> StatusCounts:
    today = today or dt.date.today()
    overdue = sum(1 for item in due_items(session, today) if item.is_overdue(today))
    return StatusCounts(notes.unsigned_draft_count(session), overdue)


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
