"""Quarterly reports: drafted from the quarter's signed notes, edited, signed (locked), submitted.

A report covers one client and one quarter: a calendar quarter ("2026Q3") or, when the setting
``quarter_definition`` is ``plan_year``, a quarter of the service plan's year ("PY2026Q1"). It is due
``report_due_days`` after the quarter ends.

Drafting (rules in casedesk.domain.quarterly_draft) reads the plan's goals in plan order and the
quarter's notes, and pre-writes a narrative per goal and a summary that the worker edits. While a report
is a draft its evidence follows the data: a note signed later appears, and a narrative the worker has
not edited is rewritten to match. Text the worker edited is kept as written.

Signing re-checks everything, freezes the evidence into ``draft_data``, records the signer (the store's
current worker), the time and a SHA-256 of the canonical content, and locks the report (the ORM hook
and a database trigger refuse changes). A signed report can then be marked submitted.

Nothing here imports Qt; every function takes the caller's unit of work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk import localzone
from casedesk.db.models import Client, Goal, NoteGoal, ProgressNote, QuarterlyReport, ServicePlan, Worker
from casedesk.db.types import new_id, utcnow
from casedesk.domain import quarterly_draft as rules
from casedesk.domain.deadline_facts import zone_name
from casedesk.domain.quarterly_draft import DraftInputs, GoalMark, GoalRecord, NoteRecord, QuarterEvidence
from casedesk.domain.quarters import (
    Quarter,
    QuarterDefinition,
    QuarterLabelError,
    parse_quarter_label,
    quarter_containing,
    report_due_date,
)
from casedesk.errors import ImmutableRecordError, InvalidTransitionError, ValidationError
from casedesk.services import audit, settings
from casedesk.services.records import get_live

DRAFT, SIGNED, SUBMITTED = "draft", "signed", "submitted"
# Which section of a note best shows progress, for the excerpt printed beside a goal.
EXCERPT_SECTIONS = ("assessment", "data", "objective", "subjective", "narrative", "plan")


# ---------------------------------------------------------------------------------------------
# Time zone of the worker
# ---------------------------------------------------------------------------------------------


def local_zone_name(session: Session) -> str:
    """The worker's IANA time zone: the profile's ``local.timezone`` setting when set (a bad one is an
    error worth showing), else this computer's zone (casedesk.localzone; "UTC" when it has none)."""
    name = settings.get(session, "local.timezone")
    if name:
        zone_name(str(name))
        return str(name)
    return localzone.local_zone_name()


def local_zone(session: Session) -> dt.tzinfo:
    """The worker's time zone (see ``local_zone_name``), kept for the unit of work. Contact days, months
    and printed times are counted in it."""
    cached = session.info.get("casedesk.local_zone")
    if isinstance(cached, dt.tzinfo):
        return cached
    zone = zone_name(local_zone_name(session))
    session.info["casedesk.local_zone"] = zone
    return zone


def local_today(session: Session) -> dt.date:
    return dt.datetime.now(local_zone(session)).date()


# ---------------------------------------------------------------------------------------------
# What callers get back
# ---------------------------------------------------------------------------------------------


class MissingEvidenceError(ValidationError):
    """Signing was asked without accepting the report's missing-evidence warnings."""

    def __init__(self, warnings: tuple[str, ...]) -> None:
        self.warnings = warnings
        super().__init__(
            "Check the missing evidence before signing; sign anyway only once you have: " + " ".join(warnings)
        )


@dataclass(frozen=True)
class QuarterlyReportView:
    """A quarterly report as the editor shows it and the printer prints it.

    ``report_id`` is None for a report drafted in memory only (a preview, or a batch print).
    For a draft, ``evidence`` is today's; for a signed report it is what was signed.
    """

    report_id: str | None
    client_id: str
    plan_id: str | None
    quarter_label: str
    period_start: dt.date
    period_end: dt.date
    due_date: dt.date
    status: str  # draft / signed / submitted
    evidence: QuarterEvidence
    narratives: dict[str, str]  # goal id -> text, for every goal of the evidence
    summary: str
    warnings: tuple[str, ...]  # missing evidence (drafts only)
    worker_name: str
    signer_name: str | None = None
    signed_by: str | None = None
    signed_at: dt.datetime | None = None
    content_hash: str | None = None
    submitted_at: dt.datetime | None = None
    # False for a signed report stored without its hash (made outside CaseDesk's signing):
    # ``content_hash`` is then computed from what is stored now.
    hash_recorded: bool = True

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT

    @property
    def stored(self) -> bool:
        return self.report_id is not None


# ---------------------------------------------------------------------------------------------
# Quarters and plans
# ---------------------------------------------------------------------------------------------


def _live_plans(session: Session, client_id: str) -> list[ServicePlan]:
    return list(
        session.execute(
            select(ServicePlan)
            .where(ServicePlan.client_id == client_id, ServicePlan.deleted_at.is_(None), ServicePlan.status != "draft")
            .order_by(ServicePlan.effective_from.desc())
        ).scalars()
    )


def _overlaps(plan: ServicePlan, quarter: Quarter) -> bool:
    return plan.effective_from <= quarter.end and (plan.effective_to is None or plan.effective_to >= quarter.start)


def resolve_quarter(session: Session, client_id: str, label: str) -> tuple[Quarter, ServicePlan | None]:
    """The quarter a label names for this client, and the service plan it reports on.

    Calendar quarters: the latest plan in effect during the quarter (None when there is none).
    Plan-year quarters: read against each plan's effective date, latest plan first; the quarter must
    fall within that plan.
    """
    get_live(session, Client, client_id, "client")
    plans = _live_plans(session, client_id)
    if settings.get(session, "quarter_definition") != "plan_year":
        quarter = parse_quarter_label(label)
        return quarter, next((p for p in plans if _overlaps(p, quarter)), None)
    if not plans:
        raise QuarterLabelError(
            "This agency reports on plan-year quarters, which are counted from the service plan's start, "
            "and this client has no service plan."
        )
    for plan in plans:
        quarter = parse_quarter_label(label, QuarterDefinition.plan_year(plan.effective_from))
        if _overlaps(plan, quarter):
            return quarter, plan
    raise QuarterLabelError(f"'{label}' does not fall within any service plan of this client.")


def find_report(session: Session, client_id: str, quarter_label: str) -> str | None:
    """The id of the client's stored report for this quarter, if there is one."""
    wanted = quarter_label.strip().upper()
    return session.execute(
        select(QuarterlyReport.id)
        .where(
            QuarterlyReport.client_id == client_id,
            QuarterlyReport.quarter_label == wanted,
            QuarterlyReport.deleted_at.is_(None),
        )
        .order_by(QuarterlyReport.created_at)
        .limit(1)
    ).scalar_one_or_none()


# ---------------------------------------------------------------------------------------------
# Loading the evidence
# ---------------------------------------------------------------------------------------------


def _local_midnight_utc(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(dt.UTC)


def _note_excerpt(body: Mapping[str, Any]) -> str:
    for key in EXCERPT_SECTIONS:
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return rules.excerpt_of(value)
    return ""


def _goals(session: Session, plan: ServicePlan | None) -> tuple[GoalRecord, ...]:
    if plan is None:
        return ()
    rows = session.execute(
        select(Goal.id, Goal.text, Goal.status, Goal.met_on)
        .where(Goal.plan_id == plan.id, Goal.deleted_at.is_(None))
        .order_by(Goal.position, Goal.created_at)
    )
    return tuple(GoalRecord(goal_id, text, status, met_on) for goal_id, text, status, met_on in rows)


def _notes(session: Session, client_id: str, first: dt.date, last: dt.date, zone: dt.tzinfo) -> tuple[NoteRecord, ...]:
    """The client's live notes with a contact day in [first, last] (local days), with their goal marks."""
    begin = _local_midnight_utc(first, zone)
    end = _local_midnight_utc(last + dt.timedelta(days=1), zone)
    notes = list(
        session.execute(
            select(
                ProgressNote.id,
                ProgressNote.contact_start,
                ProgressNote.contact_type,
                ProgressNote.status,
                ProgressNote.body,
                ProgressNote.service_code,
                ProgressNote.billable_units,
            )
            .where(
                ProgressNote.client_id == client_id,
                ProgressNote.deleted_at.is_(None),
                ProgressNote.contact_start >= begin,
                ProgressNote.contact_start < end,
            )
            .order_by(ProgressNote.contact_start)
        )
    )
    marks: dict[str, list[GoalMark]] = {}
    if notes:
        links = session.execute(
            select(NoteGoal.note_id, NoteGoal.goal_id, NoteGoal.rating, NoteGoal.comment).where(
                NoteGoal.note_id.in_([n.id for n in notes]), NoteGoal.deleted_at.is_(None)
            )
        )
        for note_id, goal_id, rating, comment in links:
            marks.setdefault(note_id, []).append(GoalMark(goal_id, rating, comment))
    return tuple(
        NoteRecord(
            id=n.id,
            contact_date=n.contact_start.astimezone(zone).date(),
            contact_type=n.contact_type,
            signed=n.status == SIGNED,
            excerpt=_note_excerpt(n.body or {}),
            service_code=n.service_code,
            billable_units=n.billable_units,
            goals=tuple(marks.get(n.id, ())),
        )
        for n in notes
    )


def _month_bounds(quarter_start: dt.date, quarter_end: dt.date) -> tuple[dt.date, dt.date]:
    first = quarter_start.replace(day=1)
    following = (
        dt.date(quarter_end.year + 1, 1, 1)
        if quarter_end.month == 12
        else dt.date(quarter_end.year, quarter_end.month + 1, 1)
    )
    return first, following - dt.timedelta(days=1)


def _evidence(
    session: Session,
    client: Client,
    plan: ServicePlan | None,
    quarter_label: str,
    period_start: dt.date,
    period_end: dt.date,
    today: dt.date,
) -> QuarterEvidence:
    zone = local_zone(session)
    first, last = _month_bounds(period_start, period_end)
    inputs = DraftInputs(
        quarter_label=quarter_label,
        period_start=period_start,
        period_end=period_end,
        today=today,
        goals=_goals(session, plan),
        notes=_notes(session, client.id, first, last, zone),
        plan_title=plan.title if plan is not None else None,
        next_plan_review=plan.review_due if plan is not None else None,
        in_service_from=client.intake_date,
        in_service_until=client.discharge_date,
    )
    return rules.build_evidence(inputs)


def text_name(client: Client) -> str:
    """How the pre-written text calls the client: preferred or first name."""
    return (client.preferred_name or client.first_name or client.full_name).strip()


def _generated(evidence: QuarterEvidence, name: str) -> dict[str, Any]:
    return {
        "narratives": {g.goal_id: rules.goal_narrative(evidence, g, name) for g in evidence.goals},
        "summary": rules.summary_text(evidence, name),
    }


def _worker_name(session: Session, client: Client) -> str:
    worker = session.get(Worker, client.assigned_worker_id) if client.assigned_worker_id else None
    if worker is None:
        store = session.info.get("store")
        worker = store.current_worker(session) if store is not None else None
    return worker.name if worker is not None else ""


def _current_text(
    report: QuarterlyReport, evidence: QuarterEvidence, fresh: Mapping[str, Any]
) -> tuple[dict[str, str], str]:
    """A draft's narratives and summary against today's evidence: what the worker wrote stays; text
    still as it was generated follows the evidence."""
    before = (report.draft_data or {}).get("generated") or {}
    before_narratives: Mapping[str, str] = before.get("narratives") or {}
    stored: Mapping[str, str] = report.goal_narratives or {}
    narratives: dict[str, str] = {}
    for goal in evidence.goals:
        text = stored.get(goal.goal_id)
        edited = text is not None and text != before_narratives.get(goal.goal_id)
        narratives[goal.goal_id] = str(text) if edited else fresh["narratives"][goal.goal_id]
    summary = report.summary or ""
    if summary == before.get("summary", "") or not report.summary:
        summary = fresh["summary"]
    return narratives, summary


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def preview(
    session: Session, client_id: str, quarter_label: str, *, today: dt.date | None = None
) -> QuarterlyReportView:
    """A draft built in memory (nothing stored, nothing audited): what drafting would produce now."""
    client = get_live(session, Client, client_id, "client")
    quarter, plan = resolve_quarter(session, client_id, quarter_label)
    today = today or local_today(session)
    evidence = _evidence(session, client, plan, quarter.label, quarter.start, quarter.end, today)
    generated = _generated(evidence, text_name(client))
    return QuarterlyReportView(
        report_id=None,
        client_id=client.id,
        plan_id=plan.id if plan is not None else None,
        quarter_label=quarter.label,
        period_start=quarter.start,
        period_end=quarter.end,
        due_date=report_due_date(quarter, int(settings.get(session, "report_due_days"))),
        status=DRAFT,
        evidence=evidence,
        narratives=dict(generated["narratives"]),
        summary=str(generated["summary"]),
        warnings=rules.missing_evidence(evidence),
        worker_name=_worker_name(session, client),
    )


def get_report(
    session: Session, report_id: str, *, today: dt.date | None = None, audit_view: bool = True
) -> QuarterlyReportView:
    """A stored report: a draft with today's evidence, a signed one exactly as signed."""
    report = get_live(session, QuarterlyReport, report_id, "quarterly report")
    client = get_live(session, Client, report.client_id, "client")
    if audit_view:
        audit.record(session, "view", "quarterly_report", report.id, {"client_id": report.client_id})
    common: dict[str, Any] = {
        "report_id": report.id,
        "client_id": report.client_id,
        "plan_id": report.plan_id,
        "quarter_label": report.quarter_label,
        "period_start": report.period_start,
        "period_end": report.period_end,
        "due_date": report.due_date,
        "status": report.status,
        "submitted_at": report.submitted_at,
    }
    if report.status == DRAFT:
        evidence = _draft_evidence(session, report, client, today)
        narratives, summary = _current_text(report, evidence, _generated(evidence, text_name(client)))
        return QuarterlyReportView(
            **common,
            evidence=evidence,
            narratives=narratives,
            summary=summary,
            warnings=rules.missing_evidence(evidence),
            worker_name=_worker_name(session, client),
        )
    snapshot = (report.draft_data or {}).get("evidence")
    if snapshot:
        evidence = QuarterEvidence.from_json(snapshot)
    else:
        # Signed elsewhere without an evidence snapshot (an older or imported record): the quarter's
        # signed notes as they stand; signed notes never change, so this is what the signer saw.
        evidence = _draft_evidence(session, report, client, report.period_end + dt.timedelta(days=1))
    stored = report.goal_narratives or {}
    return QuarterlyReportView(
        **common,
        evidence=evidence,
        narratives={g.goal_id: str(stored.get(g.goal_id, "")) for g in evidence.goals},
        summary=report.summary or "",
        warnings=(),
        worker_name=report.signer_name or _worker_name(session, client),
        signer_name=report.signer_name,
        signed_by=report.signed_by,
        signed_at=report.signed_at,
        content_hash=report.content_hash or computed_hash(report),
        hash_recorded=report.content_hash is not None,
    )


def _draft_evidence(
    session: Session, report: QuarterlyReport, client: Client, today: dt.date | None
) -> QuarterEvidence:
    plan = session.get(ServicePlan, report.plan_id) if report.plan_id else None
    if plan is not None and plan.deleted_at is not None:
        plan = None
    return _evidence(
        session,
        client,
        plan,
        report.quarter_label,
        report.period_start,
        report.period_end,
        today or local_today(session),
    )


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


def list_reports(session: Session, client_id: str) -> list[ReportSummary]:
    """The client's stored quarterly reports, newest quarter first."""
    get_live(session, Client, client_id, "client")
    rows = session.execute(
        select(QuarterlyReport)
        .where(QuarterlyReport.client_id == client_id, QuarterlyReport.deleted_at.is_(None))
        .order_by(QuarterlyReport.period_start.desc())
    ).scalars()
    return [
        ReportSummary(
            r.id, r.quarter_label, r.period_start, r.period_end, r.due_date, r.status, r.signer_name, r.signed_at
        )
        for r in rows
    ]


# ---------------------------------------------------------------------------------------------
# Changing
# ---------------------------------------------------------------------------------------------


def create_draft(session: Session, client_id: str, quarter_label: str, *, today: dt.date | None = None) -> str:
    """Draft and store the client's report for a quarter; refuses when one exists already."""
    existing = find_report(session, client_id, quarter_label)
    if existing is not None:
        raise ValidationError(
            f"This client already has a quarterly report for {quarter_label.strip().upper()} (id {existing})."
        )
    view = preview(session, client_id, quarter_label, today=today)
    if find_report(session, client_id, view.quarter_label) is not None:  # "2026q3" and "2026Q3" alike
        raise ValidationError(f"This client already has a quarterly report for {view.quarter_label}.")
    generated = {"narratives": dict(view.narratives), "summary": view.summary}
    report = QuarterlyReport(
        id=new_id(),
        client_id=client_id,
        plan_id=view.plan_id,
        quarter_label=view.quarter_label,
        period_start=view.period_start,
        period_end=view.period_end,
        due_date=view.due_date,
        status=DRAFT,
        summary=view.summary,
        goal_narratives=dict(view.narratives),
        draft_data={"evidence": view.evidence.to_json(), "generated": generated},
    )
    session.add(report)
    session.flush()
    audit.record(
        session, "create", "quarterly_report", report.id, {"client_id": client_id, "quarter": view.quarter_label}
    )
    return report.id


def get_or_create_draft(session: Session, client_id: str, quarter_label: str, *, today: dt.date | None = None) -> str:
    """The stored report for the quarter, drafting and storing it first when there is none."""
    quarter, _plan = resolve_quarter(session, client_id, quarter_label)
    existing = find_report(session, client_id, quarter.label)
    return existing if existing is not None else create_draft(session, client_id, quarter.label, today=today)


def _draft_row(session: Session, report_id: str) -> QuarterlyReport:
    report = get_live(session, QuarterlyReport, report_id, "quarterly report")
    if report.status != DRAFT:
        raise ImmutableRecordError("This quarterly report is signed and locked; it cannot be changed.")
    return report


def save_edits(
    session: Session,
    report_id: str,
    *,
    narratives: Mapping[str, str] | None = None,
    summary: str | None = None,
    today: dt.date | None = None,
) -> None:
    """Store the worker's text: narratives by goal id (goals of this report's plan) and/or the summary.

    The evidence snapshot is refreshed at the same time, so text saved exactly as generated keeps
    following the evidence, and edited text stays as written.
    """
    report = _draft_row(session, report_id)
    client = get_live(session, Client, report.client_id, "client")
    evidence = _draft_evidence(session, report, client, today)
    known = {g.goal_id for g in evidence.goals}
    unknown = sorted(set(narratives or {}) - known)
    if unknown:
        raise ValidationError(f"Goal(s) {', '.join(unknown)} are not part of this report.")
    fresh = _generated(evidence, text_name(client))
    current, current_summary = _current_text(report, evidence, fresh)
    current.update({k: v for k, v in (narratives or {}).items()})
    if summary is not None:
        current_summary = summary
    report.goal_narratives = current
    report.summary = current_summary
    report.draft_data = {"evidence": evidence.to_json(), "generated": fresh}
    session.flush()
    fields = (["narratives"] if narratives else []) + (["summary"] if summary is not None else [])
    audit.record(session, "update", "quarterly_report", report.id, {"fields": fields})


def sign_report(
    session: Session,
    report_id: str,
    *,
    accept_warnings: bool = False,
    signed_at: dt.datetime | None = None,
    today: dt.date | None = None,
) -> str:
    """Re-check, freeze the evidence and text, sign as the store's current worker, lock. Returns the hash.

    Missing-evidence warnings stop signing unless ``accept_warnings`` (the worker saw them and signs
    anyway); empty narratives or an empty summary always do.
    """
    report = get_live(session, QuarterlyReport, report_id, "quarterly report")
    if report.status != DRAFT:
        raise ImmutableRecordError("This quarterly report is already signed and locked.")
    client = get_live(session, Client, report.client_id, "client")
    evidence = _draft_evidence(session, report, client, today)
    fresh = _generated(evidence, text_name(client))
    narratives, summary = _current_text(report, evidence, fresh)
    problems = rules.signing_problems(evidence, narratives, summary)
    if problems:
        raise ValidationError("This quarterly report cannot be signed yet: " + " ".join(problems))
    warnings = rules.missing_evidence(evidence)
    if warnings and not accept_warnings:
        raise MissingEvidenceError(warnings)
    store = session.info.get("store")
    worker = store.current_worker(session) if store is not None else None
    signer_id = worker.id if worker is not None else session.info.get("actor")
    signer_name = worker.name if worker is not None else str(signer_id)
    report.goal_narratives = narratives
    report.summary = summary
    report.draft_data = {"evidence": evidence.to_json(), "generated": fresh}
    report.status = SIGNED
    report.signed_by = signer_id
    report.signer_name = signer_name
    report.signed_at = signed_at or utcnow()
    digest = computed_hash(report)
    assert digest is not None
    report.content_hash = digest
    session.flush()
    audit.record(
        session, "sign", "quarterly_report", report.id, {"content_hash": digest, "warnings_accepted": len(warnings)}
    )
    return digest


def submit_report(session: Session, report_id: str, submitted_at: dt.datetime | None = None) -> None:
    """Mark a signed report as submitted (to the funder / agency). Its content stays locked."""
    report = get_live(session, QuarterlyReport, report_id, "quarterly report")
    if report.status == DRAFT:
        raise InvalidTransitionError("A draft quarterly report cannot be submitted; sign it first.")
    if report.status == SUBMITTED:
        raise InvalidTransitionError("This quarterly report was already submitted.")
    report.status = SUBMITTED
    report.submitted_at = submitted_at or utcnow()
    session.flush()
    audit.record(session, "update", "quarterly_report", report.id, {"status": SUBMITTED})


def computed_hash(report: QuarterlyReport) -> str | None:
    """SHA-256 of a signed report's canonical content as stored now (None for a draft)."""
    if report.status == DRAFT or report.signed_at is None:
        return None
    return rules.report_hash(
        rules.canonical_report_content(
            report_id=report.id,
            client_id=report.client_id,
            plan_id=report.plan_id,
            quarter_label=report.quarter_label,
            period_start=report.period_start,
            period_end=report.period_end,
            summary=report.summary or "",
            goal_narratives=report.goal_narratives or {},
            draft_data=report.draft_data or {},
            signer_id=report.signed_by,
            signer_name=report.signer_name or "",
            signed_at=report.signed_at,
        )
    )


def verify_report_hash(session: Session, report_id: str) -> bool:
    """Recompute a signed report's hash from what is stored: False when it does not match the hash
    recorded at signing (or no hash was recorded)."""
    report = get_live(session, QuarterlyReport, report_id, "quarterly report")
    return report.content_hash is not None and computed_hash(report) == report.content_hash


def quarter_clients(session: Session, quarter_label: str) -> list[tuple[Client, Quarter, ServicePlan | None]]:
    """Every live client in service during the quarter, with the quarter as it applies to them
    (plan-year quarters differ per client; a client the label does not fit is left out), by name."""
    clients = session.execute(
        select(Client).where(Client.deleted_at.is_(None)).order_by(Client.last_name, Client.first_name, Client.id)
    ).scalars()
    found = []
    plan_year = settings.get(session, "quarter_definition") == "plan_year"
    for client in clients:
        try:
            quarter, plan = resolve_quarter(session, client.id, quarter_label)
        except QuarterLabelError:
            if not plan_year:
                raise
            continue
        if client.intake_date is not None and client.intake_date > quarter.end:
            continue
        if client.discharge_date is not None and client.discharge_date < quarter.start:
            continue
        found.append((client, quarter, plan))
    return found


def check_label(session: Session, quarter_label: str) -> str:
    """The label in its stored spelling ("2026q3" -> "2026Q3"), or a clear error naming what is wrong
    (including a calendar label where the agency uses plan-year quarters, and the other way round)."""
    if settings.get(session, "quarter_definition") == "plan_year":
        # Any anchor reads the label's form; the client's plan gives the real dates later.
        parse_quarter_label(quarter_label, QuarterDefinition.plan_year(dt.date(2000, 1, 1)))
        return quarter_label.strip().upper()
    return parse_quarter_label(quarter_label).label


def quarter_choices(
    session: Session, client_id: str | None = None, *, today: dt.date | None = None, count: int = 4
) -> tuple[list[str], int]:
    """Quarter labels to offer in a picker, newest first (the current quarter, then earlier ones), and
    the index of the one to suggest: the last quarter that has ended. Plan-year quarters follow the
    client's plan (without a client, the first client with a plan)."""
    today = today or local_today(session)
    definition = QuarterDefinition.calendar()
    if settings.get(session, "quarter_definition") == "plan_year":
        query = select(ServicePlan.effective_from).where(
            ServicePlan.deleted_at.is_(None), ServicePlan.status != "draft", ServicePlan.effective_from <= today
        )
        if client_id is not None:
            query = query.where(ServicePlan.client_id == client_id)
        anchor = session.execute(query.order_by(ServicePlan.effective_from.desc()).limit(1)).scalar_one_or_none()
        if anchor is None:
            return [], 0
        definition = QuarterDefinition.plan_year(anchor)
    quarter = quarter_containing(today, definition)
    labels = []
    for _ in range(max(count, 2)):
        labels.append(quarter.label)
        quarter = quarter.previous()
    return labels, 1
