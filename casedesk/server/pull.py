"""What a device may receive: its caseload, changes after its cursor, snapshots of newly visible clients.

Visibility is decided in SQL from the assignments table, for every request: a worker receives her own
clients, a supervisor her team's, everyone the agency-wide tables (workers, provider agencies, forms),
and rows without a client (a staff meeting) go to their owner and her supervisor.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii
from typing import Any

from sqlalchemy import ColumnElement, Text, and_, cast, or_, select
from sqlalchemy.orm import Session

from casedesk.errors import CaseDeskError
from casedesk.server.auth import Actor
from casedesk.server.db import current_seq
from casedesk.server.models import Assignment, Conflict, Record
from casedesk.server.records import conflict_payload, iso


class Forbidden(CaseDeskError):
    pass


def _caseload_subquery(actor: Actor) -> Any:
    return select(Assignment.client_id).where(Assignment.user_id.in_(actor.visible_users)).scalar_subquery()


def _record_visible(actor: Actor) -> ColumnElement[bool]:
    return or_(
        Record.is_global.is_(True),
        Record.client_id.in_(_caseload_subquery(actor)),
        and_(Record.client_id.is_(None), Record.owner_user_id.in_(actor.visible_users)),
    )


def _conflict_visible(actor: Actor) -> ColumnElement[bool]:
    return or_(
        Conflict.client_id.in_(_caseload_subquery(actor)),
        and_(Conflict.client_id.is_(None), Conflict.owner_user_id.in_(actor.visible_users)),
        Conflict.user_id == actor.user_id,
    )


def caseload(session: Session, actor: Actor) -> dict[str, Any]:
    seq = current_seq(session)
    clients = sorted(
        session.execute(select(Assignment.client_id).where(Assignment.user_id.in_(actor.visible_users))).scalars()
    )
    return {"clients": clients, "seq": seq}


RAW_COLUMNS = (
    Record.table_name,
    Record.row_id,
    Record.version,
    cast(Record.data, Text),
    Record.created_at,
    Record.updated_at,
    Record.updated_by,
    Record.seq,
)


def _text(value: str | None) -> str:
    """A JSON string (or null), as json.dumps writes it, without its per-call set-up."""
    return "null" if value is None else encode_basestring_ascii(value)


def raw_row(r: Any) -> str:
    """One row in the wire format of records.row_payload, with its stored JSON spliced in unparsed."""
    table, row_id, version, data, created, updated, by, seq = r
    return (
        f'{{"t":{_text(table)},"id":{_text(row_id)},"v":{int(version)},"d":{data},'
        f'"c":{_text(iso(created))},"u":{_text(iso(updated))},"by":{_text(by)},"s":{int(seq)}}}'
    )


def page_body(rows: list[str], rest: dict[str, Any]) -> bytes:
    """A page as JSON bytes: {"rows": [...], **rest} without decoding and re-encoding every record."""
    tail = json.dumps(rest, separators=(",", ":"), ensure_ascii=False)[1:]
    return ('{"rows":[' + ",".join(rows) + "]" + ("," + tail if tail != "}" else "}")).encode("utf-8")


def _not_made_by(device: str) -> ColumnElement[bool]:
    """The row's current version was not made by `device` (made by another device, by the server, or by
    a device no longer known)."""
    return or_(Record.origin_device.is_(None), Record.origin_device != device)


def changes(session: Session, actor: Actor, cursor: int, limit: int, own_upto: int = 0) -> dict[str, Any]:
    """Rows and conflicts changed after `cursor`, visible to the actor, in sequence order, one page.
    Rows come back as JSON text (see page_body).

    `own_upto`: the device holds every version it made up to that change number (it stored the answers to
    its pushes), so rows whose current version it made, numbered up to there, are left out. A version
    made by anyone else, or a merge that took in someone else's change after this device's op, is sent."""
    high = current_seq(session)  # read first: everything numbered <= high has committed
    query = select(*RAW_COLUMNS).where(Record.seq > cursor, Record.seq <= high, _record_visible(actor))
    if own_upto > cursor:
        query = query.where(or_(Record.seq > own_upto, _not_made_by(actor.device_id)))
    rows = list(session.execute(query.order_by(Record.seq).limit(limit + 1)))
    conflicts = list(
        session.execute(
            select(Conflict)
            .where(Conflict.seq > cursor, Conflict.seq <= high, _conflict_visible(actor))
            .order_by(Conflict.seq)
            .limit(limit + 1)
        ).scalars()
    )
    items: list[tuple[int, str, Any]] = sorted(
        [(r.seq, "row", r) for r in rows] + [(c.seq, "conflict", c) for c in conflicts], key=lambda x: x[0]
    )
    more = len(items) > limit
    items = items[:limit]
    new_cursor = items[-1][0] if more else high
    return {
        "rows": [raw_row(obj) for _seq, kind, obj in items if kind == "row"],
        "conflicts": [conflict_payload(obj) for _seq, kind, obj in items if kind == "conflict"],
        "cursor": max(new_cursor, cursor),
        "more": more,
    }


def snapshot(
    session: Session,
    actor: Actor,
    clients: list[str],
    base: bool,
    after: int,
    limit: int,
    own: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The current rows of `clients` (and, with `base`, the agency-wide and personal rows), paged by seq.

    `own` names clients this device created in the sync that asks (their records reached the server from
    it and it stored every answer): their rows whose current version is this device's own change are left
    out, the rest (changes by anyone else) are sent as usual."""
    if clients:
        allowed = set(
            session.execute(
                select(Assignment.client_id).where(
                    Assignment.user_id.in_(actor.visible_users), Assignment.client_id.in_(clients)
                )
            ).scalars()
        )
        refused = [c for c in clients if c not in allowed]
        if refused:
            raise Forbidden(f"{len(refused)} of the requested clients are not in your caseload.")
    scope: list[ColumnElement[bool]] = []
    if clients:
        scope.append(Record.client_id.in_(clients))
    if base:
        scope.append(Record.is_global.is_(True))
        scope.append(and_(Record.client_id.is_(None), Record.owner_user_id.in_(actor.visible_users)))
    if not scope:
        return {"rows": [], "conflicts": [], "after": after, "more": False}
    own = own & set(clients)
    query = select(*RAW_COLUMNS).where(Record.seq > after, or_(*scope))
    if own:
        query = query.where(
            or_(Record.client_id.is_(None), Record.client_id.not_in(sorted(own)), _not_made_by(actor.device_id))
        )
    rows: list[Any] = list(session.execute(query.order_by(Record.seq).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1][7] if rows else after
    conflicts: list[dict[str, Any]] = []
    if not more and clients:
        conflicts = [
            conflict_payload(c)
            for c in session.execute(select(Conflict).where(Conflict.client_id.in_(clients)).order_by(Conflict.seq))
            .scalars()
        ]
    return {
        "rows": [raw_row(r) for r in rows],
        "conflicts": conflicts,
        "after": last,
        "more": more,
    }
