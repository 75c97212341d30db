"""The read services the window uses, on a real profile (no Qt): due items, caseload entries, signatures."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from casedesk.db.store import Store
from casedesk.errors import ValidationError
from casedesk.services import appointments, deadlines, notes, signatures, workspace
from casedesk.services.notes import NoteInput

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.fixture
def store(demo_template: Path, tmp_path: Path):
    shutil.copytree(demo_template, tmp_path / "p")
    s = Store.open(tmp_path / "p", passphrase="demo")
    yield s
    s.close()


def test_caseload_entries_carry_the_soonest_due_item(store: Store) -> None:
    with store.read_session() as s:
        entries = workspace.caseload_entries(s)
        items = workspace.due_items(s)
    assert entries and items
    by_client: dict[str, list[workspace.DueItem]] = {}
    for item in items:
        by_client.setdefault(item.client_id, []).append(item)
    for entry in entries:
        mine = by_client.get(entry.row.id, [])
        assert entry.next_due == (min(mine, key=lambda i: (i.due, i.kind)) if mine else None)
        assert entry.overdue == sum(1 for i in mine if i.overdue)


def test_due_items_are_the_deadline_engines(store: Store) -> None:
    """The caseload, the status bar and the calendar must agree on what is overdue."""
    with store.read_session() as s:
        items = workspace.due_items(s)
        engine = deadlines.due_entries(s)
        counts = workspace.status_counts(s)
        engine_counts = deadlines.due_counts(s)
    assert sorted((i.client_id, i.title) for i in engine) == sorted((i.client_id, i.label) for i in items)
    assert counts.overdue == engine_counts.overdue == sum(1 for i in items if i.overdue)


def test_a_new_draft_counts_and_only_asked_clients_are_loaded(store: Store) -> None:
    with store.read_session() as s:
        entry = workspace.caseload_entries(s)[0]
        before = workspace.status_counts(s)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=5)
    with store.session() as s:
        notes.create_draft(s, NoteInput(entry.row.id, start, 30, body={"data": "x"}))
    with store.read_session() as s:
        after = workspace.status_counts(s)
        mine = workspace.due_items(s, client_ids=[entry.row.id])
        only = workspace.caseload_entries(s, client_ids=[entry.row.id])
    assert after.drafts_unsigned == before.drafts_unsigned + 1
    assert {i.client_id for i in mine} <= {entry.row.id}
    assert [e.row.id for e in only] == [entry.row.id]


def test_client_workspace_and_upcoming_visits(store: Store) -> None:
    with store.session() as s:
        client_id = workspace.caseload_entries(s)[0].row.id
        data = workspace.client_workspace(s, client_id)
        visits = appointments.upcoming(s, dt.datetime.now(dt.UTC), days=60)
    assert data.detail.id == client_id and data.notes
    assert [v.starts_at for v in visits] == sorted(v.starts_at for v in visits)
    assert all(v.status == "planned" for v in visits)
    with pytest.raises(ValueError):
        appointments.upcoming(s, dt.datetime(2026, 1, 1), days=1)


def test_signature_capture_and_refusals(store: Store) -> None:
    kwargs = dict(
        document_type="note",
        document_id="n1",
        signer_name="Maria Lopez",
        signer_role="guardian",
        image_png=PNG,
        strokes=[[[1, 2], [3, 4]]],
        document_hash="a" * 64,
    )
    with store.session() as s:
        sig_id = signatures.capture(s, **kwargs)  # type: ignore[arg-type]
        stored = signatures.for_document(s, "note", "n1")
    assert [x.id for x in stored] == [sig_id] and stored[0].image_png == PNG
    for change, message in (
        ({"signer_role": "cousin"}, "role"),
        ({"signer_name": " "}, "name"),
        ({"strokes": [[]]}, "empty"),
        ({"image_png": b"GIF89a"}, "PNG"),
        ({"document_hash": "xyz"}, "SHA-256"),
        ({"document_type": "invoice"}, "Signatures are for"),
    ):
        with store.session() as s, pytest.raises(ValidationError, match=message):
            signatures.capture(s, **{**kwargs, **change})  # type: ignore[arg-type]
