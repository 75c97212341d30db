"""Typed SQLAlchemy 2 models: the whole CaseDesk data model (DESIGN.md section 3).

Every synced row has a device-generated UUID key, UTC timestamps, a version bumped on every local
change, the last version the server acknowledged, and a soft-delete mark. Local-only tables (audit
log, outbox, sync state, settings, draft autosaves) do not.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from casedesk.db.types import JSONDoc, UTCDateTime, new_id, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: UTCDateTime(), dict[str, Any]: JSONDoc(), list[Any]: JSONDoc()}


class Synced:
    """Columns every synced row carries."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer, default=1)
    server_version: Mapped[int | None] = mapped_column(Integer)
    deleted_at: Mapped[dt.datetime | None]


# Columns that describe the row's bookkeeping rather than its content (not sent as changes).
BOOKKEEPING_COLUMNS = frozenset({"id", "created_at", "updated_at", "updated_by", "version", "server_version"})


# ---------------------------------------------------------------------------------------------
# People and organisations
# ---------------------------------------------------------------------------------------------


class Agency(Synced, Base):
    __tablename__ = "agency"
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(Text)
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary)


class Worker(Synced, Base):
    """A case manager, supervisor or admin known to this device (the signed-in user among them)."""

    __tablename__ = "worker"
    name: Mapped[str] = mapped_column(String(200))
    login: Mapped[str | None] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20), default="worker")  # worker / supervisor / admin
    email: Mapped[str | None] = mapped_column(String(200))
    agency_id: Mapped[str | None] = mapped_column(ForeignKey("agency.id"))
    credentials: Mapped[str | None] = mapped_column(String(200))  # e.g. "QIDP, LSW"


CASELOAD_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "preferred_name",
    "record_number",
    "dob",
    "program",
    "status",
    "assigned_worker_id",
    "risk_flags",
)


class Client(Synced, Base):
    __tablename__ = "client"
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    preferred_name: Mapped[str | None] = mapped_column(String(100))
    dob: Mapped[dt.date | None] = mapped_column(Date)
    medicaid_id: Mapped[str | None] = mapped_column(String(40))
    record_number: Mapped[str | None] = mapped_column(String(40), index=True)
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(60))
    program: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="active")  # active / inactive / discharged
    assigned_worker_id: Mapped[str | None] = mapped_column(ForeignKey("worker.id"), index=True)
    risk_flags: Mapped[list[Any]] = mapped_column(default=list)
    intake_date: Mapped[dt.date | None] = mapped_column(Date)
    discharge_date: Mapped[dt.date | None] = mapped_column(Date)

    contacts: Mapped[list[Contact]] = relationship(back_populates="client", order_by="Contact.name")
    agencies: Mapped[list[ClientAgency]] = relationship(back_populates="client")

    __table_args__ = (
        # covering index for the caseload list (services.clients.caseload): opening a large caseload
        # decrypts these few columns, not every client's whole row
        Index("ix_client_caseload", *CASELOAD_COLUMNS, sqlite_where=text("deleted_at IS NULL")),
    )
    plans: Mapped[list[ServicePlan]] = relationship(back_populates="client", order_by="ServicePlan.effective_from")

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}".strip()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Contact(Synced, Base):
    """Family member, guardian, payee, physician ... of one client."""

    __tablename__ = "contact"
    client_id: Mapped[str] = mapped_column(ForeignKey("client.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    relation: Mapped[str] = mapped_column(String(60))  # mother, guardian, payee, physician, ...
    is_guardian: Mapped[bool] = mapped_column(Boolean, default=False)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)
    consent_to_share: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_expires: Mapped[dt.date | None] = mapped_column(Date)

    client: Mapped[Client] = relationship(back_populates="contacts")


class ProviderAgency(Synced, Base):
    """An outside agency providing services (day program, residential provider, pharmacy ...)."""

    __tablename__ = "provider_agency"
    name: Mapped[str] = mapped_column(String(200))
    service_type: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)


class ClientAgency(Synced, Base):
    """One of the 2-5 provider agencies serving a client, with the named contact there."""

    __tablename__ = "client_agency"
    client_id: Mapped[str] = mapped_column(ForeignKey("client.id"), index=True)
    provider_agency_id: Mapped[str] = mapped_column(ForeignKey("provider_agency.id"), index=True)
    role: Mapped[str | None] = mapped_column(String(100))  # service provided for this client
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)

    client: Mapped[Client] = relationship(back_populates="agencies")
    provider: Mapped[ProviderAgency] = relationship()

    __table_args__ = (
        # covering index for the caseload list's agency names (filter by agency)
        Index(
            "ix_client_agency_live_client_provider",
            "client_id",
            "provider_agency_id",
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )


# ---------------------------------------------------------------------------------------------
# Plans and goals
# ---------------------------------------------------------------------------------------------


class ServicePlan(Synced, Base):
    """ISP / treatment plan. The plan year starts at effective_from."""

    __tablename__ = "service_plan"
    client_id: Mapped[str] = mapped_column(ForeignKey("client.id"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="Individual Service Plan")
    effective_from: Mapped[dt.date] = mapped_column(Date)
    effective_to: Mapped[dt.date | None] = mapped_column(Date)
    review_due: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")  # draft/active/expired/closed
    reviewed_on: Mapped[dt.date | None] = mapped_column(Date)  # the review due on review_due was held

    client: Mapped[Client] = relationship(back_populates="plans")
    goals: Mapped[list[Goal]] = relationship(back_populates="plan", order_by="Goal.position")


class Goal(Synced, Base):
    __tablename__ = "goal"
    plan_id: Mapped[str] = mapped_column(ForeignKey("service_plan.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    objective: Mapped[str | None] = mapped_column(Text)
    measure: Mapped[str | None] = mapped_column(Text)
    target_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active/met/changed/discontinued
    met_on: Mapped[dt.date | None] = mapped_column(Date)

    plan: Mapped[ServicePlan] = relationship(back_populates="goals")


# ---------------------------------------------------------------------------------------------
# Calendar
# ---------------------------------------------------------------------------------------------


class Appointment(Synced, Base):
    """A visit or meeting. A recurring series carries an RRULE; an edited single occurrence is its own
    row pointing at the series with the original start (RFC 5545 RECURRENCE-ID)."""

    __tablename__ = "appointment"
    client_id: Mapped[str | None] = mapped_column(ForeignKey("client.id"), index=True)
    worker_id: Mapped[str | None] = mapped_column(ForeignKey("worker.id"))
    title: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="home_visit")  # home_visit/office/phone/meeting
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    ends_at: Mapped[dt.datetime]
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")  # IANA zone the times were set in
    location: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="planned")  # planned/done/missed/cancelled
    rrule: Mapped[str | None] = mapped_column(String(300))
    exdates: Mapped[list[Any]] = mapped_column(default=list)  # ISO UTC datetimes of removed occurrences
    until: Mapped[dt.datetime | None]  # end of a series cut by "edit all future"
    series_id: Mapped[str | None] = mapped_column(ForeignKey("appointment.id"), index=True)
    original_start: Mapped[dt.datetime | None]
    ics_uid: Mapped[str | None] = mapped_column(String(300))
    completed_at: Mapped[dt.datetime | None]

    __table_args__ = (
        # covers "next planned visit per client" for the caseload list
        Index(
            "ix_appointment_planned_client_start",
            "client_id",
            "starts_at",
            sqlite_where=text("deleted_at IS NULL AND status = 'planned'"),
        ),
        # the calendar reads every live repeating series whatever its first date
        Index(
            "ix_appointment_live_series_start",
            "starts_at",
            sqlite_where=text("deleted_at IS NULL AND rrule IS NOT NULL"),
        ),
        # covers the deadline engine's read of every done visit (no table pages are decrypted)
        Index(
            "ix_appointment_done_visit_facts",
            "client_id",
            "starts_at",
            "kind",
            "ends_at",
            "id",
            sqlite_where=text("deleted_at IS NULL AND status = 'done' AND rrule IS NULL"),
        ),
    )


# ---------------------------------------------------------------------------------------------
# Notes and reports
# ---------------------------------------------------------------------------------------------


class ProgressNote(Synced, Base):
    __tablename__ = "progress_note"
    client_id: Mapped[str] = mapped_column(ForeignKey("client.id"), index=True)
    appointment_id: Mapped[str | None] = mapped_column(ForeignKey("appointment.id"), index=True)
    author_id: Mapped[str | None] = mapped_column(ForeignKey("worker.id"))
    contact_start: Mapped[dt.datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=0)
    contact_type: Mapped[str] = mapped_column(String(30), default="face_to_face")
    location: Mapped[str | None] = mapped_column(String(300))
    template: Mapped[str] = mapped_column(String(20), default="dap")  # dap / soap / narrative / form
    body: Mapped[dict[str, Any]] = mapped_column(default=dict)  # section name -> text
    service_code: Mapped[str | None] = mapped_column(String(20))
    billable_units: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default="draft")  # draft / signed
    signed_by: Mapped[str | None] = mapped_column(String(36))
    signer_name: Mapped[str | None] = mapped_column(String(200))
    signed_at: Mapped[dt.datetime | None]
    content_hash: Mapped[str | None] = mapped_column(String(64))
    search_text: Mapped[str] = mapped_column(Text, default="")  # derived from body, indexed by FTS5

    goal_links: Mapped[list[NoteGoal]] = relationship(back_populates="note")
    addenda: Mapped[list[NoteAddendum]] = relationship(back_populates="note", order_by="NoteAddendum.created_at")

    __table_args__ = (
        Index("ix_progress_note_client_start", "client_id", "contact_start"),
        # covers "last contact per client" for the caseload list without touching note bodies
        Index(
            "ix_progress_note_live_client_start",
            "client_id",
            "contact_start",
            sqlite_where=text("deleted_at IS NULL"),
        ),
        # covers the deadline engine's read of every note without decrypting note bodies
        Index(
            "ix_progress_note_deadline_facts",
            "status",
            "client_id",
            "contact_start",
            "contact_type",
            "appointment_id",
            "signed_at",
            "duration_minutes",
            "id",
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )


# Content of a note that signing freezes (the trigger and the ORM guard both use this list).
NOTE_CONTENT_COLUMNS = (
    "client_id",
    "appointment_id",
    "author_id",
    "contact_start",
    "duration_minutes",
    "contact_type",
    "location",
    "template",
    "body",
    "service_code",
    "billable_units",
    "status",
    "signed_by",
    "signer_name",
    "signed_at",
    "content_hash",
    "deleted_at",
)


class NoteGoal(Synced, Base):
    """A plan goal addressed by a note, with the progress rating given for it."""

    __tablename__ = "note_goal"
    note_id: Mapped[str] = mapped_column(ForeignKey("progress_note.id"), index=True)
    goal_id: Mapped[str] = mapped_column(ForeignKey("goal.id"), index=True)
    rating: Mapped[str] = mapped_column(String(20), default="some")  # see domain.notes.PROGRESS_RATINGS
    comment: Mapped[str | None] = mapped_column(Text)

    note: Mapped[ProgressNote] = relationship(back_populates="goal_links")
    goal: Mapped[Goal] = relationship()


class NoteAddendum(Synced, Base):
    """The only way to correct a signed note. Signed on creation; immutable."""

    __tablename__ = "note_addendum"
    note_id: Mapped[str] = mapped_column(ForeignKey("progress_note.id"), index=True)
    author_id: Mapped[str | None] = mapped_column(String(36))
    author_name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[dt.datetime]
    content_hash: Mapped[str] = mapped_column(String(64))

    note: Mapped[ProgressNote] = relationship(back_populates="addenda")


class QuarterlyReport(Synced, Base):
    __tablename__ = "quarterly_report"
    client_id: Mapped[str] = mapped_column(ForeignKey("client.id"), index=True)
    plan_id: Mapped[str | None] = mapped_column(ForeignKey("service_plan.id"))
    quarter_label: Mapped[str] = mapped_column(String(20))  # "2026Q3" or "PY2026Q1"
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft / signed / submitted
    summary: Mapped[str] = mapped_column(Text, default="")
    goal_narratives: Mapped[dict[str, Any]] = mapped_column(default=dict)  # goal id -> text
    draft_data: Mapped[dict[str, Any]] = mapped_column(default=dict)  # evidence snapshot used to draft
    signed_by: Mapped[str | None] = mapped_column(String(36))
    signer_name: Mapped[str | None] = mapped_column(String(200))
    signed_at: Mapped[dt.datetime | None]
    content_hash: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_quarterly_report_client_period", "client_id", "period_start"),)


REPORT_CONTENT_COLUMNS = (
    "client_id",
    "plan_id",
    "quarter_label",
    "period_start",
    "period_end",
    "summary",
    "goal_narratives",
    "draft_data",
    "signed_by",
    "signer_name",
    "signed_at",
    "content_hash",
    "deleted_at",
)


# ---------------------------------------------------------------------------------------------
# Forms, signatures, attachments
# ---------------------------------------------------------------------------------------------


class FormTemplate(Synced, Base):
    """One version of an agency form. Published versions are frozen; edits make the next version."""

    __tablename__ = "form_template"
    key: Mapped[str] = mapped_column(String(100))
    form_version: Mapped[int] = mapped_column(Integer, default=1)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[dt.datetime | None]
    definition: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the form schema JSON
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (UniqueConstraint("key", "form_version", name="uq_form_template_key_version"),)


# What a final form response's content is: refused from change by the forms service, by a DB trigger
# (migration 0005) and, in sync, kept aside as a conflict like signed notes.
FORM_RESPONSE_CONTENT_COLUMNS = (
    "client_id",
    "template_key",
    "template_version",
    "answers",
    "status",
    "finalised_at",
    "finalised_by",
    "content_hash",
    "deleted_at",
)


class FormResponse(Synced, Base):
    __tablename__ = "form_response"
    client_id: Mapped[str | None] = mapped_column(ForeignKey("client.id"), index=True)
    template_key: Mapped[str] = mapped_column(String(100), index=True)
    template_version: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(10), default="draft")  # draft / final
    finalised_at: Mapped[dt.datetime | None]
    finalised_by: Mapped[str | None] = mapped_column(String(36))
    content_hash: Mapped[str | None] = mapped_column(String(64))


class Signature(Synced, Base):
    """A captured on-screen signature (PNG + strokes) or a "signed on paper" marker for a document."""

    __tablename__ = "signature"
    document_type: Mapped[str] = mapped_column(String(20))  # note / report / form / addendum
    document_id: Mapped[str] = mapped_column(String(36), index=True)
    signer_name: Mapped[str] = mapped_column(String(200))
    signer_role: Mapped[str] = mapped_column(String(20))  # worker / client / guardian / supervisor / other
    method: Mapped[str] = mapped_column(String(10), default="drawn")  # drawn / wet
    image_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    strokes: Mapped[list[Any]] = mapped_column(default=list)
    signed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    document_hash: Mapped[str | None] = mapped_column(String(64))


class Attachment(Synced, Base):
    """An encrypted blob inside the database (e.g. a scan of a paper form signed by a guardian)."""

    __tablename__ = "attachment"
    client_id: Mapped[str | None] = mapped_column(ForeignKey("client.id"), index=True)
    document_type: Mapped[str | None] = mapped_column(String(20))
    document_id: Mapped[str | None] = mapped_column(String(36), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class FollowUp(Synced, Base):
    """Something the worker promised to do for a client by a date ("call the pharmacy about refills")."""

    __tablename__ = "follow_up"
    client_id: Mapped[str] = mapped_column(ForeignKey("client.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    due_date: Mapped[dt.date] = mapped_column(Date)
    done_at: Mapped[dt.datetime | None]


# ---------------------------------------------------------------------------------------------
# Local-only tables: audit, outbox, sync state, conflicts, settings, autosaves
# ---------------------------------------------------------------------------------------------


class AuditEvent(Base):
    """Append-only, hash-chained: hash = SHA-256(prev_hash + canonical row). Never updated or deleted."""

    __tablename__ = "audit_event"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))  # worker id, "system", or "unknown" for failed logins
    action: Mapped[str] = mapped_column(String(30))  # view/create/update/sign/print/export/login/...
    record_type: Mapped[str | None] = mapped_column(String(30))
    record_id: Mapped[str | None] = mapped_column(String(36))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)  # never client data: ids, counts, paths
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class OutboxOp(Base):
    """A local change waiting to be pushed. Written in the same transaction as the change."""

    __tablename__ = "outbox"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    op_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_id)
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # insert / update / delete
    base_version: Mapped[int] = mapped_column(Integer)  # the row's version before this change (0: new)
    new_version: Mapped[int] = mapped_column(Integer)
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)  # changed column -> new value (JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending / stuck
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[dt.datetime | None]


class SyncState(Base):
    """This device's link to the agency server (one row, id = 1)."""

    __tablename__ = "sync_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str | None] = mapped_column(String(36))
    server_url: Mapped[str | None] = mapped_column(String(300))
    login: Mapped[str | None] = mapped_column(String(100))
    device_token: Mapped[str | None] = mapped_column(String(200))  # inside the encrypted database
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    last_success_at: Mapped[dt.datetime | None]
    last_attempt_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class SyncConflict(Base):
    """Both sides changed the same field (or one deleted what the other edited). Kept for review."""

    __tablename__ = "sync_conflict"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(36), index=True)
    op_id: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(20), default="update")  # update / delete_edit
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)  # field -> {"mine": v, "theirs": v}
    server_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[dt.datetime | None]
    resolution: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc())
    resolved_by: Mapped[str | None] = mapped_column(String(36))


class Setting(Base):
    """Local settings stored in the encrypted profile (idle lock, quarter definition, ...)."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONDoc())


class DraftAutosave(Base):
    """The editor's latest unsaved content, written every few seconds; offered back after a crash."""

    __tablename__ = "draft_autosave"
    editor_key: Mapped[str] = mapped_column(String(100), primary_key=True)  # e.g. "note:<id>"
    client_id: Mapped[str | None] = mapped_column(String(36))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    saved_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


SYNCED_MODELS: tuple[type[Synced], ...] = (
    Agency,
    Worker,
    Client,
    Contact,
    ProviderAgency,
    ClientAgency,
    ServicePlan,
    Goal,
    Appointment,
    ProgressNote,
    NoteGoal,
    NoteAddendum,
    QuarterlyReport,
    FormTemplate,
    FormResponse,
    Signature,
    Attachment,
    FollowUp,
)

MODEL_BY_TABLE: dict[str, type[Synced]] = {m.__tablename__: m for m in SYNCED_MODELS}  # type: ignore[attr-defined]
