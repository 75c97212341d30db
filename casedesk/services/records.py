"""Small helpers shared by the services: fetch-or-fail, soft-delete filters."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from casedesk.db.models import Synced
from casedesk.db.types import utcnow
from casedesk.errors import NotFoundError

T = TypeVar("T", bound=Synced)


def get_live(session: Session, model: type[T], row_id: str, what: str | None = None) -> T:
    """The row with this id, unless missing or soft-deleted (then a NotFoundError a user can read)."""
    obj = session.get(model, row_id)
    if obj is None or obj.deleted_at is not None:
        label = what or model.__tablename__.replace("_", " ")  # type: ignore[attr-defined]
        raise NotFoundError(f"No {label} with id {row_id}.")
    return obj


def soft_delete(obj: Synced) -> None:
    obj.deleted_at = utcnow()
