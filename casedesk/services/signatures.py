"""Signatures captured on screen (PNG + pen strokes) or marked as signed on paper, tied to a document hash."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.db.models import Signature
from casedesk.db.types import utcnow
from casedesk.errors import ValidationError
from casedesk.services import audit

DOCUMENT_TYPES = ("note", "report", "form", "addendum")
SIGNER_ROLES = ("worker", "client", "guardian", "supervisor", "other")
MAX_PNG_BYTES = 2_000_000
MAX_POINTS = 50_000


@dataclass(frozen=True)
class SignatureInfo:
    id: str
    document_type: str
    document_id: str
    signer_name: str
    signer_role: str
    method: str
    signed_at: dt.datetime
    document_hash: str | None
    image_png: bytes | None


def validate_strokes(strokes: Any) -> list[list[list[float]]]:
    """Strokes are lists of [x, y] or [x, y, ms] points; returns them as plain lists of floats."""
    if not isinstance(strokes, list):
        raise ValidationError("Signature strokes must be a list of strokes.")
    total = 0
    clean: list[list[list[float]]] = []
    for stroke in strokes:
        if not isinstance(stroke, list):
            raise ValidationError("Each signature stroke must be a list of points.")
        points = []
        for point in stroke:
            if not isinstance(point, list | tuple) or len(point) not in (2, 3):
                raise ValidationError("Each signature point must be [x, y] or [x, y, time].")
            if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in point):
                raise ValidationError("Signature point coordinates must be numbers.")
            points.append([float(v) for v in point])
        total += len(points)
        clean.append(points)
    if total > MAX_POINTS:
        raise ValidationError(f"A signature may hold at most {MAX_POINTS} points.")
    return clean


def capture(
    session: Session,
    *,
    document_type: str,
    document_id: str,
    signer_name: str,
    signer_role: str,
    image_png: bytes | None,
    strokes: Any,
    document_hash: str | None,
    signed_at: dt.datetime | None = None,
) -> str:
    """Store a drawn signature (image and strokes) for a document; returns the signature id."""
    if document_type not in DOCUMENT_TYPES:
        raise ValidationError(f"Signatures are for {', '.join(DOCUMENT_TYPES)}, not {document_type!r}.")
    if signer_role not in SIGNER_ROLES:
        raise ValidationError(f"The signer's role must be one of {', '.join(SIGNER_ROLES)}.")
    if not signer_name.strip():
        raise ValidationError("Type the name of the person signing.")
    clean = validate_strokes(strokes)
    if not any(clean):
        raise ValidationError("The signature is empty: draw it in the box first.")
    if image_png is None or not image_png.startswith(b"\x89PNG"):
        raise ValidationError("The signature image must be a PNG.")
    if len(image_png) > MAX_PNG_BYTES:
        raise ValidationError("The signature image is too large.")
    if document_hash is not None and (len(document_hash) != 64 or any(c not in "0123456789abcdef" for c in document_hash)):
        raise ValidationError("The document hash must be a SHA-256 hex digest.")
    sig = Signature(
        document_type=document_type,
        document_id=document_id,
        signer_name=signer_name.strip(),
        signer_role=signer_role,
        method="drawn",
        image_png=image_png,
        strokes=clean,
        signed_at=signed_at or utcnow(),
        document_hash=document_hash,
    )
    session.add(sig)
    session.flush()
    audit.record(session, "create", "signature", sig.id, {"document_type": document_type, "document_id": document_id})
    return sig.id


def for_document(session: Session, document_type: str, document_id: str) -> list[SignatureInfo]:
    return [
        SignatureInfo(
            s.id,
            s.document_type,
            s.document_id,
            s.signer_name,
            s.signer_role,
            s.method,
            s.signed_at,
            s.document_hash,
            s.image_png,
        )
        for s in session.execute(
            select(Signature)
            .where(
                Signature.document_type == document_type,
                Signature.document_id == document_id,
                Signature.deleted_at.is_(None),
            )
            .order_by(Signature.signed_at)
        ).scalars()
    ]
