"""Progress-note rules: templates, the draft -> signed state machine, billable units, content hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from casedesk.errors import ImmutableRecordError, InvalidTransitionError, ValidationError


class NoteStatus(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"


class NoteAction(StrEnum):
    EDIT = "edit"
    SIGN = "sign"
    DELETE = "delete"
    ADD_ADDENDUM = "add_addendum"


# Which actions each status allows, and the status they lead to.
_TRANSITIONS: dict[NoteStatus, dict[NoteAction, NoteStatus]] = {
    NoteStatus.DRAFT: {
        NoteAction.EDIT: NoteStatus.DRAFT,
        NoteAction.SIGN: NoteStatus.SIGNED,
        NoteAction.DELETE: NoteStatus.DRAFT,
    },
    NoteStatus.SIGNED: {NoteAction.ADD_ADDENDUM: NoteStatus.SIGNED},
}


def allowed_actions(status: NoteStatus) -> frozenset[NoteAction]:
    return frozenset(_TRANSITIONS[status])


def next_status(status: NoteStatus, action: NoteAction) -> NoteStatus:
    """The status after `action`, or an error a user can read."""
    try:
        return _TRANSITIONS[status][action]
    except KeyError:
        if status is NoteStatus.SIGNED:
            raise ImmutableRecordError(
                "This note is signed and locked. Corrections are made with an addendum."
            ) from None
        raise InvalidTransitionError(f"A {status.value} note cannot be given an addendum; sign it first.") from None


TEMPLATES: dict[str, tuple[str, ...]] = {
    "dap": ("data", "assessment", "plan"),
    "soap": ("subjective", "objective", "assessment", "plan"),
    "narrative": ("narrative",),
}

SECTION_TITLES: dict[str, str] = {
    "data": "Data",
    "assessment": "Assessment",
    "plan": "Plan",
    "subjective": "Subjective",
    "objective": "Objective",
    "narrative": "Narrative",
}

CONTACT_TYPES: dict[str, str] = {
    "face_to_face": "Face-to-face",
    "phone": "Phone",
    "video": "Video",
    "collateral": "Collateral contact",
    "email": "Email / written",
    "attempted": "Attempted contact",
}

FACE_TO_FACE_TYPES = frozenset({"face_to_face"})

PROGRESS_RATINGS: dict[str, str] = {
    "regressed": "Regressed",
    "none": "No progress",
    "minimal": "Minimal progress",
    "some": "Some progress",
    "good": "Good progress",
    "met": "Goal met",
}


def sections_for(template: str) -> tuple[str, ...]:
    try:
        return TEMPLATES[template]
    except KeyError:
        raise ValidationError(f"Unknown note template {template!r}; use one of {', '.join(TEMPLATES)}.") from None


def billable_units(minutes: int, rule: str = "cms8") -> int:
    """15-minute units for a contact of `minutes`.

    cms8: the "8-minute rule" (8-22 min = 1 unit, 23-37 = 2, ...); whole: only completed 15-minute blocks.
    """
    if minutes < 0:
        raise ValidationError("A contact cannot last a negative number of minutes.")
    if rule == "cms8":
        return (minutes + 7) // 15 if minutes >= 8 else 0
    if rule == "whole":
        return minutes // 15
    raise ValidationError(f"Unknown units rule {rule!r} (use 'cms8' or 'whole').")


def search_text(body: Mapping[str, Any]) -> str:
    """The text full-text search indexes for a note body."""
    return "\n".join(str(v) for v in body.values() if isinstance(v, str) and v)


@dataclass(frozen=True)
class GoalRating:
    goal_id: str
    rating: str
    comment: str | None = None


def canonical_note_content(
    *,
    note_id: str,
    client_id: str,
    contact_start: dt.datetime,
    duration_minutes: int,
    contact_type: str,
    location: str | None,
    template: str,
    body: Mapping[str, Any],
    service_code: str | None,
    billable_units: int,
    goals: Sequence[GoalRating],
    signer_id: str | None,
    signer_name: str,
    signed_at: dt.datetime,
) -> bytes:
    """Deterministic bytes of everything a signature covers (sorted keys, UTC times, no whitespace)."""
    doc = {
        "type": "progress_note",
        "id": note_id,
        "client_id": client_id,
        "contact_start": contact_start.astimezone(dt.UTC).isoformat(),
        "duration_minutes": duration_minutes,
        "contact_type": contact_type,
        "location": location or "",
        "template": template,
        "body": {k: body[k] for k in sorted(body)},
        "service_code": service_code or "",
        "billable_units": billable_units,
        "goals": sorted(
            ({"goal_id": g.goal_id, "rating": g.rating, "comment": g.comment or ""} for g in goals),
            key=lambda g: g["goal_id"],
        ),
        "signer_id": signer_id or "",
        "signer_name": signer_name,
        "signed_at": signed_at.astimezone(dt.UTC).isoformat(),
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_hash(canonical: bytes) -> str:
    return hashlib.sha256(canonical).hexdigest()


def canonical_addendum(
    *, addendum_id: str, note_id: str, note_hash: str, author_name: str, text: str, signed_at: dt.datetime
) -> bytes:
    doc = {
        "type": "note_addendum",
        "id": addendum_id,
        "note_id": note_id,
        "note_hash": note_hash,
        "author_name": author_name,
        "text": text,
        "signed_at": signed_at.astimezone(dt.UTC).isoformat(),
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def check_signable(body: Mapping[str, Any], template: str, duration_minutes: int) -> list[str]:
    """Problems that stop a note being signed (empty sections, no duration...). Empty list: signable."""
    problems = []
    for section in sections_for(template):
        if not str(body.get(section, "")).strip():
            problems.append(f"The {SECTION_TITLES.get(section, section)} section is empty.")
    if duration_minutes <= 0:
        problems.append("The contact duration is missing.")
    return problems
