"""Progress notes: drafts, signing (locks the note), addenda, lists and autosaves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.db.models import (
    Appointment,
    Client,
    DraftAutosave,
    Goal,
    NoteAddendum,
    NoteGoal,
    ProgressNote,
    Worker,
)
from casedesk.db.types import new_id, utcnow
from casedesk.domain import notes as rules
from casedesk.domain.notes import GoalRating, NoteAction, NoteStatus
from casedesk.errors import ValidationError
from casedesk.services import audit
from casedesk.services.records import get_live


@dataclass(frozen=True)
class NoteInput:
    """What the note editor (or CLI, or demo) hands to the service."""

    client_id: str
    contact_start: dt.datetime
    duration_minutes: int
    contact_type: str = "face_to_face"
    template: str = "dap"
    body: dict[str, str] = field(default_factory=dict)
    location: str | None = None
    service_code: str | None = None
    billable_units: int | None = None  # None: computed from duration with the units rule
    appointment_id: str | None = None
    goals: tuple[GoalRating, ...] = ()


@dataclass(frozen=True)
class NoteSummary:
    id: str
    client_id: str
    contact_start: dt.datetime
    duration_minutes: int
    contact_type: str
    template: str
    status: str
    signer_name: str | None
    signed_at: dt.datetime | None
    excerpt: str
    addenda: int


@dataclass(frozen=True)
class AddendumInfo:
    id: str
    author_name: str
    text: str
    signed_at: dt.datetime
    content_hash: str


@dataclass(frozen=True)
class NoteDetail:
    id: str
    client_id: str
    appointment_id: str | None
    author_id: str | None
    contact_start: dt.datetime
    duration_minutes: int
    contact_type: str
    location: str | None
    template: str
    body: dict[str, str]
    service_code: str | None
    billable_units: int
    status: str
    signed_by: str | None
    signer_name: str | None
    signed_at: dt.datetime | None
    content_hash: str | None
    goals: tuple[GoalRating, ...]
    addenda: tuple[AddendumInfo, ...]
    version: int

    @property
    def is_signed(self) -> bool:
        return self.status == NoteStatus.SIGNED


def _units_rule(session: Session) -> str:
    from casedesk.services import settings

    return str(settings.get(session, "units_rule"))


def _validate(session: Session, data: NoteInput) -> None:
    rules.sections_for(data.template)
    if data.contact_type not in rules.CONTACT_TYPES:
        raise ValidationError(f"Unknown contact type {data.contact_type!r}.")
    if data.contact_start.tzinfo is None:
        raise ValidationError("The contact time needs a time zone.")
    if data.duration_minutes < 0 or data.duration_minutes > 24 * 60:
        raise ValidationError("The contact duration must be between 0 and 1440 minutes.")
    if data.billable_units is not None and data.billable_units < 0:
        raise ValidationError("Billable units cannot be negative.")
    unknown_sections = set(data.body) - set(rules.sections_for(data.template))
    if unknown_sections:
        raise ValidationError(f"Sections {sorted(unknown_sections)} do not belong to a {data.template} note.")
    for rating in data.goals:
        if rating.rating not in rules.PROGRESS_RATINGS:
            raise ValidationError(f"Unknown progress rating {rating.rating!r}.")
    get_live(session, Client, data.client_id, "client")
    if data.appointment_id:
        get_live(session, Appointment, data.appointment_id, "appointment")


def create_draft(session: Session, data: NoteInput, note_id: str | None = None) -> str:
    _validate(session, data)
    units = data.billable_units
    if units is None:
        units = rules.billable_units(data.duration_minutes, _units_rule(session))
    note = ProgressNote(
        id=note_id or new_id(),
        client_id=data.client_id,
        appointment_id=data.appointment_id,
        author_id=session.info.get("actor") if session.get(Worker, session.info.get("actor") or "") else None,
        contact_start=data.contact_start,
        duration_minutes=data.duration_minutes,
        contact_type=data.contact_type,
        location=data.location,
        template=data.template,
        body=dict(data.body),
        service_code=data.service_code,
        billable_units=units,
        status=NoteStatus.DRAFT.value,
    )
    session.add(note)
    session.flush()
    _set_goal_links(session, note, data.goals)
    audit.record(session, "create", "progress_note", note.id, {"client_id": data.client_id})
    return note.id


def update_draft(session: Session, note_id: str, data: NoteInput) -> None:
    note = get_live(session, ProgressNote, note_id, "note")
    rules.next_status(NoteStatus(note.status), NoteAction.EDIT)
    if data.client_id != note.client_id:
        raise ValidationError("A note cannot be moved to another client.")
    _validate(session, data)
    units = data.billable_units
    if units is None:
        units = rules.billable_units(data.duration_minutes, _units_rule(session))
    new_values: dict[str, Any] = {
        "appointment_id": data.appointment_id,
        "contact_start": data.contact_start,
        "duration_minutes": data.duration_minutes,
        "contact_type": data.contact_type,
        "location": data.location,
        "template": data.template,
        "body": dict(data.body),
        "service_code": data.service_code,
        "billable_units": units,
    }
    for key, value in new_values.items():
        if getattr(note, key) != value:
            setattr(note, key, value)
    _set_goal_links(session, note, data.goals)
    session.flush()
    audit.record(session, "update", "progress_note", note_id)


def _set_goal_links(session: Session, note: ProgressNote, goals: Sequence[GoalRating]) -> None:
    wanted = {g.goal_id: g for g in goals}
    if len(wanted) != len(goals):
        raise ValidationError("A goal is listed twice on this note.")
    if wanted:
        known = set(session.execute(select(Goal.id).where(Goal.id.in_(wanted), Goal.deleted_at.is_(None))).scalars())
        missing = set(wanted) - known
        if missing:
            raise ValidationError(f"Unknown goal(s): {', '.join(sorted(missing))}.")
    existing = {
        link.goal_id: link
        for link in session.execute(
            select(NoteGoal).where(NoteGoal.note_id == note.id, NoteGoal.deleted_at.is_(None))
        ).scalars()
    }
    for goal_id, link in existing.items():
        if goal_id not in wanted:
            link.deleted_at = utcnow()
        else:
            want = wanted[goal_id]
            if link.rating != want.rating:
                link.rating = want.rating
            if (link.comment or None) != (want.comment or None):
                link.comment = want.comment
    for goal_id, want in wanted.items():
        if goal_id not in existing:
            session.add(NoteGoal(note_id=note.id, goal_id=goal_id, rating=want.rating, comment=want.comment))


def _goal_ratings(session: Session, note_id: str) -> tuple[GoalRating, ...]:
    rows = session.execute(
        select(NoteGoal.goal_id, NoteGoal.rating, NoteGoal.comment)
        .join(Goal, Goal.id == NoteGoal.goal_id)
        .where(NoteGoal.note_id == note_id, NoteGoal.deleted_at.is_(None))
        .order_by(Goal.position)
    )
    return tuple(GoalRating(g, r, c) for g, r, c in rows)


def sign_note(session: Session, note_id: str, signed_at: dt.datetime | None = None) -> str:
    """Sign and lock a draft. Records signer, time and SHA-256 of the canonical content; returns the hash."""
    note = get_live(session, ProgressNote, note_id, "note")
    rules.next_status(NoteStatus(note.status), NoteAction.SIGN)
    problems = rules.check_signable(note.body or {}, note.template, note.duration_minutes)
    if problems:
        raise ValidationError("This note cannot be signed yet: " + " ".join(problems))
    store = session.info.get("store")
    worker = store.current_worker(session) if store is not None else None
    signer_id = worker.id if worker else session.info.get("actor")
    signer_name = worker.name if worker else str(signer_id)
    when = signed_at or utcnow()
    digest = rules.content_hash(
        rules.canonical_note_content(
            note_id=note.id,
            client_id=note.client_id,
            contact_start=note.contact_start,
            duration_minutes=note.duration_minutes,
            contact_type=note.contact_type,
            location=note.location,
            template=note.template,
            body=note.body or {},
            service_code=note.service_code,
            billable_units=note.billable_units,
            goals=_goal_ratings(session, note.id),
            signer_id=signer_id,
            signer_name=signer_name,
            signed_at=when,
        )
    )
    note.status = NoteStatus.SIGNED.value
    note.signed_by = signer_id
    note.signer_name = signer_name
    note.signed_at = when
    note.content_hash = digest
    session.flush()
    discard_autosave(session, f"note:{note_id}")
    audit.record(session, "sign", "progress_note", note.id, {"content_hash": digest})
    return digest


def verify_note_hash(session: Session, note_id: str) -> bool:
    """Recompute a signed note's hash from its stored content: False means it was tampered with."""
    note = get_live(session, ProgressNote, note_id, "note")
    if note.status != NoteStatus.SIGNED or note.signed_at is None or note.content_hash is None:
        return False
    digest = rules.content_hash(
        rules.canonical_note_content(
            note_id=note.id,
            client_id=note.client_id,
            contact_start=note.contact_start,
            duration_minutes=note.duration_minutes,
            contact_type=note.contact_type,
            location=note.location,
            template=note.template,
            body=note.body or {},
            service_code=note.service_code,
            billable_units=note.billable_units,
            goals=_goal_ratings(session, note.id),
            signer_id=note.signed_by,
            signer_name=note.signer_name or "",
            signed_at=note.signed_at,
        )
    )
    return digest == note.content_hash


def add_addendum(session: Session, note_id: str, text: str) -> str:
    """Correct a signed note: a new signed row that refers to it. The note itself never changes."""
    note = get_live(session, ProgressNote, note_id, "note")
    rules.next_status(NoteStatus(note.status), NoteAction.ADD_ADDENDUM)
    if not text.strip():
        raise ValidationError("An addendum needs some text.")
    store = session.info.get("store")
    worker = store.current_worker(session) if store is not None else None
    author_name = worker.name if worker else "Unknown"
    when = utcnow()
    addendum_id = new_id()
    digest = rules.content_hash(
        rules.canonical_addendum(
            addendum_id=addendum_id,
            note_id=note.id,
            note_hash=note.content_hash or "",
            author_name=author_name,
            text=text.strip(),
            signed_at=when,
        )
    )
    session.add(
        NoteAddendum(
            id=addendum_id,
            note_id=note.id,
            author_id=worker.id if worker else None,
            author_name=author_name,
            text=text.strip(),
            signed_at=when,
            content_hash=digest,
        )
    )
    session.flush()
    audit.record(session, "addendum", "progress_note", note.id, {"addendum_id": addendum_id})
    return addendum_id


def delete_draft(session: Session, note_id: str) -> None:
    note = get_live(session, ProgressNote, note_id, "note")
    rules.next_status(NoteStatus(note.status), NoteAction.DELETE)
    note.deleted_at = utcnow()
    session.flush()
    audit.record(session, "delete", "progress_note", note_id)


def get_note(session: Session, note_id: str, *, audit_view: bool = True) -> NoteDetail:
    note = get_live(session, ProgressNote, note_id, "note")
    addenda = tuple(
        AddendumInfo(a.id, a.author_name, a.text, a.signed_at, a.content_hash)
        for a in session.execute(
            select(NoteAddendum)
            .where(NoteAddendum.note_id == note_id, NoteAddendum.deleted_at.is_(None))
            .order_by(NoteAddendum.signed_at)
        ).scalars()
    )
    if audit_view:
        audit.record(session, "view", "progress_note", note_id)
    return NoteDetail(
        id=note.id,
        client_id=note.client_id,
        appointment_id=note.appointment_id,
        author_id=note.author_id,
        contact_start=note.contact_start,
        duration_minutes=note.duration_minutes,
        contact_type=note.contact_type,
        location=note.location,
        template=note.template,
        body=dict(note.body or {}),
        service_code=note.service_code,
        billable_units=note.billable_units,
        status=note.status,
        signed_by=note.signed_by,
        signer_name=note.signer_name,
        signed_at=note.signed_at,
        content_hash=note.content_hash,
        goals=_goal_ratings(session, note_id),
        addenda=addenda,
        version=note.version,
    )


def note_input_from(detail: NoteDetail, **changes: Any) -> NoteInput:
    """A NoteInput carrying a stored note's content (handy for editing one field)."""
    base = NoteInput(
        client_id=detail.client_id,
        contact_start=detail.contact_start,
        duration_minutes=detail.duration_minutes,
        contact_type=detail.contact_type,
        template=detail.template,
        body=dict(detail.body),
        location=detail.location,
        service_code=detail.service_code,
        billable_units=detail.billable_units,
        appointment_id=detail.appointment_id,
        goals=detail.goals,
    )
    return replace(base, **changes)


def list_notes(session: Session, client_id: str, *, include_drafts: bool = True) -> list[NoteSummary]:
    get_live(session, Client, client_id, "client")
    query = (
        select(ProgressNote)
        .where(ProgressNote.client_id == client_id, ProgressNote.deleted_at.is_(None))
        .order_by(ProgressNote.contact_start.desc())
    )
    if not include_drafts:
        query = query.where(ProgressNote.status == NoteStatus.SIGNED.value)
    notes = list(session.execute(query).scalars())
    addenda_counts: dict[str, int] = {}
    if notes:
        for nid in session.execute(
            select(NoteAddendum.note_id).where(NoteAddendum.note_id.in_([n.id for n in notes]))
        ).scalars():
            addenda_counts[nid] = addenda_counts.get(nid, 0) + 1
    return [
        NoteSummary(
            id=n.id,
            client_id=n.client_id,
            contact_start=n.contact_start,
            duration_minutes=n.duration_minutes,
            contact_type=n.contact_type,
            template=n.template,
            status=n.status,
            signer_name=n.signer_name,
            signed_at=n.signed_at,
            excerpt=excerpt(n.search_text),
            addenda=addenda_counts.get(n.id, 0),
        )
        for n in notes
    ]


def excerpt(text: str, length: int = 140) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def unsigned_draft_count(session: Session) -> int:
    from sqlalchemy import func

    return int(
        session.execute(
            select(func.count())
            .select_from(ProgressNote)
            .where(ProgressNote.status == NoteStatus.DRAFT.value, ProgressNote.deleted_at.is_(None))
        ).scalar_one()
    )


# ---- autosave (local only, never synced) -----------------------------------------------------------


def autosave(session: Session, editor_key: str, payload: dict[str, Any], client_id: str | None = None) -> None:
    row = session.get(DraftAutosave, editor_key)
    if row is None:
        session.add(DraftAutosave(editor_key=editor_key, client_id=client_id, payload=payload, saved_at=utcnow()))
    else:
        row.payload = payload
        row.saved_at = utcnow()


def discard_autosave(session: Session, editor_key: str) -> None:
    row = session.get(DraftAutosave, editor_key)
    if row is not None:
        session.delete(row)


@dataclass(frozen=True)
class Autosaved:
    editor_key: str
    client_id: str | None
    payload: dict[str, Any]
    saved_at: dt.datetime


def pending_autosaves(session: Session) -> list[Autosaved]:
    return [
        Autosaved(r.editor_key, r.client_id, dict(r.payload), r.saved_at)
        for r in session.execute(select(DraftAutosave).order_by(DraftAutosave.saved_at)).scalars()
    ]
