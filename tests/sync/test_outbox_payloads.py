"""What a push sends: each outbox op as JSON built from the stored text, equal to the op as stored, and a
signing op carrying the whole signed content."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select

from casedesk.db.models import NOTE_CONTENT_COLUMNS, OutboxOp
from casedesk.db.store import Store
from casedesk.services import clients, notes
from casedesk.sync import outbox

PASSPHRASE = "correct horse battery"
WHEN = dt.datetime(2026, 4, 7, 10, 0, tzinfo=dt.UTC)
BODY = {"data": 'Said "signed" twice.\n', "assessment": "Calm.", "plan": "Visit next week."}


def test_each_op_goes_out_as_stored_and_a_signing_op_carries_the_signed_note(tmp_path: Path) -> None:
    store, _ = Store.create(tmp_path / "laptop", PASSPHRASE)
    try:
        with store.session() as s:
            cid = clients.create_client(s, first_name="Zoë", last_name="Nguyễn \"Quote\"")
            nid = notes.create_draft(s, notes.NoteInput(cid, WHEN, 45, body=BODY))
            notes.sign_note(s, nid, signed_at=WHEN)
        with store.read_session() as s:
            stored = list(s.execute(select(OutboxOp).order_by(OutboxOp.seq)).scalars())
            ops = outbox.next_ops(s, 0, outbox.max_seq(s), 100, set())
            sent = [json.loads(text) for text in outbox.payloads(s, ops)]
    finally:
        store.close()

    assert [o["op_id"] for o in sent] == [o.op_id for o in stored]
    for op, wire in zip(stored, sent, strict=True):
        assert wire["table"] == op.table_name and wire["row_id"] == op.row_id and wire["kind"] == op.kind
        assert dt.datetime.fromisoformat(wire["created_at"]) == op.created_at
        if op.fields.get("status") == "signed":
            assert {k: wire["fields"][k] for k in op.fields} == op.fields
            assert set(NOTE_CONTENT_COLUMNS) <= set(wire["fields"])  # what was signed travels with the signature
            assert wire["fields"]["body"] == BODY
        else:
            assert wire["fields"] == op.fields
    client = next(o for o in sent if o["table"] == "client" and o["row_id"] == cid)
    assert client["fields"]["last_name"] == 'Nguyễn "Quote"'
    assert sum(1 for o in sent if o["fields"].get("status") == "signed") == 1
