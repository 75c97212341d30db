"""Printable documents from the database: progress notes, quarterly reports (one or a batch), forms
(filled or blank) and the caseload due list, as PDF bytes.

This module fills the renderer's plain values (casedesk.reports) from the store: the agency's name and
logo, the client header, times converted to the worker's local zone, captured signature images, and the
``page_size`` setting. Every ``*_pdf`` function records one audit event, action "print" (sent to a
printer) or "export" (saved as a file), naming the document kind and id, never client data; with
``action=None`` it only builds the PDF (an on-screen preview) and ``record_output`` records the print or
export once it happens.
The caller decides where the bytes go (an atomically written file, a printer, a temp file it deletes).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk import reports  # the render_* functions load reportlab on first use
from casedesk.db.models import (
    Client,
    FormResponse,
    Goal,
    NoteAddendum,
    NoteGoal,
    ProgressNote,
    Signature,
    Worker,
)
from casedesk.domain.notes import CONTACT_TYPES, PROGRESS_RATINGS, SECTION_TITLES
from casedesk.domain.print_layout import FormPrintLayout
from casedesk.domain.quarterly_draft import long_date
from casedesk.errors import NotFoundError, ValidationError
from casedesk.forms import FieldType, SignatureCapture, layout_for
from casedesk.reports import (
    Addendum,
    AgencyInfo,
    ClientInfo,
    ContactCount,
    DueItem,
    DueListDoc,
    DueStatus,
    GoalEvidence,
    GoalOutcome,
    GoalProgress,
    NoteSection,
    NoteTemplate,
    ProgressNoteDoc,
    QuarterGoal,
    QuarterlyReportDoc,
    ServiceUnits,
    SignatureBlock,
    SignedStamp,
    note_sections,
)
from casedesk.services import audit, settings
from casedesk.services import deadlines as deadline_service
from casedesk.services import forms as forms_service
from casedesk.services import quarterly as quarterly_service
from casedesk.services.quarterly import QuarterlyReportView
from casedesk.services.records import get_live

PrintAction = Literal["print", "export"]
# None: build the PDF without an audit event (a preview on screen); record_output() once it is printed
# or saved.
MaybeAction = PrintAction | None
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ROLE_LABELS = {
    "worker": "Case manager",
    "client": "Client",
    "guardian": "Guardian",
    "supervisor": "Supervisor",
    "other": "Other",
}
_DUE_STATUS = {"overdue": DueStatus.OVERDUE, "due_soon": DueStatus.DUE_SOON, "upcoming": DueStatus.UPCOMING}


@dataclass(frozen=True)
class PrintedDocument:
    """A finished PDF. ``title`` may name the client: show it, never log it. ``audit_detail`` is what
    the audit event records besides the kind and id (form key, quarter, counts: never client data)."""

    kind: str  # progress_note / quarterly_report / quarterly_batch / form_response / blank_form / due_list
    record_id: str | None
    title: str
    pdf: bytes
    draft: bool
    parts: int = 1
    audit_detail: Mapping[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Shared pieces
# ---------------------------------------------------------------------------------------------


def agency_info(session: Session) -> AgencyInfo:
    agency = settings.agency(session)
    if agency is None:
        return AgencyInfo(name="CaseDesk")
    logo = agency.logo_png if agency.logo_png and agency.logo_png.startswith(PNG_MAGIC) else None
    return AgencyInfo(name=agency.name, logo_png=logo)


def client_info(client: Client) -> ClientInfo:
    return ClientInfo(name=client.full_name, date_of_birth=client.dob, record_number=client.record_number)


def page_size(session: Session) -> str:
    return str(settings.get(session, "page_size"))


def _local(value: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    return value.astimezone(zone)


def record_output(session: Session, document: PrintedDocument, action: PrintAction) -> None:
    """Audit that a document was printed ("print") or saved as a file ("export")."""
    if action not in ("print", "export"):
        raise ValidationError(f"A document is printed or exported, not {action!r}.")
    detail = {"document": document.kind, "format": "pdf", **document.audit_detail}
    audit.record(session, action, document.kind, document.record_id, detail)


def _finish(session: Session, document: PrintedDocument, action: MaybeAction) -> PrintedDocument:
    if action is not None:
        record_output(session, document, action)
    return document


def _render(render: Any, *args: Any, **kwargs: Any) -> bytes:
    buffer = io.BytesIO()
    render(*args, buffer, **kwargs)
    return buffer.getvalue()


def _signature_rows(session: Session, document_type: str, document_id: str) -> list[Signature]:
    return list(
        session.execute(
            select(Signature)
            .where(
                Signature.document_type == document_type,
                Signature.document_id == document_id,
                Signature.deleted_at.is_(None),
            )
            .order_by(Signature.signed_at, Signature.id)
        ).scalars()
    )


def _block_from_row(row: Signature, zone: dt.tzinfo) -> SignatureBlock:
    image = row.image_png if row.method == "drawn" and row.image_png and row.image_png.startswith(PNG_MAGIC) else None
    role = ROLE_LABELS.get(row.signer_role, row.signer_role.title())
    if row.method == "wet":
        role += " (signed on paper)"
    return SignatureBlock(role=role, name=row.signer_name, signed_at=_local(row.signed_at, zone), image_png=image)


def signature_blocks(
    session: Session,
    document_type: str,
    document_id: str,
    zone: dt.tzinfo,
    *,
    worker: SignatureBlock,
    blank_roles: Sequence[tuple[str, frozenset[str]]] = (),
) -> tuple[SignatureBlock, ...]:
    """Signature blocks for a document with captured signatures (empty: the renderer's defaults).

    The worker's block comes first (a captured worker signature replaces ``worker``), then the other
    captured signatures, then a blank block for each ``(role label, signer roles)`` not yet signed.
    """
    rows = _signature_rows(session, document_type, document_id)
    if not rows:
        return ()
    worker_rows = [r for r in rows if r.signer_role == "worker"]
    blocks = [_block_from_row(r, zone) for r in worker_rows] or [worker]
    blocks += [_block_from_row(r, zone) for r in rows if r.signer_role != "worker"]
    signed_roles = {r.signer_role for r in rows}
    blocks += [SignatureBlock(role=label) for label, roles in blank_roles if not roles & signed_roles]
    return tuple(blocks)


def _role_of(session: Session, worker_id: str | None) -> str:
    worker = session.get(Worker, worker_id) if worker_id else None
    if worker is not None and worker.credentials:
        return f"Case manager, {worker.credentials}"
    return "Case manager"


# ---------------------------------------------------------------------------------------------
# Progress notes
# ---------------------------------------------------------------------------------------------


def _goal_labels(session: Session, goal_ids: Iterable[str]) -> dict[str, str]:
    """A label like "Goal 2: <text>" for each goal id, numbered in its plan's order."""
    wanted = set(goal_ids)
    if not wanted:
        return {}
    plan_ids = set(session.execute(select(Goal.plan_id).where(Goal.id.in_(wanted))).scalars())
    labels: dict[str, str] = {}
    for plan_id in plan_ids:
        goals = session.execute(
            select(Goal.id, Goal.text, Goal.deleted_at)
            .where(Goal.plan_id == plan_id)
            .order_by(Goal.position, Goal.created_at)
        ).all()
        number = 0
        for goal_id, text, deleted_at in goals:
            if deleted_at is None:
                number += 1
            if goal_id in wanted:
                labels[goal_id] = f"Goal {number}: {text}" if deleted_at is None else f"(Removed goal) {text}"
    return labels


def _note_sections(note: ProgressNote) -> tuple[NoteTemplate, tuple[NoteSection, ...]]:
    body = {k: str(v) for k, v in (note.body or {}).items() if isinstance(v, str)}
    try:
        template = NoteTemplate(note.template)
    except ValueError:
        # A note kept in another shape (an agency form): print its sections as stored.
        sections = tuple(
            NoteSection(title=SECTION_TITLES.get(k, k.replace("_", " ").capitalize()), text=v) for k, v in body.items()
        )
        return NoteTemplate.NARRATIVE, sections
    return template, note_sections(template, body)


def progress_note_doc(session: Session, note_id: str, zone: dt.tzinfo | None = None) -> ProgressNoteDoc:
    note = get_live(session, ProgressNote, note_id, "progress note")
    client = get_live(session, Client, note.client_id, "client")
    zone = zone or quarterly_service.local_zone(session)
    start = _local(note.contact_start, zone)
    links = list(
        session.execute(select(NoteGoal).where(NoteGoal.note_id == note.id, NoteGoal.deleted_at.is_(None))).scalars()
    )
    labels = _goal_labels(session, [link.goal_id for link in links])
    links.sort(key=lambda link: (_goal_number(labels.get(link.goal_id, "")), labels.get(link.goal_id, "")))
    goals = tuple(
        GoalProgress(
            goal=labels.get(link.goal_id, "Goal"),
            rating=PROGRESS_RATINGS.get(link.rating, link.rating),
            comment=link.comment,
        )
        for link in links
    )
    author = session.get(Worker, note.author_id) if note.author_id else None
    worker_name = note.signer_name or (author.name if author is not None else "")
    signed = None
    if note.status == "signed" and note.signed_at is not None and note.content_hash:
        signed = SignedStamp(
            signer_name=note.signer_name or worker_name,
            signed_at=_local(note.signed_at, zone),
            content_hash=note.content_hash,
            signer_role=_role_of(session, note.signed_by),
        )
    addenda = tuple(
        Addendum(
            author=a.author_name,
            written_at=_local(a.signed_at, zone),
            text=a.text,
            content_hash=a.content_hash,
        )
        for a in session.execute(
            select(NoteAddendum)
            .where(NoteAddendum.note_id == note.id, NoteAddendum.deleted_at.is_(None))
            .order_by(NoteAddendum.signed_at)
        ).scalars()
    )
    worker_block = (
        SignatureBlock(role=signed.signer_role or "Case manager", name=signed.signer_name, signed_at=signed.signed_at)
        if signed is not None
        else SignatureBlock(role="Case manager", name=worker_name or None)
    )
    template, sections = _note_sections(note)
    return ProgressNoteDoc(
        agency=agency_info(session),
        client=client_info(client),
        worker_name=worker_name,
        contact_date=start.date(),
        contact_type=CONTACT_TYPES.get(note.contact_type, note.contact_type),
        template=template,
        sections=sections,
        start_time=start.time().replace(second=0, microsecond=0),
        duration_minutes=note.duration_minutes,
        location=note.location,
        goals=goals,
        service_code=note.service_code,
        billable_units=float(note.billable_units),
        signed=signed,
        addenda=addenda,
        signatures=signature_blocks(session, "note", note.id, zone, worker=worker_block),
    )


def _goal_number(label: str) -> int:
    head = label.split(":", 1)[0].removeprefix("Goal ")
    return int(head) if head.isdigit() else 10**6


def note_pdf(session: Session, note_id: str, *, action: MaybeAction = "print") -> PrintedDocument:
    doc = progress_note_doc(session, note_id)
    pdf = _render(reports.render_progress_note, doc, page_size=page_size(session), printed_at=_now(session))
    document = PrintedDocument(
        kind="progress_note",
        record_id=note_id,
        title=f"Progress note {doc.contact_date.isoformat()}: {doc.client.name}",
        pdf=pdf,
        draft=doc.signed is None,
    )
    return _finish(session, document, action)


def _now(session: Session) -> dt.datetime:
    return dt.datetime.now(quarterly_service.local_zone(session))


# ---------------------------------------------------------------------------------------------
# Quarterly reports
# ---------------------------------------------------------------------------------------------


def period_label(quarter_label: str) -> str:
    """How a quarter is named on paper: "2026Q3" -> "Q3 2026", "PY2026Q1" -> "Plan year 2026, Q1"."""
    text = quarter_label.strip().upper()
    if text.startswith("PY") and "Q" in text[2:]:
        year, number = text[2:].split("Q", 1)
        return f"Plan year {year}, Q{number}"
    if "Q" in text:
        year, number = text.split("Q", 1)
        return f"Q{number} {year}"
    return quarter_label


def quarterly_doc(session: Session, view: QuarterlyReportView, zone: dt.tzinfo | None = None) -> QuarterlyReportDoc:
    """The printable report for a stored or in-memory report."""
    zone = zone or quarterly_service.local_zone(session)
    client = get_live(session, Client, view.client_id, "client")
    evidence = view.evidence
    goals = tuple(
        QuarterGoal(
            label=g.label,
            text=g.text,
            narrative=view.narratives.get(g.goal_id, ""),
            evidence=tuple(
                GoalEvidence(
                    contact_date=e.contact_date,
                    contact_type=CONTACT_TYPES.get(e.contact_type, e.contact_type),
                    rating=PROGRESS_RATINGS.get(e.rating, e.rating) if e.rating else None,
                    excerpt=e.excerpt,
                )
                for e in g.entries
            ),
            outcome=GoalOutcome(g.outcome),
            outcome_note=(
                f"{g.outcome.capitalize()} on {long_date(g.outcome_date)}"
                if g.outcome_date and g.outcome != "ongoing"
                else None
            ),
        )
        for g in evidence.goals
    )
    signed = None
    if not view.is_draft and view.signed_at is not None and view.content_hash:
        signed = SignedStamp(
            signer_name=view.signer_name or view.worker_name,
            signed_at=_local(view.signed_at, zone),
            content_hash=view.content_hash,
            signer_role=_role_of(session, view.signed_by),
        )
    worker_block = (
        SignatureBlock(role=signed.signer_role or "Case manager", name=signed.signer_name, signed_at=signed.signed_at)
        if signed is not None
        else SignatureBlock(role="Case manager", name=view.worker_name or None)
    )
    signatures = (
        signature_blocks(
            session,
            "report",
            view.report_id,
            zone,
            worker=worker_block,
            blank_roles=(
                ("Supervisor", frozenset({"supervisor"})),
                ("Client or guardian", frozenset({"client", "guardian"})),
            ),
        )
        if view.report_id is not None
        else ()
    )
    return QuarterlyReportDoc(
        agency=agency_info(session),
        client=client_info(client),
        worker_name=view.worker_name,
        period_label=period_label(view.quarter_label),
        period_start=view.period_start,
        period_end=view.period_end,
        due_date=view.due_date,
        goals=goals,
        plan_name=evidence.plan_title,
        contacts_by_type=tuple(
            ContactCount(contact_type=CONTACT_TYPES.get(kind, kind), count=count)
            for kind, count in evidence.contacts_by_type
        ),
        face_to_face_visits=evidence.face_to_face,
        units_by_service=tuple(
            ServiceUnits(service_code=code or "No code", units=float(units))
            for code, units in evidence.units_by_service
        ),
        next_plan_review=evidence.next_plan_review,
        summary=view.summary,
        missing_evidence=view.warnings if view.is_draft else (),
        signed=signed,
        signatures=signatures,
    )


def _quarterly_document(session: Session, view: QuarterlyReportView, action: MaybeAction) -> PrintedDocument:
    doc = quarterly_doc(session, view)
    pdf = _render(reports.render_quarterly_report, doc, page_size=page_size(session), printed_at=_now(session))
    document = PrintedDocument(
        kind="quarterly_report",
        record_id=view.report_id,
        title=f"Quarterly report {doc.period_label}: {doc.client.name}",
        pdf=pdf,
        draft=doc.signed is None,
        audit_detail={"quarter": view.quarter_label, "stored": view.stored},
    )
    return _finish(session, document, action)


def quarterly_report_pdf(
    session: Session, report_id: str, *, action: MaybeAction = "print", today: dt.date | None = None
) -> PrintedDocument:
    """A stored report: a draft as it stands ``today`` (default: the worker's today), a signed one
    exactly as signed."""
    view = quarterly_service.get_report(session, report_id, today=today, audit_view=False)
    return _quarterly_document(session, view, action)


def client_quarter_pdf(
    session: Session,
    client_id: str,
    quarter_label: str,
    *,
    action: MaybeAction = "print",
    store_draft: bool = True,
    today: dt.date | None = None,
) -> PrintedDocument:
    """The client's report for a quarter: the stored one, else a new draft (stored when ``store_draft``,
    else drafted in memory only)."""
    if store_draft:
        report_id = quarterly_service.get_or_create_draft(session, client_id, quarter_label, today=today)
        return quarterly_report_pdf(session, report_id, action=action, today=today)
    quarter, _plan = quarterly_service.resolve_quarter(session, client_id, quarter_label)
    existing = quarterly_service.find_report(session, client_id, quarter.label)
    if existing is not None:
        return quarterly_report_pdf(session, existing, action=action, today=today)
    view = quarterly_service.preview(session, client_id, quarter.label, today=today)
    return _quarterly_document(session, view, action)


@dataclass(frozen=True)
class BatchContents:
    reports: int
    stored: int
    drafted: int  # drafted in memory: no stored report yet


def quarterly_batch_views(
    session: Session, quarter_label: str, *, today: dt.date | None = None
) -> list[QuarterlyReportView]:
    """Every client's report for the quarter, by client name: the stored report when there is one, else
    a draft made in memory (not stored)."""
    label = quarterly_service.check_label(session, quarter_label)
    today = today or quarterly_service.local_today(session)
    views = []
    for client, quarter, _plan in quarterly_service.quarter_clients(session, label):
        existing = quarterly_service.find_report(session, client.id, quarter.label)
        if existing is not None:
            views.append(quarterly_service.get_report(session, existing, today=today, audit_view=False))
        else:
            views.append(quarterly_service.preview(session, client.id, quarter.label, today=today))
    return views


def quarterly_batch_pdf(
    session: Session, quarter_label: str, *, action: MaybeAction = "print", today: dt.date | None = None
) -> tuple[PrintedDocument, BatchContents]:
    """All quarterly reports of a quarter in one PDF (each numbered on its own, with a bookmark).
    Reports not stored yet are drafted in memory, not stored, and print as DRAFT."""
    views = quarterly_batch_views(session, quarter_label, today=today)
    if not views:
        raise NotFoundError(f"No client was in service during {quarter_label.strip().upper()}; nothing to print.")
    zone = quarterly_service.local_zone(session)
    docs = [quarterly_doc(session, view, zone) for view in views]
    label = views[0].quarter_label
    pdf = _render(
        reports.render_quarterly_batch,
        docs,
        page_size=page_size(session),
        printed_at=_now(session),
        title=f"Quarterly reports {period_label(label)} ({len(docs)})",
    )
    contents = BatchContents(
        reports=len(views),
        stored=sum(1 for v in views if v.stored),
        drafted=sum(1 for v in views if not v.stored),
    )
    printed = PrintedDocument(
        kind="quarterly_batch",
        record_id=None,
        title=f"Quarterly reports {period_label(label)}",
        pdf=pdf,
        draft=any(d.signed is None for d in docs),
        parts=len(docs),
        audit_detail={
            "quarter": quarterly_service.check_label(session, quarter_label),
            "reports": contents.reports,
            "drafted": contents.drafted,
        },
    )
    return _finish(session, printed, action), contents


# ---------------------------------------------------------------------------------------------
# Forms
# ---------------------------------------------------------------------------------------------


def form_response_layout(session: Session, response_id: str) -> tuple[FormPrintLayout, ClientInfo | None]:
    """A filled form under the version it was filled with, with its captured signatures."""
    row = get_live(session, FormResponse, response_id, "form response")
    definition = forms_service.printable_definition(session, row.template_key, row.template_version)
    client = get_live(session, Client, row.client_id, "client") if row.client_id else None
    zone = quarterly_service.local_zone(session)
    by_id = {s.id: s for s in _signature_rows(session, "form", row.id)}
    answers = row.answers or {}
    captures: dict[str, SignatureCapture] = {}
    for info in definition.walk():
        field = info.field
        if field.type is not FieldType.SIGNATURE or info.repeats:
            continue
        marker = answers.get(field.key)
        signature = by_id.get(marker) if isinstance(marker, str) else None
        if signature is None:
            continue
        when = _local(signature.signed_at, zone).strftime("%Y-%m-%d %H:%M")
        image = signature.image_png if signature.image_png and signature.image_png.startswith(PNG_MAGIC) else None
        captures[field.key] = SignatureCapture(
            signer_name=signature.signer_name,
            signed_at=when + (" (signed on paper)" if signature.method == "wet" else ""),
            image_png=image,
        )
    context = forms_service.fill_context(
        session, client.id if client is not None else None, today=quarterly_service.local_today(session)
    )
    layout = layout_for(definition, answers, context, captures, status=row.status)
    return layout, client_info(client) if client is not None else None


def form_response_pdf(session: Session, response_id: str, *, action: MaybeAction = "print") -> PrintedDocument:
    layout, client = form_response_layout(session, response_id)
    pdf = _render(
        reports.render_form,
        layout,
        agency=agency_info(session),
        client=client,
        page_size=page_size(session),
        printed_at=_now(session),
    )
    who = f": {client.name}" if client is not None else ""
    document = PrintedDocument(
        kind="form_response",
        record_id=response_id,
        title=f"{layout.title}{who}",
        pdf=pdf,
        draft=layout.status != "final",
        audit_detail={"form_key": layout.form_key, "form_version": layout.form_version},
    )
    return _finish(session, document, action)


def blank_form_pdf(
    session: Session,
    key: str,
    *,
    version: int | None = None,
    client_id: str | None = None,
    action: MaybeAction = "print",
) -> PrintedDocument:
    """A form for filling on paper; with a client, the client fields and header come filled in."""
    definition = forms_service.printable_definition(session, key.strip(), version)
    client = get_live(session, Client, client_id, "client") if client_id else None
    context = (
        forms_service.fill_context(session, client.id, today=quarterly_service.local_today(session))
        if client is not None
        else None
    )
    layout = layout_for(definition, None, context)
    pdf = _render(
        reports.render_form,
        layout,
        agency=agency_info(session),
        client=client_info(client) if client is not None else None,
        page_size=page_size(session),
        printed_at=_now(session),
    )
    document = PrintedDocument(
        kind="blank_form",
        record_id=None,
        title=definition.name,
        pdf=pdf,
        draft=False,
        audit_detail={"form_key": definition.key, "form_version": definition.version},
    )
    return _finish(session, document, action)


# ---------------------------------------------------------------------------------------------
# Due list (the deadline rules of casedesk.domain.deadlines over facts loaded here)
# ---------------------------------------------------------------------------------------------


def due_list_doc(session: Session, *, within_days: int | None = None, now: dt.datetime | None = None) -> DueListDoc:
    """Open deadlines of the caseload: overdue ones, and those due within ``within_days`` (all when None)."""
    if within_days is not None and within_days < 0:
        raise ValidationError("--within must be 0 days or more.")
    moment = now or dt.datetime.now(dt.UTC)
    rules = deadline_service.deadline_settings(session)
    today = moment.astimezone(rules.zone).date()
    entries = deadline_service.select_entries(
        deadline_service.due_entries(session, now=moment, settings=rules), today=today, within_days=within_days
    )
    records: dict[str, str | None] = {
        client_id: record
        for client_id, record in session.execute(
            select(Client.id, Client.record_number).where(Client.deleted_at.is_(None))
        )
    }
    items = [
        DueItem(
            client_name=entry.client_name,
            kind=entry.title,  # the rule's own words: "Quarterly report 2026Q3", "Renew the service plan"
            due_date=entry.due_date,
            status=_DUE_STATUS[entry.status],
            record_number=records.get(entry.client_id),
        )
        for entry in entries
    ]
    store = session.info.get("store")
    worker = store.current_worker(session) if store is not None else None
    title = "Due and overdue" if within_days is None else f"Due within {within_days} days and overdue"
    return DueListDoc(
        agency=agency_info(session),
        as_of=today,
        items=tuple(items),
        worker_name=worker.name if worker is not None else None,
        title=title,
    )


def due_list_pdf(
    session: Session, *, within_days: int | None = None, action: MaybeAction = "print", now: dt.datetime | None = None
) -> PrintedDocument:
    doc = due_list_doc(session, within_days=within_days, now=now)
    pdf = _render(reports.render_due_list, doc, page_size=page_size(session), printed_at=_now(session))
    document = PrintedDocument(
        kind="due_list",
        record_id=None,
        title=doc.title,
        pdf=pdf,
        draft=False,
        audit_detail={"items": len(doc.items), "within_days": within_days},
    )
    return _finish(session, document, action)
