"""The agency server's schema (SQLAlchemy 2; PostgreSQL in production, SQLite embedded).

Synced records are kept generically (table name, row id, JSON content) with the bookkeeping sync needs:
a version, per-field change metadata for merging, and a place in one server-wide monotonic change
sequence that devices pull by. Users, devices, enrolment codes, caseload assignments, remembered op ids,
conflicts and the audit log are ordinary tables. Secrets (device tokens, enrolment codes) are stored
only as SHA-256 hashes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("worker", "supervisor", "admin")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: DateTime(timezone=True), dict[str, Any]: JSON(), Any: JSON()}


class Counter(Base):
    """One row: the last change sequence number handed out. Writers lock it, so seq order = commit order."""

    __tablename__ = "sync_counter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    login: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    supervisor_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), index=True)
    worker_id: Mapped[str | None] = mapped_column(String(36), unique=True)  # her Worker record in synced data
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Device(Base):
    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class EnrolCode(Base):
    __tablename__ = "enrol_codes"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    device_id: Mapped[str | None] = mapped_column(String(36))


class Assignment(Base):
    """Which user's caseload a client is in (one user per client)."""

    __tablename__ = "assignments"
    client_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PastAssignment(Base):
    """A caseload a client left: her former worker may still send changes she made before it ended."""

    __tablename__ = "past_assignments"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(36), index=True)
    user_id: Mapped[str] = mapped_column(String(36), index=True)
    ended_at: Mapped[dt.datetime]


class Record(Base):
    """The server's copy of one synced row."""

    __tablename__ = "records"
    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str | None] = mapped_column(String(36))  # scope: the client this row belongs to
    owner_user_id: Mapped[str | None] = mapped_column(String(36))  # scope for rows without a client
    is_global: Mapped[bool] = mapped_column(Boolean, default=False)  # every device receives it
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    field_meta: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(36))  # worker id of the user who pushed the change
    # The device whose op made the current version (None: the server itself, or a version older than this
    # column). That device stored the version from its push answer, so its pulls can leave the row out.
    origin_device: Mapped[str | None] = mapped_column(String(36))

    __table_args__ = (
        Index("ix_records_client_seq", "client_id", "seq"),
        Index("ix_records_owner_seq", "owner_user_id", "seq"),
    )


class AppliedOp(Base):
    """Every op id the server has answered for good: a retried batch is a no-op."""

    __tablename__ = "applied_ops"
    op_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36), index=True)
    user_id: Mapped[str] = mapped_column(String(36))
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(12))
    conflict_id: Mapped[str | None] = mapped_column(String(36))
    server_version: Mapped[int | None] = mapped_column(Integer)
    applied_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Conflict(Base):
    """Both sides' values, for the worker and her supervisor to review."""

    __tablename__ = "conflicts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(36), index=True)
    client_id: Mapped[str | None] = mapped_column(String(36), index=True)
    owner_user_id: Mapped[str | None] = mapped_column(String(36))
    op_id: Mapped[str] = mapped_column(String(36))
    device_id: Mapped[str] = mapped_column(String(36))
    user_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(20))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    server_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[dt.datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(36))
    resolution: Mapped[Any | None] = mapped_column(JSON)


class AuditEntry(Base):
    """Every request and every change, server side. Ids, counts and outcomes only; never client data."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[str | None] = mapped_column(String(36))
    device_id: Mapped[str | None] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(120))  # "METHOD /path" or "table:row_id"
    status: Mapped[str | None] = mapped_column(String(20))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str | None] = mapped_column(Text)


def table_of(model: type[Base]) -> Table:
    """A model's table, for Core bulk statements (one executemany, none of the ORM's per-row work)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
