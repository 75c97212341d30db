"""The sync protocol shared by the device client and the agency server (no HTTP, no database).

Push: the device sends outbox ops in order, in batches. Each op names its row, the server version the
device's copy of that row was based on (``base``), and the changed fields. The server answers per op.

Pull: the device asks for changes after its cursor (a server-side monotonic sequence) and, for clients
newly in its caseload, for a snapshot of their records.

Scope: every synced row belongs to one client (found through its parent chain), to one user (a row with
no client, such as a staff meeting), or to the whole agency (workers, provider agencies, form templates).
"""

from __future__ import annotations

from enum import StrEnum

from casedesk.db.models import FORM_RESPONSE_CONTENT_COLUMNS, NOTE_CONTENT_COLUMNS, REPORT_CONTENT_COLUMNS

API_PREFIX = "/api/v1"
TOKEN_HEADER = "Authorization"

MAX_BATCH_OPS = 1000
DEFAULT_BATCH_OPS = 1000  # = MAX_BATCH_OPS: fewer requests and transactions; a batch the server cannot take is split
MAX_PULL_LIMIT = 5000
DEFAULT_PULL_LIMIT = 2000
MAX_SNAPSHOT_CLIENTS = 200
MAX_BODY_BYTES = 16 * 1024 * 1024

# Tables every device of the agency receives.
GLOBAL_TABLES = frozenset({"agency", "worker", "provider_agency", "form_template"})
# Global tables only an administrator may change from a device (the server owns them).
ADMIN_TABLES = frozenset({"agency", "worker"})

# How a row finds its client: (column on this row, table that column points to). A row whose column
# points at "client" belongs to that client; otherwise the parent row's own scope is used.
PARENT_REF: dict[str, tuple[str, str]] = {
    "contact": ("client_id", "client"),
    "client_agency": ("client_id", "client"),
    "service_plan": ("client_id", "client"),
    "appointment": ("client_id", "client"),
    "progress_note": ("client_id", "client"),
    "quarterly_report": ("client_id", "client"),
    "form_response": ("client_id", "client"),
    "attachment": ("client_id", "client"),
    "follow_up": ("client_id", "client"),
    "goal": ("plan_id", "service_plan"),
    "note_goal": ("note_id", "progress_note"),
    "note_addendum": ("note_id", "progress_note"),
}
# A signature points at its document through (document_type, document_id).
SIGNATURE_DOCUMENTS = {
    "note": "progress_note",
    "report": "quarterly_report",
    "form": "form_response",
    "addendum": "note_addendum",
}
# Columns that tie a row to its client: changing them would move the row to another client.
SCOPE_COLUMNS: dict[str, frozenset[str]] = {
    table: frozenset({column}) for table, (column, _target) in PARENT_REF.items()
} | {"signature": frozenset({"document_type", "document_id"})}

# Push order for records that exist on a device without outbox ops (parents before children).
UPLOAD_ORDER = (
    "provider_agency",
    "form_template",
    "client",
    "contact",
    "client_agency",
    "service_plan",
    "goal",
    "appointment",
    "follow_up",
    "progress_note",
    "note_goal",
    "note_addendum",
    "quarterly_report",
    "form_response",
    "signature",
    "attachment",
)


class OpStatus(StrEnum):
    APPLIED = "applied"  # every field was applied (or already had that value)
    DUPLICATE = "duplicate"  # this op id was applied before; nothing was done again
    CONFLICT = "conflict"  # some or all fields were kept at the server's value; a conflict record exists
    REJECTED = "rejected"  # the op was refused (reason given); nothing changed
    DEFERRED = "deferred"  # not applied yet (e.g. its parent record has not arrived); send again later


class ConflictKind(StrEnum):
    UPDATE = "update"  # both sides changed the same field
    DELETE_EDIT = "delete_edit"  # one side deleted the record, the other edited it
    SIGNED = "signed"  # a signed note/report met an edit made elsewhere; the signed content stands


# Signed documents: the signing op carries the whole content, which then stands as signed.
SIGNED_CONTENT: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "progress_note": (frozenset({"signed"}), NOTE_CONTENT_COLUMNS),
    "quarterly_report": (frozenset({"signed", "submitted"}), REPORT_CONTENT_COLUMNS),
    "form_response": (frozenset({"final"}), FORM_RESPONSE_CONTENT_COLUMNS),
}
IMMUTABLE_TABLES = frozenset({"note_addendum"})


def is_signed(table: str, data: dict[str, object]) -> bool:
    spec = SIGNED_CONTENT.get(table)
    return spec is not None and data.get("status") in spec[0]


def locked_columns(table: str) -> frozenset[str]:
    spec = SIGNED_CONTENT.get(table)
    return frozenset(spec[1]) if spec else frozenset()
