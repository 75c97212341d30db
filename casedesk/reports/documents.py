"""What the PDF generator prints: plain, typed, frozen values, free of Qt and of the database.

Services fill these from the store; the ``render_*`` functions in casedesk.reports turn them into PDFs.
Everything is keyword-only, so a new optional field never breaks a caller. Times are printed as given:
convert UTC values from the database to the worker's local zone before building a document.

Status follows the data: a progress note or quarterly report with ``signed=None`` is a draft and every
page carries a large DRAFT mark; with a ``SignedStamp`` it prints the signer, time and content hash.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from casedesk.domain.notes import SECTION_TITLES, TEMPLATES
from casedesk.reports.errors import ReportError

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _check_hash(value: str | None, what: str) -> None:
    if value is not None and not _SHA256_HEX.fullmatch(value):
        raise ReportError(f"{what} must be a SHA-256 digest written as 64 lowercase hex digits, not {value!r}.")


def _check_png(value: bytes | None, what: str) -> None:
    if value is not None and not value.startswith(_PNG_MAGIC):
        raise ReportError(f"{what} is not a PNG image (it does not start with the PNG signature).")


class PageSize(StrEnum):
    LETTER = "letter"
    A4 = "a4"


@dataclass(frozen=True, kw_only=True)
class AgencyInfo:
    """Printed at the top left of every page."""

    name: str
    logo_png: bytes | None = None

    def __post_init__(self) -> None:
        _check_png(self.logo_png, f"The logo of {self.name}")


@dataclass(frozen=True, kw_only=True)
class ClientInfo:
    """Printed at the top right of every page of a client's document."""

    name: str
    date_of_birth: date | None = None
    record_number: str | None = None


@dataclass(frozen=True, kw_only=True)
class SignatureBlock:
    """One signer's block: printed name, role and date over a line to sign on paper, or, when the
    signature was captured on screen, the captured image (PNG bytes) above the line."""

    role: str  # "Case manager", "Client", "Guardian", "Supervisor", ...
    name: str | None = None  # None: a blank "printed name" line to fill by hand
    signed_at: datetime | None = None
    image_png: bytes | None = None

    def __post_init__(self) -> None:
        _check_png(self.image_png, f"The captured signature of the {self.role}")


@dataclass(frozen=True, kw_only=True)
class SignedStamp:
    """How a document was signed: who, when, and the SHA-256 of its canonical content."""

    signer_name: str
    signed_at: datetime
    content_hash: str
    signer_role: str | None = None

    def __post_init__(self) -> None:
        _check_hash(self.content_hash, "The content hash of a signed document")


# --- progress note -------------------------------------------------------------------------------


class NoteTemplate(StrEnum):
    DAP = "dap"
    SOAP = "soap"
    NARRATIVE = "narrative"

    @property
    def label(self) -> str:
        return {"dap": "DAP note", "soap": "SOAP note", "narrative": "Narrative note"}[self.value]


# Section keys and printed headings, in print order (the note rules in casedesk.domain.notes own them).
NOTE_SECTIONS: Mapping[NoteTemplate, tuple[tuple[str, str], ...]] = {
    template: tuple((key, SECTION_TITLES[key]) for key in TEMPLATES[template.value]) for template in NoteTemplate
}


@dataclass(frozen=True, kw_only=True)
class NoteSection:
    title: str
    text: str  # plain text; blank lines separate paragraphs; printed literally (no markup)


def note_sections(template: NoteTemplate, texts: Mapping[str, str]) -> tuple[NoteSection, ...]:
    """The sections of a ``template`` note in print order, from body texts keyed by section key
    (``{"data": ..., "assessment": ..., "plan": ...}`` for DAP). Missing keys print as empty sections."""
    known = NOTE_SECTIONS[template]
    unknown = sorted(set(texts) - {key for key, _ in known})
    if unknown:
        allowed = ", ".join(key for key, _ in known)
        raise ReportError(
            f"A {template.label} has no section {', '.join(map(repr, unknown))}; its sections are {allowed}."
        )
    return tuple(NoteSection(title=title, text=texts.get(key, "")) for key, title in known)


@dataclass(frozen=True, kw_only=True)
class GoalProgress:
    """A plan goal a note addressed, with the progress rating the worker gave it."""

    goal: str  # "Goal 2: Keep stable housing"
    rating: str  # "Progressing", "No change", ...
    comment: str | None = None


@dataclass(frozen=True, kw_only=True)
class Addendum:
    """A correction added after signing (signed notes never change)."""

    author: str
    written_at: datetime
    text: str
    content_hash: str | None = None

    def __post_init__(self) -> None:
        _check_hash(self.content_hash, f"The content hash of the addendum by {self.author}")


@dataclass(frozen=True, kw_only=True)
class ProgressNoteDoc:
    agency: AgencyInfo
    client: ClientInfo
    worker_name: str
    contact_date: date
    contact_type: str  # "Home visit", "Phone", ...
    template: NoteTemplate
    sections: tuple[NoteSection, ...]
    start_time: time | None = None
    duration_minutes: int | None = None
    location: str | None = None
    goals: tuple[GoalProgress, ...] = ()
    service_code: str | None = None
    billable_units: float | None = None
    signed: SignedStamp | None = None
    addenda: tuple[Addendum, ...] = ()
    # Blocks to print at the end; empty: one block for the worker (from ``signed`` when signed).
    signatures: tuple[SignatureBlock, ...] = ()

    def __post_init__(self) -> None:
        if self.billable_units is not None and self.billable_units < 0:
            raise ReportError(f"Billable units cannot be negative ({self.billable_units:g}).")
        if self.duration_minutes is not None and self.duration_minutes < 0:
            raise ReportError(f"A contact cannot last a negative time ({self.duration_minutes} minutes).")

    @property
    def end_time(self) -> time | None:
        """Start time plus duration (on the clock: a contact past midnight ends early next day)."""
        if self.start_time is None or self.duration_minutes is None:
            return None
        start = self.start_time.hour * 60 + self.start_time.minute
        end = (start + self.duration_minutes) % (24 * 60)
        return time(end // 60, end % 60)


# --- quarterly report ------------------------------------------------------------------------------


class GoalOutcome(StrEnum):
    ONGOING = "ongoing"
    MET = "met"
    CHANGED = "changed"
    DISCONTINUED = "discontinued"


@dataclass(frozen=True, kw_only=True)
class GoalEvidence:
    """One note of the quarter that addressed a goal."""

    contact_date: date
    contact_type: str
    rating: str | None
    excerpt: str  # the renderer shortens it to a line or two


@dataclass(frozen=True, kw_only=True)
class QuarterGoal:
    label: str  # "Goal 1"
    text: str
    narrative: str  # the worker's progress narrative for the quarter
    evidence: tuple[GoalEvidence, ...] = ()
    outcome: GoalOutcome = GoalOutcome.ONGOING
    outcome_note: str | None = None  # how it was met / what changed


@dataclass(frozen=True, kw_only=True)
class ContactCount:
    contact_type: str
    count: int


@dataclass(frozen=True, kw_only=True)
class ServiceUnits:
    service_code: str
    units: float
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class QuarterlyReportDoc:
    agency: AgencyInfo
    client: ClientInfo
    worker_name: str
    period_label: str  # "Q3 2025"
    period_start: date
    period_end: date
    due_date: date
    goals: tuple[QuarterGoal, ...]  # printed in this order: pass them in plan order
    plan_name: str | None = None
    contacts_by_type: tuple[ContactCount, ...] = ()
    face_to_face_visits: int = 0
    units_by_service: tuple[ServiceUnits, ...] = ()
    next_plan_review: date | None = None
    summary: str = ""
    missing_evidence: tuple[str, ...] = ()  # warnings; listed on drafts only
    signed: SignedStamp | None = None
    # Blocks to print at the end; empty: case manager, supervisor and client/guardian lines.
    signatures: tuple[SignatureBlock, ...] = ()

    def __post_init__(self) -> None:
        if self.period_end < self.period_start:
            raise ReportError(
                f"The report period {self.period_label} ends ({self.period_end.isoformat()}) "
                f"before it starts ({self.period_start.isoformat()})."
            )
        for row in self.contacts_by_type:
            if row.count < 0:
                raise ReportError(f"The count of {row.contact_type} contacts cannot be negative.")
        if self.face_to_face_visits < 0:
            raise ReportError("The number of face-to-face visits cannot be negative.")


# --- caseload due / overdue list ---------------------------------------------------------------


class DueStatus(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due soon"
    UPCOMING = "upcoming"


@dataclass(frozen=True, kw_only=True)
class DueItem:
    client_name: str
    kind: str  # "Quarterly report", "Plan review", "Progress note", "Monthly visit", ...
    due_date: date
    status: DueStatus
    record_number: str | None = None
    detail: str | None = None


@dataclass(frozen=True, kw_only=True)
class DueListDoc:
    agency: AgencyInfo
    as_of: date
    items: tuple[DueItem, ...]  # any order: printed by due date, overdue first and highlighted
    worker_name: str | None = None
    title: str = "Due and overdue"
