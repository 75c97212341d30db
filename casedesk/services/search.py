"""Full-text search (FTS5, inside the encrypted file) over client names and note text."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

_TOKEN = re.compile(r"\w+", re.UNICODE)


def fts_query(user_text: str) -> str | None:
    """Turn what a worker typed into a safe FTS5 query: every word must appear (prefix match)."""
    tokens = _TOKEN.findall(user_text)
    if not tokens:
        return None
    return " ".join(f'"{t}"*' for t in tokens[:12])


@dataclass(frozen=True)
class ClientHit:
    client_id: str
    display_name: str
    record_number: str | None


@dataclass(frozen=True)
class NoteHit:
    note_id: str
    client_id: str
    client_name: str
    contact_start: dt.datetime
    status: str
    snippet: str


def search_clients(session: Session, user_text: str, limit: int = 50) -> list[ClientHit]:
    query = fts_query(user_text)
    if query is None:
        return []
    rows = session.execute(
        text(
            "SELECT c.id, coalesce(c.preferred_name, c.first_name) || ' ' || c.last_name, c.record_number "
            "FROM client_fts JOIN client c ON c.rowid = client_fts.rowid "
            "WHERE client_fts MATCH :q AND c.deleted_at IS NULL ORDER BY rank LIMIT :limit"
        ),
        {"q": query, "limit": limit},
    )
    return [ClientHit(cid, name, rec) for cid, name, rec in rows]


def search_notes(session: Session, user_text: str, limit: int = 50, client_id: str | None = None) -> list[NoteHit]:
    """Notes matching every word, newest-written first.

    Ordering by the index's rowid (not by bm25 rank) lets FTS5 stop after `limit` matches instead of
    ranking every note that mentions a common word; for a worker, recent notes are the useful ones.
    """
    query = fts_query(user_text)
    if query is None:
        return []
    client_filter = "AND n.client_id = :client_id " if client_id else ""
    rows = session.execute(
        text(
            "SELECT n.id, n.client_id, coalesce(c.preferred_name, c.first_name) || ' ' || c.last_name, "
            "n.contact_start, n.status, snippet(note_fts, 0, '[', ']', '…', 12) "
            "FROM note_fts JOIN progress_note n ON n.rowid = note_fts.rowid "
            "JOIN client c ON c.id = n.client_id "
            f"WHERE note_fts MATCH :q AND n.deleted_at IS NULL {client_filter}"
            "ORDER BY note_fts.rowid DESC LIMIT :limit"
        ),
        {"q": query, "limit": limit, "client_id": client_id},
    )
    return [
        NoteHit(nid, cid, name, dt.datetime.fromisoformat(start), status, " ".join(snip.split()))
        for nid, cid, name, start, status, snip in rows
    ]
